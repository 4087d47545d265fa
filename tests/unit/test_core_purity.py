"""The core (bank, scoring, report content, exports) loads neither Flask nor SQLAlchemy.

Checked in a fresh interpreter, so nothing another test imported can hide a leak:
importing the core must stay cheap and usable from any script, and the core must
never reach for a request, an app or a database session.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE_MODULES = (
    "screening",
    "screening.bank",
    "screening.scoring",
    "screening.adjustments",
    "screening.formatting",
    "screening.ids",
    "screening.single_line",
    "screening.sso_policy",
    "screening.reports.applicant",
    "screening.reports.cohort",
    "screening.reports.feedback",
    "screening.reports.charts",
    "screening.reports.integrity",
    "screening.exports.results",
    "screening.exports.analytics",
    "screening.exports.spreadsheets",
)
WEB_AND_DATABASE = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "jinja2", "click")

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def loaded_by(*modules: str) -> set[str]:
    output = subprocess.run([sys.executable, "-c", PROBE, *modules], capture_output=True,
                            text=True, check=True).stdout
    return set(json.loads(output))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_loads_no_web_or_database_code(module: str) -> None:
    loaded = loaded_by(module)
    assert "screening" in loaded  # the probe really imported it
    assert loaded.isdisjoint(WEB_AND_DATABASE), sorted(loaded & set(WEB_AND_DATABASE))


def test_the_probe_would_see_flask() -> None:
    # The app factory is not core: if this stopped finding Flask, the test above would
    # pass for the wrong reason.
    assert "flask" in loaded_by("screening.app")
