"""Exactly once: resent forms, double clicks, retries and two tabs never repeat the work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import (
    Answer,
    Applicant,
    FormPost,
    Invitation,
    ItemPageView,
    OpenLinkPost,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.services import journey
from screening.services.journey import JourneyError, sequence_for
from screening.web.apply import timing
from tests.factories import (
    answer_from_form,
    create_invitation,
    create_position,
    hidden,
    keyed_best_form,
)


def consented(app: Flask, client: FlaskClient) -> tuple[str, tuple[Item, ...]]:
    """An applicant of the standard questionnaire who has agreed and started."""
    with app.app_context():
        token = create_invitation(create_position()).token
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    with app.app_context():
        return token, sequence_for(_submission(token)).items


def _submission(token: str) -> Submission:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    assert invitation is not None and invitation.submission is not None
    return invitation.submission


def other_answer(item: Item) -> dict[str, str]:
    """A valid answer that differs from the keyed best one."""
    best = keyed_best_form(item)
    if item.format is ResponseFormat.BEST_CHOICE:
        return {"choice": next(o.id for o in item.options if o.id != best["choice"])}
    if item.format is ResponseFormat.MOST_LEAST:
        return {"most": best["least"], "least": best["most"]}
    if item.format is ResponseFormat.RATE_EACH:
        return {name: str(6 - int(value)) for name, value in best.items()}
    if item.format is ResponseFormat.RANK:
        return {name: str(len(best) + 1 - int(value)) for name, value in best.items()}
    return {"text": "Something else entirely, written on a second attempt."}


def stored(app: Flask, token: str, item_id: str) -> Answer | None:
    with app.app_context():
        return db.session.scalar(select(Answer).where(
            Answer.submission_id == _submission(token).id, Answer.item_id == item_id))


def count(app: Flask, model: type, *where: object) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def submit_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What every journey.submit call returned: only a True may ever notify anyone."""
    results: list[bool] = []
    real_submit = journey.submit

    def recording_submit(*args: object, **kwargs: object) -> bool:
        result = real_submit(*args, **kwargs)
        results.append(result)
        return result

    monkeypatch.setattr(journey, "submit", recording_submit)
    return results


def test_a_resent_answer_changes_nothing_and_goes_where_the_first_went(
    app: Flask, client: FlaskClient
) -> None:
    token, items = consented(app, client)
    page = client.get(f"/apply/{token}/q/1").text
    fields = {"idempotency_key": hidden(page, "idempotency_key"),
              "shown_at": hidden(page, "shown_at")}

    first = client.post(f"/apply/{token}/q/1",
                        data={**keyed_best_form(items[0]), **fields, "action": "next"})
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/apply/{token}/q/2")
    saved = stored(app, token, items[0].id)
    assert saved is not None

    # The same form sent again (a retry after a lost response), even with other fields.
    again = client.post(f"/apply/{token}/q/1",
                        data={**other_answer(items[0]), **fields, "action": "next"})
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    after = stored(app, token, items[0].id)
    assert after is not None
    assert after.response == saved.response  # not the second answer, not twice the time
    assert after.seconds == saved.seconds
    assert count(app, FormPost, FormPost.key == fields["idempotency_key"]) == 1


def test_a_new_page_view_is_a_new_post(app: Flask, client: FlaskClient) -> None:
    """Changing an answer later (back, then next) is saved: each page view has its own key."""
    token, items = consented(app, client)
    first_page = client.get(f"/apply/{token}/q/1").text
    second_page = client.get(f"/apply/{token}/q/1").text
    assert hidden(first_page, "idempotency_key") != hidden(second_page, "idempotency_key")

    client.post(f"/apply/{token}/q/1", data={
        **keyed_best_form(items[0]), "idempotency_key": hidden(first_page, "idempotency_key")})
    client.post(f"/apply/{token}/q/1", data={
        **other_answer(items[0]), "idempotency_key": hidden(second_page, "idempotency_key")})
    with app.app_context():
        expected = answer_from_form(items[0], other_answer(items[0]))
    answer = stored(app, token, items[0].id)
    assert answer is not None
    for field in ("choice", "most", "least", "text"):
        assert answer.response[field] == getattr(expected, field)
    assert answer.response["ranking"] == list(expected.ranking)
    assert answer.response["ratings"] == dict(expected.ratings)


