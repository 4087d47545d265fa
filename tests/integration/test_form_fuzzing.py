"""Hypothesis fuzzing of every form an applicant, a manager, an admin or HR can send.

Each form gets random strings, fields up to about 1 MB (the app refuses bodies over
MAX_CONTENT_LENGTH, 2 MB, with 413), odd Unicode (no lone surrogates: those cannot
be sent as UTF-8), NUL bytes, missing fields, numbers where text is expected and text
where numbers are, duplicated keys, and bodies of the wrong kind (multipart with
files where text is expected, JSON, raw bytes that are not UTF-8).

After every example:

- no response is a server error, and nothing was logged as an unhandled error;
- the database is consistent: one submission per invitation; answers only for
  items of the submission's questionnaire, each one the scoring engine accepts
  (``scoring.answer_problems``); ratings, decisions, self-identification, names
  and emails as the forms promise;
- a refused post (the form shown again, a 4xx, or the error message) changed no row.

CSRF is off here (the route tests prove it refuses posts without a token), so the
examples reach the forms' own validation. Each test builds its data once; only what
an example uses up (a fresh invitation to consent with, a started sitting to submit,
an applicant to erase) is made again.
"""

from __future__ import annotations

import functools
import io
import logging
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from screening import scoring
from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import (
    Answer,
    Applicant,
    Decision,
    FreeTextRating,
    Outcome,
    Position,
    Role,
    SelfIdentification,
    Submission,
    User,
)
from screening.scoring.fairness import RACE_ETHNICITY_CATEGORIES, SEX_CATEGORIES
from screening.services import accounts, journey
from screening.services.questionnaires import current_bank, questionnaire_for
from screening.services.retention import ANONYMISED_NAME
from screening.services.reviews import DECISION_NOTE_MIN
from screening.single_line import unsafe_characters
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    keyed_best_form,
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
MAX_FIELD_BYTES = 1_000_000  # one field, sent url-encoded; the whole body may be 2 MB

# -- values -------------------------------------------------------------------------------

ODD_PIECES = [
    "\x00", "\u202e", "\u200b", "\ufeff", "\uffff", "\ufffe", "\U0010ffff", "\U0001f600",
    "e\u0301", "\r\n", "\r", "\t", "\x0b", "\x1b[31m", "\u0085", "\u2028", "ǅ", "ß", "İ",
    "'", '"', "<b>", "</textarea>", "%00", "=1+1", "@SUM(1)", "\\", "../", "${x}", "{{ 7*7 }}",
]
NUMBERS = ["0", "-1", "1e309", "NaN", "inf", "0x10", " 3 ", "٣", "½", "1_000", "2147483648",
           "9" * 30, "-0", "1.5", ""]
DATES = ["2024-05-01", "0001-01-01", "9999-12-31", "0000-00-00", "2024-02-30", "2024-5-1",
         "01/05/2024", "2024-05-01T10:00:00"]

characters = st.characters(blacklist_categories=("Cs",))  # lone surrogates are not UTF-8
plain = st.text(characters, max_size=40)
odd = st.lists(st.one_of(st.sampled_from(ODD_PIECES), plain), min_size=1,
               max_size=6).map("".join)
numbers = st.one_of(st.integers(-(10**40), 10**40).map(str), st.sampled_from(NUMBERS))


@st.composite
def huge(draw: st.DrawFn) -> str:
    """Up to about 1 MB once url-encoded: a short piece repeated."""
    piece = draw(st.sampled_from(["x", "é", "\x00", "a,b\n", "\U0001f600", "ab cd ", "<"]))
    size = draw(st.integers(10_000, MAX_FIELD_BYTES))
    return piece * max(1, size // len(urllib.parse.quote_plus(piece)))


junk = st.one_of(plain, odd, numbers, plain, odd, huge())


def value(valid: list[str]) -> st.SearchStrategy[str]:
    """Mostly something the form offers (so examples get past validation), else junk."""
    if not valid:
        return junk
    offered = st.sampled_from(valid)
    return st.one_of(offered, offered, offered, junk)


def field_values(valid: list[str]) -> st.SearchStrategy[list[str]]:
    """Missing (empty list), sent once, or the key repeated with different values."""
    one = value(valid)
    return st.one_of(one.map(lambda v: [v]), one.map(lambda v: [v]), st.just([]),
                     st.lists(one, min_size=2, max_size=3))


# -- the site and its data ------------------------------------------------------------------


class Ids(dict):  # type: ignore[type-arg]
    """The world's ids; the costly ones (a scored submission) are built when first used."""

    def __init__(self, app: Flask, values: dict[str, Any],
                 builders: dict[str, Callable[[], dict[str, Any]]]) -> None:
        super().__init__(values)
        self.app, self.builders = app, builders

    def __missing__(self, name: str) -> Any:
        with self.app.app_context():
            self.update(self.builders[name]())
        return self[name]


@dataclass
class World:
    app: Flask
    ids: Ids
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, role: str) -> FlaskClient:
        """A browser signed in as ``role`` (the sign-in form is fuzzed on its own)."""
        if role not in self.clients:
            client = self.app.test_client()
            if role != "applicant":
                with self.app.app_context():
                    session_id = db.session.get_one(User, self.ids[role]).get_id()
                with client.session_transaction() as session:
                    session["_user_id"] = session_id  # what signing in would store
                    session["_fresh"] = True
            self.clients[role] = client
        return self.clients[role]


