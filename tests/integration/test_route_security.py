"""Route-wide security checks, generated from the app's URL map.

``ROUTES`` classifies every endpoint of the app (all but ``static``): who may use it,
one request they are allowed to make, the state-changing request and how a missing
CSRF token is refused, and paths naming something outside the user's rights. A rule
added to the app without a line here fails ``test_every_endpoint_is_classified``, so
no route escapes the checks below:

- every POST without a valid CSRF token (none, or another session's) is refused with
  400 and changes nothing; the applicant's answer pages instead show the same page
  again with the notice and what was typed, and save nothing (their documented
  behaviour, see screening/web/apply/routes.py);
- every route that needs a sign-in or a role refuses anonymous visitors (302 to the
  sign-in page; 401 for the token API and the ATS endpoints), a disabled account, and
  the wrong role (403); the ATS endpoints (Greenhouse) take JSON and no CSRF token, and
  refuse anything but a live connection key, a staff session included;
- every route with an id or a token in its path answers 404 for an id outside the
  user's rights: another manager's position, submission or invitation, an id that
  does not exist or does not fit an id column, an unknown token or a token of
  another kind (an applicant's link is their whole right: it is unguessable, and a
  token that is not exactly an open invitation link reaches nobody's data);
- and, so that none of the above passes because a route is simply broken, the
  allowed user's request with a valid token is served, with ``Cache-Control: no-store``
  unless the endpoint is in ``CACHEABLE`` (nothing personal in it).

The app is built once for this module with CSRF protection on, as in production.
Every refused request is checked to leave every table exactly as it was.
"""

from __future__ import annotations

import base64
import enum
import io
import re
import secrets
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from screening.app import create_app
from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import (
    ApiToken,
    AtsConnection,
    DeliveryStatus,
    EmailStatus,
    Job,
    JobStatus,
    KeyingPanel,
    Outcome,
    OutgoingEmail,
    RequestKind,
    Role,
    User,
    WebhookDelivery,
    utcnow,
)
from screening.services import (
    api_tokens,
    applicant_requests,
    ats_connections,
    greenhouse,
    journey,
    panels,
    position_zips,
    reviews,
    webhooks,
)
from screening.services.webhooks import EndpointSettings
from screening.web.auth.routes import set_password_link
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
TYPED = "I would listen to the customer first and then fix the booking with them"
SESSION_EXPIRED = "Your session had expired"
#: Larger than any id an integer column can hold: 2**31 on PostgreSQL, 2**64 on SQLite.
BEYOND_ID_COLUMNS = (2**31, 2**64)


class Who(enum.Enum):
    PUBLIC = "anyone"
    APPLICANT = "whoever holds the link: the token in the path is the right"
    PASSWORD_LINK = "whoever holds a signed set-password link"
    STAFF = "any signed-in staff member; managers only for their own positions"
    HR_ADMIN = "HR and administrators"
    ADMIN = "administrators"
    API = "a live API bearer token"
    ATS = "a live ATS connection key (HTTP Basic), no cookie: CSRF-exempt, JSON bodies"


#: The role used for the allowed request, and the roles that must be refused.
ALLOWED_ROLE = {Who.STAFF: "own_manager", Who.HR_ADMIN: "hr", Who.ADMIN: "admin"}
#: Posts that end every session of the user who sends them.
SESSION_ENDING = {"auth.logout", "auth.sign_out_elsewhere"}
WRONG_ROLES = {
    Who.STAFF: ["disabled"],
    Who.HR_ADMIN: ["own_manager", "disabled"],
    Who.ADMIN: ["own_manager", "hr", "disabled"],
}


class Refusal(enum.Enum):
    BAD_REQUEST = "400 error page"
    RETRY_PAGE = "the same page again with a notice; nothing saved"


Data = Callable[["Site"], dict[str, Any]]


def no_fields(_: Site) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Post:
    """The state-changing request the allowed user makes, and what answers it."""

    path: str
    data: Data
    status: int  # with a valid CSRF token
    refused: Refusal = Refusal.BAD_REQUEST  # without one
    kept: str | None = None  # text the re-rendered retry page must still show
    changes: bool = True  # whether the accepted post writes to the database


@dataclass(frozen=True)
class Foreign:
    """A path naming something outside the rights of the user the route allows."""

    arg: str  # the path argument (or ?query argument) that is changed
    path: str
    why: str
    status: int = 404


@dataclass(frozen=True)
class Route:
    methods: str
    who: Who
    get: str | None = None
    get_status: int = 200
    post: Post | None = None
    foreign: tuple[Foreign, ...] = field(default_factory=tuple)


def _ids(arg: str, template: str, **also: str) -> tuple[Foreign, ...]:
    """An id that does not exist, one past any id column, and ``also`` (value -> why)."""
    checks = [Foreign(arg, template.replace(f"<{arg}>", value), why)
              for value, why in also.items()]
    checks.append(Foreign(arg, template.replace(f"<{arg}>", "{missing}"), "no such record"))
    checks.append(Foreign(arg, template.replace(f"<{arg}>", "{huge}"),
                          "beyond an id column"))
    return tuple(checks)


def _tokens(arg: str, template: str, **also: str) -> tuple[Foreign, ...]:
    checks = [Foreign(arg, template.replace(f"<{arg}>", value), why)
              for value, why in also.items()]
    checks += [
        Foreign(arg, template.replace(f"<{arg}>", "{unknown_token}"), "unknown token"),
        Foreign(arg, template.replace(f"<{arg}>", "{truncated_token}"),
                "the start of a real token"),
        Foreign(arg, template.replace(f"<{arg}>", "{long_token}"), "a real token plus more"),
        # PostgreSQL cannot even compare text with a NUL in it: refused before any lookup.
        Foreign(arg, template.replace(f"<{arg}>", "{nul_token}"), "a NUL inside", status=400),
    ]
    return tuple(checks)


OTHER_POSITION = {"{other_position}": "another manager's position"}
FOREIGN_SUBMISSION = {"{foreign_submission}": "a submission of another manager's position"}
OPEN_LINK_AS_INVITATION = {"{open_token}": "an open-link token is not an invitation"}


def _past_day() -> str:
    """A different past day each time, so every accepted outcome import writes a new row."""
    return (date(2020, 1, 1) + timedelta(days=secrets.randbelow(2000))).isoformat()


def _applicant(path: str) -> tuple[Foreign, ...]:
    return _tokens("token", path, **OPEN_LINK_AS_INVITATION)


def _panellist(path: str) -> tuple[Foreign, ...]:
    # A sent or closed panellist's link answers with a polite page, not a 404:
    # tests/integration/test_keying_panel.py checks those and that they save nothing.
    return _tokens("token", path, **{"{pending_token}": "an applicant's link is not a panellist's"})


