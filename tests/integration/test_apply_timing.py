"""Time per item, the server-side time limit, and the countdown as an enhancement only."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item
from screening.extensions import db
from screening.models import Answer, Invitation, Submission, SubmissionStatus, utcnow
from screening.scoring.quality import too_fast_threshold
from screening.services.journey import TIME_LIMIT_GRACE, sequence_for
from screening.web.apply import timing
from tests.factories import create_invitation, create_position, keyed_best_form


class Clock:
    """Stands in for the time module inside screening.web.apply.timing only."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_800_000_000.0)
    monkeypatch.setattr(timing, "time", fake)
    return fake


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def consented(app: Flask, client: FlaskClient) -> tuple[str, tuple[Item, ...]]:
    with app.app_context():
        token = create_invitation(create_position()).token
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    with app.app_context():
        return token, sequence_for(submission_of(token)).items


def clock_running(app: Flask, client: FlaskClient) -> tuple[str, tuple[Item, ...]]:
    """Consented, and the first scored question opened: the clock is running."""
    token, items = consented(app, client)
    assert client.get(f"/apply/{token}/q/1").status_code == 200
    return token, items


def submission_of(token: str) -> Submission:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    assert invitation is not None and invitation.submission is not None
    return invitation.submission


def seconds_stored(app: Flask, item_id: str) -> float | None:
    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.item_id == item_id))
        assert answer is not None
        assert answer.response["seconds"] == answer.seconds
        return answer.seconds


def visit(client: FlaskClient, token: str, clock: Clock, item: Item, seconds: float) -> None:
    """Open item 1, spend ``seconds`` on it, press Next."""
    shown_at = hidden(client.get(f"/apply/{token}/q/1").text, "shown_at")
    clock.now += seconds
    response = client.post(f"/apply/{token}/q/1",
                           data={**keyed_best_form(item), "shown_at": shown_at})
    assert response.status_code == 302