@functools.cache
def password_hash() -> str:
    """One Argon2 hash for every user of every test: hashing costs a quarter second."""
    return accounts.hash_password(PASSWORD)


def staff(role: Role) -> User:
    user = User(email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.com",
                name=f"Fuzz {role.value}", role=role, password_hash=password_hash())
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        admin, hr, manager = staff(Role.ADMIN), staff(Role.HR), staff(Role.MANAGER)
        position = create_position(managers=[manager], title="Fuzzed front desk")
        started = journey.start(db.session, create_invitation(position, name="Sid Started"))
        pending = create_invitation(position, name="Pat Pending")
        db.session.commit()
        sequence = journey.sequence_for(started)
        numbers = {}
        for number, item in enumerate(sequence.items, start=1):
            numbers.setdefault(item.format, number)
        questionnaire = sequence.questionnaire
        ids: dict[str, Any] = {
            "admin_email": admin.email, "hr_email": hr.email, "manager_email": manager.email,
            "admin": admin.id, "hr": hr.id, "manager": manager.id,
            "position": position.id, "open_token": position.open_token,
            "started_token": started.invitation.token, "pending": pending.id,
            "numbers": numbers, "sequence": sequence,
            "items": [item.id for item in questionnaire.items],
            "free_text_items": [i.id for i in questionnaire.items
                                if i.format is ResponseFormat.FREE_TEXT],
            "bands": [band.id for band in questionnaire.bands],
            "questionnaires": sorted(current_bank().questionnaires),
            "version": started.questionnaire_version_id,
        }
        position_id = position.id

    def submitted() -> dict[str, Any]:
        position = db.session.get_one(Position, position_id)
        submission = create_submission(create_invitation(position, name="Sam Submitted"))
        return {"submitted": submission.id, "submitted_token": submission.invitation.token}

    return World(app, Ids(app, ids, {"submitted": submitted, "submitted_token": submitted}))


def fresh_invitation(world: World) -> Any:
    with world.app.app_context():
        position = db.session.get_one(Position, world.ids["position"])
        invitation = create_invitation(position, name="Fay Fresh")
        return invitation.token, invitation.applicant_id


def fresh_sitting(world: World) -> str:
    token, _ = fresh_invitation(world)
    with world.app.app_context():
        invitation = journey.invitation_by_token(db.session, token)
        assert invitation is not None
        journey.start(db.session, invitation)
        db.session.commit()
    return token


# -- the forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    text: str
    flashes: list[tuple[str, str]]


@dataclass(frozen=True)
class Form:
    """One form: where it is sent, its fields (with values the page offers), and how
    to tell the app refused it."""

    role: str
    method: str
    path: Callable[[World], str]
    fields: Callable[[World], dict[str, list[str]]]
    refused: Callable[[Reply], bool]
    files: tuple[str, ...] = ()  # fields sent as file uploads
    may_update: tuple[str, ...] = ()  # tables a refused post may still update (not add to)


def _not_redirect(reply: Reply) -> bool:
    return reply.status != 302


def _not_ok(reply: Reply) -> bool:
    return reply.status != 200


def _no_success_flash(reply: Reply) -> bool:
    return not any(category == "success" for category, _ in reply.flashes)


