"""/bukti/<report>/<file>: uploaded evidence (kept in the database: reports/evidence_store.py), served only to those
who may see the report it belongs to."""

from __future__ import annotations

import io

from flask import Flask, abort, send_file

from data_feeds import paths
from data_feeds.refusal import Refusal
from data_feeds.services import current

from .signin import viewer


def install(server: Flask) -> None:
    @server.get(paths.EVIDENCE + "<report_id>/<name>")
    def evidence_file(report_id: str, name: str):
        who = viewer()  # (the guard has already refused the signed-out)
        if who is None:
            abort(401)
        try:
            current().reports.get_for(report_id, who)  # another agency's evidence reads as none
        except Refusal:
            abort(404)
        stored = current().evidence.read(report_id, name)
        if stored is None:
            abort(404)
        # the name is the upload's hash: it is its own ETag, and a range request (a video's seek) is answered in part
        resp = send_file(
            io.BytesIO(stored.data), mimetype=stored.mime, etag=name.split(".")[0], conditional=True, max_age=3600
        )
        resp.headers["Cache-Control"] = "private, max-age=3600"  # a person's browser may keep it; no shared cache
        resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"  # a file, never a page
        return resp

    @server.get(paths.EVIDENCE + "<path:_rest>")
    def no_such_evidence(_rest: str):
        abort(404)  # any other address under /bukti/ is no file (not the wall's page either)
