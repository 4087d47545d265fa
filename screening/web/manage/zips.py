"""A position's summaries as one ZIP: asked for here, prepared by a worker, downloaded here.

Thin: scope to the signed-in user's positions (404 otherwise), queue the job or send the
prepared file (services.position_zips), record the download.
"""

from __future__ import annotations

import io
import zipfile

from flask import Response, abort, flash, redirect, url_for
from flask_login import current_user

from screening.extensions import db
from screening.services import audit, position_zips
from screening.web.downloads import download_name, file_response
from screening.web.manage import bp
from screening.web.manage.forms import PrepareZipForm
from screening.web.manage.scope import position_or_404

#: The URL's word for each kind of ZIP, and the download name's words.
_KINDS = {
    "summaries": (position_zips.SUMMARIES, "summaries"),
    "summaries-and-records": (position_zips.WITH_RECORDS, "summaries and full records"),
}
URL_WORDS = {kind: word for word, (kind, _) in _KINDS.items()}


def _kind_or_404(which: str) -> tuple[str, str]:
    if which not in _KINDS:
        abort(404)
    return _KINDS[which]


@bp.post("/positions/<id:position_id>/zips/<which>")
def prepare_zip(position_id: int, which: str) -> Response:
    position = position_or_404(position_id)
    kind, _ = _kind_or_404(which)
    if PrepareZipForm().validate_on_submit():
        position_zips.request_zip(db.session, position, kind)
        db.session.commit()  # hands the job over to a worker
        flash("The ZIP is being prepared. Refresh this page to see when it is ready.",
              "success")
    else:
        flash("The form expired. Please try again.", "error")
    return redirect(url_for("manage.position", position_id=position.id, _anchor="zips"))


@bp.get("/positions/<id:position_id>/zips/<which>.zip")
def download_zip(position_id: int, which: str) -> Response:
    position = position_or_404(position_id)
    kind, words = _kind_or_404(which)
    data = position_zips.prepared_zip(db.session, position, kind)
    if data is None:
        abort(404, description="This ZIP has expired or was never prepared. "
                               "Prepare it again on the position's page.")
    # Counts only: the names inside are applicants'.
    pdfs = len(zipfile.ZipFile(io.BytesIO(data)).namelist())
    audit.record_in_own_transaction(db.session, current_user, "report.zip_downloaded",
                                    position, kind=kind, pdfs=pdfs)
    return file_response(data, filename=download_name(position.title, position.location, words,
                                                      extension="zip"),
                         content_type="application/zip", cache_control="private, no-store")