def _item_fields(fmt: ResponseFormat) -> Callable[[World], dict[str, list[str]]]:
    def fields(world: World) -> dict[str, list[str]]:
        sequence = world.ids["sequence"]
        item = sequence.items[world.ids["numbers"][fmt] - 1]
        options = list(sequence.options(item))
        common = {"action": ["next", "back", "review"], "shown_at": [],
                  "idempotency_key": [journey.new_form_post_key()]}
        if fmt is ResponseFormat.BEST_CHOICE:
            return {**common, "choice": options}
        if fmt is ResponseFormat.MOST_LEAST:
            return {**common, "most": options, "least": options}
        if fmt is ResponseFormat.RATE_EACH:
            return {**common, **{f"rate_{o}": ["1", "2", "3", "4", "5"] for o in options}}
        if fmt is ResponseFormat.RANK:
            places = [str(n) for n in range(1, len(options) + 1)]
            return {**common, **{f"rank_{o}": places for o in options}}
        return {**common, "text": [keyed_best_form(item)["text"], "Sorry. " * 40]}

    return fields


def _item_form(fmt: ResponseFormat) -> Form:
    return Form("applicant", "POST",
                lambda w: f"/apply/{w.ids['started_token']}/q/{w.ids['numbers'][fmt]}",
                _item_fields(fmt), _not_redirect)


FILTER_DATES = {"submitted_from": DATES, "submitted_to": DATES}

