"""The campaign page: what ``check`` finds, each problem linked to the item it names, the
counts, and what to do next."""

from __future__ import annotations

from flask import Blueprint, render_template

from broadcast.errors import InputError
from broadcast.operations import editing, overview, settings
from broadcast.ui.context import config_of
from broadcast.ui.views import problem_rows

page = Blueprint("campaign", __name__)


@page.get("/")
def show():
    root = config_of().root
    checked = editing.check_all(root)
    messages = editing.list_records(root, "message", checked.problems)
    communes = editing.list_records(root, "commune", checked.problems)
    errors = len(checked.errors)
    counts = {"messages": len(messages), "communes": len(communes),
              "waiting": sum(1 for m in checked.campaign.workspace.messages if m.awaiting_recording)
              if checked.campaign else None,
              "errors": errors, "warnings": len(checked.problems) - errors}
    built = overview.built_communes(root)
    if errors:
        step = "fix"
    elif not built:
        step = "listen"
    else:
        step = "deliver"
    if checked.campaign:
        name = checked.campaign.workspace.settings.campaign.name
    else:  # the files have errors: the name as written, if it can be read at all
        try:
            name = str(settings.read_settings(root).values.get("campaign.name") or root.name)
        except InputError:
            name = root.name
    return render_template("campaign.html", name=name, root=root, counts=counts, step=step,
                           problems=problem_rows(checked.problems), built=built)
