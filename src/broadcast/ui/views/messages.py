"""The messages: the list with each one's state, the form that adds or edits one, what the
machine will read ("Máy sẽ đọc"), hearing one clip ("Nghe thử"), a recording's upload, and
messages imported from a spreadsheet."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for

from broadcast.errors import InputError, InputProblems
from broadcast.i18n import t
from broadcast.operations import editing, preview, settings, sheetimport, uploads
from broadcast.operations import prepare as preparing
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import config_of
from broadcast.ui.views import day, listed, number, problem_rows, start_job, text, weekdays
from broadcast.ui.views.deliver import offline_choice

page = Blueprint("messages", __name__, url_prefix="/messages")

DEFAULTS = {"priority": "normal", "repeat": 1, "weight": 1}
"""Written only when the record already says it, or differs: a default adds no line to the file."""


@page.get("/")
def index():
    root = config_of().root
    checked = editing.check_all(root)
    states = preview.clip_states(checked.campaign) if checked.campaign else {}
    rows = []
    for record in editing.list_records(root, "message", checked.problems):
        state = "error" if any(p.is_error for p in record.problems) else states.get(record.id, "unknown")
        rows.append({"record": record, "state": state})
    return render_template("messages.html", rows=rows, choices=settings.choices(root),
                           errors=len(checked.errors))


@page.get("/new")
def new():
    return _form(None)


@page.get("/<path:ref>/edit")
def edit(ref: str):
    return _form(ref)


def _form(ref: str | None, values: dict | None = None, refused: list | None = None, status: int = 200):
    root = config_of().root
    checked = editing.check_all(root)
    record = editing.find_record(root, "message", ref, checked.problems) if ref else None
    shown = editing.form_values(values if values is not None else (record.values if record else {}))
    spoken = []
    if record and record.values.get("text") and values is None:
        spoken = _spoken(str(record.values["text"]))
    states = preview.clip_states(checked.campaign) if checked.campaign else {}
    problems = refused if refused is not None else (record.problems if record else [])
    return render_template(
        "message_edit.html", record=record, ref=ref, values=shown, choices=settings.choices(root),
        problems=problem_rows(problems), by_field={p.field for p in problems if p.field},
        spoken=spoken, state=states.get(record.id) if record else None,
        can_preview=record is not None and states.get(record.id) in (preview.READY, preview.CHANGED),
        digest=_digest(record)), status


def _digest(record) -> str:
    from broadcast.operations import yamledit

    if record is None:
        return ""
    return yamledit.digest(config_of().root / record.file)


@page.post("/save")
def save():
    root = config_of().root
    ref = text("ref")
    record = editing.find_record(root, "message", ref) if ref else None
    values = _values(record.values if record else {})
    try:
        saved = editing.save_record(root, "message", ref, values, digest=text("digest"))
    except InputProblems as exc:
        return _form(ref, {**(record.values if record else {}), **values}, exc.problems, 400)
    flash(t("ui.edit.saved", id=saved.record.id) if not saved.record.problems
          else t("ui.edit.saved_problems", id=saved.record.id, count=len(saved.record.problems)))
    return redirect(url_for("messages.edit", ref=saved.record.ref))


def _values(old: dict) -> dict:
    values = {
        "id": text("id"), "title": text("title"), "topics": listed("topics"),
        "language": text("language"), "priority": text("priority"), "valid_from": day("valid_from"),
        "valid_until": day("valid_until"), "weekdays": weekdays("weekdays"), "repeat": number("repeat"),
        "weight": number("weight"), "text": text("text"), "recording": text("recording"),
        "engine": text("engine"), "voice": text("voice"), "speaker": text("speaker"),
        "profile": text("profile"), "intro": text("intro"), "outro": text("outro"),
        "comment": text("comment"),
    }
    for key, default in DEFAULTS.items():
        if values[key] == default and key not in old:
            values[key] = None
    return values


@page.post("/spoken")
def spoken():
    return jsonify(lines=_spoken(request.form.get("text") or ""))


def _spoken(script: str) -> list[str]:
    if not script.strip():
        return []
    try:
        return preparing.spoken(script, str(config_of().root), explain=True)
    except InputError:
        return preparing.spoken(script, None, explain=True)


@page.post("/<path:ref>/preview")
def hear(ref: str):
    root = config_of().root
    record = editing.find_record(root, "message", ref)
    offline = offline_choice()
    audio = url_for("messages.clip", message=record.id)

    def work(report):
        clip = preview.preview_clip(Campaign(root), record.id, offline=offline, report=report)
        return {"lines": [t("ui.preview.done", id=clip.id, seconds=f"{clip.duration:.1f}",
                            lufs=f"{clip.lufs:.1f}")], "audio": f"{audio}?v={clip.sha256[:12]}"}
    return start_job("preview", work)


@page.get("/clip/<message>.mp3")
def clip(message: str):
    path = preview.clip_file(Campaign(config_of().root), message)
    return send_file(path, mimetype="audio/mpeg", conditional=True, max_age=0)


@page.post("/<path:ref>/recording")
def recording(ref: str):
    config = config_of()
    record = editing.find_record(config.root, "message", ref)
    upload = request.files.get("file")
    if upload is None:
        raise InputError("ui.upload.none")
    kept = uploads.keep_recording(Campaign(config.root), upload.filename or "", upload.stream,
                                  limit=config.recording_limit)
    saved = editing.save_record(config.root, "message", record.ref, {"recording": kept})
    flash(t("ui.upload.kept", path=kept, id=saved.record.id))
    return redirect(url_for("messages.edit", ref=saved.record.ref))


@page.get("/import")
def import_form():
    return render_template("import.html", result=None, problems=[])


@page.post("/import")
def import_sheet():
    config = config_of()
    upload = request.files.get("file")
    if upload is None:
        raise InputError("ui.upload.none")
    try:
        with uploads.received(Campaign(config.root), [(upload.filename or "", upload.stream)],
                              (".xlsx", ".csv"), config.sheet_limit) as paths:
            imported = sheetimport.import_sheet(config.root, paths[0], paths[0].name)
    except InputProblems as exc:
        return render_template("import.html", result=None, problems=problem_rows(exc.problems)), 400
    return render_template("import.html", result=imported, problems=problem_rows(imported.checked.problems))
