"""Speech engines: prepared text in, a speech audio file out.

Every engine is a module with the same small surface (:class:`Engine`), so the pipeline picks
one by name and never knows which library speaks: ``gtts`` online (Google, MP3) or ``espeak``
offline (espeak-ng, WAV).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from broadcast.errors import InputError
from broadcast.model import ENGINES


class Engine(Protocol):
    """What an engine module offers."""

    NAME: str
    SUFFIX: str  # the kind of file synthesize() writes, ".mp3" or ".wav"

    def version(self) -> str:
        """Engine and version; part of the render cache key, so it changes with the engine."""
        ...

    def default_voice(self) -> str:
        """The voice used when none is chosen."""
        ...

    def synthesize(self, text: str, dest: Path, *, voice: str | None = None,
                   rate: float = 1.0) -> None:
        """Speak ``text`` into ``dest``, atomically: ``dest`` is whole or untouched."""
        ...


def engine(name: str) -> Engine:
    """The engine called ``name`` ("gtts" or "espeak"), imported when first asked for: an
    offline run never loads the online engine's HTTP stack, and the reverse."""
    if name not in ENGINES:
        raise InputError("speech.unknown_engine", engine=name, known=", ".join(sorted(ENGINES)))
    return importlib.import_module(f"broadcast.speech.{name}")  # type: ignore[return-value]
