from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from screening.extensions import db, limiter, login_manager
from screening.models import Role, User
from screening.services import accounts, audit
from screening.web.auth.forms import (
    LoginForm,
    LogoutForm,
    NotificationForm,
    SetPasswordForm,
    SignOutElsewhereForm,
)

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."


@login_manager.user_loader
def _load_user(session_user_id: str) -> User | None:
    """The user of this session, if the session is still live (see ``User.get_id``).

    Every sign-out, new password, role change or disabling raises the user's session
    generation, so a cookie from before it (or copied from another browser) is refused.
    """
    user_id, _, generation = session_user_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii()
            and generation.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if (user is None or not user.active or user.role is None
            or user.session_generation != int(generation)):
        return None
    return user


def start_session(user: User) -> None:
    """A new session for ``user``: nothing (and no CSRF secret) survives from before it."""
    session.clear()
    login_user(user)


def roles_required(*roles: Role) -> Any:
    """Allow only signed-in users with one of ``roles``; others get 403."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("manage.positions")


#: Sign-in attempts per client address: passwords posted, and single sign-on's two legs.
LOGIN_LIMIT = "10 per minute; 50 per hour"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("manage.positions"))
    if not local_passwords_on():
        # Only single sign-on: no password is even checked, so none can be guessed.
        if request.method == "POST":
            flash(PASSWORDS_OFF, "error")
            return render_template("auth/login.html", form=None), 403
        return render_template("auth/login.html", form=None)
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            audit.record(db.session, user, "user.signed_in", user, method="password")
        db.session.commit()
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        # One message whatever the reason, so the page never tells which accounts exist.
        flash(SIGN_IN_REFUSED, "error")
    return render_template("auth/login.html", form=form)


PASSWORDS_OFF = "Password sign-in is turned off here. Please use single sign-on."

SIGN_IN_REFUSED = (
    "That email and password did not sign you in. After five failed attempts an account "
    "is locked for 15 minutes, and its owner is told by email."
)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out here and on every other device: a copied cookie stops working too."""
    if LogoutForm().validate_on_submit():
        from screening.web.auth import sso  # it extends this blueprint, so imports it

        user = current_user._get_current_object()
        id_token = session.get(sso.ID_TOKEN_SESSION_FIELD)
        accounts.end_sessions(user)
        audit.record(db.session, user, "user.signed_out", user,
                     method="sso" if id_token else "password")
        db.session.commit()
        logout_user()
        session.clear()
        return sso.provider_sign_out(id_token) or redirect(url_for("auth.login"))
    return redirect(url_for("auth.login"))


@bp.post("/account/sign-out-elsewhere")
@login_required
def sign_out_elsewhere() -> Response:
    """End every other session of this account and keep this one."""
    if SignOutElsewhereForm().validate_on_submit():
        user = current_user._get_current_object()
        accounts.end_sessions(user)
        db.session.commit()
        start_session(user)
        flash("Every other session of your account is signed out.", "success")
    return redirect(url_for("auth.account"))


SET_PASSWORD_MAX_AGE = 7 * 24 * 3600


def _password_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def local_passwords_on() -> bool:
    """False when SCREENING_LOCAL_PASSWORDS=0: no password signs in, sets or changes."""
    return bool(current_app.config.get("LOCAL_PASSWORDS", 1))


def set_password_link(user: User) -> str:
    """A link valid for 7 days and only until the password changes (it carries a fingerprint)."""
    token = _password_links().dumps([user.id, accounts.password_fingerprint(user)])
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.set_password", token=token)


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour")
def set_password(token: str) -> str | Response | tuple[str, int]:
    if not local_passwords_on():
        return render_template("auth/link_problem.html", expired=False,
                               passwords_off=True), 410
    try:
        user_id, fingerprint = _password_links().loads(token, max_age=SET_PASSWORD_MAX_AGE)
    except SignatureExpired:
        return render_template("auth/link_problem.html", expired=True), 410
    except (BadSignature, ValueError, TypeError):
        abort(404)
    user = db.session.get(User, user_id)
    if user is None or not user.active or accounts.password_fingerprint(user) != fingerprint:
        return render_template("auth/link_problem.html", expired=False), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data or "")
        db.session.commit()
        flash("Your password is set. Please sign in.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str | Response:
    form = NotificationForm(obj=current_user)
    if form.validate_on_submit():
        current_user.notify_mode = form.notify_mode.data
        db.session.commit()
        flash("Saved your email preference.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)
