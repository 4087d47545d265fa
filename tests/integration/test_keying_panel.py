"""The practitioners' keying panel, end to end through the app: HR creates a panel and
invites panellists, each rates through a single-use link (resumable, refused once sent or
closed), and the report, the PDF, the CSV and `bank apply-panel` read the same ratings."""

from __future__ import annotations

import csv
import io
import re
import shutil
import statistics
from pathlib import Path

import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item, ResponseFormat, read_bank
from screening.extensions import db
from screening.models import AuditEvent, KeyingPanel, Panellist, PanelResponse, Role
from screening.reports import wording
from screening.services.questionnaires import current_version
from tests.factories import create_user, sign_in, visible_text

QUESTIONNAIRE = "frontline-short"
BANK = Path(__file__).resolve().parents[2] / "questions"


def _rated_items() -> list[Item]:
    """Read here from the shipped bank (the app's), not through the code under test."""
    bank, problems = read_bank(BANK)
    assert problems == []
    return [item for item in bank.questionnaires[QUESTIONNAIRE].items
            if item.format is not ResponseFormat.FREE_TEXT]


def _rating(panellist: int, item_index: int, option_index: int) -> int:
    """Panellists who mostly agree: one pattern, the third a point higher on the first option."""
    base = 1 + (option_index * 2 + item_index) % 5
    if panellist == 2 and option_index == 0:
        return min(5, base + 1)
    return base


def _create_panel(client: FlaskClient, name: str = "Front desk supervisors") -> int:
    response = client.post("/hr/panels", data={"name": name, "questionnaire": QUESTIONNAIRE})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _invite(client: FlaskClient, panel_id: int, label: str) -> str:
    response = client.post(f"/hr/panels/{panel_id}/panellists", data={"label": label})
    assert response.status_code == 200, response.text
    match = re.search(r'value="http://localhost(/panel/[^"]+)"', response.text)
    assert match, "the new link is shown once"
    return match.group(1)


def _rate_everything(client: FlaskClient, link: str, panellist: int, items: list[Item],
                     comment: str = "") -> None:
    for index, item in enumerate(items, start=1):
        form = {f"rate_{option.id}": str(_rating(panellist, index - 1, o_index))
                for o_index, option in enumerate(item.options)}
        response = client.post(f"{link}/s/{index}", data={**form, "action": "next",
                                                          "comment": comment})
        assert response.status_code == 302, response.text


def _submit(client: FlaskClient, link: str) -> None:
    response = client.post(f"{link}/submit", data={})
    assert response.status_code == 302, response.text


@pytest.fixture
def hr_client(app: Flask) -> FlaskClient:
    with app.app_context():
        email = create_user(Role.HR).email
    client = app.test_client()
    sign_in(client, email)
    return client


def _complete_panel(hr_client: FlaskClient, app: Flask, panellists: int = 3,
                    ) -> tuple[int, list[str]]:
    panel_id = _create_panel(hr_client)
    links = [_invite(hr_client, panel_id, f"Supervisor {n}") for n in range(panellists)]
    items = _rated_items()
    for number, link in enumerate(links):
        practitioner = app.test_client()
        _rate_everything(practitioner, link, number, items,
                         comment="Depends on the queue" if number == 0 else "")
        _submit(practitioner, link)
    return panel_id, links


