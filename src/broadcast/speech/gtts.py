"""Online speech through gTTS (Google Translate's voice). The only module that imports gTTS.

gTTS cuts the text into pieces of at most 100 characters and sends one HTTP request per piece.
We send the pieces one by one ourselves so that a rate-limited or failed request is retried on
its own: re-sending the pieces that already succeeded would only feed the rate limit. The audio
is gathered in memory and written to ``dest`` only once every piece has arrived.
"""

from __future__ import annotations

import binascii
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from gtts import gTTS, gTTSError
from gtts.version import __version__ as _GTTS_VERSION

from broadcast.errors import InputError, OperationalError
from broadcast.fsio import write_bytes
from broadcast.i18n import t
from broadcast.speech.common import check_rate

if TYPE_CHECKING:
    import requests

NAME = "gtts"
SUFFIX = ".mp3"
LANG = "vi"
VOICES = ("com", "com.vn")  # the Google host's top-level domain; each answers in Vietnamese
SLOW_AT = 0.75  # Google knows two speeds only: a rate at or below this asks for the slow one
# (connect, read) seconds: gTTS waits forever by default, and a mountain link can hang.
TIMEOUT = (10.0, 30.0)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry one request (tests set the delays to 0)."""

    attempts: int = 5
    base_delay: float = 1.0  # seconds before the 2nd attempt; doubles each time
    max_delay: float = 30.0  # cap on any wait, including a server's Retry-After

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy needs at least 1 attempt, not {self.attempts}")

    def delay(self, attempt: int, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based), with jitter.

        Jitter spreads the retries of several machines behind one village IP; a Retry-After
        from the server is a floor, because asking earlier only earns another 429.
        """
        backoff = self.base_delay * 2 ** (attempt - 1)
        backoff *= (rng or random).uniform(0.5, 1.0)
        return min(self.max_delay, max(backoff, retry_after or 0.0))


RETRY = RetryPolicy()


@dataclass(frozen=True)
class _Failure:
    """One failed request, sorted into what we tell the user and whether to try again."""

    key: str
    retryable: bool
    cause: str
    status: int | None = None
    reason: str = ""
    retry_after: float | None = None


def version() -> str:
    """The engine and its version, for the render cache key."""
    return f"gtts {_GTTS_VERSION}"


def default_voice() -> str:
    """The Google host used when none is chosen."""
    return VOICES[0]


def synthesize(text: str, dest: Path, *, voice: str | None = None, rate: float = 1.0,
               retry: RetryPolicy | None = None) -> None:
    """Speak ``text`` in Vietnamese through Google and write the MP3 to ``dest`` atomically.

    ``voice`` is the Google host's domain ("com" or "com.vn"); ``rate`` at or below 0.75 asks
    for Google's slow reading. Raises ``InputError`` for empty text or a bad voice or rate, and
    ``OperationalError`` when Google cannot be reached or gives no audio; ``dest`` is then left
    as it was.
    """
    tld = _check_voice(voice)
    check_rate(rate)
    pieces = _pieces(text, tld)
    slow = rate <= SLOW_AT
    policy = retry or RETRY
    audio = b"".join(_fetch_with_retry(piece, tld, slow, policy) for piece in pieces)
    write_bytes(Path(dest), audio)


def _check_voice(voice: str | None) -> str:
    tld = (voice or default_voice()).strip().lower()
    if tld not in VOICES:
        raise InputError("speech.gtts_voice", voice=voice, known=", ".join(VOICES))
    return tld


def _pieces(text: str, tld: str) -> list[str]:
    """The pieces gTTS would send, cut by gTTS's own pre-processors and tokenizer."""
    if not text or not text.strip():
        raise InputError("speech.empty_text")
    # _tokenize is private, but it is the very splitting gTTS does before sending; the test
    # of a long text catches a gTTS release that changes it.
    pieces = gTTS(text, tld=tld, lang=LANG, lang_check=False)._tokenize(text)
    if not pieces:  # only punctuation and spaces
        raise InputError("speech.empty_text")
    return pieces


def _fetch_with_retry(piece: str, tld: str, slow: bool, policy: RetryPolicy) -> bytes:
    """One piece's MP3, retried with backoff on 429, 5xx and connection errors."""
    for attempt in range(1, policy.attempts + 1):
        result = _fetch(piece, tld, slow)
        if isinstance(result, bytes):
            return result
        failure = result
        if not failure.retryable or attempt == policy.attempts:
            raise _error(failure, tld, attempt)
        wait = policy.delay(attempt, failure.retry_after)
        log.warning(t("speech.gtts_retry", cause=failure.cause, delay=f"{wait:.0f}",
                      attempt=attempt + 1, attempts=policy.attempts))
        time.sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _fetch(piece: str, tld: str, slow: bool) -> bytes | _Failure:
    """Send one piece (already at most 100 characters, already pre-processed) once."""
    tts = gTTS(piece, tld=tld, lang=LANG, slow=slow, lang_check=False,
               pre_processor_funcs=[], timeout=TIMEOUT)
    buffer = BytesIO()
    try:
        tts.write_to_fp(buffer)
    except gTTSError as exc:
        return _classify(exc.rsp)
    except (binascii.Error, UnicodeDecodeError):
        # A reply in the right shape whose audio is not base64: nothing we can play.
        return _Failure("speech.gtts_empty", retryable=False, cause="bad audio")
    if not buffer.getvalue():
        # 200 without the audio line, e.g. a captive portal's login page.
        return _Failure("speech.gtts_empty", retryable=False, cause="no audio", status=200)
    return buffer.getvalue()


def _classify(response: requests.Response | None) -> _Failure:
    """Sort a failed request by its ``requests`` response (None: it never got one)."""
    if response is None:
        return _Failure("speech.gtts_offline", retryable=True, cause=t("speech.gtts_no_connection"))
    status = int(response.status_code)
    reason = str(response.reason or "")
    cause = f"HTTP {status}"
    if status == 429:
        return _Failure("speech.gtts_rate_limited", True, cause, status, reason,
                        _retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        return _Failure("speech.gtts_http", True, cause, status, reason,
                        _retry_after(response.headers.get("Retry-After")))
    if status == 200:  # gTTS found the RPC line but no audio in it
        return _Failure("speech.gtts_empty", False, cause, status, reason)
    return _Failure("speech.gtts_http", False, cause, status, reason)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # an unreadable header: fall back to our own backoff
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error(failure: _Failure, tld: str, attempts: int) -> OperationalError:
    return OperationalError(failure.key, host=f"translate.google.{tld}", attempts=attempts,
                            status=failure.status, reason=failure.reason)
