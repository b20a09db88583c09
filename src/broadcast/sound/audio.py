"""Sound: decode, trim, assemble, filter, loudness-normalize and encode. The only pydub/ffmpeg user.

ffmpeg comes from the imageio-ffmpeg wheel, which ships no ffprobe, so every decode names its
output format and pipes raw PCM back (pydub would otherwise look for ffprobe). In memory a clip is
a pydub ``AudioSegment`` of 16-bit mono PCM; every gain stage runs inside ffmpeg in floating
point, so nothing clips before the limiter.

Loudness (FIELD.md): a plain gain to −16 LUFS clips speech peaks, and a limiter then lowers the
loudness, so ``finish`` measures the encoded MP3 itself and corrects until it is within tolerance;
short clips are where one-pass normalizers miss.
"""

from __future__ import annotations

import os
import re
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

with warnings.catch_warnings():
    # pydub looks for ffmpeg on PATH at import and warns; ours comes from imageio-ffmpeg.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

from broadcast.campaign.model import Profile
from broadcast.errors import InputError, OperationalError
from broadcast.fsio import atomic_path

TOLERANCE_LU = 0.2
"""Aim well inside the promised ±0.5 LU so meters that disagree by 0.1 LU still agree we hit it."""
TRUE_PEAK_MARGIN_DB = 0.5
"""First limiter ceiling below the true-peak limit: MP3 encoding raises peaks by a few tenths."""
TRIM_KEEP_MS = 80
"""Silence kept at each end when trimming, so soft consonants are not cut."""
MAX_PASSES = 8


@dataclass(frozen=True)
class Loudness:
    lufs: float
    true_peak: float


@cache
def ffmpeg() -> str:
    """Path of the ffmpeg that ships in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    AudioSegment.converter = exe
    return exe


@cache
def ffmpeg_version() -> str:
    first = _run(["-version"]).stdout.decode("utf-8", "replace").splitlines()[0]
    return first.split(" Copyright")[0]


_OWN_GROUP: dict = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
                    else {"start_new_session": True})
"""ffmpeg runs in a process group of its own, so Ctrl-C at the terminal reaches only broadcast,
which ends ffmpeg itself while it unwinds: an ffmpeg that died of the user's Ctrl-C would
otherwise be reported as a broken file. (A new group on Windows also ignores Ctrl-C.)"""


def _run(args: list[str], data: bytes | None = None, *,
         source: Path | None = None) -> subprocess.CompletedProcess:
    command = [ffmpeg(), "-hide_banner", "-nostdin" if data is None else "-nostats", *args]
    try:
        # On any exception, Ctrl-C included, subprocess.run kills ffmpeg and waits for it.
        stdin = {"input": data} if data is not None else {"stdin": subprocess.DEVNULL}
        done = subprocess.run(command, capture_output=True, check=False, **stdin, **_OWN_GROUP)
    except OSError as exc:
        raise OperationalError("audio.ffmpeg_failed", detail=str(exc)) from exc
    if done.returncode < 0:  # POSIX: killed by a signal (the OOM killer, a user), not a bad file
        raise OperationalError("audio.ffmpeg_killed", signal=-done.returncode)
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", "replace").strip().splitlines()[-2:])
        if source is not None:
            raise InputError("audio.not_audio", path=source, detail=detail)
        raise OperationalError("audio.ffmpeg_failed", detail=detail)
    return done


def _raw_input(rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "-"]


def decode(path: Path, *, rate: int, tempo: float = 1.0,
           max_seconds: float | None = None) -> AudioSegment:
    """Any audio file ffmpeg reads (WAV, MP3, M4A, OGG, FLAC…) as mono 16-bit PCM at ``rate``.

    1 dB of headroom keeps resampling overshoots of a recording peaking at 0 dBFS from clipping;
    loudness normalization restores the level later. With ``max_seconds``, a longer file is
    refused before it is decoded (its PCM would fill memory), and one that declares no length
    is decoded no further than that.
    """
    bound = _length_bound(path, max_seconds)
    chain = [f"aresample={rate}", "volume=-1dB"]
    if abs(tempo - 1.0) > 1e-6:
        chain.append(f"atempo={tempo:.4f}")
    done = _run([*bound, "-i", str(path), "-vn", "-af", ",".join(chain), "-ac", "1", "-ar", str(rate),
                 "-f", "s16le", "-"], source=path)
    if not done.stdout:
        raise InputError("audio.no_sound", path=path)
    if max_seconds is not None and len(done.stdout) / (2 * rate) * tempo > max_seconds:
        raise InputError("media.too_long", path=path, value=path.name,
                         minutes=f"{max_seconds / 60 + 0.1:.1f}", max=f"{max_seconds / 60:g}")
    return AudioSegment(data=done.stdout, sample_width=2, frame_rate=rate, channels=1)


def trim_silence(sound: AudioSegment, threshold_db: float) -> AudioSegment:
    """Cut leading and trailing silence: anything ``threshold_db`` below the clip's peak."""
    if sound.max_dBFS == float("-inf"):
        return sound
    level = sound.max_dBFS + threshold_db
    head = max(0, detect_leading_silence(sound, silence_threshold=level) - TRIM_KEEP_MS)
    tail = max(0, detect_leading_silence(sound.reverse(), silence_threshold=level) - TRIM_KEEP_MS)
    return sound[head:len(sound) - tail]