def test_a_panellist_sees_the_situation_and_options_but_never_the_key(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Supervisor, harbour branch")
    practitioner = app.test_client()
    start = practitioner.get(link)
    assert start.status_code == 200
    items = _rated_items()
    assert f"0 of {len(items)} situations rated" in visible_text(start.text)
    for number, item in enumerate(items, start=1):
        page = practitioner.get(f"{link}/s/{number}").text
        assert item.scenario.split()[0] in page
        texts = [option.text for option in item.options]
        positions = [page.index(text.replace("'", "&#39;").replace('"', "&#34;"))
                     for text in texts]
        assert positions == sorted(positions), "options in the bank's order"
        for option in item.options:
            assert option.rationale not in page
        assert "points" not in visible_text(page).lower()
        assert "red flag" not in visible_text(page).lower()
        assert "keyed" not in visible_text(page).lower()


def test_ratings_are_saved_per_situation_and_the_link_resumes_where_it_stopped(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Team leader")
    practitioner = app.test_client()
    items = _rated_items()
    first = items[0]
    answers = {f"rate_{option.id}": "4" for option in first.options}
    assert practitioner.post(f"{link}/s/1", data={**answers, "action": "next",
                                                  "comment": "Hard to say"}).status_code == 302
    second = items[1]
    partly = {f"rate_{second.options[0].id}": "2"}
    later = practitioner.post(f"{link}/s/2", data={**partly, "action": "later", "comment": ""})
    assert later.status_code == 302

    again = app.test_client().get(link)  # another device, the same link
    text = visible_text(again.text)
    assert f"1 of {len(items)} situations rated" in text
    assert "Carry on with situation 2" in text
    page = app.test_client().get(f"{link}/s/1").text
    assert "Hard to say" in page
    for option in first.options:
        assert re.search(rf'checked id="rate_{option.id}-3"', page), "the saved 4 is ticked"


def test_an_incomplete_situation_keeps_what_was_typed_and_says_what_is_missing(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Team leader")
    item = _rated_items()[0]
    practitioner = app.test_client()
    response = practitioner.post(f"{link}/s/1", data={
        f"rate_{item.options[0].id}": "5", "action": "next", "comment": "My note"})
    assert response.status_code == 400
    assert "Rate every response from 1" in response.text
    assert "My note" in response.text
    assert f'checked id="rate_{item.options[0].id}-4"' in response.text
    with app.app_context():
        assert db.session.scalars(select(PanelResponse)).all() == []


def test_a_link_works_until_its_panellist_sends_the_ratings(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Supervisor")
    practitioner = app.test_client()
    items = _rated_items()
    assert practitioner.post(f"{link}/submit").status_code == 400  # nothing rated yet
    _rate_everything(practitioner, link, 0, items)
    _submit(practitioner, link)

    thanks = practitioner.get(link)
    assert thanks.status_code == 200
    assert "your ratings were received" in visible_text(thanks.text)
    item = items[0]
    late = practitioner.post(f"{link}/s/1", data={
        **{f"rate_{option.id}": "1" for option in item.options}, "action": "next"})
    assert "your ratings were received" in visible_text(late.text)
    with app.app_context():
        saved = db.session.scalar(select(PanelResponse).where(PanelResponse.item_id == item.id))
        assert saved is not None
        assert set(saved.ratings.values()) != {1}, "the late post changed nothing"


def test_a_closed_panel_refuses_new_ratings(hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Supervisor")
    assert hr_client.post(f"/hr/panels/{panel_id}/close").status_code == 302
    practitioner = app.test_client()
    closed = practitioner.get(link)
    assert closed.status_code == 410
    assert "This panel is closed" in closed.text
    item = _rated_items()[0]
    refused = practitioner.post(f"{link}/s/1", data={
        **{f"rate_{option.id}": "3" for option in item.options}, "action": "next"})
    assert refused.status_code == 410
    with app.app_context():
        assert db.session.scalars(select(PanelResponse)).all() == []
    page = hr_client.get(f"/hr/panels/{panel_id}").text
    assert "Invite a panellist" not in page


def test_unknown_links_are_not_found(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/panel/not-a-real-token").status_code == 404
    assert client.get("/panel/not-a-real-token/s/1").status_code == 404


def test_managers_cannot_reach_panels(app: Flask, hr_client: FlaskClient) -> None:
    panel_id = _create_panel(hr_client)
    with app.app_context():
        email = create_user(Role.MANAGER).email
    client = app.test_client()
    sign_in(client, email)
    for path in ("/hr/panels", f"/hr/panels/{panel_id}", f"/hr/panels/{panel_id}/report",
                 f"/hr/panels/{panel_id}/report.pdf", f"/hr/panels/{panel_id}/ratings.csv"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/hr/panels/{panel_id}/panellists",
                       data={"label": "Me"}).status_code == 403
    assert client.post(f"/hr/panels/{panel_id}/close").status_code == 403


def test_fewer_than_three_panellists_give_no_agreement_figures(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id, _ = _complete_panel(hr_client, app, panellists=2)
    page = visible_text(hr_client.get(f"/hr/panels/{panel_id}/report").text)
    assert "Not enough panellists yet (2 of 3 completed)" in page
    assert "r wg(J)" not in page and "ICC(2,k)" not in page


def _rwg(columns: list[list[int]]) -> float:
    """r_wg(J) worked out here from its definition: J options, sample variances, σ²_EU = 2."""
    variances = [statistics.variance(ratings) for ratings in columns]
    mean_variance = sum(variances) / len(variances)
    if mean_variance >= 2:
        return 0.0
    j = len(columns)
    return j * (1 - mean_variance / 2) / (j * (1 - mean_variance / 2) + mean_variance / 2)


def test_the_report_page_pdf_and_csv_show_the_same_ratings(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id, _ = _complete_panel(hr_client, app)
    items = _rated_items()
    page = hr_client.get(f"/hr/panels/{panel_id}/report")
    assert page.status_code == 200
    for index, item in enumerate(items):
        columns = [[_rating(p, index, o) for p in range(3)] for o in range(len(item.options))]
        expected = f"{_rwg(columns):.2f}"
        shown = re.search(rf'data-figure="rwg-{item.id}">([^<]+)<', page.text)
        assert shown and shown.group(1) == expected, item.id
        first_mean = f"{statistics.fmean(columns[0]):.2f}"
        assert f'data-figure="mean-{item.id}-{item.options[0].id}">{first_mean}<' in page.text
    assert "Depends on the queue" in page.text

    pdf = hr_client.get(f"/hr/panels/{panel_id}/report.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        text = "\n".join(p.extract_text() or "" for p in document.pages)
    assert f"Keying panel {panel_id}: Front desk supervisors" in text
    assert items[0].title in text

    response = hr_client.get(f"/hr/panels/{panel_id}/ratings.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert len(rows) == 3 * sum(len(item.options) for item in items)
    first = next(row for row in rows if row["item_id"] == items[0].id
                 and row["option_id"] == items[0].options[0].id and row["comment"])
    assert first["rating"] == str(_rating(0, 0, 0))

    with app.app_context():
        actions = [event.action for event in db.session.scalars(select(AuditEvent))]
        details = [event.detail for event in db.session.scalars(select(AuditEvent))]
    assert actions.count("panel.created") == 1
    assert actions.count("panel.panellist_invited") == 3
    assert actions.count("panel.report_downloaded") == 2
    assert not any("Supervisor" in str(detail) for detail in details), "no names in the log"


def test_a_comment_that_looks_like_a_formula_is_inert_in_the_csv(
        hr_client: FlaskClient, app: Flask) -> None:
    panel_id = _create_panel(hr_client)
    link = _invite(hr_client, panel_id, "Supervisor")
    item = _rated_items()[0]
    app.test_client().post(f"{link}/s/1", data={
        **{f"rate_{option.id}": "3" for option in item.options}, "action": "next",
        "comment": "=HYPERLINK(\"http://example.com\")"})
    body = hr_client.get(f"/hr/panels/{panel_id}/ratings.csv").data.decode("utf-8")
    assert "'=HYPERLINK" in body


# -- bank apply-panel ----------------------------------------------------------------------


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "bank"
    shutil.copytree(BANK, copy)
    return copy


def test_apply_panel_writes_a_change_that_bank_check_accepts(
        hr_client: FlaskClient, app: Flask, bank_copy: Path) -> None:
    panel_id, _ = _complete_panel(hr_client, app)
    hr_client.post(f"/hr/panels/{panel_id}/close")
    items = _rated_items()
    before = {item.id: (bank_copy / item.source).read_text(encoding="utf-8") for item in items}
    result = app.test_cli_runner().invoke(
        args=["bank", "apply-panel", str(panel_id), "--bank", str(bank_copy)])
    assert result.exit_code == 0, result.output
    assert f"Wrote Practitioner panel {panel_id} (3 raters) into {len(items)} item files" \
        in result.output
    assert "+    panel_effectiveness:" in result.output

    check = app.test_cli_runner().invoke(args=["bank", "check", str(bank_copy)])
    assert check.exit_code == 0, check.output
    bank, problems = read_bank(bank_copy)
    assert problems == []
    for index, item in enumerate(items):
        written = bank.items[item.id]
        assert written.revision == item.revision + 1
        for o_index, option in enumerate(written.options):
            mean = statistics.fmean(_rating(p, index, o_index) for p in range(3))
            assert option.panel_effectiveness == pytest.approx(round(mean + 1e-9, 1))
        assert written.reviewed_by[-1].who == f"Practitioner panel {panel_id} (3 raters)"
        after = (bank_copy / item.source).read_text(encoding="utf-8")
        removed = [line for line in before[item.id].splitlines()
                   if line not in after.splitlines()]
        assert [line for line in removed if not line.startswith("revision:")] == [], \
            "nothing else of the file changed"
    standard = bank.questionnaires[QUESTIONNAIRE]
    provenance = wording.key_provenance(standard)
    assert provenance.startswith("Key reviewed by a practitioner panel of 3 on ")
    assert "median r_wg(J)" in provenance

    again = app.test_cli_runner().invoke(
        args=["bank", "apply-panel", str(panel_id), "--bank", str(bank_copy)])
    assert again.exit_code != 0
    assert "already written" in again.output


def test_apply_panel_refuses_an_open_or_small_panel_or_changed_items(
        hr_client: FlaskClient, app: Flask, bank_copy: Path) -> None:
    runner = app.test_cli_runner()
    panel_id, _ = _complete_panel(hr_client, app)
    still_open = runner.invoke(args=["bank", "apply-panel", str(panel_id), "--bank",
                                     str(bank_copy)])
    assert still_open.exit_code != 0 and "still open" in still_open.output

    small_id, _ = _complete_panel(hr_client, app, panellists=2)
    hr_client.post(f"/hr/panels/{small_id}/close")
    small = runner.invoke(args=["bank", "apply-panel", str(small_id), "--bank", str(bank_copy)])
    assert small.exit_code != 0 and "2 of 3 panellists" in small.output

    hr_client.post(f"/hr/panels/{panel_id}/close")
    item = _rated_items()[0]
    path = bank_copy / item.source
    path.write_text(path.read_text(encoding="utf-8").replace(
        item.options[0].text, item.options[0].text.rstrip(".") + "!"), encoding="utf-8")
    unchanged = {p: p.read_text(encoding="utf-8") for p in (bank_copy / "items").glob("*.yaml")}
    changed = runner.invoke(args=["bank", "apply-panel", str(panel_id), "--bank",
                                  str(bank_copy)])
    assert changed.exit_code != 0
    assert f"{item.id}: option {item.options[0].id}'s text changed" in changed.output
    assert {p: p.read_text(encoding="utf-8") for p in unchanged} == unchanged


def test_the_full_record_says_when_no_panel_has_reviewed_the_key(app: Flask) -> None:
    from tests.factories import create_invitation, create_position, create_submission

    with app.app_context():
        manager = create_user(Role.MANAGER)
        email = manager.email
        position = create_position(managers=[manager], questionnaire=QUESTIONNAIRE)
        submission_id = create_submission(create_invitation(position)).id
    client = app.test_client()
    sign_in(client, email)
    page = visible_text(client.get(f"/manage/submissions/{submission_id}").text)
    assert "Not yet reviewed by a practitioner panel" in page
    record = client.get(f"/manage/submissions/{submission_id}/record.pdf")
    with pdfplumber.open(io.BytesIO(record.data)) as document:
        text = " ".join((p.extract_text() or "") for p in document.pages)
    assert "Not yet reviewed by a practitioner panel" in " ".join(text.split())


class TestWithProductionGuards:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://"}

    def test_a_post_without_a_csrf_token_saves_nothing_and_keeps_what_was_ticked(
            self, app: Flask) -> None:
        with app.app_context():
            hr = create_user(Role.HR)
            version = current_version(db.session, QUESTIONNAIRE)
            assert version is not None
            from screening.services import panels

            panel = panels.create_panel(db.session, hr, version, "Guards")
            _, token = panels.invite(db.session, hr, panel, "Supervisor")
            db.session.commit()
            item = _rated_items()[0]
        client = app.test_client()
        response = client.post(f"/panel/{token}/s/1", data={
            **{f"rate_{option.id}": "3" for option in item.options}, "action": "next",
            "comment": "Typed before the session ran out"})
        assert response.status_code == 200
        assert "Your session had expired, so nothing was saved" in response.text
        assert "Typed before the session ran out" in response.text
        for option in item.options:
            assert f'checked id="rate_{option.id}-2"' in response.text
        assert 'name="csrf_token"' in response.text
        with app.app_context():
            assert db.session.scalars(select(PanelResponse)).all() == []
            assert db.session.scalar(select(Panellist)).submitted_at is None
            assert db.session.scalar(select(KeyingPanel)) is not None

    def test_links_are_rate_limited_per_address(self, app: Flask) -> None:
        client = app.test_client()
        statuses = [client.get(f"/panel/guess-{n}",
                               environ_base={"REMOTE_ADDR": "198.51.100.18"}).status_code
                    for n in range(241)]
        assert statuses[:240] == [404] * 240
        assert statuses[240] == 429