FORMS: dict[str, Form] = {
    # -- applicants ----------------------------------------------------------------------
    "consent": Form("applicant", "POST", lambda w: f"/apply/{fresh_invitation(w)[0]}",
                    lambda w: {"consent": ["y", "on", "1"]}, _not_redirect),
    "open-link join": Form(
        "applicant", "POST", lambda w: f"/apply/join/{w.ids['open_token']}",
        lambda w: {"name": ["Jo Joiner", "Zoë O'Brien-Łukasz"],
                   "email": ["jo@example.com", "zoe.obrien@example.org"]}, _not_redirect),
    **{f"answer {fmt.value}": _item_form(fmt) for fmt in ResponseFormat},
    "review and submit": Form(
        "applicant", "POST", lambda w: f"/apply/{fresh_sitting(w)}/review",
        lambda w: {"idempotency_key": [journey.new_form_post_key()]}, _not_redirect),
    "self-identification": Form(
        "applicant", "POST", lambda w: f"/apply/{w.ids['submitted_token']}/about-you",
        lambda w: {"sex": list(SEX_CATEGORIES), "race_ethnicity": list(RACE_ETHNICITY_CATEGORIES)},
        lambda reply: reply.status != 200 or "Thank you" not in reply.text),
    # -- staff -----------------------------------------------------------------------------
    "sign in": Form(
        "applicant", "POST", lambda w: "/login",
        lambda w: {"email": [w.ids["manager_email"], "nobody@example.com"],
                   "password": ["wrong password!"]},
        _not_redirect, may_update=("users",)),  # failed sign-ins are counted
    "invite": Form(
        "manager", "POST", lambda w: f"/manage/positions/{w.ids['position']}/invitations",
        lambda w: {"name": ["Ann Applicant"], "email": ["ann@example.com"]}, _no_success_flash),
    "bulk CSV upload": Form(
        "manager", "POST", lambda w: f"/manage/positions/{w.ids['position']}/invitations/bulk",
        lambda w: {"file": []}, lambda reply: reply.status != 200, files=("file",)),
    "invitation actions": Form(
        "manager", "POST",
        lambda w: f"/manage/positions/{w.ids['position']}/invitations/{w.ids['pending']}",
        lambda w: {"action": ["extend", "revoke", "reissue"], "days": ["1", "7", "90"]},
        _no_success_flash),
    "rating": Form(
        "manager", "POST", lambda w: f"/manage/submissions/{w.ids['submitted']}/ratings",
        lambda w: {"item_id": w.ids["free_text_items"], "rating": ["1", "3", "5"]},
        _no_success_flash),
    "decision": Form(
        "manager", "POST", lambda w: f"/manage/submissions/{w.ids['submitted']}/decision",
        lambda w: {"outcome": [o.value for o in Outcome],
                   "note": ["Waiting for the second interview slot."]}, _not_redirect),
    "applicant list filters": Form(
        "manager", "GET", lambda w: f"/manage/positions/{w.ids['position']}",
        lambda w: {"q": ["Sam", "Pat"], "status": ["invited", "started", "submitted"],
                   "band": w.ids["bands"], **FILTER_DATES,
                   "sort": ["submitted", "name", "overall", "warmth"], "order": ["asc", "desc"],
                   "page": ["1", "2", "0", "-1"]}, _not_ok),
    "compare": Form(
        "manager", "GET", lambda w: f"/manage/positions/{w.ids['position']}/compare",
        lambda w: {"ids": [str(w.ids["submitted"])]}, lambda reply: reply.status >= 400),
    "admin invites a user": Form(
        "admin", "POST", lambda w: "/admin/users",
        lambda w: {"name": ["Sam Staff"], "email": ["sam.staff@example.com"],
                   "role": ["manager", "hr", "admin"]}, _not_ok),
    "admin changes a user": Form(
        "admin", "POST", lambda w: f"/admin/users/{w.ids['hr']}",
        lambda w: {"role": ["manager", "hr", "admin"], "active": ["y", ""]}, _no_success_flash),
    "admin changes themself": Form(
        "admin", "POST", lambda w: f"/admin/users/{w.ids['admin']}",
        lambda w: {"role": ["manager", "hr", "admin"], "active": ["y", ""]}, _no_success_flash),
    "webhook endpoint create": Form(
        "admin", "POST", lambda w: "/admin/webhooks",
        lambda w: {"position": [str(w.ids["position"])],
                   "url": ["https://93.184.215.14/hooks", "https://10.1.2.3/hooks"],
                   "events": ["invitation.sent", "decision.recorded"],
                   "description": ["Workday"], "allow_private": ["y", ""]},
        lambda reply: reply.status != 200),
    "position create": Form(
        "hr", "POST", lambda w: "/admin/positions/new",
        lambda w: {"title": ["Night desk"], "location": ["Harbour"],
                   "questionnaire": w.ids["questionnaires"],
                   "managers": [str(w.ids["manager"]), str(w.ids["admin"])],
                   "open_link": ["y"]}, _not_redirect),
    "position edit": Form(
        "admin", "POST", lambda w: f"/admin/positions/{w.ids['position']}",
        lambda w: {"title": ["Fuzzed front desk"], "location": ["Reception"],
                   "questionnaire": w.ids["questionnaires"],
                   "managers": [str(w.ids["manager"])], "open_link": ["y"]}, _not_redirect),
    "hr export filters": Form(
        "hr", "GET", lambda w: "/hr/exports/download",
        lambda w: {"format": ["csv", "xlsx", "json"], "layout": ["wide", "long"],
                   "position": [str(w.ids["position"])], "since": DATES, "until": DATES,
                   "status": ["submitted", "in_progress"], "band": w.ids["bands"],
                   "bom": ["y"]}, _not_ok),
    "hr audit filters": Form(
        "hr", "GET", lambda w: "/hr/audit",
        lambda w: {"action": ["invitation.created"], "actor": [w.ids["manager_email"]],
                   "since": DATES, "until": DATES, "before": ["1", "5"]}, _not_ok),
    "hr applicant search": Form(
        "hr", "GET", lambda w: "/hr/applicants", lambda w: {"q": ["Sam", "pat@"]}, _not_ok),
    "hr fairness settings": Form(
        "hr", "GET", lambda w: f"/hr/fairness/{w.ids['position']}",
        lambda w: {"basis": ["decision", "band"], "band": w.ids["bands"]}, _not_ok),
    "erase confirmation": Form(
        "hr", "POST", lambda w: f"/hr/applicants/{fresh_invitation(w)[1]}/erase",
        lambda w: {"confirm": ["y", "on"]}, _not_redirect),
}

# -- bodies ---------------------------------------------------------------------------------

VALID_CSV = "name,email\nAnn One,ann.one@example.com\nBo Two,bo.two@example.com\n"
csv_cells = st.one_of(plain, odd, st.sampled_from(["Ann", "ann@example.com", "", '"', "name",
                                                   "email", "a@b", "x@example.com"]))
csv_text = st.lists(st.lists(csv_cells, max_size=4).map(",".join), max_size=20).map("\n".join)
csv_content = st.one_of(
    st.just(VALID_CSV.encode()),
    csv_text.map(lambda text: text.encode("utf-8")),
    csv_text.map(lambda text: ("\ufeff" + text).encode("utf-8")),
    csv_text.map(lambda text: text.encode("cp1252", "replace")),
    huge().map(lambda text: text.encode("utf-8")[:MAX_FIELD_BYTES]),
    st.binary(max_size=3000),
)
filenames = st.sampled_from(["list.csv", "list.txt", "LIST.CSV", "list.exe", "", "a.csv.exe",
                             "../../list.csv", "list\x00.csv", "名簿.csv"])


