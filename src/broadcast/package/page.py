"""index.html: the offline page in every commune package.

A commune operator opens it from the USB stick, with no internet, to see the schedule by day and
slot and to play any clip or a whole slot. It is one self-contained file: the template
(``data/page.html``: inline CSS and a plain ES2017 script) gets the package data as JSON, which the
script turns into the day view, plus a heading, a "how to check" note and a ``<noscript>`` schedule
written here, so the page is useful even with JavaScript off. The page is always in Vietnamese.

A month of three slots a day is some two thousand items but only a few dozen clips, so the JSON
is compact (``compact``): each clip and each file name is given once, and an item is
``[clip, name, start]``. The ``<noscript>`` table leaves out the end tags HTML lets it omit.

Nothing from the data reaches the page as markup: the HTML written here goes through
``html.escape`` and the script builds its view with ``textContent``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from html import escape
from importlib import resources
from urllib.parse import quote

from broadcast.i18n import catalog, t_in

LANG = "vi"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# In a <script> element only "</script" or "<!--" can end or confuse the raw text; JSON has "<",
# ">" and "&" only inside strings, where a \u escape means the same character.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def render(data: dict) -> str:
    """The page for one commune package; ``data`` is plain JSON (see ``package.page_data``)."""
    parts = {
        "title": _text("page.title", commune=data["commune"]["name"]),
        "header": _header(data),
        "noscript": _noscript(data),
        "check": _check(data),
        "strings": script_json(_strings()),
        "data": script_json(compact(data)),
    }
    # One pass, so a title that happens to contain "{{data}}" stays text.
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _template())


def script_json(value: object) -> str:
    """``value`` as JSON safe to place inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text)


def compact(data: dict) -> dict:
    """``data`` with each clip (an item's fields but its path and start) and each file name given
    once, in ``clips`` and ``names``; each item becomes ``[clip index, name index, start]``. A
    name is the file's name in its slot's folder, or ``/`` and the whole path for a file elsewhere
    (package paths never start with ``/``). The page's script undoes it (``expand``)."""
    clips: dict[str, int] = {}
    names: dict[str, int] = {}
    clip_list: list[dict] = []

    def clip_of(item: dict) -> int:
        clip = {k: v for k, v in item.items() if k not in ("path", "start")}
        key = json.dumps(clip, ensure_ascii=False, sort_keys=True)
        if key not in clips:
            clips[key] = len(clip_list)
            clip_list.append(clip)
        return clips[key]

    def name_of(folder: str, path: str) -> int:
        head, _, name = path.rpartition("/")
        return names.setdefault(name if head == folder else "/" + path, len(names))

    days = [{**day, "slots": [{**slot, "items": [[clip_of(i), name_of(slot["folder"], i["path"]), i["start"]]
                                                 for i in slot["items"]]} for slot in day["slots"]]}
            for day in data["days"]]
    return {**data, "days": days, "clips": clip_list, "names": list(names)}


@cache
def _template() -> str:
    return (resources.files("broadcast") / "data" / "page.html").read_text(encoding="utf-8")


def _strings() -> dict[str, str]:
    """The page's sentences, unfilled: the script fills their {placeholders} itself."""
    keys = sorted(k for k in catalog(LANG) if k.startswith("page."))
    return {key.removeprefix("page."): t_in(LANG, key) for key in keys}


def _text(key: str, **params: object) -> str:
    """A Vietnamese sentence with its parameters filled in, escaped for HTML."""
    return escape(t_in(LANG, key, **params))


def clock(start: str, offset: float) -> str:
    """Wall-clock time ``HH:MM:SS`` of a clip ``offset`` seconds into a slot starting at ``HH:MM``."""
    hours, minutes = (int(part) for part in start.split(":"))
    total = (hours * 3600 + minutes * 60 + math.floor(offset)) % 86400
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


def length(seconds: float) -> str:
    """A duration as ``m:ss``, rounded half up (as the page's script does)."""
    minutes, secs = divmod(math.floor(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"


def vietnamese_date(iso: str) -> str:
    """``2026-11-15`` as ``15/11/2026``."""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _element(tag: str, key: str, **params: object) -> str:
    """``<tag>sentence</tag>`` with the sentence filled in and escaped."""
    return f"<{tag}>{_text(key, **params)}</{tag}>"


def _header(data: dict) -> str:
    commune, campaign = data["commune"], data["campaign"]
    return "\n".join([
        _element("h1", "page.place", commune=commune["name"], province=commune["province"]),
        _element("p", "page.campaign", campaign=campaign["name"]),
        _element("p", "page.period", start=vietnamese_date(campaign["start"]),
                 end=vietnamese_date(campaign["end"])),
        _element("p", "page.organization", organization=data["organization"]),
        *([_element("p", "page.contact", contact=", ".join((data.get("contact") or {}).values()))]
          if data.get("contact") else []),
    ])


def _check(data: dict) -> str:
    """The "how to check this package" note: file count, ``broadcast verify``, key fingerprint."""
    slots = [slot for day in data["days"] for slot in day["slots"]]
    files = {item["path"] for slot in slots for item in slot["items"]}
    items = [_text("page.check_count", files=len(files), folders=len({s["folder"] for s in slots})),
             _text("page.check_verify")]
    if data.get("fingerprint"):
        items.append(f'<span class="fingerprint">{_text("page.fingerprint", fingerprint=data["fingerprint"])}'
                     f'</span><br>{_text("page.fingerprint_hint")}')
    items.append(_text("page.version", version=data["version"], created=data["created"]))
    lines = "\n".join(f"<li>{item}</li>" for item in items)
    return f"{_element('h2', 'page.check_title')}\n<ul>\n{lines}\n</ul>"


def _noscript(data: dict) -> str:
    """The whole schedule as plain HTML, for a browser with JavaScript off."""
    parts = [_element("p", "page.noscript")]
    for day in data["days"]:
        parts.append(_element("h2", "page.day_title", weekday=day["weekday"],
                              date=vietnamese_date(day["date"])))
        parts.extend(_slot_table(slot) for slot in day["slots"])
    if not data["days"]:
        parts.append(_element("p", "page.no_days"))
    return "\n".join(parts)


def _slot_table(slot: dict) -> str:
    end = clock(slot["start"], slot["minutes"] * 60)[:5]
    head = f"<th>{_text('page.col_time')}<th>{_text('page.col_title')}<th>{_text('page.col_duration')}"
    rows = "\n".join(_item_row(slot["start"], item) for item in slot["items"])
    title = _text("page.slot_title", title=slot.get("title") or slot["slot"], start=slot["start"], end=end)
    # </td>, </tr> and </th> may be left out (HTML's optional end tags): a third of each row.
    return (f'<section class="slot"><h3>{title}</h3>\n'
            f'<p class="folder">{_text("page.folder", folder=slot["folder"])}</p>\n'
            f"<table><tr>{head}\n{rows}\n</table></section>")


def _item_row(start: str, item: dict) -> str:
    badge = ""
    if item["priority"] in ("priority", "emergency"):
        badge = f' <span class="badge {item["priority"]}">{_text("page.priority_" + item["priority"])}</span>'
    link = f'<a href="{escape(_relative_url(item["path"]))}">{escape(item["title"])}</a>'
    return f"<tr><td>{clock(start, item['start'])}<td>{link}{badge}<td>{length(item['duration'])}"


def _relative_url(path: str) -> str:
    """A package path as a relative URL: each segment percent-encoded, so it can never be read
    as a scheme (``javascript:``) or a query; ``/`` between segments kept."""
    return "/".join(quote(segment, safe="") for segment in path.split("/"))
