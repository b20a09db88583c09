"""MP3 frames read and joined without decoding, so a mixdown keeps the plan's time.

Every clip is LAME's, written by ffmpeg: an Info frame (its frame count, the encoder's delay and
padding in samples), then audio frames, the first of which starts with an empty bit reservoir.
Joined as they are, each joint keeps the next clip's delay and the last one's padding: 44 ms on
average, a second every 24 items. Here a joint instead drops whole trailing frames of the part
before it that hold only its padding or its lead-out silence, with nothing cut that sounds. Every
part then starts a little after its planned time, never before: within one frame (26 ms) after a
clip, whose lead-out absorbs the joint, up to three after a jingle, which has none. What remains
of the difference goes into the joined file's own padding, so it decodes to exactly the sum of
its parts. Nothing is re-encoded, and every part decodes to the same samples as alone (measured
here): the slot keeps the clips' loudness and quality.

Plan, then execute: ``read_part`` reads only headers, ``plan`` decides what each part keeps,
``write_frames`` copies them; ``set_delay`` finishes the joined file's Info frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DECODER_DELAY = 529
"""Samples every MP3 decoder lags behind the encoder's frames."""
KEEP_OF_TAIL = 0.1
"""Seconds of a part's quiet tail never dropped: the last sound's own decay lives there."""
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
         2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}


@dataclass(frozen=True)
class Header:
    """One MPEG-1/2/2.5 Layer III frame header."""

    version: int
    """3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5."""
    sample_rate: int
    mono: bool
    crc: bool
    size: int

    @property
    def samples(self) -> int:
        return 1152 if self.version == 3 else 576

    @property
    def side_info(self) -> int:
        """Bytes of side information after the header (and its CRC)."""
        return (17 if self.mono else 32) if self.version == 3 else (9 if self.mono else 17)

    @property
    def stream(self) -> tuple[int, int, bool]:
        """What parts must share to join: frames of other bitrates may follow one another."""
        return self.version, self.sample_rate, self.mono


def header(data: bytes | memoryview, at: int) -> Header | None:
    """The Layer III frame header at ``at``, or None where there is none."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    rate_index, kbps_index = (data[at + 2] >> 2) & 3, data[at + 2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or kbps_index in (0, 15):
        return None
    rate, kbps = _RATES[version][rate_index], _KBPS[3 if version == 3 else 2][kbps_index]
    scale = 144000 if version == 3 else 72000
    return Header(version, rate, data[at + 3] >> 6 == 3, not data[at + 1] & 1,
                  scale * kbps // rate + ((data[at + 2] >> 1) & 1))


def frames(data: bytes | memoryview, start: int, end: int) -> Iterator[tuple[int, Header]]:
    """Every frame from ``start`` to ``end``, as (offset, header); stops at anything else."""
    at = start
    while at < end and (found := header(data, at)) is not None and at + found.size <= end:
        yield at, found
        at += found.size


@dataclass(frozen=True)
class Part:
    """One MP3 to join: where its audio frames are, and how much of it is padding or silence."""

    path: Path
    stream: tuple[int, int, bool]
    samples_per_frame: int
    audio_start: int
    """Byte offset of the first audio frame (after any ID3v2 tag and the Info frame)."""
    audio_end: int
    frames: int
    delay: int
    padding: int
    quiet_tail: int
    """Samples of silence at the end of its audio that may go, as the caller knows its clips."""

    @property
    def length(self) -> int:
        """Samples the part decodes to, as its Info frame says."""
        return self.frames * self.samples_per_frame - self.delay - self.padding

    @property
    def droppable(self) -> int:
        """Trailing frames holding nothing but padding or quiet tail."""
        spare = self.padding - DECODER_DELAY + self.quiet_tail
        return max(0, min(self.frames - 1, spare // self.samples_per_frame))


def _id3_size(data: bytes | memoryview) -> int:
    if bytes(data[:3]) != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = size << 7 | (byte & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _lame_fields(data: bytes | memoryview, at: int, first: Header) -> tuple[int, int, int] | None:
    """(frames, delay, padding) from the Info/Xing frame at ``at``, if it has a LAME tag."""
    xing = at + 4 + (2 if first.crc else 0) + first.side_info
    if bytes(data[xing:xing + 4]) not in (b"Info", b"Xing"):
        return None
    flags = int.from_bytes(data[xing + 4:xing + 8], "big")
    if not flags & 1:
        return None
    count = int.from_bytes(data[xing + 8:xing + 12], "big")
    lame = xing + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    if bytes(data[lame:lame + 3]) not in (b"LAM", b"Lav"):
        return None
    both = int.from_bytes(data[lame + 21:lame + 24], "big")
    return count, both >> 12, both & 0xFFF


def read_part(path: Path, quiet_tail_seconds: float = 0.0) -> Part | None:
    """A part as its headers describe it, or None if it is not one this joiner can take
    apart exactly (no LAME tag, another layer, a first frame that borrows from a reservoir)."""
    data = memoryview(Path(path).read_bytes())
    start = _id3_size(data)
    first = header(data, start)
    fields = _lame_fields(data, start, first) if first else None
    if first is None or fields is None:
        return None
    count, delay, padding = fields
    audio = start + first.size
    end = len(data) - (128 if bytes(data[-128:-125]) == b"TAG" else 0)
    found = list(frames(data, audio, end))
    if len(found) != count or not found or _reservoir_start(data, *found[0]) != 0:
        return None
    if any(h.stream != first.stream for _, h in found):
        return None
    quiet = max(0, int((quiet_tail_seconds - KEEP_OF_TAIL) * first.sample_rate))
    return Part(Path(path), first.stream, first.samples, audio, found[-1][0] + found[-1][1].size,
                count, delay, padding, quiet)


def _reservoir_start(data: bytes | memoryview, at: int, frame: Header) -> int:
    """main_data_begin: how far back into earlier frames this frame's data starts."""
    side = at + 4 + (2 if frame.crc else 0)
    if frame.version == 3:
        return (data[side] << 1) | (data[side + 1] >> 7)
    return data[side]