RAW_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
             "multipart/form-data", "application/json", "text/plain", "application/xml"]
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         plain, odd)
json_documents = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["name", "email", "text", "choice", "consent", "note", "outcome", "role", "x"]),
        inner, max_size=4)), max_leaves=8)


@st.composite
def request_body(draw: st.DrawFn, form: Form, world: World) -> dict[str, Any]:
    pairs: list[tuple[str, str]] = []
    for name, offered in form.fields(world).items():
        if name in form.files:
            continue
        pairs += [(name, v) for v in draw(field_values(offered))]
    for _ in range(draw(st.integers(0, 2))):  # fields the form does not have
        pairs.append((draw(plain), draw(junk)))
    kind = "query" if form.method == "GET" else draw(
        st.sampled_from(["form", "form", "multipart", "json", "raw"]))
    uploads = []
    for name in form.files:
        for _ in range(draw(st.integers(0, 2))):
            uploads.append((name, draw(csv_content), draw(filenames)))
    if not form.files and kind == "multipart" and pairs and draw(st.booleans()):
        name, text = pairs.pop(draw(st.integers(0, len(pairs) - 1)))  # text sent as a file
        uploads.append((name, text.encode("utf-8"), "field.txt"))
    raw = draw(st.binary(max_size=2000)) if kind == "raw" else b""
    raw_type = draw(st.sampled_from(RAW_TYPES)) if kind == "raw" else ""
    document = draw(json_documents) if kind == "json" else None
    return {"pairs": pairs, "kind": kind, "uploads": uploads, "raw": raw,
            "raw_type": raw_type, "json": document}


def post_multipart(client: FlaskClient, path: str, pairs: list[tuple[str, str]],
                   uploads: list[tuple[str, bytes, str]]) -> TestResponse:
    """Encoded in memory: the test client would spool a body over 500 KB to a temporary
    file it never closes (a ResourceWarning, an error under filterwarnings)."""
    data: MultiDict[str, Any] = MultiDict(pairs)
    for name, content, filename in uploads:
        data.add(name, FileStorage(io.BytesIO(content), filename, content_type="text/csv"))
    boundary, encoded = encode_multipart(data)
    return client.post(path, data=encoded,
                       content_type=f"multipart/form-data; boundary={boundary}")


def send(client: FlaskClient, form: Form, path: str, body: dict[str, Any]) -> Reply:
    pairs, kind = body["pairs"], body["kind"]
    if kind == "query":
        response = client.get(path, query_string=MultiDict(pairs))
    elif kind == "json":  # fields as a JSON object, or any JSON at all
        document = body["json"] if body["json"] is not None else dict(pairs)
        response = client.post(path, json=document)
    elif kind == "raw":
        response = client.post(path, data=body["raw"], content_type=body["raw_type"])
    elif kind == "multipart" or body["uploads"]:
        response = post_multipart(client, path, pairs, body["uploads"])
    else:
        response = client.post(path, data=MultiDict(pairs))
    try:
        text = response.get_data().decode("utf-8", "replace")
    finally:
        response.close()
    with client.session_transaction() as session:  # read and clear, as the next page would
        flashes = list(session.pop("_flashes", []))
    return Reply(response.status_code, response.headers.get("Location", ""), text, flashes)


# -- what must hold after every example -------------------------------------------------------


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_log(app: Flask) -> Iterator[ErrorLog]:
    handler = ErrorLog()
    app.logger.addHandler(handler)
    yield handler
    app.logger.removeHandler(handler)


def table_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        rows = {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}
        db.session.rollback()
        return rows


def _is_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return len(text) <= 254


