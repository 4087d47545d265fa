"""Report content -> HTML -> PDF: the one place that lays out and renders the reports.

The report templates have their own Jinja environment rather than Flask's, so
the web view, the CLI's process pool and the benchmark render the same bytes
without an application context. Autoescape is always on: applicant text is
printed as text, never read as markup.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from screening import formatting
from screening.i18n import translator
from screening.reports.feedback import Feedback

from . import pdf
from .applicant import ApplicantReport
from .cohort import CohortReport
from .panel import PanelReport

TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "templates" / "reports"
#: Settings value -> CSS page size.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class PageSizeError(ValueError):
    """PDF_PAGE_SIZE names a size the reports are not laid out for."""


def page_size_css(setting: str) -> str:
    try:
        return PAGE_SIZES[setting.strip().lower()]
    except KeyError:
        raise PageSizeError(
            f"PDF_PAGE_SIZE must be A4 or Letter, not {setting!r}"
        ) from None


def format_percent(value: float) -> str:
    return f"{value:.0f}%"


_CSS_SAFE = re.compile(r"[A-Za-z0-9 ,.:;·()\-]")


def css_string(text: str) -> Markup:
    """A quoted CSS string; every other character escaped, so nothing can end the rule."""
    escaped = "".join(
        char if _CSS_SAFE.fullmatch(char) else f"\\{ord(char):x} " for char in text
    )
    return Markup(f'"{escaped}"')  # noqa: S704  # nosec B704: every unsafe character is escaped above


@cache  # one environment per process: templates are compiled once
def _environment() -> Environment:
    environment = Environment(  # autoescape on for every template: applicant text stays text
        loader=FileSystemLoader(TEMPLATE_ROOT),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        datetime=formatting.date_time, isodate=formatting.day, pct=format_percent,
        css_string=css_string,
    )
    return environment


@cache  # one value per process: the templates and code cannot change under it
def template_version() -> str:
    """A hash of everything that shapes a report's bytes besides its data.

    Part of the cache key: editing a template, the content rules or the charts
    makes every cached PDF stale without anyone remembering to bump a number.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    sources = sorted(TEMPLATE_ROOT.glob("*")) + sorted(package.glob("*.py"))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    import weasyprint

    digest.update(weasyprint.__version__.encode())
    return digest.hexdigest()[:16]


def _applicant_document(template: str, report: ApplicantReport, page_size: str,
                        part: str = "") -> str:
    """One applicant's document; the footer names the part (the summary names none)."""
    footer = " · ".join((report.confidential, *((part,) if part else ()),
                         f"generated {formatting.date_time(report.generated_at)}"))
    return _environment().get_template(template).render(
        report=report, page_size=page_size_css(page_size), footer=footer
    )


def applicant_html(report: ApplicantReport, page_size: str = "A4") -> str:
    """The two-page summary: the decision page and the interview page."""
    return _applicant_document("applicant.html", report, page_size)


def record_html(report: ApplicantReport, page_size: str = "A4") -> str:
    """The full record: every answer's trace and the methodology, apart from the summary."""
    return _applicant_document("record.html", report, page_size, part="full record")


def cohort_html(report: CohortReport, page_size: str = "A4") -> str:
    footer = f"{report.confidential} · generated {formatting.date_time(report.generated_at)}"
    # Landscape: the applicant table needs a column per dimension and still one line a row.
    return _environment().get_template("cohort.html").render(
        report=report, page_size=f"{page_size_css(page_size)} landscape", footer=footer
    )


def applicant_pdf(
    report: ApplicantReport,
    page_size: str = "A4",
    time_limit: float | None = pdf.RENDER_TIME_LIMIT_SECONDS,
) -> bytes:
    return pdf.render_pdf(applicant_html(report, page_size), time_limit=time_limit)


def record_pdf(
    report: ApplicantReport,
    page_size: str = "A4",
    time_limit: float | None = pdf.RENDER_TIME_LIMIT_SECONDS,
) -> bytes:
    return pdf.render_pdf(record_html(report, page_size), time_limit=time_limit)


def cohort_pdf(
    report: CohortReport,
    page_size: str = "A4",
    time_limit: float | None = pdf.RENDER_TIME_LIMIT_SECONDS,
) -> bytes:
    return pdf.render_pdf(cohort_html(report, page_size), time_limit=time_limit)


def feedback_html(
    feedback: Feedback, applicant_name: str, position_title: str, page_size: str = "A4"
) -> str:
    """The one-page feedback an applicant keeps: no scores, no percentiles, no flags."""
    return _environment().get_template("feedback.html").render(
        feedback=feedback, _=translator(feedback.language),
        applicant_name=applicant_name, position_title=position_title,
        page_size=page_size_css(page_size),
    )


def html_pdf(html: str, time_limit: float | None = pdf.RENDER_TIME_LIMIT_SECONDS) -> bytes:
    """A PDF of report HTML made above (the feedback's, whose HTML is its cache key)."""
    return pdf.render_pdf(html, time_limit=time_limit)


def panel_html(report: PanelReport, page_size: str = "A4") -> str:
    """The keying panel's report for the bank's reviewers (landscape: wide option tables)."""
    footer = f"{report.confidential} · generated {formatting.date_time(report.generated_at)}"
    return _environment().get_template("panel.html").render(
        report=report, page_size=f"{page_size_css(page_size)} landscape", footer=footer)


def panel_pdf(
    report: PanelReport,
    page_size: str = "A4",
    time_limit: float | None = pdf.RENDER_TIME_LIMIT_SECONDS,
) -> bytes:
    return pdf.render_pdf(panel_html(report, page_size), time_limit=time_limit)