def test_double_click_on_submit_submits_once(
    app: Flask, client: FlaskClient, submit_calls: list[bool]
) -> None:
    token, _ = consented(app, client)
    key = hidden(client.get(f"/apply/{token}/review").text, "idempotency_key")
    first = client.post(f"/apply/{token}/review", data={"idempotency_key": key,
                                                              "confirm_unanswered": "yes"})
    with app.app_context():
        submitted_at = _submission(token).submitted_at
    second = client.post(f"/apply/{token}/review", data={"idempotency_key": key,
                                                              "confirm_unanswered": "yes"})

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith(f"/apply/{token}/done")
    assert submit_calls == [True]  # the resend never reached submit
    with app.app_context():
        assert _submission(token).submitted_at == submitted_at
    assert count(app, Submission) == 1


def test_two_tabs_submitting_submit_once(
    app: Flask, client: FlaskClient, submit_calls: list[bool]
) -> None:
    token, _ = consented(app, client)
    first_tab = hidden(client.get(f"/apply/{token}/review").text, "idempotency_key")
    second_tab = hidden(client.get(f"/apply/{token}/review").text, "idempotency_key")
    for key in (first_tab, second_tab):
        response = client.post(f"/apply/{token}/review", data={"idempotency_key": key,
                                                              "confirm_unanswered": "yes"})
        assert response.headers["Location"].endswith(f"/apply/{token}/done")
    # The second tab's post found the questionnaire already submitted.
    assert submit_calls.count(True) == 1


def run_at_once(count_: int, action: Callable[[int], object]) -> list[object]:
    """Run ``action(i)`` in ``count_`` threads released together; their results in order."""
    barrier = threading.Barrier(count_, timeout=30)
    results: list[object] = [None] * count_
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = action(index)
        except BaseException as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.commits  # threads with connections of their own
def test_simultaneous_submits_submit_once(
    app: Flask, client: FlaskClient, submit_calls: list[bool]
) -> None:
    """Double clicks and several tabs at the same moment: one submit, the rest are no-ops."""
    token, items = consented(app, client)
    for number, item in enumerate(items, start=1):
        client.post(f"/apply/{token}/q/{number}", data=keyed_best_form(item))
    keys = [hidden(client.get(f"/apply/{token}/review").text, "idempotency_key")
            for _ in range(3)]

    def post(index: int) -> tuple[int, str]:
        # Two threads per key: a double click in each of three tabs.
        response = app.test_client().post(f"/apply/{token}/review",
                                          data={"idempotency_key": keys[index % 3]})
        return response.status_code, response.headers.get("Location", "")

    results = run_at_once(6, post)
    assert all(status == 302 and where.endswith(f"/apply/{token}/done")
               for status, where in results), results
    assert submit_calls.count(True) == 1
    with app.app_context():
        submission = _submission(token)
        assert submission.status is SubmissionStatus.SUBMITTED
        assert [d["percent"] for d in submission.result["dimensions"]] == [100.0, 100.0, 100.0]


@pytest.mark.commits  # threads with connections of their own
def test_simultaneous_answer_posts_save_once(app: Flask, client: FlaskClient) -> None:
    """A double click on Next: the answer is saved once and its time counted once."""
    token, items = consented(app, client)
    with app.app_context():
        submission_id = _submission(token).id
    # The page was shown 100 s ago; each post would add its own 100 s if it were counted.
    clock = timing.page_clock(app.secret_key, submission_id, items[0].id, now=time.time() - 100)
    assert client.get(f"/apply/{token}/q/1").status_code == 200
    with app.app_context():  # the server's own record of the serving says the same
        db.session.execute(update(ItemPageView).values(served_at=utcnow() - timedelta(seconds=100)))
        db.session.commit()
    key = journey.new_form_post_key()

    def post(_: int) -> tuple[int, str]:
        response = app.test_client().post(f"/apply/{token}/q/1", data={
            **keyed_best_form(items[0]), "idempotency_key": key, "shown_at": clock})
        return response.status_code, response.headers.get("Location", "")

    results = run_at_once(4, post)
    assert all(status == 302 and where.endswith("/q/2") for status, where in results), results
    answer = stored(app, token, items[0].id)
    assert answer is not None and answer.seconds is not None
    assert 100 <= answer.seconds < 130
    assert count(app, FormPost, FormPost.key == key) == 1


