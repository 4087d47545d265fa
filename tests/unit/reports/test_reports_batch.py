"""Many summaries at once: a ZIP that is complete or absent, and a CPU limit per report."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import GENERATED_AT, facts, mixed_answers, strong_answers
from pypdf import PdfReader

from screening.bank.model import Questionnaire
from screening.reports import applicant, batch
from screening.scoring import NormGroup, score_submission


def _reports(
    questionnaire: Questionnaire, count: int
) -> list[tuple[str, applicant.ApplicantReport]]:
    reports = []
    for number in range(1, count + 1):
        answers = strong_answers() if number % 2 else mixed_answers()
        result = score_submission(questionnaire, answers, {"R2": 3})
        reports.append((f"applicant-{number}.pdf", applicant.build_applicant_report(
            facts=facts(f"Applicant Number{number}", number), questionnaire=questionnaire,
            result=result, norms=NormGroup(), psychometrics=None,
            generated_at=GENERATED_AT)))
    return reports


def test_zip_holds_one_pdf_per_report(questionnaire: Questionnaire, tmp_path: Path) -> None:
    target = tmp_path / "out" / "reports.zip"
    assert batch.write_zip(_reports(questionnaire, 3), target, jobs=2) == 3
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["applicant-1.pdf", "applicant-2.pdf", "applicant-3.pdf"]
        for number in (1, 2, 3):
            reader = PdfReader(io.BytesIO(archive.read(f"applicant-{number}.pdf")))
            assert f"Applicant Number{number}" in reader.pages[0].extract_text()
    assert [p.name for p in target.parent.iterdir()] == ["reports.zip"]


def test_a_report_past_its_cpu_limit_fails_the_batch_and_leaves_no_zip(
    questionnaire: Questionnaire, tmp_path: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    # A limit of a millisecond: the kernel counts whole seconds, so the worker is stopped
    # once its CPU time reaches the next whole second, well within 30 reports (~0.1 s each).
    target = tmp_path / "reports.zip"
    with pytest.raises(batch.BatchError, match="CPU limit"):
        batch.write_zip(_reports(questionnaire, 30), target, jobs=1, time_limit=0.001)
    assert list(tmp_path.iterdir()) == []
    assert "stopped, it used more CPU time than a report may" in capfd.readouterr().err
