"""The scoring engine through the CLI: simulated applicants, and rescore finds no drift."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Submission, SubmissionStatus


def test_demo_applicants_rescore_with_zero_differences(app: Flask, runner) -> None:
    created = runner.invoke(args=["demo", "--applicants", "40", "--seed", "7"])
    assert created.exit_code == 0, created.output
    assert "Created 40 simulated applicants" in created.output
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.SUBMITTED)
        )
        assert count == 40
    result = runner.invoke(args=["rescore"])
    assert result.exit_code == 0, result.output
    assert "Rescored 40 submissions: 0 with differences." in result.output


def test_rescore_reports_a_tampered_result(app: Flask, runner) -> None:
    runner.invoke(args=["demo", "--applicants", "3", "--seed", "1"])
    with app.app_context():
        submission = db.session.scalar(select(Submission).order_by(Submission.id).limit(1))
        tampered = dict(submission.result)
        tampered["overall"] = tampered["overall"] + 5
        submission.result = tampered
        db.session.commit()
        submission_id = submission.id
    result = runner.invoke(args=["rescore"])
    assert result.exit_code == 1
    assert f"submission {submission_id}: overall stored" in result.output
    assert "Rescored 3 submissions: 1 with differences." in result.output


def test_simulated_data_is_the_same_for_the_same_seed(app: Flask, runner) -> None:
    runner.invoke(args=["demo", "--applicants", "5", "--seed", "3"])
    with app.app_context():
        first = db.session.scalars(select(Submission.result).order_by(Submission.id)).all()
        db.session.execute(Submission.__table__.delete())
        db.session.commit()
    runner.invoke(args=["demo", "--applicants", "5", "--seed", "3"])
    with app.app_context():
        second = db.session.scalars(select(Submission.result).order_by(Submission.id)).all()
    assert [r["dimensions"] for r in first] == [r["dimensions"] for r in second]


def test_old_results_keep_their_method_and_rescore_current_shows_what_would_change(
    app: Flask, runner
) -> None:
    from screening.services import results

    runner.invoke(args=["demo", "--applicants", "4", "--seed", "2"])
    with app.app_context():
        old = db.session.scalar(select(Submission).order_by(Submission.id).limit(1))
        old.scoring_method = 1  # as the migration leaves a result stored before method 2
        results.store_result(db.session, old)
        db.session.commit()
        assert old.result["method"] == 1 and old.scoring_method == 1
        old_id = old.id
    own = runner.invoke(args=["rescore"])
    assert own.exit_code == 0, own.output
    assert "Rescored 4 submissions: 0 with differences." in own.output
    current = runner.invoke(args=["rescore", "--method", "current"])
    assert current.exit_code == 0, current.output
    assert "Rescored 4 submissions: 1 with differences under the current method." \
        in current.output
    assert f"submission {old_id}: method stored 1 but derives 2" in current.output
