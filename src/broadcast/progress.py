"""What long steps tell the person waiting: how far they are, and things worth saying once.

The domain never prints. A step that takes time takes a ``Reporter`` and calls it with plain
events; the command line turns them into bars or lines, the web page into its own display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Advance:
    """``done`` of ``total`` of a step; ``unit`` is "items" or "bytes"."""

    step: str
    done: int
    total: int
    unit: str = "items"
    item: str = ""
    detail: object = field(default=None, compare=False)
    """What the step made of ``item``, for a front end that shows more than a bar (a clip's
    loudness, a failure)."""


@dataclass(frozen=True)
class Notice:
    """Something to say once, looked up in the catalogs by ``key`` (a warning, a fallback taken)."""

    key: str
    params: dict = field(default_factory=dict)


Event = Advance | Notice
Reporter = Callable[[Event], None]


def quiet(_event: Event) -> None:
    """A reporter for callers with no one to tell."""
