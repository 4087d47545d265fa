"""Every download is named after its applicant or position and the day, and typed once.

A manager who downloads ten summaries should find ten files named after the applicants,
not applicant-17.pdf ... applicant-26.pdf; a CSV must say ``text/csv; charset=utf-8``
once (a repeated charset is an invalid header some clients refuse).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.models import Outcome, Role
from tests.factories import create_position, create_user, decide, sign_in, submit_simulated

TITLE = "Recepción"
LOCATION = "Calle Mayor"
APPLICANT = "María José Pérez"


@pytest.fixture
def downloads(app: Flask) -> dict[str, object]:
    with app.app_context():
        manager = create_user(Role.MANAGER)
        hr = create_user(Role.HR)
        position = create_position(managers=[manager], title=TITLE, location=LOCATION)
        submission = submit_simulated(position, name=APPLICANT, seed=3)
        decide(submission, manager, Outcome.ADVANCE)
        return {"manager": manager.email, "hr": hr.email, "position": position.id,
                "submission": submission.id, "token": submission.invitation.token}


def _get(client: FlaskClient, path: str) -> tuple[str, list[str], bytes]:
    with client.get(path) as response:  # streamed ones are read and closed before the next
        assert response.status_code == 200, (path, response.status_code)
        return (response.headers["Content-Disposition"],
                response.headers.getlist("Content-Type"), response.get_data())


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _accented(stem: str, ascii_stem: str, extension: str) -> str:
    """The header for an accented name, written out by hand from RFC 6266 / RFC 5987."""
    return (f'attachment; filename="{ascii_stem}-{_today()}.{extension}"; '
            f"filename*=UTF-8''{stem}-{_today()}.{extension}")


def test_manager_downloads_are_named_after_the_applicant_or_position(
    client: FlaskClient, downloads: dict[str, object]
) -> None:
    sign_in(client, str(downloads["manager"]))
    position, submission = downloads["position"], downloads["submission"]

    summary, summary_type, body = _get(client, f"/manage/submissions/{submission}/report.pdf")
    assert summary == _accented("mar%C3%ADa-jos%C3%A9-p%C3%A9rez-summary",
                                "maria-jose-perez-summary", "pdf")
    assert summary_type == ["application/pdf"] and body.startswith(b"%PDF")

    cohort, _, _ = _get(client, f"/manage/positions/{position}/cohort.pdf")
    assert cohort == _accented("recepci%C3%B3n-calle-mayor-cohort",
                               "recepcion-calle-mayor-cohort", "pdf")
    compared, _, _ = _get(client, f"/manage/positions/{position}/cohort.pdf?compare={submission}")
    assert compared == _accented("recepci%C3%B3n-calle-mayor-comparison",
                                 "recepcion-calle-mayor-comparison", "pdf")

    results, results_type, _ = _get(client, f"/manage/positions/{position}/results.csv")
    assert results == _accented("recepci%C3%B3n-calle-mayor-results",
                                "recepcion-calle-mayor-results", "csv")
    assert results_type == ["text/csv; charset=utf-8"]


def test_applicant_feedback_pdf_is_named_after_the_applicant(
    client: FlaskClient, downloads: dict[str, object]
) -> None:
    disposition, content_type, _ = _get(client, f"/apply/{downloads['token']}/feedback.pdf")
    assert disposition == _accented("mar%C3%ADa-jos%C3%A9-p%C3%A9rez-feedback",
                                    "maria-jose-perez-feedback", "pdf")
    assert content_type == ["application/pdf"]


@pytest.mark.parametrize(("query", "name", "content_type"), [
    ("format=csv&layout=wide", "all-positions-results-wide-{day}.csv",
     "text/csv; charset=utf-8"),
    ("format=json&layout=long", "all-positions-results-long-{day}.json", "application/json"),
    ("format=xlsx&layout=wide", "all-positions-results-wide-{day}.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_hr_exports_of_every_position_are_named_and_typed_once(
    client: FlaskClient, downloads: dict[str, object], query: str, name: str, content_type: str,
) -> None:
    sign_in(client, str(downloads["hr"]))
    disposition, types, _ = _get(client, f"/hr/exports/download?{query}")
    assert disposition == f'attachment; filename="{name.format(day=_today())}"'
    assert types == [content_type]


def test_hr_downloads_of_one_position_carry_its_name(
    client: FlaskClient, downloads: dict[str, object]
) -> None:
    sign_in(client, str(downloads["hr"]))
    position = downloads["position"]
    export, export_type, _ = _get(
        client, f"/hr/exports/download?format=csv&layout=wide&position={position}")
    assert export == _accented("recepci%C3%B3n-calle-mayor-results-wide",
                               "recepcion-calle-mayor-results-wide", "csv")
    assert export_type == ["text/csv; charset=utf-8"]

    fairness, fairness_type, _ = _get(client, f"/hr/fairness/{position}.csv")
    assert fairness == _accented("recepci%C3%B3n-calle-mayor-adverse-impact",
                                 "recepcion-calle-mayor-adverse-impact", "csv")
    assert fairness_type == ["text/csv; charset=utf-8"]

    audit_log, audit_type, _ = _get(client, "/hr/audit.csv")
    assert audit_log == f'attachment; filename="audit-log-{_today()}.csv"'
    assert audit_type == ["text/csv; charset=utf-8"]


def test_a_hostile_name_cannot_break_the_header_or_leave_the_folder(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title='../../"x"\r\nSet-Cookie: a=b',
                                   location="")
        submission = submit_simulated(position, name="..\\Zoë/ \x1b\t'Ng'", seed=4)
        submission_id, position_id, email = submission.id, position.id, manager.email
    sign_in(client, email)
    summary, _, _ = _get(client, f"/manage/submissions/{submission_id}/report.pdf")
    assert summary == _accented("zo%C3%AB-ng-summary", "zoe-ng-summary", "pdf")
    results, _, _ = _get(client, f"/manage/positions/{position_id}/results.csv")
    assert results == f'attachment; filename="x-set-cookie-a-b-results-{_today()}.csv"'
