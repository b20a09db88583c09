"""Records: the ledger's history of what went where, the report with its charts, and play logs
sent back by the communes."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from broadcast.errors import InputError, InputProblems
from broadcast.i18n import t
from broadcast.operations import overview, uploads
from broadcast.operations import records as recording
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import config_of
from broadcast.ui.views import problem_rows

page = Blueprint("records", __name__, url_prefix="/records")
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
"""The report is a page of its own (inline CSS and SVG, no script): shown in a frame."""


@page.get("/")
def show(imported=None, problems=None, status: int = 200):
    root = config_of().root
    period = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    return render_template("records.html", history=overview.history(root), period=period,
                           imported=imported, problems=problems or []), status


@page.get("/report.html")
def report():
    root = config_of().root
    try:
        made = recording.report(Campaign(root), start=_date("from"),
                                end=_date("to"), fmt="html")
        body = made.text or ""
    except InputError as exc:
        body = f"<!DOCTYPE html><meta charset=utf-8><p>{_escape(exc.message())}</p>"
    response = make_response(body)
    response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _date(name: str):
    import datetime as dt

    value = request.args.get(name, "").strip()
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise InputError("field.bad_date", value=value) from None


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@page.post("/import")
def import_logs():
    config = config_of()
    files = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename]
    if not files:
        raise InputError("ui.upload.none")
    campaign = Campaign(config.root)
    try:
        with uploads.received(campaign, files, (".csv", ".xlsx"), config.sheet_limit) as paths:
            result = recording.import_play_logs(campaign, paths)
    except InputProblems as exc:
        return show(None, problem_rows(exc.problems), 400)
    summary = t("ui.records.imported", rows=result.imported, new=result.new, skipped=result.skipped)
    return show(summary, problem_rows(list(result.problems)))
