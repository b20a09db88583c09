"""Offline speech through espeak-ng: the library and data of the espeakng-loader wheel, via ctypes.

No system espeak and no subprocess: the wheel ships the shared library and its voice data,
so the offline voice works on an office PC with no internet and nothing else installed.

The library keeps state from one utterance to the next in static variables that neither
``espeak_Terminate`` nor any other call resets (measured: the same text gave 111,100 bytes of
audio first and 111,114 when spoken again in the same process; the phase of the pitch
flutter, the wave generator's gain and phase, and the translator it loads for foreign words
all carry over). So every utterance gets a freshly loaded library, initialised, used and
unloaded again (about 1.5 ms): the audio depends only on the text, the voice and the rate,
never on what the process spoke before. The library is not thread-safe: one lock.
"""

from __future__ import annotations

import _ctypes
import contextlib
import ctypes
import functools
import os
import threading
import wave
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path

import espeakng_loader

from broadcast import interrupts
from broadcast.errors import InputError, OperationalError
from broadcast.fsio import atomic_path
from broadcast.speech.common import check_rate

NAME = "espeak"
SUFFIX = ".wav"
DEFAULT_VOICE = "vi"
DEFAULT_WPM = 175  # espeak-ng's own default speed, in words per minute

# Constants from speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_EE_OK = 0

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.c_void_p)


class _Voice(ctypes.Structure):
    """espeak_VOICE from speak_lib.h (only read, never built by us)."""

    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),  # a priority byte, then the language name
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


_lock = threading.Lock()
_chunks: list[bytes] = []


def _collect(wav: object, count: int, _events: object) -> int:
    if wav and count > 0:
        _chunks.append(ctypes.string_at(wav, count * 2))
    return 0  # 0 = go on synthesizing


# The library keeps only a C pointer: this module-level reference keeps the callback alive.
_callback = _SynthCallback(_collect)


@contextlib.contextmanager
def _fresh_library() -> Iterator[tuple[ctypes.CDLL, int]]:
    """The library, newly loaded and initialised, and its sample rate; unloaded after the
    block, so the next use starts from the same state. Call with ``_lock`` held, and keep
    no other handle to the library open: it is unloaded only when the last one is closed.

    Each unload loses the translator espeak-ng 1.52 loads for foreign words and never frees
    (measured: 180 KB, only after a text that has such words). A render speaks each new
    message once, so even 300 such messages rendered from scratch cost under 30 MB per worker.
    """
    path = espeakng_loader.get_library_path()
    try:
        lib = ctypes.CDLL(path)
        data = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        # On Windows the DLL needs the Microsoft Visual C++ runtime, which no wheel ships.
        key = "speech.espeak_unavailable_windows" if os.name == "nt" else "speech.espeak_unavailable"
        raise OperationalError(key, path=path, reason=exc) from exc
    try:
        _declare(lib)
        sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if sample_rate <= 0:
            raise OperationalError("speech.espeak_unavailable", path=path,
                                   reason=f"espeak_Initialize({data}) = {sample_rate}")
        try:
            yield lib, sample_rate
        finally:
            lib.espeak_Terminate()
    finally:
        _unload(lib)


def _unload(lib: ctypes.CDLL) -> None:
    if os.name == "nt":
        _ctypes.FreeLibrary(lib._handle)
    else:
        _ctypes.dlclose(lib._handle)


def _declare(lib: ctypes.CDLL) -> None:
    """Argument and result types, so ctypes passes sizes and pointers at full width."""
    c = ctypes
    lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
    lib.espeak_Initialize.restype = c.c_int
    lib.espeak_Terminate.argtypes = []
    lib.espeak_Terminate.restype = c.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
    lib.espeak_SetVoiceByName.restype = c.c_int
    lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
    lib.espeak_SetParameter.restype = c.c_int
    lib.espeak_Synth.argtypes = [c.c_char_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint,
                                 c.c_void_p, c.c_void_p]
    lib.espeak_Synth.restype = c.c_int
    lib.espeak_Info.argtypes = [c.c_void_p]
    lib.espeak_Info.restype = c.c_char_p
    lib.espeak_ListVoices.argtypes = [c.c_void_p]
    lib.espeak_ListVoices.restype = c.POINTER(c.POINTER(_Voice))


