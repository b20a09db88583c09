"""What every speech engine shares: the speed range users may ask for."""

from __future__ import annotations

from broadcast.errors import InputError

RATE_RANGE = (0.5, 2.0)
"""Speed factors accepted everywhere (espeak keeps 175 wpm × rate inside its 80–450 wpm)."""


def check_rate(rate: float) -> float:
    """``rate`` if it is a speed factor in range; NaN fails the comparison and is refused too."""
    low, high = RATE_RANGE
    if not low <= rate <= high:
        raise InputError("speech.bad_rate", rate=rate, low=low, high=high)
    return rate
