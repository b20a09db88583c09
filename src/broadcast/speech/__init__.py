"""Speech engines: prepared text in, a speech audio file out.

Every engine is a module with the same small surface (:class:`Engine`), so the pipeline picks
one by name and never knows which library speaks: ``gtts`` online (Google, MP3) or ``espeak``
offline (espeak-ng, WAV).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from broadcast.errors import InputError
from broadcast.speech import espeak, gtts


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


ENGINES: dict[str, Engine] = {gtts.NAME: gtts, espeak.NAME: espeak}


def engine(name: str) -> Engine:
    """The engine called ``name`` ("gtts" or "espeak")."""
    try:
        return ENGINES[name]
    except KeyError:
        raise InputError("speech.unknown_engine", engine=name,
                         known=", ".join(sorted(ENGINES))) from None