@pytest.mark.commits  # threads with connections of their own
def test_two_tabs_answering_the_same_item_at_once(app: Flask, client: FlaskClient) -> None:
    """Different keys: both are saved in turn (the last one wins), and nothing fails."""
    token, items = consented(app, client)
    answers = [keyed_best_form(items[0]), other_answer(items[0])]

    def post(index: int) -> int:
        return app.test_client().post(f"/apply/{token}/q/1", data={
            **answers[index % 2], "idempotency_key": journey.new_form_post_key()}).status_code

    assert run_at_once(4, post) == [302] * 4
    assert count(app, Answer, Answer.item_id == items[0].id) == 1
    assert count(app, FormPost) == 4


def test_answers_are_frozen_after_submit(app: Flask, client: FlaskClient) -> None:
    token, items = consented(app, client)
    client.post(f"/apply/{token}/q/1", data=keyed_best_form(items[0]))
    client.post(f"/apply/{token}/review", data={"confirm_unanswered": "yes"})
    before = stored(app, token, items[0].id)
    assert before is not None

    late = client.post(f"/apply/{token}/q/1", data=other_answer(items[0]))
    assert late.headers["Location"].endswith(f"/apply/{token}/done")
    late_new = client.post(f"/apply/{token}/q/2", data=keyed_best_form(items[1]))
    assert late_new.headers["Location"].endswith(f"/apply/{token}/done")
    after = stored(app, token, items[0].id)
    assert after is not None and after.response == before.response
    assert stored(app, token, items[1].id) is None

    with app.app_context(), pytest.raises(JourneyError):
        journey.save_answer(db.session, _submission(token),
                            answer_from_form(items[1], keyed_best_form(items[1])))


def test_a_malformed_key_is_ignored_not_stored(app: Flask, client: FlaskClient) -> None:
    token, items = consented(app, client)
    for key in ("x" * 65, "short", "<script>alert(1)</script>aaaaaaaaaaaaaa"):
        response = client.post(f"/apply/{token}/q/1",
                               data={**keyed_best_form(items[0]), "idempotency_key": key})
        assert response.status_code == 302
    assert count(app, FormPost) == 0
    assert stored(app, token, items[0].id) is not None


def _join_form(client: FlaskClient, open_token: str) -> dict[str, str]:
    page = client.get(f"/apply/join/{open_token}").text
    return {"name": "Dana Double", "email": "dana@example.com",
            "idempotency_key": hidden(page, "idempotency_key")}


def test_a_resent_open_link_sign_up_creates_one_applicant(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        open_token = create_position().open_token
    form = _join_form(client, open_token)
    first = client.post(f"/apply/join/{open_token}", data=form)
    again = client.post(f"/apply/join/{open_token}", data=form)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, Applicant, Applicant.email == "dana@example.com") == 1
    # A fresh form (a new page view) with the same email is no second attempt either.
    client.post(f"/apply/join/{open_token}", data=_join_form(client, open_token))
    assert count(app, Applicant, Applicant.email == "dana@example.com") == 1


@pytest.mark.commits  # threads with connections of their own
def test_a_double_click_on_the_open_link_sign_up_creates_one_applicant(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        open_token = create_position().open_token
    form = _join_form(client, open_token)

    def post(_: int) -> tuple[int, str]:
        response = app.test_client().post(f"/apply/join/{open_token}", data=form)
        return response.status_code, response.headers.get("Location", "")

    results = run_at_once(4, post)
    assert {status for status, _ in results} == {302}, results
    assert len({where for _, where in results}) == 1, results
    assert count(app, Applicant, Applicant.email == "dana@example.com") == 1
    assert count(app, OpenLinkPost, OpenLinkPost.key == form["idempotency_key"]) == 1


def test_a_changed_answer_shows_in_answers_already_loaded(app: Flask, client: FlaskClient) -> None:
    """Answers are written with statements; rows loaded earlier in the session must follow."""
    token, items = consented(app, client)
    first, second = keyed_best_form(items[0]), other_answer(items[0])
    with app.app_context():
        submission = _submission(token)
        journey.save_answer(db.session, submission, answer_from_form(items[0], first))
        (loaded,) = submission.answers
        journey.save_answer(db.session, submission, answer_from_form(items[0], second))
        assert [row.response for row in submission.answers] == [
            answer_from_form(items[0], second).to_dict() | {"seconds": 60.0}]
        assert loaded.response == submission.answers[0].response
        assert loaded.seconds == 60.0  # two visits of 30 s each
        journey.save_answer(db.session, submission,
                            answer_from_form(items[1], keyed_best_form(items[1])))
        assert {row.item_id for row in submission.answers} == {items[0].id, items[1].id}
