#!/usr/bin/env python3
"""Synthesize the sample campaign's two jingles with ffmpeg, deterministically.

    python scripts/make_jingles.py            # writes playlists/jingles/*.mp3
    python scripts/make_jingles.py OUT_DIR    # writes them somewhere else

Produces:

* ``nhac-hieu.mp3`` (station ID, about 4 s): an ascending four-note motif on the C major
  pentatonic scale (C5 D5 E5 G5), soft marimba-like notes, the last one left to ring.
* ``chuong-bao.mp3`` (attention chime before each message, about 1.5 s): a two-tone bell,
  "ting-tong", A5 then F5 (a falling major third).

Both are mono, 44.1 kHz, 128 kbit/s constant-bit-rate MP3 (LAME's Xing/Info header kept, so
players know the exact length and encoder delay), peaking near -3 dBFS. All notes sit between
500 Hz and 2.7 kHz, the band outdoor horn loudspeakers reproduce well.

The audio comes only from ffmpeg's ``aevalsrc`` source (a formula of time), so there is no
randomness; ``-bitexact`` and ``-map_metadata -1`` keep version strings and dates out of the
file. Running the script twice with the same ffmpeg gives byte-identical files (a different
ffmpeg/LAME build may round differently). Uses the ffmpeg that the imageio-ffmpeg wheel ships.
"""

from __future__ import annotations

import argparse
import array
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

SAMPLE_RATE = 44100
BITRATE = "128k"
PEAK_DBFS = -3.0
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "playlists" / "jingles"


@dataclass(frozen=True)
class Note:
    start: float
    """Seconds from the beginning of the jingle."""
    freq: float
    """Fundamental frequency, Hz."""
    decay: float
    """Time constant of the exponential decay, seconds (longer rings longer)."""
    level: float = 1.0
    attack: float = 0.012
    """Time constant of the soft onset, seconds (avoids a click)."""
    partials: tuple[tuple[float, float], ...] = ((2.0, 0.25), (3.0, 0.08))
    """Overtones as (frequency ratio, relative level)."""


@dataclass(frozen=True)
class Jingle:
    filename: str
    title: str
    seconds: float
    fade_out: float
    notes: tuple[Note, ...]


# Marimba-like: harmonic overtones that die out with the note.
STATION_ID = Jingle(
    filename="nhac-hieu.mp3",
    title="Nhạc hiệu",
    seconds=4.0,
    fade_out=0.5,
    notes=(
        Note(0.10, 523.25, 0.30),  # C5
        Note(0.55, 587.33, 0.30),  # D5
        Note(1.00, 659.26, 0.30),  # E5
        Note(1.45, 783.99, 0.85),  # G5, left to ring
        Note(1.45, 523.25, 0.85, level=0.35),  # C5 under it: a soft final chord
    ),
)

# Bell-like: a slightly inharmonic overtone (2.76x, as on a struck bar) gives the "ting".
BELL = ((2.0, 0.30), (2.76, 0.12))
CHIME = Jingle(
    filename="chuong-bao.mp3",
    title="Chuông báo",
    seconds=1.5,
    fade_out=0.25,
    notes=(
        Note(0.05, 880.00, 0.35, attack=0.004, partials=BELL),  # A5 "ting"
        Note(0.50, 698.46, 0.45, attack=0.004, partials=BELL),  # F5 "tong"
    ),
)


def expression(jingle: Jingle) -> str:
    """The aevalsrc formula: a sum of enveloped notes, each silent before it starts."""
    terms = []
    for note in jingle.notes:
        u = f"max(t-{note.start}\\,0)"  # time since the note started; 0 before it
        envelope = f"(1-exp(-{u}/{note.attack}))*exp(-{u}/{note.decay})"
        tone = f"sin(2*PI*{note.freq}*{u})"
        for ratio, level in note.partials:
            tone += f"+{level}*sin(2*PI*{note.freq * ratio:.4f}*{u})"
        terms.append(f"gte(t\\,{note.start})*{note.level}*{envelope}*({tone})")
    return "+".join(terms)


def graph(jingle: Jingle, gain: float) -> str:
    fade_start = jingle.seconds - jingle.fade_out
    return (f"aevalsrc=exprs={expression(jingle)}:s={SAMPLE_RATE}:d={jingle.seconds},"
            f"afade=t=out:st={fade_start}:d={jingle.fade_out},"
            f"volume={gain:.6f}:precision=double")


def run(ffmpeg: str, args: list[str]) -> bytes:
    done = subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", *args],
                          capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"ffmpeg failed:\n{done.stderr.decode(errors='replace')}")
    return done.stdout


def peak(ffmpeg: str, jingle: Jingle) -> float:
    """Largest absolute sample of the unscaled jingle (first pass, raw float PCM on a pipe)."""
    raw = run(ffmpeg, ["-f", "lavfi", "-i", graph(jingle, 1.0), "-f", "f32le", "-c:a", "pcm_f32le",
                       "-ac", "1", "-"])
    samples = array.array("f")
    samples.frombytes(raw)
    return max(abs(s) for s in samples)


def render(ffmpeg: str, jingle: Jingle, out_dir: Path) -> Path:
    gain = 10 ** (PEAK_DBFS / 20) / peak(ffmpeg, jingle)
    target = out_dir / jingle.filename
    temporary = target.with_suffix(".tmp.mp3")
    run(ffmpeg, [
        "-f", "lavfi", "-i", graph(jingle, gain),
        "-map_metadata", "-1", "-bitexact",
        "-ac", "1", "-ar", str(SAMPLE_RATE),
        "-c:a", "libmp3lame", "-b:a", BITRATE,  # constant bit rate (libmp3lame's default mode)
        "-id3v2_version", "3", "-write_id3v1", "0",
        "-metadata", f"title={jingle.title}",
        "-y", str(temporary),
    ])
    temporary.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the MP3 files (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    for jingle in (STATION_ID, CHIME):
        path = render(ffmpeg, jingle, args.out_dir)
        print(f"{path}  {jingle.seconds:.1f} s  peak {PEAK_DBFS:+.1f} dBFS  ({jingle.title})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
