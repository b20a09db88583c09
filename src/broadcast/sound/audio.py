"""Sound: decode, trim, assemble, filter, loudness-normalize and encode. The only pydub/ffmpeg user.

ffmpeg comes from the imageio-ffmpeg wheel, which ships no ffprobe, so every decode names its
output format and pipes raw PCM back (pydub would otherwise look for ffprobe). In memory a clip is
a pydub ``AudioSegment`` of 16-bit mono PCM; every gain stage runs inside ffmpeg in floating
point, so nothing clips before the limiter.

Loudness (FIELD.md): a plain gain to −16 LUFS clips speech peaks, a limiter then lowers the
loudness and LAME lowers it again, and short clips are where one-pass normalizers miss. So
``finish`` aims the gain from one look through a cheap limiter (``aim``), encodes once, and
measures the MP3 itself, correcting only if that still misses.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

with warnings.catch_warnings():
    # pydub looks for ffmpeg on PATH at import and warns; ours comes from imageio-ffmpeg.
    # audioop (pydub's, and ours for levels) warns of its removal; audioop-lts replaces it.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

from broadcast.campaign.model import Profile
from broadcast.errors import InputError, OperationalError
from broadcast.fsio import atomic_path
from broadcast.sound import aim, frames

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


def _run(args: list[str], data: bytes | BinaryIO | None = None, *,
         source: Path | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg; ``data`` (bytes, or an open file read from its start) is its standard input.

    Input and output go through unnamed temporary files, not pipes: subprocess feeds a pipe 512
    bytes per system call and wakes for every line ffmpeg logs, which cost more CPU than some of
    the filters."""
    command = [ffmpeg(), "-hide_banner", "-nostdin" if data is None else "-nostats", *args]
    with contextlib.ExitStack() as stack:
        stdin: int | BinaryIO = subprocess.DEVNULL
        if isinstance(data, bytes):
            stdin = stack.enter_context(tempfile.TemporaryFile())
            stdin.write(data)
        elif data is not None:
            stdin = data
        if not isinstance(stdin, int):
            stdin.flush()
            stdin.seek(0)
        out, err = (stack.enter_context(tempfile.TemporaryFile()) for _ in range(2))
        try:
            # On any exception, Ctrl-C included, subprocess.run kills ffmpeg and waits for it.
            code = subprocess.run(command, stdin=stdin, stdout=out, stderr=err, check=False,
                                  **_OWN_GROUP).returncode
        except OSError as exc:
            raise OperationalError("audio.ffmpeg_failed", detail=str(exc)) from exc
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, code, out.read(), err.read())
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
                         minutes=minutes_over(len(done.stdout) / (2 * rate) * tempo),
                         max=f"{max_seconds / 60:g}")
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


_METERED = re.compile(r"^\[ametadata@(\w+) @ [^\]]+\] lavfi\.r128\.(\w+)=(\S+)$", re.M)


def _meter(name: str) -> str:
    """ffmpeg's BS.1770 meter, printing its running values to the log under ``name``: the last
    line holds the whole clip's loudness to 0.001 LU (the summary rounds to 0.1)."""
    return (f"ebur128=metadata=1:framelog=verbose,"
            f"ametadata@{name}=mode=print:key=lavfi.r128.I")


def _readings(stderr: bytes) -> dict[str, float]:
    """The last value each named meter printed: ``{"m": lufs}``."""
    found: dict[str, float] = {}
    for name, _key, value in _METERED.findall(stderr.decode("utf-8", "replace")):
        found[name] = float(value)
    return found


_PEAK = re.compile(r"^\[Parsed_astats_\d+ @ [^\]]+\] Peak level dB: (\S+)$", re.M)


def _true_peak_meter(rate: int | None) -> str:
    """True peak as BS.1770 defines it: the sample peak after 4× oversampling (of ``rate``; a
    file of unknown rate goes to 192 kHz, 4× of 48 kHz). A 12-tap-per-phase interpolator on
    floats agrees with an independent polyphase resampler within 0.005 dB on our clips, where
    ebur128's own meter (to 192 kHz whatever the rate) strayed by 0.05 dB, and makes the MP3
    measure a third cheaper (measured here)."""
    return (f"aformat=sample_fmts=flt,aresample={4 * rate if rate else 192000}:filter_size=12,"
            "astats=measure_perchannel=none:measure_overall=Peak_level")


