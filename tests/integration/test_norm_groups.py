"""Who an applicant is compared with: real applicants only (demo data apart), across
versions that differ only in wording, and never with results that have no band.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pdfplumber
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from screening.bank import load_bank
from screening.extensions import db
from screening.models import Position, QuestionnaireVersion, Role, Submission
from screening.services import norms
from screening.services.demo import demo_position
from screening.services.questionnaires import current_version, sync_versions
from tests.factories import create_position, create_user, sign_in, submit_simulated, visible_text

ROOT = Path(__file__).resolve().parents[2]
STANDARD = "frontline-standard"


def _counted_by_hand(version_ids: set[int], *, synthetic: bool) -> int:
    """The norm rule read off the stored rows, not from the norms service."""
    return sum(
        1 for s in db.session.scalars(select(Submission))
        if s.questionnaire_version_id in version_ids and s.synthetic is synthetic
        and s.result is not None and not s.provisional and s.result["status"] == "scored"
    )


def test_demo_applicants_are_never_in_a_real_applicants_norm_group(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    created = runner.invoke(args=["demo", "--applicants", "40", "--seed", "7"])
    assert created.exit_code == 0, created.output
    with app.app_context():
        manager = create_user(Role.MANAGER)
        real = create_position(managers=[manager], title="Front desk", questionnaire=STANDARD)
        demo = demo_position(db.session)
        assert demo is not None
        assert real.questionnaire_version_id == demo.questionnaire_version_id
        demo.managers.append(manager)
        db.session.commit()
        applicants = [submit_simulated(real, name=f"Real {n}", seed=900 + n, rate_free_text=True)
                      for n in range(3)]
        version = db.session.get(QuestionnaireVersion, real.questionnaire_version_id)
        real_count = _counted_by_hand({version.id}, synthetic=False)
        demo_count = _counted_by_hand({version.id}, synthetic=True)
        assert real_count <= 3 and demo_count >= 30
        assert norms.norm_group(db.session, version).size == real_count
        assert norms.norm_group(db.session, version, synthetic=True).size == demo_count
        real_id = applicants[0].id
        demo_position_id = demo.id
        demo_submitted = sum(1 for s in db.session.scalars(select(Submission))
                             if s.synthetic and s.result is not None)
        demo_id = db.session.scalar(select(Submission.id).where(Submission.synthetic.is_(True))
                                    .limit(1))
        email = manager.email

    sign_in(client, email)
    real_page = visible_text(client.get(f"/manage/submissions/{real_id}").text)
    assert f"not enough data yet ({real_count} of 30 completed)" in real_page
    assert "demo data" not in real_page.lower()
    demo_page = visible_text(client.get(f"/manage/submissions/{demo_id}").text)
    assert f"compare with {demo_count} final results of this questionnaire (demo data)" \
        in demo_page
    cohort = client.get(f"/manage/positions/{demo_position_id}/cohort.pdf")
    with pdfplumber.open(io.BytesIO(cohort.data)) as document:
        first_page = " ".join(document.pages[0].extract_text().split())
    assert (f"Demo data: {demo_submitted} of these {demo_submitted} applicants are simulated"
            in first_page)
    assert (f"Percentiles compare with the {demo_count} final, scored results of this "
            "questionnaire (demo data)") in first_page


def _edited_bank(folder: Path, edit_item: str | None = None, edit_form: str | None = None):
    """A copy of the shipped bank with one textual change; the standard questionnaire."""
    root = Path(shutil.copytree(ROOT / "questions", folder))
    if edit_item is not None:
        path = root / "items" / "C01-out-of-stock-tap-part.yaml"
        text = path.read_text(encoding="utf-8")
        assert edit_item.split(" -> ")[0] in text
        path.write_text(text.replace(*edit_item.split(" -> "), 1), encoding="utf-8")
    if edit_form is not None:
        path = root / "forms" / f"{STANDARD}.yaml"
        text = path.read_text(encoding="utf-8")
        assert edit_form.split(" -> ")[0] in text
        path.write_text(text.replace(*edit_form.split(" -> "), 1), encoding="utf-8")
    return load_bank(root)


def _fill(version: QuestionnaireVersion, count: int, seed: int) -> None:
    position = Position(title=f"Counter {seed}", location="Shop", questionnaire_version=version)
    db.session.add(position)
    db.session.flush()
    for n in range(count):
        submit_simulated(position, name=f"Applicant {seed + n}", seed=seed + n,
                         rate_free_text=True)


def test_a_typo_fix_keeps_the_norm_group_and_a_new_cut_score_starts_a_new_one(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        before = current_version(db.session, STANDARD)
        assert before is not None
        _fill(before, 6, seed=300)

        # A wording fix ("leaking" was misspelt "leaky"): new content, same scoring.
        fixed_bank = _edited_bank(tmp_path / "fixed", edit_item="his leaking -> his leaky")
        (fixed,) = [v for v in sync_versions(db.session, fixed_bank)
                    if v.questionnaire_key == STANDARD]
        assert fixed.content_hash != before.content_hash
        assert fixed.scoring_hash == before.scoring_hash
        _fill(fixed, 4, seed=400)
        both = _counted_by_hand({before.id, fixed.id}, synthetic=False)
        assert both > _counted_by_hand({before.id}, synthetic=False)
        assert norms.norm_group(db.session, before).size == both
        assert norms.norm_group(db.session, fixed).size == both

        # A new cut score changes what a result means: a norm group of its own.
        recut_bank = _edited_bank(tmp_path / "recut",
                                  edit_form="overall_min: 81 -> overall_min: 83")
        (recut,) = [v for v in sync_versions(db.session, recut_bank)
                    if v.questionnaire_key == STANDARD]
        assert recut.scoring_hash != before.scoring_hash
        assert norms.norm_group(db.session, recut).size == 0
        assert norms.norm_group(db.session, before).size == both