ROUTES: dict[str, Route] = {
    "health.healthz": Route("GET", Who.PUBLIC, get="/healthz"),
    "icons.favicon": Route("GET", Who.PUBLIC, get="/favicon.ico"),
    "auth.login": Route(
        "GET POST", Who.PUBLIC, get="/login",
        post=Post("/login", lambda s: {"email": s["admin_email"], "password": PASSWORD}, 302),
    ),
    # Single sign-on is off in this app (no provider configured): both legs answer 404.
    # tests/integration/test_oidc_sign_in.py drives them against a provider.
    "auth.sso_start": Route("GET", Who.PUBLIC, get="/login/sso", get_status=404),
    "auth.sso_callback": Route("GET", Who.PUBLIC, get="/login/sso/callback?code=c&state=s",
                               get_status=404),
    # Both end sessions (they raise the session generation), so they change the database.
    "auth.logout": Route("POST", Who.STAFF, post=Post("/logout", no_fields, 302)),
    "auth.sign_out_elsewhere": Route(
        "POST", Who.STAFF, post=Post("/account/sign-out-elsewhere", no_fields, 302)),
    "auth.account": Route(
        "GET POST", Who.STAFF, get="/account",
        post=Post("/account", lambda s: {"notify_mode": "daily"}, 302),
    ),
    "auth.set_password": Route(
        "GET POST", Who.PASSWORD_LINK, get="/account/set-password/{password_token}",
        post=Post("/account/set-password/{password_token}",
                  lambda s: {"password": "a brand new passphrase", "confirm":
                             "a brand new passphrase"}, 302),
        foreign=(
            Foreign("token", "/account/set-password/{garbled_password_token}",
                    "a link whose signature does not match"),
            Foreign("token", "/account/set-password/{other_salt_token}",
                    "the same payload signed for another purpose"),
        ),
    ),
    # -- the applicant's pages ------------------------------------------------------------
    "apply.welcome": Route(
        "GET POST", Who.APPLICANT, get="/apply/{pending_token}",
        post=Post("/apply/{fresh_token}", lambda s: {"consent": "y"}, 302,
                  Refusal.RETRY_PAGE),
        foreign=_applicant("/apply/<token>"),
    ),
    "apply.request_adjustment": Route(
        "POST", Who.APPLICANT,
        post=Post("/apply/{pending_token}/adjustment",
                  lambda s: {"adjustment-needs": "extra_time"}, 302),
        foreign=_applicant("/apply/<token>/adjustment"),
    ),
    "apply.practice": Route(
        "GET POST", Who.APPLICANT, get="/apply/{started_token}/practice",
        post=Post("/apply/{started_token}/practice", no_fields, 302, Refusal.RETRY_PAGE,
                  changes=False),
        foreign=_applicant("/apply/<token>/practice"),
    ),
    "apply.question": Route(
        "GET POST", Who.APPLICANT, get="/apply/{started_token}/q/1",
        post=Post("/apply/{started_token}/q/{free_text_number}",
                  lambda s: {"text": TYPED, "action": "next", "shown_at": "",
                             "idempotency_key": journey.new_form_post_key()},
                  302, Refusal.RETRY_PAGE, kept=TYPED),
        foreign=(
            *_applicant("/apply/<token>/q/1"),
            Foreign("number", "/apply/{started_token}/q/0", "before the first question"),
            Foreign("number", "/apply/{started_token}/q/{past_last}", "after the last one"),
            Foreign("number", "/apply/{started_token}/q/{huge}", "far beyond the last one"),
        ),
    ),
    "apply.review": Route(
        "GET POST", Who.APPLICANT, get="/apply/{started_token}/review",
        post=Post("/apply/{answered_token}/review",
                  lambda s: {"idempotency_key": journey.new_form_post_key()}, 302,
                  Refusal.RETRY_PAGE),
        foreign=_applicant("/apply/<token>/review"),
    ),
    "apply.done": Route("GET", Who.APPLICANT, get="/apply/{submitted_token}/done",
                        foreign=_applicant("/apply/<token>/done")),
    "apply.join": Route(
        "GET POST", Who.APPLICANT, get="/apply/join/{open_token}",
        post=Post("/apply/join/{open_token}",
                  lambda s: {"name": "Jo Joiner", "email": f"jo-{uuid.uuid4().hex}@example.com"},
                  302, Refusal.RETRY_PAGE, kept="Jo Joiner"),
        foreign=_tokens("open_token", "/apply/join/<open_token>",
                        **{"{pending_token}": "an invitation token is not an open link"}),
    ),
    "apply.join_sent": Route(
        "GET", Who.APPLICANT, get="/apply/join/{open_token}/sent",
        foreign=_tokens("open_token", "/apply/join/<open_token>/sent",
                        **{"{pending_token}": "an invitation token is not an open link"}),
    ),
    "apply.about_you": Route(
        "GET POST", Who.APPLICANT, get="/apply/{submitted_token}/about-you",
        post=Post("/apply/{submitted_token}/about-you",
                  lambda s: {"sex": "female", "race_ethnicity": "white"}, 200),
        foreign=_tokens("token", "/apply/<token>/about-you", **OPEN_LINK_AS_INVITATION,
                        **{"{started_token}": "answers not submitted yet"}),
    ),
    "apply.feedback": Route(
        "GET", Who.APPLICANT, get="/apply/{decided_token}/feedback",
        foreign=_tokens("token", "/apply/<token>/feedback", **OPEN_LINK_AS_INVITATION,
                        **{"{submitted_token}": "no decision recorded yet"}),
    ),
    "apply.feedback_pdf": Route(
        "GET", Who.APPLICANT, get="/apply/{decided_token}/feedback.pdf",
        foreign=_tokens("token", "/apply/<token>/feedback.pdf", **OPEN_LINK_AS_INVITATION,
                        **{"{submitted_token}": "no decision recorded yet"}),
    ),
    "apply.requests": Route(
        "GET POST", Who.APPLICANT, get="/apply/{submitted_token}/requests",
        post=Post("/apply/{submitted_token}/requests",
                  lambda s: {"kind": "explanation", "message": TYPED}, 302,
                  Refusal.RETRY_PAGE, kept=TYPED),
        foreign=_tokens("token", "/apply/<token>/requests", **OPEN_LINK_AS_INVITATION,
                        **{"{started_token}": "answers not submitted yet"}),
    ),
    # -- managers' pages (scoped to their own positions) ------------------------------------
    "manage.positions": Route("GET", Who.STAFF, get="/manage/"),
    "manage.position": Route(
        "GET", Who.STAFF, get="/manage/positions/{own_position}",
        foreign=_ids("position_id", "/manage/positions/<position_id>", **OTHER_POSITION),
    ),
    "manage.compare": Route(
        "GET", Who.STAFF,
        get="/manage/positions/{own_position}/compare?ids={first_submission}"
            "&ids={second_submission}",
        foreign=(
            *_ids("position_id", "/manage/positions/<position_id>/compare?ids="
                  "{first_submission}&ids={second_submission}", **OTHER_POSITION),
            Foreign("?ids", "/manage/positions/{own_position}/compare?ids={first_submission}"
                    "&ids={foreign_submission}", "a submission of another position"),
        ),
    ),
    "manage.invitations_page": Route(
        "GET", Who.STAFF, get="/manage/positions/{own_position}/invitations",
        foreign=_ids("position_id", "/manage/positions/<position_id>/invitations",
                     **OTHER_POSITION),
    ),
    "manage.invite": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/invitations",
                  lambda s: {"name": "New Person",
                             "email": f"new-{uuid.uuid4().hex}@example.com"}, 302),
        foreign=_ids("position_id", "/manage/positions/<position_id>/invitations",
                     **OTHER_POSITION),
    ),
    "manage.invite_bulk": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/invitations/bulk",
                  lambda s: {"file": (io.BytesIO(
                      f"name,email\nBulk Person,bulk-{uuid.uuid4().hex}@example.com\n"
                      .encode()), "list.csv")}, 200),
        foreign=_ids("position_id", "/manage/positions/<position_id>/invitations/bulk",
                     **OTHER_POSITION),
    ),
    "manage.change_invitation": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/invitations/{pending_invitation}",
                  lambda s: {"action": "extend", "days": "3"}, 302),
        foreign=_ids("position_id",
                     "/manage/positions/<position_id>/invitations/{foreign_invitation}",
                     **OTHER_POSITION)
        + _ids("invitation_id", "/manage/positions/{own_position}/invitations/<invitation_id>",
               **{"{foreign_invitation}": "an invitation of another manager's position"}),
    ),
    "manage.grant_adjustment": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/invitations/{pending_invitation}/adjustment",
                  lambda s: {"adjustment": "extra_50"}, 302),
        foreign=_ids("position_id",
                     "/manage/positions/<position_id>/invitations/{foreign_invitation}"
                     "/adjustment", **OTHER_POSITION)
        + _ids("invitation_id",
               "/manage/positions/{own_position}/invitations/<invitation_id>/adjustment",
               **{"{foreign_invitation}": "an invitation of another manager's position"}),
    ),
    "manage.position_csv": Route(
        "GET", Who.STAFF, get="/manage/positions/{own_position}/results.csv",
        foreign=_ids("position_id", "/manage/positions/<position_id>/results.csv",
                     **OTHER_POSITION),
    ),
    "manage.submission": Route(
        "GET", Who.STAFF, get="/manage/submissions/{first_submission}",
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.decide": Route(
        "POST", Who.STAFF,
        post=Post("/manage/submissions/{first_submission}/decision",
                  lambda s: {"outcome": "on_hold",
                             "note": "Waiting for the second interview slot."}, 302),
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/decision",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.allow_retake": Route(
        "POST", Who.STAFF,
        post=Post("/manage/submissions/{first_submission}/retake",
                  lambda s: {"reason": "The fire alarm cut the first sitting short."}, 302),
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/retake",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.rate": Route(
        "POST", Who.STAFF,
        post=Post("/manage/submissions/{first_submission}/ratings",
                  lambda s: {"item_id": s["free_text_item"], "rating": "4"}, 302),
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/ratings",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.feedback_preview": Route(
        "GET", Who.STAFF, get="/manage/submissions/{first_submission}/feedback-preview",
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/feedback-preview",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.feedback_switch": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/feedback", lambda s: {"enabled": "y"}, 302),
        foreign=_ids("position_id", "/manage/positions/<position_id>/feedback",
                     **OTHER_POSITION),
    ),
    "manage.applicant_pdf": Route(
        "GET", Who.STAFF, get="/manage/submissions/{first_submission}/report.pdf",
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/report.pdf",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.record_pdf": Route(
        "GET", Who.STAFF, get="/manage/submissions/{first_submission}/record.pdf",
        foreign=_ids("submission_id", "/manage/submissions/<submission_id>/record.pdf",
                     **FOREIGN_SUBMISSION),
    ),
    "manage.cohort_pdf": Route(
        "GET", Who.STAFF, get="/manage/positions/{own_position}/cohort.pdf",
        foreign=(
            *_ids("position_id", "/manage/positions/<position_id>/cohort.pdf",
                  **OTHER_POSITION),
            Foreign("?compare", "/manage/positions/{own_position}/cohort.pdf?compare="
                    "{foreign_submission}", "a submission of another position"),
        ),
    ),
    "manage.prepare_zip": Route(
        "POST", Who.STAFF,
        post=Post("/manage/positions/{own_position}/zips/summaries", no_fields, 302),
        foreign=(
            *_ids("position_id", "/manage/positions/<position_id>/zips/summaries",
                  **OTHER_POSITION),
            Foreign("which", "/manage/positions/{own_position}/zips/everything",
                    "no such kind of ZIP"),
        ),
    ),
    "manage.download_zip": Route(
        "GET", Who.STAFF, get="/manage/positions/{own_position}/zips/summaries.zip",
        foreign=(
            *_ids("position_id", "/manage/positions/<position_id>/zips/summaries.zip",
                  **OTHER_POSITION),
            Foreign("which", "/manage/positions/{own_position}/zips/everything.zip",
                    "no such kind of ZIP"),
            Foreign("which", "/manage/positions/{own_position}/zips/summaries-and-records.zip",
                    "a kind not prepared"),
        ),
    ),
    # -- administration ------------------------------------------------------------------
    "admin.users": Route("GET", Who.ADMIN, get="/admin/users"),
    "admin.invite_user": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/users", lambda s: {"name": "Sam Staff", "role": "manager",
                                            "email": f"sam-{uuid.uuid4().hex}@example.com"},
                  200),
    ),
    "admin.change_user": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/users/{hr_user}", lambda s: {"role": "hr", "active": "y"}, 302),
        foreign=_ids("user_id", "/admin/users/<user_id>"),
    ),
    "admin.reset_user": Route(
        "POST", Who.ADMIN, post=Post("/admin/users/{hr_user}/reset", no_fields, 200),
        foreign=_ids("user_id", "/admin/users/<user_id>/reset"),
    ),
    "admin.email_problems": Route("GET", Who.ADMIN, get="/admin/email-problems"),
    "admin.retry_email": Route(
        "POST", Who.ADMIN, post=Post("/admin/email-problems/{failed_email}/retry", no_fields, 302),
        foreign=_ids("message_id", "/admin/email-problems/<message_id>/retry"),
    ),
    "admin.discard_email": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/email-problems/{failed_email}/discard", no_fields, 302),
        foreign=_ids("message_id", "/admin/email-problems/<message_id>/discard"),
    ),
    "admin.job_problems": Route("GET", Who.ADMIN, get="/admin/jobs"),
    "admin.retry_job": Route(
        "POST", Who.ADMIN, post=Post("/admin/jobs/{dead_job}/retry", no_fields, 302),
        foreign=_ids("job_id", "/admin/jobs/<job_id>/retry"),
    ),
    "admin.discard_job": Route(
        "POST", Who.ADMIN, post=Post("/admin/jobs/{dead_job}/discard", no_fields, 302),
        foreign=_ids("job_id", "/admin/jobs/<job_id>/discard"),
    ),
    "admin.api_tokens_page": Route("GET", Who.ADMIN, get="/admin/api-tokens"),
    "admin.revoke_api_token": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/api-tokens/{live_api_token_id}/revoke", no_fields, 302),
        foreign=_ids("token_id", "/admin/api-tokens/<token_id>/revoke"),
    ),
    "admin.webhooks_page": Route("GET", Who.ADMIN, get="/admin/webhooks"),
    "admin.create_webhook": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/webhooks", lambda s: {
            "position": s["own_position"], "url": "https://10.9.8.7/hooks",
            "events": "invitation.sent", "description": "ATS", "allow_private": "y"}, 200),
    ),
    "admin.webhook_page": Route(
        "GET", Who.ADMIN, get="/admin/webhooks/{webhook_endpoint}",
        foreign=_ids("endpoint_id", "/admin/webhooks/<endpoint_id>"),
    ),
    "admin.rotate_webhook_secret": Route(
        "POST", Who.ADMIN, post=Post("/admin/webhooks/{webhook_endpoint}/rotate", no_fields, 200),
        foreign=_ids("endpoint_id", "/admin/webhooks/<endpoint_id>/rotate"),
    ),
    "admin.switch_webhook": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/webhooks/{webhook_endpoint}/active", lambda s: {"active": "1"}, 302),
        foreign=_ids("endpoint_id", "/admin/webhooks/<endpoint_id>/active"),
    ),
    "admin.test_webhook": Route(
        "POST", Who.ADMIN, post=Post("/admin/webhooks/{webhook_endpoint}/test", no_fields, 302),
        foreign=_ids("endpoint_id", "/admin/webhooks/<endpoint_id>/test"),
    ),
    "admin.delete_webhook": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/webhooks/{fresh_webhook_endpoint}/delete", no_fields, 302),
        foreign=_ids("endpoint_id", "/admin/webhooks/<endpoint_id>/delete"),
    ),
    "admin.redeliver_webhook": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/webhooks/{webhook_endpoint}/deliveries/{failed_delivery}/redeliver",
                  no_fields, 302),
        foreign=(
            *_ids("endpoint_id",
                  "/admin/webhooks/<endpoint_id>/deliveries/{failed_delivery}/redeliver"),
            *_ids("delivery_id",
                  "/admin/webhooks/{webhook_endpoint}/deliveries/<delivery_id>/redeliver",
                  **{"{foreign_delivery}": "a delivery to another endpoint"}),
        ),
    ),
    "admin.positions_list": Route("GET", Who.HR_ADMIN, get="/admin/positions"),
    "admin.new_position": Route(
        "GET POST", Who.HR_ADMIN, get="/admin/positions/new",
        post=Post("/admin/positions/new", lambda s: {
            "title": "Night desk", "location": "Harbour", "questionnaire": "frontline-standard",
            "managers": s["own_manager_id"], "open_link": "y"}, 302),
    ),
    "admin.edit_position": Route(
        "GET POST", Who.HR_ADMIN, get="/admin/positions/{own_position}",
        post=Post("/admin/positions/{own_position}", lambda s: {
            "title": "Own front desk", "location": "Reception",
            "questionnaire": "frontline-standard", "managers": s["own_manager_id"],
            "open_link": "y"}, 302),
        foreign=_ids("position_id", "/admin/positions/<position_id>"),
    ),
    # -- HR --------------------------------------------------------------------------------
    "hr.home": Route("GET", Who.HR_ADMIN, get="/hr/"),
    "hr.exports": Route("GET", Who.HR_ADMIN, get="/hr/exports"),
    "hr.export_download": Route("GET", Who.HR_ADMIN,
                                get="/hr/exports/download?format=csv&layout=wide"),
    "hr.analytics_list": Route("GET", Who.HR_ADMIN, get="/hr/analytics"),
    "hr.analytics_version": Route(
        "GET", Who.HR_ADMIN, get="/hr/analytics/{version}",
        foreign=_ids("version_id", "/hr/analytics/<version_id>"),
    ),
    "hr.fairness_list": Route("GET", Who.HR_ADMIN, get="/hr/fairness"),
    "hr.fairness_report": Route(
        "GET", Who.HR_ADMIN, get="/hr/fairness/{own_position}",
        foreign=_ids("position_id", "/hr/fairness/<position_id>"),
    ),
    "hr.fairness_csv": Route(
        "GET", Who.HR_ADMIN, get="/hr/fairness/{own_position}.csv",
        foreign=_ids("position_id", "/hr/fairness/<position_id>.csv"),
    ),
    "hr.outcomes": Route("GET", Who.HR_ADMIN, get="/hr/outcomes"),
    "hr.outcomes_upload": Route(
        "POST", Who.HR_ADMIN,
        post=Post("/hr/outcomes", lambda s: {"file": (io.BytesIO(
            f"submission_id,date,complaints\n{s['first_submission']},{_past_day()},0\n"
            .encode()), "outcomes.csv")}, 302),
    ),
    "hr.outcomes_template": Route("GET", Who.HR_ADMIN, get="/hr/outcomes/template.csv"),
    "hr.validation_list": Route("GET", Who.HR_ADMIN, get="/hr/validation"),
    "hr.validation_report": Route(
        "GET", Who.HR_ADMIN, get="/hr/validation/{own_position}",
        foreign=_ids("position_id", "/hr/validation/<position_id>"),
    ),
    "hr.validation_csv": Route(
        "GET", Who.HR_ADMIN, get="/hr/validation/{own_position}.csv",
        foreign=_ids("position_id", "/hr/validation/<position_id>.csv"),
    ),
    "hr.audit_page": Route("GET", Who.HR_ADMIN, get="/hr/audit"),
    "hr.audit_csv": Route("GET", Who.HR_ADMIN, get="/hr/audit.csv"),
    "hr.applicants": Route("GET", Who.HR_ADMIN, get="/hr/applicants?q=Applicant"),
    "hr.erase": Route(
        "GET POST", Who.HR_ADMIN, get="/hr/applicants/{first_applicant}/erase",
        post=Post("/hr/applicants/{fresh_applicant}/erase", lambda s: {"confirm": "y"}, 302),
        foreign=_ids("applicant_id", "/hr/applicants/<applicant_id>/erase"),
    ),
    "hr.applicant_requests_page": Route("GET", Who.HR_ADMIN, get="/hr/requests"),
    "hr.applicant_request": Route(
        "GET POST", Who.HR_ADMIN, get="/hr/requests/{first_request}",
        post=Post("/hr/requests/{fresh_request}",
                  lambda s: {"answer": "A person has looked at the decision again."}, 302),
        foreign=_ids("request_id", "/hr/requests/<request_id>"),
    ),
    "admin.ats_connections_page": Route("GET", Who.ADMIN, get="/admin/ats-connections"),
    "admin.create_ats_connection": Route(
        "POST", Who.ADMIN, post=Post("/admin/ats-connections", lambda s: {
            "name": "Route checks ATS", "all_positions": "y"}, 200),
    ),
    "admin.revoke_ats_connection": Route(
        "POST", Who.ADMIN,
        post=Post("/admin/ats-connections/{live_ats_connection_id}/revoke", no_fields, 302),
        foreign=_ids("connection_id", "/admin/ats-connections/<connection_id>/revoke"),
    ),
    # -- Greenhouse's Assessment Partner endpoints -----------------------------------------------
    "greenhouse.list_tests": Route("GET", Who.ATS, get="/integrations/greenhouse/list_tests"),
    "greenhouse.test_status": Route(
        "GET", Who.ATS,
        get="/integrations/greenhouse/test_status?partner_interview_id={ats_interview_id}",
        foreign=(Foreign("partner_interview_id", "/integrations/greenhouse/test_status?"
                         "partner_interview_id={other_ats_interview_id}",
                         "a test another connection sent"),
                 Foreign("partner_interview_id", "/integrations/greenhouse/test_status?"
                         "partner_interview_id={unknown_token}", "no such test")),
    ),
    "greenhouse.send_test": Route(
        "POST", Who.ATS, post=Post("/integrations/greenhouse/send_test", lambda s: {
            "partner_test_id": str(s["own_position"]),
            "candidate": {"first_name": "Ada", "last_name": "Route", "email": "ada@example.com",
                          "greenhouse_profile_url": "https://app.greenhouse.io/people/1"},
            "url": f"https://app.greenhouse.io/t/{uuid.uuid4().hex}"}, 200),
    ),
    "greenhouse.response_error": Route(
        "POST", Who.ATS, post=Post("/integrations/greenhouse/response_error", lambda s: {
            "api_call": "list_tests", "errors": ["partner_test_name is missing"]}, 200),
    ),
    "hr.panels": Route(
        "GET POST", Who.HR_ADMIN, get="/hr/panels",
        post=Post("/hr/panels", lambda s: {"name": "Route panel",
                                            "questionnaire": "frontline-standard"}, 302),
    ),
    "hr.panel": Route("GET", Who.HR_ADMIN, get="/hr/panels/{panel}",
                      foreign=_ids("panel_id", "/hr/panels/<panel_id>")),
    "hr.invite_panellist": Route(
        "POST", Who.HR_ADMIN,
        post=Post("/hr/panels/{panel}/panellists", lambda s: {"label": "Supervisor"}, 200),
        foreign=_ids("panel_id", "/hr/panels/<panel_id>/panellists"),
    ),
    "hr.close_panel": Route(
        "POST", Who.HR_ADMIN, post=Post("/hr/panels/{fresh_panel}/close", no_fields, 302),
        foreign=_ids("panel_id", "/hr/panels/<panel_id>/close"),
    ),
    "hr.panel_report": Route("GET", Who.HR_ADMIN, get="/hr/panels/{panel}/report",
                             foreign=_ids("panel_id", "/hr/panels/<panel_id>/report")),
    "hr.panel_report_pdf": Route("GET", Who.HR_ADMIN, get="/hr/panels/{panel}/report.pdf",
                                 foreign=_ids("panel_id", "/hr/panels/<panel_id>/report.pdf")),
    "hr.panel_ratings_csv": Route(
        "GET", Who.HR_ADMIN, get="/hr/panels/{panel}/ratings.csv",
        foreign=_ids("panel_id", "/hr/panels/<panel_id>/ratings.csv")),
    # -- a keying panellist's single-use link (the token is the right) -----------------------
    "panel.start": Route("GET", Who.APPLICANT, get="/panel/{panel_token}",
                         foreign=_panellist("/panel/<token>")),
    "panel.item": Route(
        "GET POST", Who.APPLICANT, get="/panel/{panel_token}/s/1",
        post=Post("/panel/{fresh_panel_token}/s/1",
                  lambda s: {**s.fixed["panel_first_item_form"],  # type: ignore[dict-item]
                             "action": "next", "comment": TYPED},
                  302, Refusal.RETRY_PAGE, kept=TYPED),
        foreign=(
            *_panellist("/panel/<token>/s/1"),
            Foreign("number", "/panel/{panel_token}/s/0", "before the first situation"),
            Foreign("number", "/panel/{panel_token}/s/{past_last_panel_item}",
                    "after the last one"),
            Foreign("number", "/panel/{panel_token}/s/{huge}", "far beyond the last one"),
        ),
    ),
    "panel.review": Route(
        "GET POST", Who.APPLICANT, get="/panel/{panel_token}/submit",
        post=Post("/panel/{rated_panel_token}/submit", no_fields, 302),
        foreign=_panellist("/panel/<token>/submit"),
    ),
    # -- the read-only token API ---------------------------------------------------------------
    "api.openapi": Route("GET", Who.PUBLIC, get="/api/v1/openapi.yaml"),
    "api.positions": Route("GET", Who.API, get="/api/v1/positions"),
    "api.position": Route("GET", Who.API, get="/api/v1/positions/{own_position}",
                          foreign=_ids("position_id", "/api/v1/positions/<position_id>")),
    "api.position_submissions": Route(
        "GET", Who.API, get="/api/v1/positions/{own_position}/submissions",
        foreign=_ids("position_id", "/api/v1/positions/<position_id>/submissions"),
    ),
    "api.submissions": Route("GET", Who.API, get="/api/v1/submissions"),
    "api.submission": Route(
        "GET", Who.API, get="/api/v1/submissions/{first_submission}",
        foreign=_ids("submission_id", "/api/v1/submissions/<submission_id>"),
    ),
    "api.submission_result": Route(
        "GET", Who.API, get="/api/v1/submissions/{first_submission}/result",
        foreign=_ids("submission_id", "/api/v1/submissions/<submission_id>/result"),
    ),
}

