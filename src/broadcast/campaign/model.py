"""The campaign's records, in the field's words. Plain frozen data: every step reads these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

PRIORITIES = ("emergency", "priority", "normal")
"""Circular 39/2020/TT-BTTTT bulletin levels, most urgent first."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("usb", "image", "cloud")
ENGINES = ("gtts", "espeak")
SETTINGS_FILE = "broadcast.yaml"
LEXICON_TABLES = ("abbreviations", "words", "units", "document_types", "issuers")
"""The tables a campaign's ``lexicon.yaml`` may hold (``speech.text.lexicon.TABLES``)."""
MAX_RECORDING_MINUTES = 30.0


@dataclass(frozen=True)
class Source:
    """Where a record was written: the file (relative to the workspace) and line or sheet row."""

    file: str
    line: int | None = None
    fields: dict[str, int] = field(default_factory=dict, compare=False)
    """The line of each field written on a line of its own (YAML); a sheet row has one line."""

    def line_of(self, name: str) -> int | None:
        """Where the field ``name`` was written, or the record's line."""
        return self.fields.get(name, self.line)


@dataclass(frozen=True)
class Profile:
    """How a clip must sound: loudness, filtering, encoding, pacing."""

    name: str
    sample_rate: int
    channels: int
    highpass_hz: float | None
    target_lufs: float
    true_peak_dbtp: float
    bitrate_kbps: int
    tempo: float
    lead_in_ms: int
    lead_out_ms: int
    repeat_gap_ms: int
    silence_threshold_db: float
    recording_tempo: float = 1.0
    """Tempo for studio recordings. ``tempo`` is for synthesized speech: a person reading in a
    studio already chose their pace, so a recording keeps it unless a profile says otherwise."""


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SpeechSettings:
    """Which engine speaks text messages, and how."""

    engine: str = "gtts"
    voice: str | None = None
    rate: float = 1.0


@dataclass(frozen=True)
class Jingles:
    """Station audio: ``station`` plays between items; ``intro``/``outro`` wrap every clip."""

    station: Path | None = None
    intro: Path | None = None
    outro: Path | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """Where in broadcast.yaml each was named, for problems found in the files later."""


@dataclass(frozen=True)
class ScheduleRules:
    """How slots are filled (issue: schedules and playlists)."""

    fill: float = 1.0
    """Share of each slot given to campaign content: communes also relay national programmes."""
    jingle_every: int = 1
    """Station jingle after every N items (0: never)."""
    jingle_at_start: bool = True
    gap_seconds: float = 0.0
    """Silence between items in a mixdown (and in start offsets)."""
    max_per_slot: int = 2
    """How often one message may play in one slot (never twice in a row)."""
    mixdown: bool = False
    """Also make one MP3 per commune, day and slot, for players without playlists."""


SLOT_TITLES = {"sang": "Buổi sáng", "trua": "Buổi trưa", "chieu": "Buổi chiều", "toi": "Buổi tối",
               "dem": "Buổi đêm"}
"""What the common slot codes are called, when a slot has no ``title`` of its own."""


@dataclass(frozen=True)
class Slot:
    """A daily broadcast window of a commune's loudspeakers."""

    name: str
    start: dt.time
    minutes: int
    weekdays: tuple[str, ...] = WEEKDAYS
    fill: float | None = None
    """Overrides ``ScheduleRules.fill`` for this slot."""
    title: str | None = None
    """How operators call the slot ("Buổi sáng", "Phiên chợ"); the code names files."""

    @property
    def label(self) -> str:
        """The slot's name for people: its title, else the usual name of a common code."""
        return self.title or SLOT_TITLES.get(self.name, self.name)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute


@dataclass(frozen=True)
class Message:
    """A public-service message: a text to synthesize or a recording to import."""

    id: str
    title: str
    language: str
    topics: tuple[str, ...] = ()
    priority: str = "normal"
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    weekdays: tuple[str, ...] = WEEKDAYS
    repeat: int = 1
    weight: float = 1.0
    text: str | None = None
    recording: Path | None = None
    engine: str | None = None
    voice: str | None = None
    speaker: str | None = None
    profile: str | None = None
    intro: Path | None = None
    outro: Path | None = None
    no_intro: bool = False
    no_outro: bool = False
    comment: str | None = None
    awaiting_recording: bool = False
    """In a language with no speech synthesis and no recording yet: listed, not rendered."""
    source: Source = field(default=Source(""), compare=False)


@dataclass(frozen=True)
class Commune:
    """A commune's loudspeaker system, identified by the user's own stable code."""

    id: str
    name: str
    province: str
    languages: tuple[str, ...]
    slots: tuple[Slot, ...]
    district: str | None = None
    channel: str = "usb"
    source: Source = field(default=Source(""), compare=False)

    @property
    def slot_titles(self) -> dict[str, str]:
        """Slot code → the name operators use ("sang" → "Buổi sáng")."""
        return {slot.name: slot.label for slot in self.slots}


@dataclass(frozen=True)
class Contact:
    """Who a commune calls about a package: printed in the instructions and on the page."""

    person: str | None = None
    phone: str | None = None
    email: str | None = None

    def __bool__(self) -> bool:
        return bool(self.person or self.phone or self.email)


@dataclass(frozen=True)
class SigningSettings:
    """Where the organization's private key is (outside the workspace) and when packages expire."""

    key: Path | None = None
    expires: str | None = None
    """Overrides the default expiry, the end of the campaign's last day."""


@dataclass(frozen=True)
class RecordingRules:
    """Where recordings and jingles may live and how long one may be.

    A file outside the campaign folder is not copied along with it, so it is refused unless it
    lies in one of ``folders`` (a studio share, say). ``max_minutes`` bounds what one clip
    may hold: a recording is decoded whole into memory, and a message longer than a slot never
    fits into one."""

    folders: tuple[Path, ...] = ()
    max_minutes: float = MAX_RECORDING_MINUTES


@dataclass(frozen=True)
class Settings:
    organization: str
    campaign: Campaign
    language: str = "vie"
    profile: str = "loudspeaker"
    speech: SpeechSettings = SpeechSettings()
    jingles: Jingles = Jingles()
    schedule: ScheduleRules = ScheduleRules()
    signing: SigningSettings = SigningSettings()
    recordings: RecordingRules = RecordingRules()
    contact: Contact = Contact()


@dataclass(frozen=True)
class Workspace:
    """A loaded, validated campaign folder."""

    root: Path
    settings: Settings
    messages: tuple[Message, ...]
    communes: tuple[Commune, ...]
    profiles: dict[str, Profile]
    lexicon: dict[str, dict[str, str]] = field(default_factory=dict)
    """The campaign's own lexicon tables (``LEXICON_TABLES``), as ``Lexicon.extended`` takes them."""

    @property
    def lexicon_abbreviations(self) -> dict[str, str]:
        return self.lexicon.get("abbreviations", {})

    @property
    def lexicon_words(self) -> dict[str, str]:
        return self.lexicon.get("words", {})

    def message(self, message_id: str) -> Message:
        return next(m for m in self.messages if m.id == message_id)

    def profile_for(self, message: Message) -> Profile:
        return self.profiles[message.profile or self.settings.profile]

    @property
    def build_dir(self) -> Path:
        return self.root / "build"