@functools.cache
def _facts() -> tuple[str, int, tuple[str, ...]]:
    """Library version, sample rate and Vietnamese voices, read once per process."""
    with _lock, _fresh_library() as (lib, sample_rate):
        library = lib.espeak_Info(None).decode("ascii", "replace")
        table = lib.espeak_ListVoices(None)
        found = []
        index = 0
        while table[index]:
            language = (table[index].contents.languages or b"")[1:].decode("ascii", "replace")
            if language == "vi" or language.startswith("vi-"):
                found.append(language)
            index += 1
    return library, sample_rate, tuple(sorted(found))


def version() -> str:
    """Library and data versions, for the render cache key.

    The wheel's version is added because a new wheel may ship new voice data for the same
    library version, and that changes the audio.
    """
    try:
        wheel = _dist_version("espeakng-loader")
    except PackageNotFoundError:
        wheel = "unknown"
    return f"espeak-ng {_facts()[0]} (espeakng-loader {wheel})"


def default_voice() -> str:
    """The Northern Vietnamese voice."""
    return DEFAULT_VOICE


def sample_rate() -> int:
    """Samples per second of the WAV files written (22050 for espeak-ng's voices)."""
    return _facts()[1]


def voices() -> list[str]:
    """The Vietnamese voices the data holds: vi, vi-vn-x-central, vi-vn-x-south."""
    return list(_facts()[2])


def synthesize(text: str, dest: Path, *, voice: str | None = None, rate: float = 1.0) -> None:
    """Speak ``text`` with espeak-ng and write a mono 16-bit WAV to ``dest`` atomically.

    ``voice`` is one of :func:`voices` (default "vi"); ``rate`` scales 175 words per minute.
    Raises ``InputError`` for empty text or a bad voice or rate, ``OperationalError`` when the
    library cannot be loaded or fails; ``dest`` is then left as it was.
    """
    if not text or not text.strip():
        raise InputError("speech.empty_text")
    name = _check_voice(voice)
    wpm = _words_per_minute(rate)
    pcm, sample_rate = _speak(text, name, wpm)
    with atomic_path(Path(dest)) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)


def _check_voice(voice: str | None) -> str:
    name = (voice or DEFAULT_VOICE).strip().lower()
    known = voices()
    if name not in known:
        raise InputError("speech.espeak_voice", voice=voice, known=", ".join(known))
    return name


def _words_per_minute(rate: float) -> int:
    return round(DEFAULT_WPM * check_rate(rate))


def _speak(text: str, voice: str, wpm: int) -> tuple[bytes, int]:
    """Raw 16-bit mono PCM of ``text`` and its sample rate, from a fresh library.

    Ctrl-C and SIGTERM wait until the library is unloaded: raised inside the callback, they
    would be printed as "Exception ignored" and lost, and the library left loaded.
    """
    encoded = text.encode("utf-8")
    with _lock, interrupts.signals_held(), _fresh_library() as (lib, sample_rate):
        lib.espeak_SetSynthCallback(_callback)
        # Voice first: choosing a voice may reset the speed to the voice's own.
        _call(lib.espeak_SetVoiceByName(voice.encode("ascii")), "espeak_SetVoiceByName")
        _call(lib.espeak_SetParameter(_PARAM_RATE, wpm, 0), "espeak_SetParameter")
        _chunks.clear()
        try:
            _call(lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                                   None, None), "espeak_Synth")
            pcm = b"".join(_chunks)
        finally:
            _chunks.clear()  # don't hold a long message's audio until the next call
    if not pcm:
        raise OperationalError("speech.espeak_no_audio")
    return pcm, sample_rate


def _call(status: int, function: str) -> None:
    if status != _EE_OK:
        raise OperationalError("speech.espeak_failed", function=function, code=status)
