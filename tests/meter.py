"""An independent BS.1770 meter for tests: pyloudnorm for loudness, 4× oversampling for true peak.

The product measures with ffmpeg's ebur128 filter; checking its output with a different
implementation is what makes the loudness tests mean something.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyloudnorm
from scipy.signal import resample_poly


def samples(path: Path, rate: int = 44100) -> np.ndarray:
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le",
                          "-ac", "1", "-ar", str(rate), "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an audio file."""
    x = samples(path)
    lufs = pyloudnorm.Meter(44100).integrated_loudness(x)
    peak = np.max(np.abs(resample_poly(x, 4, 1)))
    return float(lufs), float(20 * np.log10(peak))


def band_energy(path: Path, low: float, high: float) -> float:
    x = samples(path)
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / 44100)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())