def check_database(app: Flask) -> None:
    with app.app_context():
        twice = db.session.scalars(
            select(Submission.invitation_id).group_by(Submission.invitation_id)
            .having(func.count() > 1)).all()
        assert twice == [], "an invitation with more than one submission"
        for answer in db.session.scalars(select(Answer)):
            questionnaire = questionnaire_for(answer.submission.questionnaire_version)
            assert answer.item_id in {i.id for i in questionnaire.items}, answer.item_id
            stored = scoring.Answer.from_dict(answer.response)
            item = questionnaire.item(answer.item_id)
            assert stored.item_id == answer.item_id
            assert scoring.answer_problems(item, stored) == [], answer.response
        for rating in db.session.scalars(select(FreeTextRating)):
            questionnaire = questionnaire_for(rating.submission.questionnaire_version)
            assert questionnaire.item(rating.item_id).format is ResponseFormat.FREE_TEXT
            assert 1 <= rating.rating <= 5
        for decision in db.session.scalars(select(Decision)):
            assert decision.outcome in set(Outcome)
            assert DECISION_NOTE_MIN <= len(decision.note) <= 4000
        for answers in db.session.scalars(select(SelfIdentification)):
            assert answers.sex in {*SEX_CATEGORIES, None}
            assert answers.race_ethnicity in {*RACE_ETHNICITY_CATEGORIES, None}
        for applicant in db.session.scalars(select(Applicant)):
            if applicant.name == ANONYMISED_NAME:
                continue
            assert applicant.name.strip() and len(applicant.name) <= 200, repr(applicant.name)
            assert unsafe_characters(applicant.name) == [], repr(applicant.name)  # email headers
            assert _is_email(applicant.email), repr(applicant.email)
        for user in db.session.scalars(select(User)):
            assert user.name.strip() and len(user.name) <= 200 and _is_email(user.email)
            assert unsafe_characters(user.name) == [], repr(user.name)
        for position in db.session.scalars(select(Position)):
            assert unsafe_characters(position.title + position.location) == [], position.title
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.active.is_(True))), "no active administrator left"
        for position in db.session.scalars(select(Position)):
            assert position.title.strip() and len(position.title) <= 200
            assert all(m.role is Role.MANAGER for m in position.managers)
        db.session.rollback()


def _unchanged_but_updates(before: dict[str, list[tuple[Any, ...]]],
                           after: dict[str, list[tuple[Any, ...]]],
                           may_update: tuple[str, ...]) -> list[str]:
    changed = []
    for table, rows in before.items():
        if table in may_update:
            if len(after[table]) != len(rows):
                changed.append(table)
        elif after[table] != rows:
            changed.append(table)
    return changed


@pytest.mark.parametrize("name", list(FORMS))
def test_form_survives_fuzzing(world: World, error_log: ErrorLog, name: str) -> None:
    form = FORMS[name]
    client = world.client(form.role)
    if form.method == "GET":
        world.ids["submitted"]  # lists, exports and reports with a scored applicant in them

    @FUZZ
    @given(st.data())
    def example(data: st.DataObject) -> None:
        path = form.path(world)
        body = data.draw(request_body(form, world), label="body")
        before = table_rows(world.app)
        reply = send(client, form, path, body)
        assert reply.status < 500, f"{reply.status} for {form.method} {path}"
        assert not error_log.records, error_log.records[0].getMessage()
        if form.refused(reply):
            changed = _unchanged_but_updates(before, table_rows(world.app), form.may_update)
            assert changed == [], f"refused with {reply.status} but changed {changed}"
        check_database(world.app)

    example()


@pytest.mark.parametrize("name", ["open-link join", "answer free_text", "bulk CSV upload",
                                  "sign in", "invite", "decision"])
def test_body_over_the_limit_is_refused_with_413(world: World, name: str) -> None:
    form = FORMS[name]
    client = world.client(form.role)
    path = form.path(world)
    before = table_rows(world.app)
    limit = world.app.config["MAX_CONTENT_LENGTH"]
    big = "x" * (limit + 1)
    if form.files:
        response = post_multipart(client, path, [], [(form.files[0], big.encode(), "l.csv")])
    else:
        response = client.post(path, data={next(iter(form.fields(world))): big})
    assert response.status_code == 413
    assert table_rows(world.app) == before


@pytest.mark.parametrize("path", [
    "/manage/positions/{position}?submitted_from=9999-12-31&submitted_to=9999-12-31",
    "/hr/exports/download?format=csv&layout=wide&since=9999-12-31&until=9999-12-31",
    "/hr/audit?since=9999-12-31&until=9999-12-31",
    "/hr/audit.csv?until=9999-12-31",
])
def test_the_last_date_in_a_date_filter_is_a_filter(world: World, path: str) -> None:
    """9999-12-31 has no day after it: an inclusive 'until' must not compute one."""
    response = world.client("admin").get(path.format(position=world.ids["position"]))
    try:
        assert response.status_code == 200
    finally:
        response.close()