def measure_file(path: Path, *, rate: int | None = None) -> Loudness:
    """BS.1770 integrated loudness (ffmpeg's ebur128 meter) and true peak of an audio file
    whose sample rate is ``rate`` when known."""
    chain = f"{_meter('m')},{_true_peak_meter(rate)}"
    done = _run(["-i", str(path), "-vn", "-af", chain, "-f", "null", "-"], source=path)
    lufs = _readings(done.stderr).get("m")
    peaks = _PEAK.findall(done.stderr.decode("utf-8", "replace"))
    if lufs is None or not peaks:
        raise OperationalError("audio.no_measurement")
    return Loudness(lufs, float(peaks[-1]))  # astats gives -inf for digital silence


@dataclass(frozen=True)
class SourceLevels:
    """How loud a recording was made: its own loudness and sample peak, and whether it clipped."""

    lufs: float
    """Of the recording alone, as mono: a clip's gain says less, a loud jingle sets it."""
    peak_db: float
    clipped: bool
    """Runs of samples stuck at full scale: the recorder's input was overdriven."""


_ASTATS = re.compile(r"^\[Parsed_astats_\d+ @ [^\]]+\] (Peak level dB|Flat factor): (\S+)$", re.M)


def source_levels(path: Path) -> SourceLevels:
    """A recording's loudness (as mono), its sample peak and whether it clipped, as its decoder
    gives it: at its own rate and channels, since resampling would smooth the flat tops that show
    clipping. Lossy files (MP3, M4A, OGG) decode to floating point whose encoder smeared those
    tops and may overshoot full scale even when clean, so only PCM and FLAC are judged."""
    chain = ("astats=measure_perchannel=none:measure_overall=Peak_level+Flat_factor,"
             "aformat=channel_layouts=mono," + _meter("m"))
    done = _run(["-i", str(path), "-vn", "-af", chain, "-f", "null", "-"], source=path)
    found = dict(_ASTATS.findall(done.stderr.decode("utf-8", "replace")))
    lufs = _readings(done.stderr).get("m")
    if len(found) < 2 or lufs is None:
        raise OperationalError("audio.no_measurement")
    peak, flat = float(found["Peak level dB"]), float(found["Flat factor"])
    return SourceLevels(lufs, peak, peak >= -0.01 and flat > 0)


def _highpass(profile: Profile) -> list[str]:
    return [f"highpass=f={profile.highpass_hz:g}:poles=2"] if profile.highpass_hz else []


def _limiter(profile: Profile, gain_db: float, ceiling_db: float, *, oversample: int) -> list[str]:
    """Gain, then a true-peak limiter; ``oversample`` 4 is the real one, 1 the cheap stand-in
    used to measure what the limiter will do (FIELD.md: a plain gain clips speech peaks)."""
    rate = profile.sample_rate
    limit = f"alimiter=limit={10 ** (ceiling_db / 20):.5f}:attack=3:release=80:level=0"
    if oversample == 1:
        return [f"volume={gain_db:.3f}dB", limit]
    return [f"volume={gain_db:.3f}dB", f"aresample={rate * oversample}", limit, f"aresample={rate}"]


def _estimate(sound: AudioSegment) -> aim.Estimate:
    """Gated RMS (400 ms blocks, BS.1770's −70 LUFS and −10 LU gates) and sample peak, in
    Python's own C loops: enough to guess a gain without running ffmpeg."""
    data, width, block = memoryview(sound.raw_data), sound.sample_width, int(sound.frame_rate * 0.4)
    step = block * width
    energies = [(audioop.rms(data[i:i + step], width) / 32768) ** 2
                for i in range(0, max(1, len(data) - step + 1), step)]
    loud = [e for e in energies if e > 1e-7]
    peak = sound.max_dBFS
    if not loud or peak == float("-inf"):
        raise InputError("audio.silent")
    gate = sum(loud) / len(loud) / 10
    kept = [e for e in loud if e > gate] or loud
    return aim.Estimate(10 * math.log10(sum(kept) / len(kept)), peak)


