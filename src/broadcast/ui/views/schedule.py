"""The schedule: per commune, a calendar of days and slots with each slot's items, their
durations and how full the slot is, and the planner's warnings. Planning renders what is
missing first, so it runs as a job; the page keeps the latest plan."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request

from broadcast.i18n import t
from broadcast.operations import produce
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import config_of
from broadcast.ui.views import problem_rows, start_job
from broadcast.ui.views.deliver import offline_choice

page = Blueprint("schedule", __name__, url_prefix="/schedule")
KEPT = "broadcast.plan"


@page.get("/")
def show():
    planned = current_app.extensions.get(KEPT)
    if planned is None:
        return render_template("schedule.html", planned=None)
    plan, made = planned
    communes = [c.commune for c in plan.shown.communes]
    chosen = request.args.get("commune") or (communes[0] if communes else None)
    commune = next((c for c in plan.shown.communes if c.commune == chosen), None)
    return render_template("schedule.html", planned=plan, made=made, communes=communes, chosen=chosen,
                           names=plan.names, titles=plan.titles.get(chosen, {}),
                           grid=_grid(commune) if commune else None,
                           warnings=problem_rows([w for w in plan.warnings if _concerns(w, chosen)]))


def _concerns(warning, commune: str | None) -> bool:
    return warning.key not in ("schedule.empty_days", "schedule.underfilled",
                               "schedule.recording_missing") or warning.record == commune


def _grid(commune) -> dict:
    """Slot names in the order they start, and one row per day: the slot's plan or None."""
    names: dict[str, dt.time] = {}
    for day in commune.days:
        for slot in day.slots:
            names.setdefault(slot.slot, slot.start)
    slots = sorted(names, key=lambda n: names[n])
    rows = [{"date": day.date, "weekday": t("sheet.day_" + ("mon", "tue", "wed", "thu", "fri", "sat",
                                                             "sun")[day.date.weekday()]),
             "cells": [next((s for s in day.slots if s.slot == name), None) for name in slots]}
            for day in commune.days]
    return {"slots": slots, "rows": rows}


@page.post("/plan")
def plan():
    root = config_of().root
    offline = offline_choice()
    app = current_app._get_current_object()

    def work(report):
        planned = produce.schedule(Campaign(root), offline=offline, report=report)
        app.extensions[KEPT] = (planned, dt.datetime.now().strftime("%H:%M"))
        return {"lines": [t("ui.schedule.done", communes=len(planned.shown.communes),
                            warnings=len(planned.warnings))], "reload": True}
    return start_job("schedule", work)
