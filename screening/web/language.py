"""The applicant's language: chosen on the join or welcome page (the browser's preferred
language by default), then kept for every page and email.

Before consent the choice lives in the session; at consent it is stored on the
submission, and the views that load the submission anyway pass its language to
``use()``. So choosing the locale never costs a database query. Staff pages, and
anything outside a request for an applicant, stay English.

Adding a language: see README, "Languages"; then add it to ``LANGUAGES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations, refresh

from screening import formatting
from screening.extensions import babel

#: Language code -> its name in that language (shown with a lang attribute).
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
SESSION_KEY = "language"

#: Dates in applicant text; English keeps the wording the staff pages use.
_DATETIME = {"es": "d MMM y, HH:mm 'UTC'"}
_LONG_DATE = {"es": "d 'de' MMMM 'de' y"}


def supported(code: object) -> str | None:
    """``code`` if it names a language the applicant pages are offered in, else None."""
    return code if isinstance(code, str) and code in LANGUAGES else None


def _select_locale() -> str:
    chosen = g.get("applicant_language")
    if chosen is not None:
        return chosen
    if has_request_context() and request.blueprint == "apply":  # every applicant page
        return supported(session.get(SESSION_KEY)) or DEFAULT
    return DEFAULT


def use(language: str | None) -> str:
    """Show the rest of this request in ``language`` (English if not offered)."""
    chosen = supported(language) or DEFAULT
    if g.get("applicant_language") != chosen:
        g.applicant_language = chosen
        refresh()  # a string translated earlier in the request must not fix the locale
    return chosen


def remember(language: str) -> str:
    """The applicant chose ``language``: keep it in their session and use it now."""
    chosen = use(language)
    if session.get(SESSION_KEY) != chosen:
        session[SESSION_KEY] = chosen
    return chosen


def offered_for(questionnaire_languages: Iterable[str]) -> dict[str, str]:
    """The languages to offer for a questionnaire: those it is fully translated into
    (the bank checks that every item is) that the pages are also translated into."""
    wanted = set(questionnaire_languages)
    return {code: name for code, name in LANGUAGES.items() if code in wanted or code == DEFAULT}


def choose(asked: str | None, offered: Mapping[str, str]) -> str:
    """Use the language asked for if offered (and remember it), else the one chosen
    earlier in the session, else the browser's preferred one (Accept-Language), else English.

    Only an explicit choice is remembered: a browser's preference is read again each time.
    """
    if asked in offered:
        return remember(asked)
    earlier = session.get(SESSION_KEY)
    if earlier in offered:
        return use(earlier)
    return use(request.accept_languages.best_match(list(offered), default=DEFAULT))


def chosen_in_session() -> str:
    return supported(session.get(SESSION_KEY)) or DEFAULT


def current() -> str:
    locale = get_locale()
    return supported(locale.language if locale is not None else None) or DEFAULT


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Render an email (or anything else) in ``language``, whatever the request's locale."""
    with force_locale(supported(language) or DEFAULT):
        yield


def format_datetime(moment: datetime | None) -> str:
    if moment is None:
        return formatting.NO_DATE
    language = current()
    if language not in _DATETIME:
        return formatting.date_time(moment)
    return babel_format_datetime(_utc(moment), _DATETIME[language], tzinfo=UTC, locale=language)


def format_long_date(moment: datetime) -> str:
    language = current()
    if language not in _LONG_DATE:
        return formatting.long_date(moment)
    return babel_format_datetime(_utc(moment), _LONG_DATE[language], tzinfo=UTC, locale=language)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _catalogue() -> Any:
    """The current locale's catalogue, found once per request and locale.

    Flask-Babel finds it through four context lookups on every call, and an applicant
    page shows some fifteen strings. The locale object changes whenever the language
    does (``use``, ``force_locale``), so a catalogue is never served for another one.
    """
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    cached = g.get("_screening_catalogue")
    if cached is not None and cached[0] is locale:
        return cached[1]
    catalogue = get_translations()
    g._screening_catalogue = (locale, catalogue)
    return catalogue


def _template_gettext(string: str) -> str:
    return _catalogue().ugettext(string)


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    return _catalogue().ungettext(singular, plural, n)


def _template_pgettext(message_context: str, string: str) -> str:
    return _catalogue().upgettext(message_context, string)


def _template_npgettext(message_context: str, singular: str, plural: str, n: int) -> str:
    return _catalogue().unpgettext(message_context, singular, plural, n)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True,
        pgettext=_template_pgettext, npgettext=_template_npgettext)
    app.jinja_env.filters.update(local_datetime=format_datetime, long_date=format_long_date)

    @app.context_processor
    def _page_language() -> dict[str, object]:
        # An explicit page_language passed by a view wins: Flask never overrides it.
        return {"page_language": current(), "languages": LANGUAGES}


__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "choose",
    "chosen_in_session",
    "current",
    "in_language",
    "init_app",
    "offered_for",
    "remember",
    "supported",
    "use",
]
