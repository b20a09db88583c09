"""The communes and the settings: lists and forms, languages and slots as choices."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from broadcast.errors import InputProblems
from broadcast.i18n import t
from broadcast.operations import editing, settings, yamledit
from broadcast.ui.context import config_of
from broadcast.ui.views import day, number, problem_rows, text, weekdays

page = Blueprint("communes", __name__)


@page.get("/communes/")
def index():
    root = config_of().root
    checked = editing.check_all(root)
    rows = editing.list_records(root, "commune", checked.problems)
    return render_template("communes.html", rows=rows, choices=settings.choices(root))


@page.get("/communes/new")
def new():
    return _form(None)


@page.get("/communes/<path:ref>/edit")
def edit(ref: str):
    return _form(ref)


def _form(ref: str | None, values: dict | None = None, refused: list | None = None, status: int = 200):
    root = config_of().root
    checked = editing.check_all(root)
    record = editing.find_record(root, "commune", ref, checked.problems) if ref else None
    raw = values if values is not None else (record.values if record else {})
    problems = refused if refused is not None else (record.problems if record else [])
    digest = yamledit.digest(root / record.file) if record else ""
    return render_template("commune_edit.html", record=record, ref=ref, values=editing.form_values(raw),
                           choices=settings.choices(root), problems=problem_rows(problems),
                           by_field={p.field for p in problems if p.field}, digest=digest), status


@page.post("/communes/save")
def save():
    root = config_of().root
    ref = text("ref")
    record = editing.find_record(root, "commune", ref) if ref else None
    old = record.values if record else {}
    values = {"id": text("id"), "name": text("name"), "province": text("province"),
              "district": text("district"), "languages": request.form.getlist("languages") or None,
              "slots": _slots(old.get("slots")), "channel": text("channel"), "comment": text("comment")}
    if values["channel"] == "usb" and "channel" not in old:
        values["channel"] = None
    try:
        saved = editing.save_record(root, "commune", ref, values, digest=text("digest"))
    except InputProblems as exc:
        return _form(ref, {**old, **values}, exc.problems, 400)
    flash(t("ui.edit.saved", id=saved.record.id) if not saved.record.problems
          else t("ui.edit.saved_problems", id=saved.record.id, count=len(saved.record.problems)))
    return redirect(url_for("communes.edit", ref=saved.record.ref))


def _slots(old: object) -> list | None:
    """The named slots ticked, then the commune's own slots as they were written; unchanged
    names leave the list as it is (with its comments)."""
    ticked = request.form.getlist("slots")
    items = old if isinstance(old, list) else ([] if old is None else [old])
    own = [item for item in items if isinstance(item, dict)]
    names = [str(item) for item in items if not isinstance(item, dict)]
    if names == ticked:
        return items or None
    return [*ticked, *own] or None


@page.get("/settings")
def settings_form():
    return _settings()


def _settings(refused: list | None = None, status: int = 200):
    root = config_of().root
    checked = editing.check_all(root)
    current = settings.read_settings(root)
    mine = refused if refused is not None else [p for p in checked.problems if p.file == "broadcast.yaml"]
    return render_template("settings.html", values=editing.form_values(
        {k.replace(".", "__"): v for k, v in current.values.items()}), slots={
            name: editing.form_values(slot) for name, slot in current.slots.items()},
        choices=settings.choices(root), problems=problem_rows(mine), digest=current.digest), status


@page.post("/settings")
def settings_save():
    root = config_of().root
    values: dict = {name: text(name.replace(".", "__")) for name in settings.EDITABLE}
    for name in ("campaign.start", "campaign.end"):
        values[name] = day(name.replace(".", "__"))
    for name in ("speech.rate", "schedule.fill", "schedule.jingle_every", "schedule.max_per_slot"):
        values[name] = number(name.replace(".", "__"))
    for name in settings.read_settings(root).slots:
        values[f"slots.{name}.start"] = text(f"slot__{name}__start")
        values[f"slots.{name}.minutes"] = number(f"slot__{name}__minutes")
        values[f"slots.{name}.weekdays"] = weekdays(f"slot__{name}__weekdays")
        values[f"slots.{name}.title"] = text(f"slot__{name}__title")
    new = text("new_slot__name")
    if new:
        values[f"slots.{new}.start"] = text("new_slot__start") or "00:00"
        values[f"slots.{new}.minutes"] = number("new_slot__minutes") or 15
        values[f"slots.{new}.title"] = text("new_slot__title")
    try:
        checked = settings.save_settings(root, values, digest=text("digest"))
    except InputProblems as exc:
        return _settings(exc.problems, 400)
    flash(t("ui.edit.settings_saved", errors=len(checked.errors)))
    return redirect(url_for("communes.settings_form"))
