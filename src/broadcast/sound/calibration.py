"""What rendering learns about each profile's encoder, kept between runs in
``build/cache/calibration.json``.

LAME lowers a clip's loudness by an amount that hardly varies within one profile and one kind of
source (measured here: −0.445 ± 0.001 LU over 100 offline-voice clips at 128 kbit/s, about −0.26
at 192 kbit/s, −0.15 to −0.25 for noise-like recordings), so the first encode aims for it and is
usually the only one. Each clip made adds what its encode took; the aim is the median of the
last few, so one clip whose first gain was off (which shows up as an odd shift) moves nothing.

The file is a hint, never an input: losing it costs one extra encode on the next clip, and clips
are keyed without it (any aim that lands inside the tolerance is as good as another).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from pathlib import Path

from broadcast import fsio
from broadcast.campaign.model import Profile
from broadcast.sound import aim
from broadcast.sound.cache import key_of

FILE = "calibration.json"
KEEP = 9
"""Observations kept per profile and source kind."""


def key(profile: Profile, source: str) -> str:
    """One calibration per encoding chain (every profile field but its name) and kind of source
    ("recording", or the speech engine's name)."""
    return f"{source}:{key_of(asdict(profile) | {'name': None})[:16]}"


def _read(path: Path) -> dict[str, list[float]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def encoder_shift(cache_root: Path, calibration_key: str) -> float:
    """The shift to aim for: the median of what recent clips of this kind saw, or the prior."""
    seen = [v for v in _read(cache_root / FILE).get(calibration_key, ()) if isinstance(v, (int, float))]
    return statistics.median(seen) if seen else aim.ENCODER_SHIFT


def learn(cache_root: Path, calibration_key: str, shift: float) -> None:
    """Add one observation. Parallel workers may each write the file; the last write wins and
    the others' observations are lost, which costs nothing but a slower start."""
    path = cache_root / FILE
    data = _read(path)
    data[calibration_key] = [*data.get(calibration_key, [])[-(KEEP - 1):], round(shift, 4)]
    fsio.write_text(path, json.dumps(data, indent=1, sort_keys=True))
