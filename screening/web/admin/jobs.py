"""Background jobs (admin): the dead-letter list of jobs that gave up, or are stuck
"running" after their worker died.

Each can be retried (queued again with fresh attempts) or discarded; both are
conditional and audited by the jobs service, which the view only calls. A job is shown
by its kind and description, never its payload: that may hold personal data.
"""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.ids import parse_id
from screening.models import Job, Role
from screening.services import jobs
from screening.web.admin.problem_actions import act_on_problem
from screening.web.admin.routes import bp
from screening.web.auth.routes import roles_required


@bp.app_template_global()
def job_problem_count() -> int:
    """For the admin's navigation, so a dead job is noticed without looking."""
    return jobs.problem_count(db.session)


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def job_problems() -> str:
    found = jobs.problems(db.session, before_id=parse_id(request.args.get("before", "")))
    return render_template("admin/jobs.html", problems=found, describe=jobs.describe,
                           stuck_minutes=jobs.STALE_CLAIM // timedelta(minutes=1))


@bp.post("/jobs/<id:job_id>/retry")
@roles_required(Role.ADMIN)
def retry_job(job_id: int) -> Response:
    act_on_problem(Job, job_id, jobs.retry, jobs.JobError, f"Job {job_id} is queued again.")
    return redirect(url_for("admin.job_problems"))


@bp.post("/jobs/<id:job_id>/discard")
@roles_required(Role.ADMIN)
def discard_job(job_id: int) -> Response:
    act_on_problem(Job, job_id, jobs.discard, jobs.JobError,
                   f"Job {job_id} was discarded: its work will not be done.")
    return redirect(url_for("admin.job_problems"))