def plan(parts: list[Part]) -> tuple[list[int], int] | None:
    """Frames each part keeps, and the joined file's padding; None if the parts cannot be
    joined exactly (different streams, or too little silence to drop, leaving more than the
    12 bits of padding an Info frame holds)."""
    if not parts or any(p.stream != parts[0].stream for p in parts):
        return None
    spf, late, keep = parts[0].samples_per_frame, 0, []
    for index, part in enumerate(parts):
        # ``late``: how long after its planned time the next part's audio starts (samples).
        # After this part's audio come its padding and the next part's delay; after the last,
        # the joined file's padding, which must still cover the decoder's delay.
        last = index == len(parts) - 1
        follow = part.padding + (0 if last else parts[index + 1].delay)
        drop = min(part.droppable, max(0, (late + follow - (DECODER_DELAY if last else 0)) // spf))
        keep.append(part.frames - drop)
        late += follow - drop * spf
    padding = late
    if not DECODER_DELAY <= padding < 4096 or parts[0].delay >= 4096:
        return None
    return keep, padding


def write_frames(parts: list[Part], keep: list[int], out: BinaryIO) -> int:
    """Copy each part's first ``keep`` audio frames to ``out`` (one part in memory at a time);
    return the number of frames written."""
    written = 0
    for part, count in zip(parts, keep, strict=True):
        data = memoryview(Path(part.path).read_bytes())
        end = part.audio_start
        for index, (at, found) in enumerate(frames(data, part.audio_start, part.audio_end)):
            if index == count:
                break
            end = at + found.size
        out.write(data[part.audio_start:end])
        written += count
    return written


def set_delay(info_frame: bytearray, delay: int, padding: int) -> None:
    """Write the encoder delay and padding into an Info frame ffmpeg wrote, and its tag CRC
    (ffmpeg's convention: CRC-16 of the frame's first 190 bytes, the CRC field zeroed)."""
    first = header(info_frame, 0)
    if first is None:
        raise ValueError("not an MP3 frame")
    xing = 4 + (2 if first.crc else 0) + first.side_info
    flags = int.from_bytes(info_frame[xing + 4:xing + 8], "big")
    lame = xing + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    info_frame[lame + 21:lame + 24] = ((delay << 12) | padding).to_bytes(3, "big")
    info_frame[lame + 34:lame + 36] = b"\0\0"
    info_frame[lame + 34:lame + 36] = _crc16(bytes(info_frame[:190])).to_bytes(2, "big")


def _crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0xA001 reflected), as LAME and ffmpeg compute the tag CRC."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def duration(parts: list[Part]) -> float:
    """Seconds the joined parts decode to."""
    return math.fsum(p.length for p in parts) / parts[0].stream[1] if parts else 0.0