def assemble(speech: AudioSegment, profile: Profile, *, repeat: int = 1,
             intro: AudioSegment | None = None, outro: AudioSegment | None = None) -> AudioSegment:
    """Lead-in, intro jingle, the speech ``repeat`` times with gaps, outro jingle, lead-out."""
    rate = profile.sample_rate

    def silence(ms: int) -> AudioSegment:
        return AudioSegment.silent(duration=ms, frame_rate=rate).set_sample_width(2)

    clip = silence(profile.lead_in_ms)
    if intro is not None:
        clip += intro + silence(400)
    for turn in range(repeat):
        clip += (silence(profile.repeat_gap_ms) if turn else silence(0)) + speech
    if outro is not None:
        clip += silence(400) + outro
    return clip + silence(profile.lead_out_ms)


_LUFS = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def _parse_summary(stderr: bytes) -> Loudness:
    text = stderr.decode("utf-8", "replace")
    lufs, peaks = _LUFS.findall(text), _PEAK.findall(text)
    if not lufs or not peaks:
        raise OperationalError("audio.no_measurement")
    return Loudness(float(lufs[-1]), float(peaks[-1]))


def measure_file(path: Path) -> Loudness:
    """BS.1770 integrated loudness and true peak of an audio file (ffmpeg's ebur128 meter)."""
    done = _run(["-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"], source=path)
    return _parse_summary(done.stderr)


def _highpass(profile: Profile) -> list[str]:
    return [f"highpass=f={profile.highpass_hz:g}:poles=2"] if profile.highpass_hz else []


def _measure_sound(sound: AudioSegment, profile: Profile) -> Loudness:
    chain = ",".join([*_highpass(profile), "ebur128=peak=true"])
    done = _run([*_raw_input(sound.frame_rate), "-af", chain, "-f", "null", "-"], sound.raw_data)
    return _parse_summary(done.stderr)


def _process(sound: AudioSegment, profile: Profile, gain_db: float,
             ceiling_db: float) -> tuple[bytes, Loudness]:
    """Filter, gain and true-peak limit (at 4× oversampling) to float PCM, measuring the result
    in the same ffmpeg run. No MP3 encoding here: LAME is the slow part, so it runs once."""
    rate = profile.sample_rate
    chain = [*_highpass(profile), f"volume={gain_db:.3f}dB", f"aresample={rate * 4}",
             f"alimiter=limit={10 ** (ceiling_db / 20):.5f}:attack=3:release=80:level=0",
             f"aresample={rate}", "asplit=2[out][meter]", "[meter]ebur128=peak=true[m]"]
    done = _run([*_raw_input(sound.frame_rate), "-filter_complex", "[0:a]" + ",".join(chain[:-1])
                 + ";" + chain[-1], "-map", "[out]", "-f", "f32le", "-ac", "1", "pipe:1",
                 "-map", "[m]", "-f", "null", "-"], sound.raw_data)
    return done.stdout, _parse_summary(done.stderr)


def _encode(pcm: bytes, profile: Profile, dest: Path) -> None:
    """Processed float PCM → constant-bit-rate MP3, with no tags (mutagen writes those)."""
    _run(["-f", "f32le", "-ar", str(profile.sample_rate), "-ac", "1", "-i", "-",
          "-ac", str(profile.channels), "-c:a", "libmp3lame", "-b:a", f"{profile.bitrate_kbps}k",
          "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-bitexact",
          "-f", "mp3", "-y", str(dest)], pcm)


def _next_gain(history: list[tuple[float, float]], target: float) -> float:
    """Secant step on (gain, loudness): the limiter makes loudness rise slower than gain."""
    gain, lufs = history[-1]
    if len(history) >= 2:
        prev_gain, prev_lufs = history[-2]
        if abs(gain - prev_gain) > 1e-3:
            slope = min(1.0, max(0.2, (lufs - prev_lufs) / (gain - prev_gain)))
            return gain + (target - lufs) / slope
    return gain + (target - lufs)


def finish(sound: AudioSegment, profile: Profile, dest: Path) -> Loudness:
    """Normalize ``sound`` to the profile and write the MP3 to ``dest``; return its measurement.

    Gain and limiting are iterated on PCM until the loudness is on target, then the MP3 is
    encoded and measured itself. Encoding shifts loudness (measured: up to −0.5 LU on bright
    synthetic speech) and raises true peaks, so the shift is learned and aimed for, and the
    limiter ceiling comes down if a peak went over.
    """
    if sound.max_dBFS == float("-inf") or len(sound) < 400:
        raise InputError("audio.silent")
    target, limit = profile.target_lufs, profile.true_peak_dbtp
    history = [(0.0, _measure_sound(sound, profile).lufs)]
    gain, ceiling, shift = target - history[0][1], limit - TRUE_PEAK_MARGIN_DB, 0.0
    with atomic_path(dest) as tmp:
        for _ in range(MAX_PASSES):
            pcm, level = _process(sound, profile, gain, ceiling)
            history.append((gain, level.lufs))
            if abs(level.lufs + shift - target) <= TOLERANCE_LU:
                _encode(pcm, profile, tmp)
                encoded = measure_file(tmp)
                if abs(encoded.lufs - target) <= TOLERANCE_LU and encoded.true_peak <= limit:
                    return encoded
                shift = encoded.lufs - level.lufs
                if encoded.true_peak > limit:
                    ceiling -= encoded.true_peak - limit + 0.2
            gain = _next_gain(history, target - shift)
        raise OperationalError("audio.cannot_normalize", target=target, lufs=level.lufs + shift,
                               peak=level.true_peak)


