"""The read-only API: token lifecycle, what it returns, and schemathesis against its OpenAPI."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
import yaml
from flask import Flask
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from screening.extensions import db
from screening.models import ApiToken, AuditEvent, Outcome, Role, Submission, utcnow
from screening.services import journey
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    decide,
    self_identify,
    submit_simulated,
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_token(runner, name: str = "Workday sync") -> str:
    result = runner.invoke(args=["api-tokens", "create", "--name", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def data(app: Flask) -> dict[str, Any]:
    with app.app_context():
        create_user(Role.ADMIN, email="admin@example.com")
        manager = create_user(Role.MANAGER)
        front = create_position(managers=[manager], title="Front desk")
        back = create_position(title="Back office")
        first = submit_simulated(front, name="Ada First", email="ada@example.com", seed=1,
                                 submitted_at=utcnow() - timedelta(days=3))
        second = submit_simulated(front, name="Bo Second", seed=2)
        third = submit_simulated(back, name="Cy Third", seed=3)
        decide(first, manager, Outcome.ADVANCE)
        self_identify(first, sex="female", race="native_hawaiian_or_pacific_islander")
        waiting = journey.start(db.session, create_invitation(front, name="Di Waiting"))
        db.session.commit()
        return {"front": front.id, "back": back.id, "first": first.id, "second": second.id,
                "third": third.id, "waiting": waiting.id}


def test_tokens_are_created_once_stored_hashed_and_revocable(app, client, runner, data) -> None:
    token = create_token(runner)
    assert token.startswith("scr_") and len(token) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps([row.name, row.token_hash])
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    listing = runner.invoke(args=["api-tokens", "list"])
    assert "Workday sync" in listing.output and token not in listing.output
    revoked = runner.invoke(args=["api-tokens", "revoke", str(row.id)])
    assert revoked.exit_code == 0, revoked.output
    refused = client.get("/api/v1/positions", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.get_json()["error"]["status"] == 401


def test_a_token_needs_an_owner(runner, app) -> None:
    result = runner.invoke(args=["api-tokens", "create", "--name", "x"])
    assert result.exit_code != 0 and "--by EMAIL" in result.output
    with app.app_context():
        create_user(Role.MANAGER, email="m@example.com")
    manager_owned = runner.invoke(args=["api-tokens", "create", "--name", "x",
                                        "--by", "m@example.com"])
    assert manager_owned.exit_code != 0 and "admin or HR" in manager_owned.output


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_requests_without_a_valid_token_are_refused(client, data, header) -> None:
    headers = {"Authorization": header} if header else {}
    for path in ("/api/v1/positions", f"/api/v1/submissions/{data['first']}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/json"


def test_positions_and_submissions(app, client, runner, data) -> None:
    token = create_token(runner)
    positions = client.get("/api/v1/positions", headers=bearer(token)).get_json()
    assert [p["title"] for p in positions["items"]] == ["Front desk", "Back office"]
    assert positions["next_after_id"] is None
    assert positions["items"][0]["questionnaire"]["version"].startswith("frontline-standard@")
    one = client.get(f"/api/v1/positions/{data['back']}", headers=bearer(token)).get_json()
    assert one["title"] == "Back office"

    page = client.get(f"/api/v1/positions/{data['front']}/submissions",
                      query_string={"limit": 2}, headers=bearer(token)).get_json()
    assert [s["id"] for s in page["items"]] == [data["first"], data["second"]]
    assert page["next_after_id"] == data["second"]
    rest = client.get(f"/api/v1/positions/{data['front']}/submissions",
                      query_string={"limit": 2, "after_id": page["next_after_id"]},
                      headers=bearer(token)).get_json()
    assert [s["id"] for s in rest["items"]] == [data["waiting"]]
    assert rest["next_after_id"] is None

    everything = client.get("/api/v1/submissions", query_string={"status": "submitted"},
                            headers=bearer(token)).get_json()
    assert [s["id"] for s in everything["items"]] == [data["first"], data["second"],
                                                      data["third"]]
    recent = client.get("/api/v1/submissions", headers=bearer(token), query_string={
        "submitted_since": (utcnow() - timedelta(days=1)).isoformat()}).get_json()
    assert [s["id"] for s in recent["items"]] == [data["second"], data["third"]]
    by_position = client.get("/api/v1/submissions", query_string={"position_id": data["back"]},
                             headers=bearer(token)).get_json()
    assert [s["id"] for s in by_position["items"]] == [data["third"]]

    detail = client.get(f"/api/v1/submissions/{data['first']}", headers=bearer(token))
    body = detail.get_json()
    with app.app_context():
        stored = db.session.get(Submission, data["first"]).result
    assert body["applicant"] == {"id": body["applicant"]["id"], "name": "Ada First",
                                 "email": "ada@example.com"}
    assert body["status"] == "submitted"
    assert [d["percent"] for d in body["result"]["dimensions"]] == [
        d["percent"] for d in stored["dimensions"]]
    assert all(d["percentile"] is None for d in body["result"]["dimensions"])  # 3 < 30
    assert body["result"]["band"]["id"] == stored["band"]["id"]
    assert body["decision"]["outcome"] == "advance"
    full = client.get(f"/api/v1/submissions/{data['first']}/result",
                      headers=bearer(token)).get_json()
    assert full["result"] == stored

    waiting = client.get(f"/api/v1/submissions/{data['waiting']}", headers=bearer(token))
    assert waiting.get_json()["result"] is None
    assert client.get(f"/api/v1/submissions/{data['waiting']}/result",
                      headers=bearer(token)).status_code == 404
    # Self-identification is never part of the API.
    for text in (json.dumps(body), json.dumps(everything), json.dumps(full)):
        for secret in ("native_hawaiian", "Native Hawaiian", '"sex"', "race_ethnicity"):
            assert secret not in text
    with app.app_context():
        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.read"))
        assert {e.detail["path"] for e in reads} >= {f"/api/v1/submissions/{data['first']}",
                                                     "/api/v1/submissions"}


#: Moments whose offset carries them past the ends of the calendar once converted to UTC.
BEYOND_UTC = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00+01:00"]


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "501"}, {"limit": "x"}, {"after_id": "-1"}, {"limit": "²"},
    {"status": "done"}, {"submitted_since": "yesterday"}, {"position_id": "0"},
    {"after_id": "9" * 5000}, {"position_id": "1" * 4301},
    *({"submitted_since": moment} for moment in BEYOND_UTC),
])
def test_bad_parameters_are_a_400_in_json(client, runner, data, query) -> None:
    token = create_token(runner)
    response = client.get("/api/v1/submissions", query_string=query, headers=bearer(token))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["status"] == 400
    assert next(iter(query)) in body["error"]["message"]  # names the parameter at fault


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59", "0001-01-01T00:00-01:00",
                                    "9999-12-31T23:00+01:00"])
def test_the_calendars_ends_that_utc_can_hold_are_served(client, runner, data, moment) -> None:
    token = create_token(runner)
    response = client.get("/api/v1/submissions", query_string={"submitted_since": moment},
                          headers=bearer(token))
    assert response.status_code == 200
    expected = [] if moment.startswith("9999") else [data["first"], data["second"],
                                                     data["third"]]
    assert [s["id"] for s in response.get_json()["items"]] == expected


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/positions", "/api/v1/submissions/1/result",
                                  "/api/v1/openapi.yaml"])
def test_unsupported_methods_are_a_405_in_json_with_allow(client, runner, data, method,
                                                          path) -> None:
    token = create_token(runner)
    response = client.open(path, method=method, headers=bearer(token))
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {
        "GET", "HEAD", "OPTIONS"}


def test_unknown_records_are_a_404_in_json(client, runner, data) -> None:
    token = create_token(runner)
    for path in ("/api/v1/positions/999999", "/api/v1/positions/99999999999999999999",
                 "/api/v1/submissions/2147483648", "/api/v1/positions/999999/submissions"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 404, path
        assert response.is_json, (path, response.text[:300])
        assert response.get_json()["error"]["status"] == 404


def test_openapi_file_is_served_and_describes_every_route(app, client) -> None:
    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200
    spec = yaml.safe_load(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    # A path with servers of its own (the Greenhouse endpoints) lives under that base.
    documented = {(item.get("servers", [{"url": "/api/v1"}])[0]["url"] + path)
                  .replace("{", "<id:").replace("}", ">")
                  for path, item in spec["paths"].items()}
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/api/v1/", "/integrations/"))
              and rule.rule != "/api/v1/openapi.yaml"}
    assert documented == routes


def test_schemathesis_finds_no_server_error(app, runner, data) -> None:
    """Property-based requests from the OpenAPI file, in-process through the WSGI app."""
    token = create_token(runner)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.yaml", app)
    # The Greenhouse endpoints take another credential: test_greenhouse_partner.py runs them.
    operations = [operation for operation in (r.ok() for r in schema.get_all_operations())
                  if "greenhouse" not in (operation.tags or ())]
    assert len(operations) == 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=bearer(token))

        check()
    # The boundary dates the generated cases may miss.
    listing = next(o for o in operations if o.path == "/submissions")
    for moment in BEYOND_UTC:
        case = listing.Case(query={"submitted_since": moment})
        response = case.call_and_validate(headers=bearer(token))
        assert response.status_code == 400