def _limited_loudness(pcm: BinaryIO, profile: Profile, gain_db: float, ceiling_db: float) -> float:
    """Loudness of the clip after high-pass, gain and the cheap limiter: one ffmpeg run."""
    chain = ",".join([*_highpass(profile), *_limiter(profile, gain_db, ceiling_db, oversample=1),
                      _meter("m")])
    done = _run([*_raw_input(profile.sample_rate), "-af", chain, "-f", "null", "-"], pcm)
    lufs = _readings(done.stderr).get("m")
    if lufs is None:
        raise OperationalError("audio.no_measurement")
    if lufs <= -69.9:  # BS.1770's absolute gate: nothing loud enough to measure
        raise InputError("audio.silent")
    return lufs


def _encode_processed(pcm: BinaryIO, profile: Profile, gain_db: float, ceiling_db: float,
                      dest: Path) -> None:
    """High-pass, gain, 4× oversampled true-peak limiter and LAME, in one ffmpeg run."""
    chain = ",".join([*_highpass(profile), *_limiter(profile, gain_db, ceiling_db, oversample=4)])
    _run([*_raw_input(profile.sample_rate), "-af", chain, *_mp3_output(profile, dest)], pcm)


def _mp3_output(profile: Profile, dest: Path) -> list[str]:
    """Constant-bit-rate MP3 with no tags (mutagen writes those)."""
    return ["-ac", str(profile.channels), "-c:a", "libmp3lame", "-b:a", f"{profile.bitrate_kbps}k",
            "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-bitexact",
            "-f", "mp3", "-y", str(dest)]


@dataclass(frozen=True)
class Finished:
    """A finished clip as its own MP3 measures, and what it took to make."""

    lufs: float
    true_peak: float
    gain_db: float
    """Gain applied to the assembled clip before the limiter."""
    encoder_shift: float
    """MP3 loudness minus the loudness aimed for before encoding: what LAME took."""
    encodes: int


def finish(sound: AudioSegment, profile: Profile, dest: Path, *,
           encoder_shift: float = aim.ENCODER_SHIFT) -> Finished:
    """Normalize ``sound`` to the profile and write the MP3 to ``dest``; return its measurement.

    The gain is aimed before anything is encoded (``aim``): at the loudness the target minus what
    the encoder is expected to take (``encoder_shift``, learned per profile), measured through a
    cheap limiter. The MP3 is encoded once and measured itself; only if it still misses the
    target or a true peak went over the limit is it corrected and encoded again.
    """
    if len(sound) < 400:
        raise InputError("audio.silent")
    estimate = _estimate(sound)  # refuses silence
    target, limit = profile.target_lufs, profile.true_peak_dbtp
    ceiling = limit - TRUE_PEAK_MARGIN_DB
    aimed = target - encoder_shift  # the loudness before encoding that encodes to the target
    with tempfile.TemporaryFile() as pcm, atomic_path(dest) as tmp:
        pcm.write(sound.raw_data)
        gain = _aimed_gain(pcm, profile, estimate, aimed, ceiling)
        observed: float | None = None
        for encodes in range(1, MAX_PASSES + 1):
            _encode_processed(pcm, profile, gain, ceiling, tmp)
            encoded = measure_file(tmp, rate=profile.sample_rate)
            if observed is None:  # only the first encode was aimed from a measurement
                observed = encoded.lufs - aimed
            if abs(encoded.lufs - target) <= TOLERANCE_LU and encoded.true_peak <= limit:
                return Finished(encoded.lufs, encoded.true_peak, gain, observed, encodes)
            drop = encoded.true_peak - limit + 0.2 if encoded.true_peak > limit else 0.0
            loss = estimate.rms_db + aim.LEVEL_OFFSET + gain - (encoded.lufs - observed)
            gain = aim.correct(gain, loss, target - encoded.lufs, drop)
            ceiling -= drop
        raise OperationalError("audio.cannot_normalize", target=target, lufs=encoded.lufs,
                               peak=encoded.true_peak)