def silence_mp3(seconds: float, profile: Profile, dest: Path) -> None:
    """An MP3 of silence encoded exactly like the clips, to join between them."""
    frames = round(seconds * profile.sample_rate)
    with atomic_path(dest) as tmp:
        _encode(b"\0\0\0\0" * frames, profile, tmp)


def join(parts: list[Path], dest: Path) -> None:
    """Join MP3s that share one encoding into ``dest`` by copying their frames.

    ffmpeg's concat demuxer streams the parts one after another, so memory stays flat whatever
    the slot's length, and nothing is decoded or re-encoded: every part already meets the
    loudness target, so the joined slot does too.
    """
    listing = "".join(f"file '{_concat_quote(part)}'\n" for part in parts)
    with atomic_path(dest) as tmp:
        list_file = tmp.with_name(tmp.name + ".txt")
        try:
            list_file.write_text(listing, encoding="utf-8")
            _run(["-f", "concat", "-safe", "0", "-i", str(list_file), "-c", "copy",
                  "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0",
                  "-f", "mp3", "-y", str(tmp)])
        finally:
            list_file.unlink(missing_ok=True)


def _concat_quote(path: Path) -> str:
    # The concat demuxer's quoting: a single quote is written as '\'' inside quotes.
    return str(Path(path).resolve()).replace("'", "'\\''")


# --- Probing: ffmpeg's part of what ``check`` learns of a file (``sound.probe`` reads it) -----

PROBE_RATE = 8000
"""Probing decodes at a low rate: enough to see silence and damage, and several times faster."""
PROBE_PIECE_SECONDS = 5
"""Decoded audio is measured in pieces this long: damage is told to within one piece."""
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio:")


def _ffmpeg_log(args: list[str]) -> tuple[int, str]:
    """Run ffmpeg for what it writes to stderr (each line tagged with its level)."""
    command = [ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info", *args]
    try:
        done = subprocess.run(command, capture_output=True, check=False, stdin=subprocess.DEVNULL,
                              **_OWN_GROUP)
    except OSError as exc:
        raise OperationalError("audio.ffmpeg_failed", detail=str(exc)) from exc
    if done.returncode < 0:
        raise OperationalError("audio.ffmpeg_killed", signal=-done.returncode)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def probe_header(path: Path) -> tuple[bool, float | None]:
    """Whether ``path`` holds an audio stream, and the seconds its header declares (None when
    it declares none): reads only the header, a few milliseconds whatever the length."""
    _, log = _ffmpeg_log(["-i", str(path)])  # no output named: ffmpeg only reads the header
    found = _DURATION.search(log)
    declared = int(found[1]) * 3600 + int(found[2]) * 60 + float(found[3]) if found else None
    return bool(_AUDIO_STREAM.search(log)) and "Error opening input" not in log, declared


def measure_log(path: Path, *, limit: float | None = None) -> str | None:
    """One decode of ``path`` at a low rate, measured piece by piece (start, peak, samples),
    decoding no further than ``limit`` seconds; its log, or None if ffmpeg could not decode
    it. Memory stays flat: ffmpeg measures, nothing comes back but the log."""
    chain = (f"aresample={PROBE_RATE},asetnsamples=n={PROBE_RATE * PROBE_PIECE_SECONDS}:p=0,"
             "astats=metadata=1:reset=1:measure_perchannel=none:"
             "measure_overall=Peak_level+Number_of_samples,ametadata=mode=print")
    bound = ["-t", f"{limit:.3f}"] if limit else []
    code, log = _ffmpeg_log([*bound, "-i", str(path), "-vn", "-map", "0:a:0", "-af", chain,
                             "-f", "null", "-"])
    return log if code == 0 else None


def _length_bound(path: Path, max_seconds: float | None) -> list[str]:
    """ffmpeg's input limit (placed before ``-i``: it counts the file's own seconds, whatever
    the tempo) for a decode bounded to ``max_seconds``; refuses a longer file."""
    if max_seconds is None:
        return []
    declared = probe_header(path)[1]
    if declared is not None and declared > max_seconds:
        raise InputError("media.too_long", path=path, value=path.name, minutes=f"{declared / 60:.1f}",
                         max=f"{max_seconds / 60:g}")
    return ["-t", f"{max_seconds + 1:.3f}"]
