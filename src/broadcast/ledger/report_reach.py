"""Who the urgent messages reached: the report's warnings.

A priority or emergency message is for everyone it concerns; the report says when one has
reached no commune of some language group in the period, either because it was never recorded
in that language (the communes speaking it cannot hear it) or because no package holding it
was delivered to them yet (a publish alone is not a delivery).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from broadcast.campaign.languages import languages as known_languages
from broadcast.i18n import t_in
from broadcast.ledger.book import Delivery

URGENT = ("emergency", "priority")
_SHOWN = 5


@dataclass(frozen=True)
class Urgent:
    """A priority or emergency message of the campaign."""

    id: str
    title: str
    priority: str
    language: str


@dataclass(frozen=True)
class Audience:
    """The campaign's communes by the languages they speak, and its urgent messages."""

    languages: Mapping[str, Sequence[str]]
    """Commune id → the languages spoken there."""
    urgent: Sequence[Urgent]


def unreached(latest: Iterable[Delivery], audience: Audience | None) -> list[str]:
    """One warning (Vietnamese) per urgent message that no commune of some language group got
    in the latest packages delivered to them; emergencies first."""
    if audience is None:
        return []
    reached: dict[str, set[str]] = {}
    for delivery in latest:
        for line in delivery.content:
            reached.setdefault(line.message, set()).add(delivery.commune)
    groups: dict[str, list[str]] = {}
    for commune, spoken in sorted(audience.languages.items()):
        for language in spoken:
            groups.setdefault(language, []).append(commune)
    found = []
    for message in sorted(audience.urgent, key=lambda m: (URGENT.index(m.priority), m.id)):
        got = reached.get(message.id, set())
        missed = [lang for lang, communes in groups.items() if not got & set(communes)]
        if not missed:
            continue
        communes = sorted({c for lang in missed for c in groups[lang]})
        shown = ", ".join(communes[:_SHOWN]) + (", …" if len(communes) > _SHOWN else "")
        found.append(t_in("vi", f"report.warning.unreached_{message.priority}", title=message.title,
                          id=message.id, language=_name(message.language),
                          languages=", ".join(_name(lang) for lang in missed),
                          communes=shown))
    return found


def _name(code: str) -> str:
    """A language's Vietnamese name: the report is in Vietnamese, like the office's own."""
    return str(known_languages().get(code, {}).get("vi", code))
