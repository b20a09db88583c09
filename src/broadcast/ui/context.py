"""What the application and its pages share: the run's settings, the operations runner, and
whether a request comes from the page's own script (which wants JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, request

from broadcast import i18n
from broadcast.operations import drives as drive_list
from broadcast.operations import uploads
from broadcast.ui import guard
from broadcast.ui.jobs import Runner


@dataclass
class Config:
    root: Path | None
    """The campaign folder; None for a commune operator (``--operator``)."""
    operator: bool = False
    port: int = 0
    """Set once the server is bound; the Host header must name it."""
    language: str = i18n.DEFAULT_LANGUAGE
    secrets: guard.Secrets = field(default_factory=guard.Secrets)
    drives: Callable[[], list[drive_list.Drive]] = drive_list.removable_drives
    recording_limit: int = uploads.RECORDING_LIMIT
    sheet_limit: int = uploads.SHEET_LIMIT


def config_of() -> Config:
    return current_app.extensions["broadcast"]


def runner() -> Runner:
    return current_app.extensions["broadcast.jobs"]


def wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "broadcast" or request.is_json