#: GET endpoints whose answer holds nothing personal, so caches may keep it.
CACHEABLE = {"api.openapi", "icons.favicon"}

#: Posted by browsers as forms with a CSRF token (the ATS endpoints have tests of their own).
POST_ROUTES = [name for name, route in ROUTES.items()
               if route.post is not None and route.who is not Who.ATS]
ATS_ROUTES = [name for name, route in ROUTES.items() if route.who is Who.ATS]
#: Answer 401 in JSON, not a sign-in page: machines, authenticated by a header.
MACHINE = (Who.API, Who.ATS)
GUARDED = [name for name, route in ROUTES.items()
           if route.who in (Who.STAFF, Who.HR_ADMIN, Who.ADMIN, *MACHINE)]


# -- the site: one app, one set of data, visitors signed in once -----------------------------


@dataclass
class Reply:
    status: int
    location: str
    text: str
    content_type: str
    cache_control: str


class Visitor:
    """One browser: a test client with its own cookies and CSRF token."""

    def __init__(self, app: Flask, email: str | None = None) -> None:
        self.client: FlaskClient = app.test_client()
        self.csrf_token = _hidden_csrf(self.client.get("/login").text)
        if email is not None:
            reply = self.send("POST", "/login", {"email": email, "password": PASSWORD})
            assert reply.status == 302, f"could not sign in {email}: {reply.status}"
            self.csrf_token = _hidden_csrf(self.client.get("/account").text)

    def send(self, method: str, path: str, data: Mapping[str, Any] | None = None, *,
             csrf: str | None = "own", headers: Mapping[str, str] | None = None) -> Reply:
        if method == "GET":
            response = self.client.get(path, headers=dict(headers or {}))
        else:
            form = dict(data or {})
            if csrf == "own":
                form["csrf_token"] = self.csrf_token
            elif csrf is not None:
                form["csrf_token"] = csrf
            response = self.client.open(path, method=method, data=form,
                                        headers=dict(headers or {}))
        try:
            body = response.get_data()
        finally:
            response.close()  # streamed downloads hold a connection until closed
        return Reply(response.status_code, response.headers.get("Location", ""),
                     body.decode("utf-8", "replace"), response.content_type or "",
                     response.headers.get("Cache-Control", ""))


