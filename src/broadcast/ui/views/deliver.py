"""Delivering: build with live progress, write a stick chosen from the removable drives and read
it back, make disk images and download them, publish, share with a QR code, verify a stick or
an image. Only a drive the system lists, or an image in ``dist/images``, is ever named."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request, send_file

from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.operations import deliver, editing, overview, receive
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import config_of
from broadcast.ui.views import start_job, text

page = Blueprint("deliver", __name__, url_prefix="/deliver")


@page.get("/")
def show():
    root = config_of().root
    communes = [(r.id, str(r.values.get("name") or r.id)) for r in editing.list_records(root, "commune")
                if r.id]
    return render_template("deliver.html", communes=communes, drives=config_of().drives(),
                           images=overview.images(root), built=overview.built_communes(root),
                           shared=None)


def chosen_drive(value: str | None) -> Path:
    """The drive picked in the form, if the system lists it now; no other path is accepted."""
    for drive in config_of().drives():
        if value and str(drive.path) == value:
            return drive.path
    raise InputError("ui.deliver.no_drive")


def offline_choice() -> bool | None:
    """Ticked: the offline voice. Not ticked: the campaign's last choice (``operations.voice``),
    never a silent switch to the online voice."""
    return True if request.form.get("offline") else None


@page.post("/build")
def build():
    root, offline = config_of().root, offline_choice()

    def work(report):
        built = deliver.build_packages(Campaign(root), offline=offline, report=report)
        return {"lines": [t("cli.build.line", commune=b.commune, folder=b.folder, files=b.files,
                            minutes=b.minutes, state=t("cli.build.changed" if b.changed
                                                       else "cli.build.unchanged")) for b in built],
                "reload": True}
    return start_job("build", work)


@page.post("/stick")
def stick():
    root, offline = config_of().root, offline_choice()
    target, commune = chosen_drive(text("drive")), text("commune") or ""
    replace = bool(request.form.get("replace"))

    def work(report):
        written = deliver.write_stick(Campaign(root), commune, target, replace=replace, offline=offline,
                                      report=report)
        head = t("ui.deliver.stick_done" if written.wrote else "ui.deliver.stick_same", folder=written.folder)
        if not written.report.ok:
            head = t("cli.usb.readback_failed")
        return {"lines": [head, *written.lines], "ok": written.report.ok}
    return start_job("stick", work)


@page.post("/verify")
def verify():
    root = config_of().root
    drive, image = text("drive"), text("image")
    path = overview.image_path(root, image) if image else chosen_drive(drive)
    return start_job("verify", lambda report: checked_lines(path, str(root)))


def checked_lines(path: Path, workspace: str | None) -> dict:
    """``verify`` of a stick, a folder or an image, as lines for the page."""
    verified = receive.check_package(path, workspace_option=workspace)
    lines = [t(f"cli.verify.{what}", folder=name) for what, name in verified.recovered]
    for package in verified.packages:
        lines += package.lines
        if package.verdict_text:
            lines.append(package.verdict_text)
    if not verified.packages:
        lines.append(t("ui.deliver.no_package", path=path))
    lines.append(t("ui.deliver.verified_ok" if verified.ok and verified.packages else "cli.verify.failed"))
    return {"lines": lines, "ok": verified.ok and bool(verified.packages)}


@page.post("/images")
def images():
    root, offline = config_of().root, offline_choice()
    communes = request.form.getlist("communes")
    everyone = bool(request.form.get("all")) or not communes

    def work(report):
        made = deliver.make_images(Campaign(root), communes, everyone=everyone, offline=offline,
                                   report=report)
        return {"lines": [t("ui.deliver.image_line", commune=m.commune, name=m.path.name,
                            mb=f"{m.size / 1e6:.1f}") for m in made],
                "links": [[m.path.name, f"/deliver/images/{m.path.name}"] for m in made], "reload": True}
    return start_job("images", work)


@page.get("/images/<name>")
def download(name: str):
    path = overview.image_path(config_of().root, name)
    return send_file(path, mimetype="application/octet-stream", as_attachment=True, download_name=name)


def _store_options() -> dict:
    options = {"endpoint_url": text("endpoint_url"), "region": text("region"),
               "profile": text("profile"), "addressing": text("addressing") or "auto"}
    return {k: v for k, v in options.items() if v is not None}


@page.post("/publish")
def publish():
    root, offline = config_of().root, offline_choice()
    url, options = text("url") or "", _store_options()

    def work(report):
        done = deliver.publish(Campaign(root), url, offline=offline, store_options=options, report=report)
        summary = done.summary
        return {"lines": [t("ui.deliver.published", url=done.plan.url, files=summary.uploaded,
                            mb=f"{summary.uploaded_bytes / 1e6:.1f}", reused=summary.reused)]}
    return start_job("publish", work)


@page.post("/share")
def share():
    root = config_of().root
    made = deliver.share(text("url") or "", text("commune") or "", expires=text("expires") or "7d",
                         store_options=_store_options())
    communes = [(r.id, str(r.values.get("name") or r.id)) for r in editing.list_records(root, "commune")
                if r.id]
    return render_template("deliver.html", communes=communes, drives=config_of().drives(),
                           images=overview.images(root), built=overview.built_communes(root),
                           shared={"link": made.link, "hours": made.hours,
                                   "qr": overview.qr_svg(made.link)})
