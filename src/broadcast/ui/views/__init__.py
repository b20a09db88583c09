"""The pages, one module each, and what they share: forms read into values, problems shown with
a link to the item they name, long operations started as jobs.

An office's page (a campaign folder): campaign, messages, communes and settings, schedule,
deliver, records. A commune operator's page (``--operator``): receive.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for

from broadcast.errors import Problem
from broadcast.i18n import catalog, current_language, t
from broadcast.operations import Event, editing
from broadcast.ui.context import Config, config_of, runner, wants_json
from broadcast.ui.jobs import Outcome

common = Blueprint("common", __name__)


def register(app: Flask, config: Config) -> None:
    from broadcast.ui.views import campaign, communes, deliver, messages, operator, records, schedule

    app.register_blueprint(common)
    pages = (operator.page,) if config.operator else (
        campaign.page, messages.page, communes.page, schedule.page, deliver.page, records.page)
    for page in pages:
        app.register_blueprint(page)


@common.post("/lang")
def language():
    chosen = request.form.get("lang", "vi")
    back = request.form.get("back", "/")
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    response = redirect(back)
    response.set_cookie("broadcast_lang", chosen if chosen in ("vi", "en") else "vi", samesite="Strict",
                        httponly=True, path="/")
    return response


@common.get("/jobs/<int:number>")
def job(number: int):
    found = runner().find(number)
    if found is None:
        abort(404)
    if wants_json():
        return jsonify(found.snapshot())
    return render_template("job.html", job=found.snapshot())


def start_job(action: str, work: Callable[[Callable[[Event], None]], Outcome]):
    """Start a long operation; the page's script then follows it at ``/jobs/<id>``."""
    job = runner().start(action, work)
    if wants_json():
        return jsonify(job=job.id, url=url_for("common.job", number=job.id))
    return redirect(url_for("common.job", number=job.id))


# Forms -----------------------------------------------------------------------------------

def text(name: str) -> str | None:
    """A form field as text, None when left blank."""
    value = (request.form.get(name) or "").strip()
    return value or None


def listed(name: str) -> list[str] | None:
    """A comma-separated form field as a list, None when left blank."""
    value = text(name)
    items = [item.strip() for item in value.replace(";", ",").split(",")] if value else []
    return [i for i in items if i] or None


def number(name: str) -> int | float | str | None:
    """A number as typed (the Vietnamese comma accepted); left as text when it is none, so the
    field's own check names the problem."""
    value = text(name)
    if value is None:
        return None
    try:
        parsed = float(value.replace(",", "."))
    except ValueError:
        return value
    return int(parsed) if parsed.is_integer() else parsed


def day(name: str):
    import datetime as dt

    value = text(name)
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return value


def weekdays(name: str) -> list[str] | None:
    return editing.weekdays_written(request.form.getlist(name))


# Problems --------------------------------------------------------------------------------

def problem_rows(problems: list[Problem]) -> list[dict]:
    """Each problem as the page lists it: where, what, and a link to the form that fixes it."""
    root = config_of().root
    owners: dict[int, str] = {}
    for kind, endpoint in (("message", "messages.edit"), ("commune", "communes.edit")):
        for record in editing.list_records(root, kind, problems):
            if record.editable:
                for p in record.problems:
                    owners[id(p)] = url_for(endpoint, ref=record.ref) + _anchor(p)
    rows = []
    for p in problems:
        link = owners.get(id(p))
        if link is None and p.file == "broadcast.yaml":
            name = ".".join(x for x in (p.record, p.field) if x)
            link = url_for("communes.settings_form") + (f"#f-{quote(name)}" if name else "")
        where = f"{p.file}:{p.line}" if p.file and p.line else (p.file or "")
        rows.append({"where": where, "error": p.is_error, "record": p.record, "field": p.field,
                     "label": field_label(p.field), "text": t(p.key, **p.params), "link": link})
    return rows


def field_label(field: str | None) -> str | None:
    """A field as the forms call it ("Ngôn ngữ của bà con"), not its name in the file
    ("languages"), where the forms have one; the file's name stays beside it for Notepad."""
    if not field:
        return field
    key = f"ui.field.{field}"
    return t(key) if key in catalog(current_language()) else field


def _anchor(problem: Problem) -> str:
    return f"#f-{quote(problem.field)}" if problem.field else ""