def test_time_on_an_item_is_measured_by_the_server(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    token, items = consented(app, client)
    visit(client, token, clock, items[0], 42.5)
    assert seconds_stored(app, items[0].id) == 42.5


def test_time_adds_up_over_visits_and_each_visit_is_capped(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    token, items = consented(app, client)
    visit(client, token, clock, items[0], 10)
    visit(client, token, clock, items[0], 5)
    assert seconds_stored(app, items[0].id) == 15
    visit(client, token, clock, items[0], 5 * 3600)  # left the tab open over lunch
    assert seconds_stored(app, items[0].id) == 15 + timing.MAX_SECONDS_PER_VISIT


def test_an_error_or_a_lost_session_does_not_restart_the_clock(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    token, items = consented(app, client)
    shown_at = hidden(client.get(f"/apply/{token}/q/1").text, "shown_at")
    clock.now += 20
    again = client.post(f"/apply/{token}/q/1", data={"shown_at": shown_at})  # nothing chosen
    assert again.status_code == 200
    assert hidden(again.text, "shown_at") == shown_at
    clock.now += 10
    client.post(f"/apply/{token}/q/1", data={**keyed_best_form(items[0]), "shown_at": shown_at})
    assert seconds_stored(app, items[0].id) == 30


@pytest.mark.parametrize("forged", ["0", "", "1800000000000", "1800000000000.not-a-signature",
                                    "nan", "x" * 500, "another item", "an hour earlier",
                                    None])
def test_the_form_clock_can_neither_stretch_nor_replace_the_servers_measure(
    app: Flask, client: FlaskClient, clock: Clock, forged: str | None
) -> None:
    """Missing, forged, borrowed or old: the time on the item is the server's own record."""
    token, items = consented(app, client)
    with app.app_context():
        submission_id = submission_of(token).id
    if forged == "another item":
        forged = timing.page_clock(app.secret_key, submission_id, items[1].id,
                                   now=clock.now - 60)
    elif forged == "an hour earlier":  # this item's own clock, kept from an earlier visit
        forged = timing.page_clock(app.secret_key, submission_id, items[0].id,
                                   now=clock.now - 3600)
    client.get(f"/apply/{token}/q/1")
    clock.now += 2.5
    fields = keyed_best_form(items[0]) | ({} if forged is None else {"shown_at": forged})
    client.post(f"/apply/{token}/q/1", data=fields)
    assert seconds_stored(app, items[0].id) == 2.5


def test_an_answer_posted_without_its_page_is_timed_from_the_last_step(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    """A script that never asks for item 2's page: timed from item 1's answer."""
    token, items = consented(app, client)
    visit(client, token, clock, items[0], 30)
    clock.now += 1.5
    with app.app_context():  # the answer's arrival, on the same clock as the page views
        answer = db.session.scalar(select(Answer).where(Answer.item_id == items[0].id))
        answer.saved_at = datetime.fromtimestamp(clock.now - 1.5, UTC)
        db.session.commit()
    client.post(f"/apply/{token}/q/2", data=keyed_best_form(items[1]))
    assert seconds_stored(app, items[1].id) == 1.5


@pytest.mark.parametrize("pages", ["fetched, clock field left out", "never fetched"])
def test_twenty_answers_in_seconds_are_too_fast_without_the_clock_field(
    app: Flask, client: FlaskClient, pages: str
) -> None:
    """The browser's clock field is never needed for the flag: leaving it out of every
    form, or posting without asking for the pages, still shows answers faster than they
    can be read, and the result is "unreliable" as the scoring rules say."""
    token, items = consented(app, client)
    started = time.monotonic()
    for number, item in enumerate(items, start=1):
        if pages.startswith("fetched"):
            assert client.get(f"/apply/{token}/q/{number}").status_code == 200
        answer = keyed_best_form(item)  # no shown_at field
        assert client.post(f"/apply/{token}/q/{number}", data=answer).status_code == 302
    assert client.post(f"/apply/{token}/review").status_code == 302
    assert time.monotonic() - started < 60  # far less than reading 20 items takes
    with app.app_context():
        submission = submission_of(token)
        items_by_id = {item.id: item for item in items}
        answers = list(submission.answers)
        assert len(answers) == len(items) >= 8
        # Each answer's time, recorded by the server, is under the item's reading time.
        assert all(a.seconds is not None
                   and a.seconds < too_fast_threshold(items_by_id[a.item_id])
                   for a in answers)
        result = submission.result
    flagged = {f["item_id"] for f in result["quality_flags"] if f["kind"] == "too_fast"}
    assert flagged == {item.id for item in items}
    assert result["status"] == "unreliable" and result["band"] is None


def set_deadline(app: Flask, token: str, ago: timedelta) -> None:
    with app.app_context():
        submission = submission_of(token)
        submission.deadline_at = utcnow() - ago
        db.session.commit()


def status(app: Flask, token: str) -> SubmissionStatus:
    with app.app_context():
        return submission_of(token).status


def test_after_the_limit_and_its_grace_the_saved_answers_are_submitted(
    app: Flask, client: FlaskClient
) -> None:
    token, items = clock_running(app, client)
    client.post(f"/apply/{token}/q/1", data=keyed_best_form(items[0]))
    set_deadline(app, token, TIME_LIMIT_GRACE + timedelta(seconds=1))

    late = client.post(f"/apply/{token}/q/2", data=keyed_best_form(items[1]))
    assert late.headers["Location"].endswith(f"/apply/{token}/done")
    assert status(app, token) is SubmissionStatus.SUBMITTED
    done = client.get(late.headers["Location"]).text
    assert "The time for this questionnaire ran out, so we submitted the answers you had saved." \
        in done
    with app.app_context():
        assert [a.item_id for a in db.session.scalars(select(Answer))] == [items[0].id]


@pytest.mark.parametrize("page", ["/q/3", "/review", ""])
def test_opening_any_page_after_the_limit_submits(app: Flask, client: FlaskClient,
                                                  page: str) -> None:
    token, _ = clock_running(app, client)
    set_deadline(app, token, TIME_LIMIT_GRACE + timedelta(seconds=1))
    response = client.get(f"/apply/{token}{page}", follow_redirects=True)
    assert response.status_code == 200
    assert "We have your answers" in response.text
    assert status(app, token) is SubmissionStatus.SUBMITTED


def test_within_the_grace_period_an_answer_is_still_saved(
    app: Flask, client: FlaskClient
) -> None:
    token, items = clock_running(app, client)
    set_deadline(app, token, TIME_LIMIT_GRACE - timedelta(seconds=20))
    response = client.post(f"/apply/{token}/q/1", data=keyed_best_form(items[0]))
    assert response.headers["Location"].endswith(f"/apply/{token}/q/2")
    assert status(app, token) is SubmissionStatus.IN_PROGRESS
    assert "The time is up: press Next to save this answer." in client.get(
        f"/apply/{token}/q/2").text


def test_the_countdown_is_an_enhancement(app: Flask, client: FlaskClient) -> None:
    token, _ = consented(app, client)
    page = client.get(f"/apply/{token}/q/1").text
    with app.app_context():
        deadline = submission_of(token).deadline_at
    assert deadline is not None
    # Without JavaScript one line says how long is left; the script rewrites that same line.
    assert '<p class="deadline-line" data-countdown-line>20 minutes left</p>' in page
    assert page.count("minutes left</p>") == 1 and "Please finish by" not in page
    assert f'data-countdown-deadline="{deadline.isoformat()}"' in page
    assert '<script src="/static/js/countdown.js" defer></script>' in page
    with client.get("/static/js/countdown.js") as script:
        assert script.status_code == 200
        assert script.mimetype in {"text/javascript", "application/javascript"}
        assert b"data-countdown-deadline" in script.data
        assert b"data-countdown-line" in script.data

    with app.app_context():
        submission_of(token).deadline_at = None
        db.session.commit()
    untimed = client.get(f"/apply/{token}/q/1").text
    assert "countdown" not in untimed and "Please finish by" not in untimed


def test_applicant_pages_have_no_inline_script_or_handlers(
    app: Flask, client: FlaskClient
) -> None:
    """CSP forbids inline scripts, so every script is a file and no element has on...=."""
    with app.app_context():
        position = create_position()
        token, open_token = create_invitation(position).token, position.open_token
    pages = [client.get(f"/apply/join/{open_token}").text, client.get(f"/apply/{token}").text]
    client.post(f"/apply/{token}", data={"consent": "y"})
    pages += [client.get(f"/apply/{token}/practice").text,
              client.get(f"/apply/{token}/q/1").text,
              client.post(f"/apply/{token}/q/1", data={}).text,
              client.get(f"/apply/{token}/review").text]
    for page in pages:
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page) == []
        assert re.findall(r"\son[a-z]+\s*=", page) == []
        assert "style=" not in page


def test_applicant_pages_are_never_cached(app: Flask, client: FlaskClient) -> None:
    """Back in the browser fetches the page anew: a fresh key, and no answers left in caches."""
    token, _ = consented(app, client)
    for path in ("", "/practice", "/q/1", "/review"):
        response = client.get(f"/apply/{token}{path}")
        assert response.headers["Cache-Control"] == "no-store", path