def _aimed_gain(pcm: BinaryIO, profile: Profile, estimate: aim.Estimate, pcm_target: float,
                ceiling: float) -> float:
    """Measure the limited loudness at a first guess and follow the limiter's curve from there;
    measure again only where the prediction lands far from the measured point."""
    gain = aim.first_guess(estimate, pcm_target, ceiling)
    points: list[tuple[float, float]] = []
    for _ in range(4):
        points.append((gain, _limited_loudness(pcm, profile, gain, ceiling)))
        solved = aim.solve(points, pcm_target, estimate)
        if abs(solved - gain) <= aim.TRUST_DB:
            return solved
        gain = solved
    return gain


def silence_mp3(seconds: float, profile: Profile, dest: Path) -> None:
    """An MP3 of silence encoded exactly like the clips, to join between them."""
    frames = round(seconds * profile.sample_rate)
    with atomic_path(dest) as tmp:
        _run(["-f", "lavfi", "-i", f"anullsrc=r={profile.sample_rate}:cl=mono",
              "-af", f"atrim=end_sample={frames}", *_mp3_output(profile, tmp)])


def join(parts: list[Path], dest: Path, profile: Profile,
         quiet_tails: list[float] | None = None) -> None:
    """Join MP3s that share one encoding into ``dest``, on time to the sample.

    Their frames are copied (``frames``), one part in memory at a time, so memory stays flat
    whatever the slot's length, and nothing is re-encoded: every part already meets the loudness
    target, so the joined slot does too. ``quiet_tails`` says how many seconds at the end of each
    part are silence that may be dropped to keep time. Parts the joiner cannot take apart
    exactly (not made by broadcast, other sample rates) are decoded and encoded once instead.
    """
    tails = quiet_tails or [0.0] * len(parts)
    read = [part for path, tail in zip(parts, tails, strict=True)
            if (part := frames.read_part(path, tail)) is not None]
    planned = frames.plan(read) if len(read) == len(parts) else None
    with atomic_path(dest) as tmp:
        if planned is None:
            _encode_joined(parts, profile, tmp)
            return
        keep, padding = planned
        with tempfile.TemporaryFile() as raw:
            frames.write_frames(read, keep, raw)
            # ffmpeg writes the Info frame (frame count, seek table, CRC of the audio) ...
            _run(["-f", "mp3", "-i", "-", "-c", "copy", "-map_metadata", "-1", "-id3v2_version",
                  "0", "-write_id3v1", "0", "-bitexact", "-f", "mp3", "-y", str(tmp)], raw)
        with open(tmp, "r+b") as fh:  # ... and the delay and padding that make it exact
            head = fh.read(4)
            size = frames.header(head, 0)
            if size is None:
                raise OperationalError("audio.ffmpeg_failed", detail=f"{tmp}: no MP3 frame")
            info = bytearray(head + fh.read(size.size - 4))
            frames.set_delay(info, read[0].delay, padding)
            fh.seek(0)
            fh.write(info)


def _encode_joined(parts: list[Path], profile: Profile, dest: Path) -> None:
    """Decode the parts one after another (ffmpeg's concat demuxer streams them, trimming each
    part's own delay and padding) and encode the slot once."""
    listing = "".join(f"file '{_concat_quote(part)}'\n" for part in parts)
    list_file = dest.with_name(dest.name + ".txt")
    try:
        list_file.write_text(listing, encoding="utf-8")
        _run(["-f", "concat", "-safe", "0", "-i", str(list_file), "-ar", str(profile.sample_rate),
              *_mp3_output(profile, dest)])
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


def minutes_over(seconds: float) -> str:
    """A length over a limit in minutes, rounded up to a tenth: rounding to the nearest could
    show a file over a 0.1-minute limit as lasting 0.1 minutes."""
    return f"{math.ceil(seconds / 6 - 1e-9) / 10:.1f}"


def _length_bound(path: Path, max_seconds: float | None) -> list[str]:
    """ffmpeg's input limit (placed before ``-i``: it counts the file's own seconds, whatever
    the tempo) for a decode bounded to ``max_seconds``; refuses a longer file."""
    if max_seconds is None:
        return []
    declared = probe_header(path)[1]
    if declared is not None and declared > max_seconds:
        raise InputError("media.too_long", path=path, value=path.name, minutes=minutes_over(declared),
                         max=f"{max_seconds / 60:g}")
    return ["-t", f"{max_seconds + 1:.3f}"]
