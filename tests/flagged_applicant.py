"""A submitted applicant a busy manager must read with care: four red flags, six answers
given faster than they can be read, and the written answer rated by the manager.

Answered through the journey in the applicant's own (seeded) order, as the apply pages
do, so the report's numbering can be checked against what the applicant saw.
"""

from __future__ import annotations

from dataclasses import replace

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import Invitation, Submission, User
from screening.services import journey, reviews
from tests.factories import answer_from_form, keyed_best_form

#: best-choice items of frontline-standard and the red-flag option this applicant chose.
RED_FLAG_CHOICES = {
    "W02-visitor-walks-in-while-chatting": "d",
    "C03-long-call-time-target": "d",
    "R04-abusive-caller-end-politely": "c",
    "W05-colleague-asks-at-end-of-shift": "b",
}
#: how many of the first choice items (in the applicant's order) took one second each.
RUSHED = 6


def create_flagged_submission(invitation: Invitation, rater: User) -> Submission:
    submission = journey.start(db.session, invitation)
    rushed = 0
    for item in journey.sequence_for(submission).items:
        if item.id in RED_FLAG_CHOICES:
            fields = {"choice": RED_FLAG_CHOICES[item.id]}
        else:
            fields = keyed_best_form(item)
        answer = answer_from_form(item, fields)
        if rushed < RUSHED and item.format is not ResponseFormat.FREE_TEXT:
            answer = replace(answer, seconds=1.0)
            rushed += 1
        journey.save_answer(db.session, submission, answer)
    journey.submit(db.session, submission)
    for item in journey.sequence_for(submission).items:
        if item.format is ResponseFormat.FREE_TEXT:
            reviews.rate_free_text(db.session, submission, item.id, rater, 4)
    db.session.commit()
    return submission