def _hidden_csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Site:
    """The app and its data; ``site[name]`` is a value for a path template.

    Names in ``lazy`` build something new each time they are asked for (a fresh
    invitation, a link for the current password), so a check never depends on
    what an earlier one changed.
    """

    def __init__(self, app: Flask, fixed: dict[str, object],
                 lazy: dict[str, Callable[[], object]]) -> None:
        self.app, self.fixed, self.lazy = app, fixed, lazy
        self.visitors: dict[str, Visitor] = {}

    def __getitem__(self, name: str) -> str:
        if name in self.fixed:
            return str(self.fixed[name])
        with self.app.app_context():
            return str(self.lazy[name]())

    def url(self, template: str, **values: object) -> str:
        formatting = _Formatting(self)
        formatting.update({name: str(value) for name, value in values.items()})
        return template.format_map(formatting)

    def visitor(self, role: str) -> Visitor:
        """The signed-in browser of ``role`` (or "anonymous"), made once per module."""
        if role not in self.visitors:
            email = None if role == "anonymous" else self.fixed[f"{role}_email"]
            self.visitors[role] = Visitor(self.app, email)  # type: ignore[arg-type]
            if role == "disabled":  # signed in while active, then switched off
                with self.app.app_context():
                    db.session.get_one(User, self.fixed["disabled_id"]).active = False
                    db.session.commit()
        return self.visitors[role]

    def fresh_visitor(self, role: str) -> Visitor:
        email = None if role == "anonymous" else self.fixed[f"{role}_email"]
        return Visitor(self.app, email)  # type: ignore[arg-type]

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, to prove a refused request changed nothing.

        Except when an API token or ATS key was last used: any request with a valid one
        records it, whatever the answer.
        """
        last_used = (ApiToken.__table__.c.last_used_at, AtsConnection.__table__.c.last_used_at)
        with self.app.app_context():
            rows = {
                table.name: [tuple(row) for row in db.session.execute(
                    select(*[column for column in table.columns
                             if not any(column is skipped for skipped in last_used)])
                    .order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables
            }
            db.session.rollback()
            return rows


class _Formatting(dict):  # type: ignore[type-arg]
    """str.format_map over the site that builds each lazy value once per path."""

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def __missing__(self, name: str) -> str:
        self[name] = self.site[name]
        return self[name]


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="module")
def site(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": migrated_database,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("route-security")),
        "SECRET_KEY": "route-security-secret",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "ATS_ALLOW_LOOPBACK_HTTP": 1,  # the test client calls from 127.0.0.1 over http
    })
    with app.app_context():
        _empty_all_tables()
        fixed, lazy = _build_data(app)
    yield Site(app, fixed, lazy)
    with app.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _build_data(app: Flask) -> tuple[dict[str, object], dict[str, Callable[[], object]]]:
    users = {role: create_user(kind) for role, kind in [
        ("admin", Role.ADMIN), ("hr", Role.HR), ("own_manager", Role.MANAGER),
        ("other_manager", Role.MANAGER), ("disabled", Role.MANAGER),
        ("password", Role.MANAGER), ("signs_out", Role.MANAGER)]}
    own = create_position(managers=[users["own_manager"]], title="Own front desk",
                          location="Reception")
    other = create_position(managers=[users["other_manager"]], title="Other front desk")
    first = create_submission(create_invitation(own, name="First Applicant"))
    second = create_submission(create_invitation(own, name="Second Applicant"))
    foreign = create_submission(create_invitation(other, name="Foreign Applicant"))
    decided = create_submission(create_invitation(own, name="Decided Applicant"))
    reviews.record_decision(db.session, decided, users["own_manager"], Outcome.SECONDARY,
                            "Better suited to the back office team.")
    first_request, _ = applicant_requests.make_request(
        db.session, first, RequestKind.REVIEW, "Please look again.", answer_within_days=30)
    pending = create_invitation(own, name="Pending Applicant")
    foreign_pending = create_invitation(other, name="Foreign Pending")
    started = journey.start(db.session, create_invitation(own, name="Started Applicant"))
    db.session.commit()
    items = journey.sequence_for(started).items
    panel = panels.create_panel(db.session, users["hr"], own.questionnaire_version, "Route panel")
    _, panel_token = panels.invite(db.session, users["hr"], panel, "Supervisor")
    panel_items = panels.rated_items(panel)
    _, api_token = api_tokens.create_token(db.session, name="route checks",
                                           created_by=users["admin"])
    revoked, revoked_token = api_tokens.create_token(db.session, name="revoked",
                                                     created_by=users["admin"])
    api_tokens.revoke(db.session, revoked.id, users["admin"])
    ats, ats_key = ats_connections.create(db.session, name="route checks ATS",
                                          all_positions=True, positions=[],
                                          created_by=users["admin"],
                                          secret_key=app.config["SECRET_KEY"])
    other_ats, _ = ats_connections.create(db.session, name="another customer",
                                          all_positions=True, positions=[],
                                          created_by=users["admin"],
                                          secret_key=app.config["SECRET_KEY"])
    revoked_ats, revoked_ats_key = ats_connections.create(
        db.session, name="revoked ATS", all_positions=True, positions=[],
        created_by=users["admin"], secret_key=app.config["SECRET_KEY"])
    ats_connections.revoke(db.session, revoked_ats.id, users["admin"])

    def ats_test(connection: AtsConnection, name: str) -> str:
        sent = greenhouse.SendTestRequest(str(own.id), name, f"{uuid.uuid4().hex}@example.com",
                                          f"https://app.greenhouse.io/t/{uuid.uuid4().hex}")
        return greenhouse.send_test(db.session, connection, sent,
                                    valid_days=14).request.public_id

    ats_interview_id = ats_test(ats, "Sent By Greenhouse")
    other_ats_interview_id = ats_test(other_ats, "Sent By Another")
    db.session.commit()
    password_user_id = users["password"].id
    admin_id = users["admin"].id
    hooks = EndpointSettings("https://10.9.8.7/hooks", frozenset({"invitation.sent"}), "", True)
    endpoint, _ = webhooks.create_endpoint(db.session, own, hooks, users["admin"])
    other_endpoint, _ = webhooks.create_endpoint(db.session, other, hooks, users["admin"])
    foreign_delivery = WebhookDelivery(message_id="msg_route_checks_other", payload={},
                                       endpoint=other_endpoint, event_type="webhook.test",
                                       status=DeliveryStatus.FAILED)
    db.session.add(foreign_delivery)
    db.session.commit()
    endpoint_id = endpoint.id

    def password_token() -> str:
        with app.test_request_context():
            link = set_password_link(db.session.get_one(User, password_user_id))
        return link.rsplit("/", 1)[1]

    def other_salt_token() -> str:
        user = db.session.get_one(User, password_user_id)
        signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="another-purpose")
        return signer.dumps([user.id, "0" * 16])

    def answered_token() -> str:
        invitation = create_invitation(db.session.get_one(type(own), own.id), name="Ready")
        create_submission(invitation, submit=False)
        return invitation.token

    def fresh_invitation():  # type: ignore[no-untyped-def]
        return create_invitation(db.session.get_one(type(own), own.id), name="Fresh Person")

    # A prepared ZIP of the own position's summaries, as a worker leaves it.
    prepared = io.BytesIO()
    with zipfile.ZipFile(prepared, "w") as archive:
        archive.writestr("applicant-1.pdf", b"%PDF-1.7 route check")
    position_zips.store(db.session, own.id, position_zips.SUMMARIES, prepared.getvalue(),
                        utcnow())
    db.session.commit()

    fixed: dict[str, object] = {
        **{f"{role}_email": user.email for role, user in users.items()},
        "disabled_id": users["disabled"].id,
        "own_manager_id": users["own_manager"].id,
        "hr_user": users["hr"].id,
        "own_position": own.id,
        "other_position": other.id,
        "first_submission": first.id,
        "second_submission": second.id,
        "foreign_submission": foreign.id,
        "first_applicant": first.invitation.applicant_id,
        "first_request": first_request.id,
        "pending_invitation": pending.id,
        "foreign_invitation": foreign_pending.id,
        "version": own.questionnaire_version_id,
        "pending_token": pending.token,
        "started_token": started.invitation.token,
        "submitted_token": first.invitation.token,
        "decided_token": decided.invitation.token,
        "open_token": own.open_token,
        "unknown_token": secrets.token_urlsafe(32),
        "truncated_token": pending.token[:20],
        "long_token": pending.token + "A" * (65 - len(pending.token)),
        "nul_token": pending.token[:20] + "%00" + pending.token[23:],
        "free_text_number": next(n for n, item in enumerate(items, 1)
                                 if item.format is ResponseFormat.FREE_TEXT),
        "past_last": len(items) + 1,
        "free_text_item": reviews.free_text_items(first)[0].id,
        "missing": 2**31 - 1,  # the largest id a column can hold, and nobody's
        "api_token": api_token,
        "webhook_endpoint": endpoint_id,
        "foreign_delivery": foreign_delivery.id,
        "revoked_api_token": revoked_token,
        "ats_key": ats_key,
        "revoked_ats_key": revoked_ats_key,
        "ats_interview_id": ats_interview_id,
        "other_ats_interview_id": other_ats_interview_id,
        "garbled_password_token": "eyJhbGciOiJIUzI1NiJ9.WzEsIjAwMDAiXQ.forged-signature",
    }
    def failed_email() -> int:
        message = OutgoingEmail(kind="invitation", recipient="nobody@example.com",
                                subject="Your application", body_text="A link.",
                                body_html="<p>A link.</p>", status=EmailStatus.FAILED,
                                attempts=1, last_error="Refused: 550 No such mailbox")
        db.session.add(message)
        db.session.commit()
        return message.id

    def dead_job() -> int:
        job = Job(kind="summary.render", payload={"submission_id": 1}, status=JobStatus.DEAD,
                  attempts=3, max_attempts=3, last_error="RenderError: no PDF")
        db.session.add(job)
        db.session.commit()
        return job.id

    def live_api_token_id() -> int:
        row, _ = api_tokens.create_token(db.session, name="to revoke",
                                         created_by=db.session.get_one(User, admin_id))
        db.session.commit()
        return row.id

    def live_ats_connection_id() -> int:
        row, _ = ats_connections.create(db.session, name="to revoke", all_positions=True,
                                        positions=[],
                                        created_by=db.session.get_one(User, admin_id),
                                        secret_key=app.config["SECRET_KEY"])
        db.session.commit()
        return row.id

    def fresh_request() -> int:
        invitation = create_invitation(db.session.get_one(type(own), own.id), name="Asker")
        made, _ = applicant_requests.make_request(
            db.session, create_submission(invitation), RequestKind.EXPLANATION, "",
            answer_within_days=30)
        db.session.commit()
        return made.id

    fixed.update({
        "panel": panel.id,
        "panel_token": panel_token,
        "past_last_panel_item": len(panel_items) + 1,
        "panel_first_item_form": {f"rate_{option.id}": "4" for option in panel_items[0].options},
    })
    panel_id, hr_id = panel.id, users["hr"].id

    def fresh_panel_token() -> str:
        _, token = panels.invite(db.session, db.session.get_one(User, hr_id),
                                 db.session.get_one(KeyingPanel, panel_id), "Fresh")
        db.session.commit()
        return token

    def rated_panel_token() -> str:
        token = fresh_panel_token()
        panellist = panels.panellist_by_token(db.session, token)
        assert panellist is not None
        for item in panels.rated_items(panellist.panel):
            panels.save_ratings(db.session, panellist, item,
                                {option.id: 2 for option in item.options}, "")
        db.session.commit()
        return token

    def fresh_panel() -> int:
        made = panels.create_panel(db.session, db.session.get_one(User, hr_id),
                                   db.session.get_one(KeyingPanel, panel_id)
                                   .questionnaire_version, "To close")
        db.session.commit()
        return made.id

    def failed_delivery() -> int:
        delivery = WebhookDelivery(message_id=f"msg_{uuid.uuid4().hex}", payload={},
                                   endpoint_id=endpoint_id, event_type="webhook.test",
                                   status=DeliveryStatus.FAILED)
        db.session.add(delivery)
        db.session.commit()
        return delivery.id

    def fresh_webhook_endpoint() -> int:
        made, _ = webhooks.create_endpoint(db.session, db.session.get_one(type(own), own.id),
                                           hooks, db.session.get_one(User, admin_id))
        db.session.commit()
        return made.id

    lazy: dict[str, Callable[[], object]] = {
        "fresh_panel_token": fresh_panel_token,
        "rated_panel_token": rated_panel_token,
        "fresh_panel": fresh_panel,
        "failed_delivery": failed_delivery,
        "fresh_webhook_endpoint": fresh_webhook_endpoint,
        "fresh_request": fresh_request,
        "password_token": password_token,
        "other_salt_token": other_salt_token,
        "fresh_token": lambda: fresh_invitation().token,
        "fresh_applicant": lambda: fresh_invitation().applicant_id,
        "answered_token": answered_token,
        "failed_email": failed_email,
        "dead_job": dead_job,
        "live_api_token_id": live_api_token_id,
        "live_ats_connection_id": live_ats_connection_id,
    }
    return fixed, lazy


def _basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _headers(route: Route, site: Site) -> dict[str, str]:
    if route.who is Who.API:
        return {"Authorization": f"Bearer {site['api_token']}"}
    return _basic(site["ats_key"]) if route.who is Who.ATS else {}


def _allowed_visitor(route: Route, site: Site) -> Visitor:
    return site.visitor(ALLOWED_ROLE.get(route.who, "anonymous"))


def _refused_without_change(site: Site, visitor: Visitor, method: str, path: str,
                            data: Mapping[str, Any] | None = None,
                            **options: Any) -> Reply:
    before = site.tables()
    reply = visitor.send(method, path, data, **options)
    assert reply.status != 500, f"{method} {path}: server error"
    assert site.tables() == before, f"{method} {path} answered {reply.status} and changed " \
                                    "the database"
    return reply


# -- the table covers the app --------------------------------------------------------------


def _app_rules(app: Flask) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            methods.setdefault(rule.endpoint, set()).update(
                (rule.methods or set()) - {"HEAD", "OPTIONS"})
    return methods


def test_every_endpoint_is_classified(site: Site) -> None:
    rules = _app_rules(site.app)
    assert sorted(set(rules) - set(ROUTES)) == [], "routes without a line in ROUTES"
    assert sorted(set(ROUTES) - set(rules)) == [], "lines in ROUTES for routes that are gone"
    for endpoint, methods in rules.items():
        route = ROUTES[endpoint]
        assert methods == set(route.methods.split()), f"{endpoint}: methods changed"
        assert (route.post is not None) == bool(methods & STATE_CHANGING), endpoint
        assert ("GET" in methods) == (route.get is not None), endpoint


def test_every_path_argument_has_out_of_rights_checks(site: Site) -> None:
    for rule in site.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        checked = {check.arg for check in ROUTES[rule.endpoint].foreign}
        assert set(rule.arguments) <= checked, f"{rule.rule}: unchecked path arguments"
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                beyond = [c for c in ROUTES[rule.endpoint].foreign
                          if c.arg == name and "{huge}" in c.path]
                assert beyond, f"{rule.rule}: no check of {name} beyond an id column"


def test_the_token_api_changes_nothing(site: Site) -> None:
    """CSRF-exempt, because it is GET-only and authenticated by a header: so no rule under
    /api/ may accept a state-changing method, and posting to one is refused."""
    api_rules = [rule for rule in site.app.url_map.iter_rules()
                 if rule.rule.startswith("/api/")]
    assert len(api_rules) >= 7
    for rule in api_rules:
        assert not (rule.methods or set()) & STATE_CHANGING, rule.rule
    admin = site.visitor("admin")
    for name in ("api.positions", "api.submissions"):
        path = site.url(ROUTES[name].get or "")
        for method in sorted(STATE_CHANGING):
            reply = _refused_without_change(site, admin, method, path, {}, csrf=None,
                                            headers=_headers(ROUTES[name], site))
            assert reply.status == 405, f"{method} {path}"


# -- (a) CSRF: every state-changing route refuses a request without a valid token ----------


@pytest.mark.parametrize("token", ["missing", "from another session"])
@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_post_without_valid_csrf_token_is_refused(site: Site, endpoint: str, token: str) -> None:
    route = ROUTES[endpoint]
    assert route.post is not None
    visitor = _allowed_visitor(route, site)
    path, data = site.url(route.post.path), route.post.data(site)
    csrf = None if token == "missing" else site.fresh_visitor("anonymous").csrf_token
    reply = _refused_without_change(site, visitor, "POST", path, data, csrf=csrf)
    if route.post.refused is Refusal.BAD_REQUEST:
        assert reply.status == 400, f"POST {path}"
        assert "This form had expired" in reply.text
    else:
        assert reply.status == 200, f"POST {path}"
        assert SESSION_EXPIRED in reply.text
        assert 'name="csrf_token"' in reply.text  # a fresh token to send the form again
        if route.post.kept is not None:
            assert route.post.kept in reply.text, "what was typed was not kept"


# -- (b) sign-in and roles ------------------------------------------------------------------


def _requests(route: Route, site: Site) -> list[tuple[str, str, dict[str, Any] | None]]:
    found: list[tuple[str, str, dict[str, Any] | None]] = []
    if route.get is not None:
        found.append(("GET", site.url(route.get), None))
    if route.post is not None:
        found.append(("POST", site.url(route.post.path), route.post.data(site)))
    return found


@pytest.mark.parametrize("endpoint", GUARDED)
def test_anonymous_visitor_is_refused(site: Site, endpoint: str) -> None:
    route = ROUTES[endpoint]
    anonymous = site.visitor("anonymous")
    for method, path, data in _requests(route, site):
        reply = _refused_without_change(site, anonymous, method, path, data)
        if route.who in MACHINE:
            assert reply.status == 401, f"{method} {path}"
            assert reply.content_type == "application/json"
        else:
            assert reply.status == 302, f"{method} {path}"
            assert reply.location.startswith("/login"), reply.location


@pytest.mark.parametrize(("endpoint", "role"), [
    (name, role) for name in GUARDED if ROUTES[name].who not in MACHINE
    for role in WRONG_ROLES[ROUTES[name].who]])
def test_wrong_role_is_refused(site: Site, endpoint: str, role: str) -> None:
    route = ROUTES[endpoint]
    visitor = site.visitor(role)
    for method, path, data in _requests(route, site):
        reply = _refused_without_change(site, visitor, method, path, data)
        if role == "disabled":  # a disabled account is signed out at its next request
            assert (reply.status, reply.location[:6]) == (302, "/login"), f"{method} {path}"
        else:
            assert reply.status == 403, f"{method} {path}"


@pytest.mark.parametrize("credential", ["staff session", "revoked token", "made-up token",
                                        "other scheme"])
@pytest.mark.parametrize("endpoint", [n for n in GUARDED if ROUTES[n].who is Who.API])
def test_api_refuses_anything_but_a_live_token(site: Site, endpoint: str,
                                               credential: str) -> None:
    visitor = site.visitor("admin" if credential == "staff session" else "anonymous")
    headers = {
        "staff session": {},
        "revoked token": {"Authorization": f"Bearer {site['revoked_api_token']}"},
        "made-up token": {"Authorization": f"Bearer {site['api_token'][:-4]}abcd"},
        "other scheme": {"Authorization": f"Basic {site['api_token']}"},
    }[credential]
    path = site.url(ROUTES[endpoint].get or "")
    reply = _refused_without_change(site, visitor, "GET", path, headers=headers)
    assert reply.status == 401, path


@pytest.mark.parametrize("credential", ["staff session", "revoked key", "made-up key",
                                        "bearer scheme", "API token"])
@pytest.mark.parametrize("endpoint", ATS_ROUTES)
def test_ats_endpoints_refuse_anything_but_a_live_key(site: Site, endpoint: str,
                                                      credential: str) -> None:
    """CSRF-exempt because no cookie authenticates them: a staff session is no key."""
    visitor = site.visitor("admin" if credential == "staff session" else "anonymous")
    headers = {
        "staff session": {},
        "revoked key": _basic(site["revoked_ats_key"]),
        "made-up key": _basic(site["ats_key"][:-4] + "abcd"),
        "bearer scheme": {"Authorization": f"Bearer {site['ats_key']}"},
        "API token": _basic(site["api_token"]),
    }[credential]
    for method, path, data in _requests(ROUTES[endpoint], site):
        before = site.tables()
        response = visitor.client.open(path, method=method, json=data, headers=headers)
        assert response.status_code == 401, f"{method} {path}"
        assert response.is_json and response.headers["WWW-Authenticate"].startswith("Basic")
        assert site.tables() == before, f"{method} {path} changed the database"


@pytest.mark.parametrize("endpoint", [n for n in ATS_ROUTES if ROUTES[n].post is not None])
def test_ats_posts_are_carried_out_with_a_live_key_and_no_csrf_token(site: Site,
                                                                     endpoint: str) -> None:
    route = ROUTES[endpoint]
    assert route.post is not None
    path, data = site.url(route.post.path), route.post.data(site)
    client = site.app.test_client()
    before = site.tables()
    response = client.post(path, json=data, headers=_headers(route, site))
    assert response.status_code == route.post.status, f"POST {path}: {response.text[:300]}"
    assert (site.tables() != before) == route.post.changes, f"POST {path}"
    # A form post (what a cross-site page could make a browser send) is refused unread.
    refused = client.post(path, data={"payload": "x"}, headers=_headers(route, site))
    assert refused.status_code == 400 and refused.is_json


# -- (c) ids and tokens outside the user's rights ------------------------------------------------


def _foreign_cases() -> list[Any]:
    cases = []
    for name, route in ROUTES.items():
        for check in route.foreign:
            values = BEYOND_ID_COLUMNS if "{huge}" in check.path else (None,)
            for value in values:
                label = f"{name}-{check.arg}-{check.why}" + (f"-{value}" if value else "")
                cases.append(pytest.param(name, check, value, id=label))
    return cases


@pytest.mark.parametrize(("endpoint", "check", "huge"), _foreign_cases())
def test_ids_outside_the_users_rights_are_not_found(site: Site, endpoint: str,
                                                    check: Foreign, huge: int | None) -> None:
    route = ROUTES[endpoint]
    path = site.url(check.path, **({"huge": huge} if huge else {}))
    roles = ["anonymous", "admin"] if route.who is Who.APPLICANT else \
        [ALLOWED_ROLE.get(route.who, "anonymous")]
    for role in roles:  # a staff session adds nothing to an applicant's link
        visitor = site.visitor(role)
        methods = [m for m in ("GET", "POST") if m in route.methods.split()]
        for method in methods:
            data = route.post.data(site) if method == "POST" and route.post else None
            reply = _refused_without_change(site, visitor, method, path, data,
                                            headers=_headers(route, site))
            assert reply.status == check.status, f"{role}: {method} {path} ({check.why})"
            if route.who in MACHINE:
                assert reply.content_type == "application/json"


# -- the allowed requests are served (so no refusal above is a broken route) ----------------------


@pytest.mark.parametrize("endpoint", [n for n, r in ROUTES.items() if r.get is not None])
def test_allowed_get_is_served(site: Site, endpoint: str) -> None:
    route = ROUTES[endpoint]
    assert route.get is not None
    path = site.url(route.get)
    reply = _allowed_visitor(route, site).send("GET", path, headers=_headers(route, site))
    assert reply.status == route.get_status, f"GET {path}"
    if endpoint not in CACHEABLE:  # personal data: no browser or shared cache keeps a copy
        assert "no-store" in reply.cache_control.split(", "), f"GET {path}: {reply.cache_control}"


def test_downloads_with_personal_data_are_among_the_no_store_checks() -> None:
    """The position CSV and the applicant's feedback PDF were sent cacheable once."""
    for endpoint in ("manage.position_csv", "apply.feedback_pdf", "hr.export_download",
                     "manage.applicant_pdf", "manage.record_pdf", "api.submission"):
        assert ROUTES[endpoint].get is not None and endpoint not in CACHEABLE


@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_allowed_post_with_token_is_carried_out(site: Site, endpoint: str) -> None:
    route = ROUTES[endpoint]
    assert route.post is not None
    # A browser of its own: signing out or consenting (both renew the session) must not
    # touch the others; sign-outs as a user of their own, whose every session they end.
    role = ALLOWED_ROLE.get(route.who, "anonymous")
    if endpoint in SESSION_ENDING:
        visitor = site.fresh_visitor("signs_out")
    elif endpoint in {"auth.login", "apply.welcome"}:
        visitor = site.fresh_visitor(role)
    else:
        visitor = _allowed_visitor(route, site)
    path, data = site.url(route.post.path), route.post.data(site)
    before = site.tables()
    reply = visitor.send("POST", path, data)
    assert reply.status == route.post.status, f"POST {path}: {reply.text[:300]}"
    assert (site.tables() != before) == route.post.changes, f"POST {path}"
    if endpoint == "auth.logout":
        assert visitor.send("GET", "/account").location.startswith("/login")



