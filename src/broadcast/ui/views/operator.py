"""A commune operator's page (``broadcast ui --operator``): paste or scan a share link, pull the
package with progress, see the sender's key fingerprint, check it, and copy it to a stick."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from broadcast.i18n import t
from broadcast.operations import operator as receiving
from broadcast.ui.context import config_of
from broadcast.ui.views import start_job, text
from broadcast.ui.views.deliver import checked_lines, chosen_drive

page = Blueprint("operator", __name__)


@page.get("/")
def show():
    return render_template("operator.html", packages=receiving.received_packages(),
                           drives=config_of().drives(), folder=receiving.received_folder())


@page.post("/pull")
def pull():
    link, commune = text("link") or "", text("commune")

    def work(report):
        got = receiving.pull_package(link, commune, report=report)
        return {"lines": [t("ui.operator.pulled", commune=got.commune, version=got.version,
                            downloaded=got.downloaded, reused=got.reused), got.verdict_text],
                "fingerprint": got.fingerprint, "reload": True}
    return start_job("pull", work)


@page.post("/verify")
def verify():
    commune, drive = text("commune"), text("drive")
    path = receiving.received_package(commune) if commune else chosen_drive(drive)
    return start_job("verify", lambda report: checked_lines(path, None))


@page.post("/stick")
def stick():
    target, commune = chosen_drive(text("drive")), text("commune") or ""
    replace = bool(request.form.get("replace"))

    def work(report):
        copied = receiving.copy_to_stick(commune, target, replace=replace, report=report)
        head = t("ui.deliver.stick_done" if copied.wrote else "ui.deliver.stick_same", folder=copied.folder)
        return {"lines": [head if copied.ok else t("cli.usb.readback_failed"), *copied.lines],
                "ok": copied.ok}
    return start_job("stick", work)
