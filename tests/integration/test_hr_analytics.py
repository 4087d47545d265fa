"""The analytics page per questionnaire version: bands, distributions, reliability, warnings."""

from __future__ import annotations

import re

from sqlalchemy import and_, func, select

from screening.extensions import db
from screening.models import AuditEvent, QuestionnaireVersion, Role, Submission
from screening.scoring import SubmissionResult, analyse_results
from screening.services.questionnaires import questionnaire_for
from tests.factories import create_position, create_user, sign_in, submit_simulated, visible_text


def test_analytics_shows_the_figures_of_the_scoring_engine(app, client) -> None:
    with app.app_context():
        hr = create_user(Role.HR).email
        position = create_position(title="Front desk")
        for n in range(12):
            submit_simulated(position, name=f"Applicant {n}", seed=40 + n, rate_free_text=True)
        # Three more whose written answer nobody has rated: provisional, so not counted.
        other = create_position(title="Front desk", questionnaire="frontline-standard")
        assert other.questionnaire_version_id == position.questionnaire_version_id
        for n in range(3):
            submit_simulated(other, name=f"Unrated {n}", seed=70 + n)
        version = db.session.get(QuestionnaireVersion, position.questionnaire_version_id)
        version_id = version.id
        final = and_(Submission.provisional.is_(False), Submission.result_status == "scored")
        results = [SubmissionResult.from_dict(s.result)
                   for s in db.session.scalars(select(Submission).where(final))]
        expected = analyse_results(questionnaire_for(version), results)
        bands = dict(db.session.execute(select(Submission.band_id, func.count())
                                        .where(final).group_by(Submission.band_id)).all())

    sign_in(client, hr)
    listing = client.get("/hr/analytics")
    assert f"/hr/analytics/{version_id}" in listing.text
    page = client.get(f"/hr/analytics/{version_id}")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    words = visible_text(page.text)
    assert f"{len(results)} final result" in text
    # Plain-language warnings from the engine: at most 12 is under the 30 the figures need.
    assert len(results) <= 12
    assert f"Too few submissions for stable figures: {len(results)} so far" in text
    for dimension in expected.dimensions:
        if dimension.alpha is not None:
            assert (f"{dimension.label} {dimension.items} {dimension.submissions} "
                    f"{dimension.alpha:.2f}") in words
    for band_id, count in bands.items():
        assert f"({band_id}) {count}" in words, band_id
    for item in expected.items:
        assert item.item_id in text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                           "analytics.viewed"))
        assert (event.target_type, event.target_id) == ("QuestionnaireVersion", version_id)
    assert client.get("/hr/analytics/999999").status_code == 404
    assert client.get("/hr/analytics/99999999999").status_code == 404
