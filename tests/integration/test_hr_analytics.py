"""The analytics page per questionnaire version: bands, distributions, reliability, warnings."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import and_, func, select

from screening.extensions import db
from screening.models import AuditEvent, QuestionnaireVersion, Role, Submission
from screening.scoring import SubmissionResult, analyse_results
from screening.services import reviews
from screening.services.questionnaires import questionnaire_for
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
    submit_simulated,
    visible_text,
)


def questionnaire_for_id(app, version_id: int):
    with app.app_context():
        return questionnaire_for(db.session.get(QuestionnaireVersion, version_id))


def option_marks(html: str, item_id: str) -> list[tuple[str, str, str]]:
    """(option id, role, marks after the percent) of each line of the item's options cell."""
    row = html.split(f'<tr id="item-{item_id}"')[1].split("</tr>")[0]
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]
    lines = [re.sub(r"<[^>]+>|\s+", " ", line).strip() for line in cell.split("<br>")]
    found = [re.fullmatch(r"(\S+) (\S+): \d+%(.*)", line) for line in lines if line]
    return [(m[1], m[2], m[3]) for m in found if m]


def test_items_that_need_a_review_are_named(app, client) -> None:
    # Everyone answers with the key: every item scores the same for all, so each one is
    # flagged ("does not tell applicants apart") and must be named, not just counted.
    with app.app_context():
        hr = create_user(Role.HR).email
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Front desk")
        for n in range(3):
            submission = create_submission(create_invitation(position, name=f"Keyed {n}"))
            for answer in submission.answers:
                if answer.response.get("text"):
                    reviews.rate_free_text(db.session, submission, answer.item_id, manager, 5)
        db.session.commit()
        version_id = position.questionnaire_version_id
    questionnaire = questionnaire_for_id(app, version_id)
    sign_in(client, hr)
    page = client.get(f"/hr/analytics/{version_id}").text
    review = page.split('id="warnings-title"')[1].split("</section>")[0]
    count = len(questionnaire.items)
    assert f"{count} items need a review:" in re.sub(r"\s+", " ", review)
    for item in questionnaire.items:
        assert f'href="#item-{item.id}"' in review and str(escape(item.title)) in review, item.id
        assert f'<tr id="item-{item.id}" class="has-warning">' in page


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
    # The item table marks the key's answer and red flags, worked out here from the bank:
    # the best option by total points (the worst for "least effective"), placed first by rank.
    questionnaire = questionnaire_for_id(app, version_id)
    marked = 0
    for item in questionnaire.items:
        totals = {o.id: sum(o.points.values()) for o in item.options}
        best = ({o.id for o in item.options if o.rank == 1} if item.format.value == "rank"
                else {o for o, total in totals.items() if totals and total == max(totals.values())})
        red_flags = {o.id for o in item.options if o.red_flag}
        for option_id, role, marks in option_marks(page.text, item.id):
            keyed = (totals[option_id] == min(totals.values()) if role == "least_effective"
                     else option_id in best)
            assert ("keyed" in marks) is keyed, (item.id, option_id, role)
            assert ("red flag" in marks) is (option_id in red_flags), (item.id, option_id)
            marked += 1
    assert marked > 20
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                           "analytics.viewed"))
        assert (event.target_type, event.target_id) == ("QuestionnaireVersion", version_id)
    assert client.get("/hr/analytics/999999").status_code == 404
    assert client.get("/hr/analytics/99999999999").status_code == 404
