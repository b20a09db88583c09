"""index.html, the offline page of a commune package.

Unit tests read the HTML with the standard library's parser; the browser tests open a real
package (real MP3s made by ffmpeg) from ``file://`` in Debian's headless Chromium, driven by
Playwright for Python (its pip wheel carries the driver; the browser is the system one).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from conftest import IN_CI, make_audio, require_tool

from broadcast.i18n import catalog
from broadcast.package import page

HOSTILE = '</script><img src=x onerror="window.__pwned=1">'
TEMPLATE = Path(str(resources.files("broadcast"))) / "data" / "page.html"


def item(kind: str, id_: str, title: str, path: str, start: float, duration: float,
         priority: str = "normal") -> dict:
    return {"kind": kind, "id": id_, "title": title, "path": path, "start": start,
            "duration": duration, "language": "" if kind == "jingle" else "vie", "priority": priority}


def slot(folder: str, items: list[dict], start: str = "06:00") -> dict:
    return {"slot": "sang", "title": "Buổi sáng", "start": start, "minutes": 30, "folder": folder,
            "items": items}


def package_data(days: list[dict], **extra: object) -> dict:
    """Page data shaped as ``package.page_data`` makes it."""
    return {"organization": "Sở Dân tộc và Tôn giáo tỉnh Quảng Trị",
            "campaign": {"id": "bdg-2026", "name": "Tháng hành động vì bình đẳng giới năm 2026",
                         "start": "2026-11-15", "end": "2026-12-15"},
            "commune": {"id": "qt-dan-hoa", "name": "Xã Dân Hóa", "province": "Quảng Trị"},
            "version": "3f9a2c1d0b8e7a65", "created": "2026-11-10T08:00:00Z", "fingerprint": None,
            "days": days, **extra}


def brief_data(**extra: object) -> dict:
    """The example of the page's data contract: one day, one slot, a jingle and a message."""
    return package_data([{"date": "2026-11-15", "weekday": "Chủ Nhật", "slots": [slot("01_1511_sang", [
        item("jingle", "_station", "Nhạc hiệu", "01_1511_sang/001_nhac-hieu.mp3", 0.0, 4.0),
        item("message", "tao-hon", "Phòng, chống tảo hôn", "01_1511_sang/002_tao-hon.mp3", 4.0, 87.6,
             "priority")])]}], **extra)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs).get("id") or "inline"
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def expanded(compact: dict) -> dict:
    """The page data back from its compact form, as the page's script (``expand``) rebuilds it."""
    def item(folder: str, entry: list) -> dict:
        name = compact["names"][entry[1]]
        path = name[1:] if name.startswith("/") else f"{folder}/{name}"
        return {**compact["clips"][entry[0]], "path": path, "start": entry[2]}

    days = [{**day, "slots": [{**s, "items": [item(s["folder"], e) for e in s["items"]]}
                              for s in day["slots"]]} for day in compact["days"]]
    return {k: v for k, v in compact.items() if k not in ("clips", "names")} | {"days": days}


def embedded(html: str) -> dict:
    return expanded(json.loads(parse(html).scripts["data"]))


# --- render, read as HTML ---------------------------------------------------------------------

def test_hostile_title_cannot_leave_its_script_or_become_markup():
    data = brief_data(organization=HOSTILE)
    data["days"][0]["slots"][0]["items"][1]["title"] = HOSTILE
    data["commune"]["name"] = "Xã <b>Dân Hóa</b> & co"
    html = page.render(data)
    tags = parse(html)
    assert "<img" not in html and "<b>" not in html
    assert [t for t, _ in tags.tags if t in ("img", "b")] == []
    # Three scripts (strings, data, code), each closed by its own end tag and no other.
    assert html.count("</script>") == 3
    assert expanded(json.loads(tags.scripts["data"])) == data
    assert "&lt;/script&gt;&lt;img src=x" in html  # the noscript copy, escaped


def test_data_round_trips_through_the_embedded_json():
    data = brief_data(fingerprint="7F3A 91C2 0D4B")
    data["days"][0]["slots"][0]["items"][1]["title"] = "Tảo hôn <!-- & \u2028 \"trích\" 'dẫn' \\ {{data}}"
    tags = parse(page.render(data))
    assert expanded(json.loads(tags.scripts["data"])) == data
    strings = json.loads(tags.scripts["strings"])
    assert strings["play_slot"] == "▶ Phát cả buổi"
    assert strings["now_playing"] == "Đang phát ({position}/{count}): {title}"  # left for the script


def test_placeholders_are_filled_in_one_pass():
    data = brief_data()
    data["days"][0]["slots"][0]["items"][1]["title"] = "{{data}} {{noscript}}"
    html = page.render(data)
    assert not re.search(r"\{\{(title|header|noscript|check|strings|data)\}\}", html.replace(
        "{{data}} {{noscript}}", ""))
    assert html.count("{{data}} {{noscript}}") == 2  # JSON and noscript copies, left as text


def test_page_is_self_contained():
    html = page.render(brief_data())
    tags = parse(html)
    links = [(tag, name, value) for tag, attrs in tags.tags for name, value in attrs.items()
             if name in ("src", "href", "action", "poster", "srcset")]
    for tag, name, value in links:
        assert value and not re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.I), (tag, name, value)
    assert {tag for tag, _, _ in links} == {"a"}  # only the noscript links to the package's own MP3s
    assert not [t for t, a in tags.tags if t in ("link", "iframe", "img") or (t == "script" and "src" in a)]
    for marker in ("http://", "https://", "@import", "url(", "fetch(", "XMLHttpRequest", "import("):
        assert marker not in html


def test_charset_is_declared_where_browsers_look_for_it():
    encoded = page.render(brief_data()).encode("utf-8")
    # The HTML spec has browsers look for <meta charset> only in the first 1024 bytes.
    assert 0 <= encoded.find(b'<meta charset="utf-8">') < 1024
    assert encoded.startswith(b"<!DOCTYPE html>\n<html lang=\"vi\">")
    assert "Xã Dân Hóa".encode() in encoded


def test_noscript_lists_the_schedule_in_vietnamese():
    html = page.render(brief_data())
    noscript = html[html.index("<noscript>"):html.index("</noscript>")]
    for text in ("Chủ Nhật, 15/11/2026", "Buổi sáng: 06:00–06:30", "Thư mục trên USB: 01_1511_sang",
                 "Phòng, chống tảo hôn", 'class="badge priority">ưu tiên<',
                 # 06:00 + 4.0 s into the slot; 87.6 s rounds to 88 s = 1:28 (optional end tags left out).
                 "<td>06:00:04<td>", "<td>1:28\n", "<td>0:04\n",
                 'href="01_1511_sang/002_tao-hon.mp3"'):
        assert text in noscript, text


def month_data() -> dict:
    """A campaign month as build makes it: 31 days × 3 slots of 20 items, a jingle between
    messages that rotate through six clips."""
    days = []
    for d in range(31):
        date = dt.date(2026, 11, 15) + dt.timedelta(days=d)
        slots = []
        for n, (name, start) in enumerate((("sang", "06:00"), ("trua", "11:30"), ("chieu", "17:00"))):
            folder, items, offset = f"{3 * d + n + 1:02d}_{date:%d%m}_{name}", [], 0.0
            for i in range(20):
                k = (d + i) % 6
                items.append(item("jingle", "_station", "Nhạc hiệu", f"{folder}/{i + 1:03d}_nhac-hieu.mp3",
                                  offset, 4.0) if i % 2 == 0 else
                             item("message", f"tin-{k}", f"Tin số {k}", f"{folder}/{i + 1:03d}_tin-{k}.mp3",
                                  offset, 30.0 + k, "priority" if k == 0 else "normal"))
                offset += items[-1]["duration"]
            slots.append({**slot(folder, items, start), "slot": name})
        days.append({"date": date.isoformat(), "weekday": "Thứ Hai", "slots": slots})
    return package_data(days)


def test_embedded_data_gives_each_clip_and_file_name_once_and_loses_nothing():
    data = month_data()
    html = page.render(data)
    compact = json.loads(parse(html).scripts["data"])
    assert len(compact["clips"]) == 7  # the jingle and six messages, for 1,860 items
    # File names repeat in every slot's folder: 10 jingle positions, 10 message positions × 6 clips.
    assert len(compact["names"]) == 10 + 10 * 6
    assert expanded(compact) == data
    assert len(parse(html).scripts["data"]) < len(page.script_json(data)) / 5


def test_an_item_outside_its_slots_folder_keeps_its_whole_path():
    data = brief_data()
    data["days"][0]["slots"][0]["items"][1]["path"] = "chung/tao-hon.mp3"
    compact = json.loads(parse(page.render(data)).scripts["data"])
    assert compact["names"] == ["001_nhac-hieu.mp3", "/chung/tao-hon.mp3"]
    assert expanded(compact) == data


def check_note(html: str) -> str:
    return html[html.index('<section class="check">'):html.index("</section>\n</main>")]


def test_check_note_counts_files_and_shows_fingerprint_only_when_set():
    note = check_note(page.render(brief_data()))
    assert "Cách kiểm tra" in note and "broadcast verify" in note
    assert "Gói có 2 tệp MP3 (kể cả nhạc hiệu) trong 1 thư mục" in note
    assert "Phiên bản gói: 3f9a2c1d0b8e7a65" in note
    assert "Dấu vân tay" not in note
    signed = check_note(page.render(brief_data(fingerprint="7F3A 91C2 0D4B")))
    assert "Dấu vân tay khóa: 7F3A 91C2 0D4B" in signed


def test_check_note_quotes_what_verify_really_says():
    for lang, pattern in (("vi", r"«(.+?)»"), ("en", r"“(.+?)”")):
        words = catalog(lang)
        quoted = re.search(pattern, words["page.check_verify"]).group(1)
        assert quoted in words["verify.summary.ok"], lang


def test_clock_and_length():
    assert page.clock("06:00", 87.6) == "06:01:27"  # the clock shows the second the clip is in
    assert page.clock("23:59", 75) == "00:00:15"  # a slot running past midnight wraps
    assert page.length(87.6) == "1:28"
    assert page.length(59.5) == "1:00"  # half up, as JavaScript's Math.round
    assert page.vietnamese_date("2026-11-05") == "05/11/2026"


def test_catalogs_have_the_same_keys_and_placeholders():
    vi = {k: v for k, v in catalog("vi").items() if k.startswith("page.")}
    en = {k: v for k, v in catalog("en").items() if k.startswith("page.")}
    assert vi.keys() == en.keys()
    for key in vi:
        assert set(re.findall(r"\{(\w+)", vi[key])) == set(re.findall(r"\{(\w+)", en[key])), key
    used = set(re.findall(r"tr\('(\w+)'[,)]", TEMPLATE.read_text(encoding="utf-8")))
    used |= {"priority_priority", "priority_emergency"}  # built as 'priority_' + item.priority
    assert used and {f"page.{k}" for k in used} <= vi.keys()


def test_script_is_plain_es2017():
    esprima = require_module("esprima")
    code = parse(page.render(brief_data())).scripts["inline"]
    esprima.parseScript(code)  # esprima 4 knows ES2017: ?. ?? and class fields fail to parse
    with pytest.raises(esprima.Error):
        esprima.parseScript("var a = b?.c;")


def require_module(name: str):
    """A test-only Python package: missing fails the test in CI, skips it elsewhere."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (CI=true) but is not installed")
        pytest.skip(f"{name} not installed")


# --- the real page in headless Chromium ---------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required", "--disable-audio-output"]
CLIPS = ["01_1511_sang/001_nhac-hieu.mp3", "01_1511_sang/002_tao-hon.mp3", "02_1611_sang/001_bao-luc.mp3"]
WAIT_MS = 10_000


def browser_data() -> dict:
    """Two days; 1-second clips so a whole slot plays through in a test."""
    return package_data([
        {"date": "2026-11-15", "weekday": "Chủ Nhật", "slots": [slot("01_1511_sang", [
            item("jingle", "_station", "Nhạc hiệu", CLIPS[0], 0.0, 1.0),
            item("message", "tao-hon", "Phòng, chống tảo hôn", CLIPS[1], 1.0, 1.0, "emergency")])]},
        {"date": "2026-11-16", "weekday": "Thứ Hai", "slots": [slot("02_1611_sang", [
            item("message", "bao-luc", "Địa chỉ tin cậy – Nhà tạm lánh", CLIPS[2], 0.0, 1.0,
                 "priority")], start="17:30")]}])


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory) -> Path:
    """A package folder: three real MP3s, index.html, and two odd pages beside it."""
    root = tmp_path_factory.mktemp("package")
    for number, path in enumerate(CLIPS):
        make_audio(root / path, f"sine=frequency={440 + 110 * number}:duration=1", 1,
                   codec_args=["-c:a", "libmp3lame", "-b:a", "64k"])
    (root / "index.html").write_text(page.render(browser_data()), encoding="utf-8")
    hostile = browser_data()
    hostile["days"][0]["slots"][0]["items"][1]["title"] = "Tảo hôn " + HOSTILE
    (root / "hostile.html").write_text(page.render(hostile), encoding="utf-8")
    missing = package_data([{"date": "2026-11-15", "weekday": "Chủ Nhật", "slots": [slot("01_1511_sang", [
        item("message", "mat", "Bài bị xóa", "01_1511_sang/003_mat.mp3", 0.0, 1.0),
        item("message", "tao-hon", "Phòng, chống tảo hôn", CLIPS[1], 1.0, 1.0),
        # In another slot's folder: the compact data gives its whole path.
        item("message", "bao-luc", "Địa chỉ tin cậy – Nhà tạm lánh", CLIPS[2], 2.0, 1.0)])]}])
    (root / "missing.html").write_text(page.render(missing), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def browser():
    executable = require_tool("chromium")
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, package_dir):
    """Open a page of the package from file://, at a given local date in Vietnam."""
    contexts = []
    seen: dict[str, list[str]] = {"requests": [], "errors": []}

    def open_(name: str = "index.html", *, today: str = "2026-11-16", **options):
        context = browser.new_context(timezone_id="Asia/Ho_Chi_Minh", **options)
        contexts.append(context)
        context.on("request", lambda request: seen["requests"].append(request.url))
        tab = context.new_page()
        tab.on("pageerror", lambda error: seen["errors"].append(str(error)))
        tab.clock.set_fixed_time(dt.datetime.fromisoformat(f"{today}T10:00:00+07:00"))
        tab.goto((package_dir / name).as_uri())
        return tab

    yield open_
    for context in contexts:
        context.close()
    assert seen["errors"] == []
    assert [url for url in seen["requests"] if not url.startswith("file://")] == []


def audio_state(tab) -> dict:
    return tab.evaluate("""() => { const a = document.getElementById('audio');
        return {file: decodeURIComponent(a.src.split('/').slice(-2).join('/')), ready: a.readyState,
                time: a.currentTime, error: a.error && a.error.code, paused: a.paused}; }""")


def wait_playing(tab, path: str) -> dict:
    """Wait until the audio element has loaded ``path`` and its playback clock has moved."""
    tab.wait_for_function("""path => { const a = document.getElementById('audio');
        return decodeURIComponent(a.src).endsWith('/' + path) && a.readyState >= 2 && !a.error
               && a.currentTime > 0; }""", arg=path, timeout=WAIT_MS)
    return audio_state(tab)


def playing_titles(tab) -> list[str]:
    return tab.locator("li.item.playing .title").all_inner_texts()


def test_schedule_shows_in_vietnamese_on_todays_date(open_page):
    tab = open_page(today="2026-11-16")
    text = tab.inner_text("body")
    for expected in ("Xã Dân Hóa, Quảng Trị", "Tháng hành động vì bình đẳng giới năm 2026",
                     "Thứ Hai, 16/11/2026 (hôm nay)", "Buổi sáng: 17:30–18:00",
                     "Thư mục trên USB: 02_1611_sang", "Địa chỉ tin cậy – Nhà tạm lánh", "ưu tiên",
                     "17:30:00", "Phát cả buổi", "Cách kiểm tra"):
        assert expected in text, expected
    assert "Phòng, chống tảo hôn" not in text  # only the chosen day is shown
    tab.get_by_role("button", name="◀ Ngày trước").click()
    text = tab.inner_text("#schedule")
    assert "Chủ Nhật, 15/11/2026" in text and "Phòng, chống tảo hôn" in text and "khẩn cấp" in text
    assert "06:00:01" in text  # the message starts 1.0 s into the 06:00 slot
    assert tab.get_by_role("button", name="◀ Ngày trước").is_disabled()


def test_outside_the_campaign_the_first_day_is_shown(open_page):
    tab = open_page(today="2027-01-10")
    assert tab.inner_text("#schedule h2") == "Chủ Nhật, 15/11/2026"
    tab.get_by_role("combobox", name="Chọn ngày phát").select_option(label="Thứ Hai, 16/11/2026")
    assert "Địa chỉ tin cậy" in tab.inner_text("#schedule")


def test_play_button_loads_and_plays_the_clip(open_page):
    tab = open_page(today="2026-11-15")
    tab.get_by_role("button", name="Phát: Phòng, chống tảo hôn").click()
    state = wait_playing(tab, CLIPS[1])
    assert state["ready"] >= 2 and state["error"] is None
    assert playing_titles(tab) == ["Phòng, chống tảo hôn khẩn cấp"]
    assert tab.inner_text(".status") == "Đang phát (1/1): Phòng, chống tảo hôn"
    tab.wait_for_function("document.querySelector('.status').textContent === 'Đã phát xong.'",
                          timeout=WAIT_MS)
    assert playing_titles(tab) == [] and audio_state(tab)["file"] == CLIPS[1]


def test_whole_slot_plays_its_items_one_after_another(open_page):
    tab = open_page(today="2026-11-15")
    tab.get_by_role("button", name="▶ Phát cả buổi").click()
    wait_playing(tab, CLIPS[0])
    assert playing_titles(tab) == ["Nhạc hiệu"]
    wait_playing(tab, CLIPS[1])  # reached only through the first clip's 'ended'
    assert playing_titles(tab) == ["Phòng, chống tảo hôn khẩn cấp"]
    assert tab.inner_text(".status") == "Đang phát (2/2): Phòng, chống tảo hôn"
    tab.wait_for_function("document.querySelector('.status').textContent === 'Đã phát xong.'",
                          timeout=WAIT_MS)
    assert playing_titles(tab) == []


def test_missing_file_is_reported_and_the_slot_goes_on(open_page):
    tab = open_page("missing.html", today="2026-11-15")
    tab.get_by_role("button", name="▶ Phát cả buổi").click()
    wait_playing(tab, CLIPS[1])
    assert tab.inner_text(".status") == ("Không phát được tệp 01_1511_sang/003_mat.mp3. "
                                         "Kiểm tra tệp này có trên USB không.")
    wait_playing(tab, CLIPS[2])
    assert tab.inner_text(".status") == "Đang phát (3/3): Địa chỉ tin cậy – Nhà tạm lánh"


def test_hostile_title_is_shown_as_text(open_page):
    tab = open_page("hostile.html", today="2026-11-15")
    assert "Tảo hôn " + HOSTILE in tab.inner_text("#schedule")
    assert tab.evaluate("document.images.length") == 0
    assert tab.evaluate("window.__pwned") is None


def test_without_javascript_the_noscript_schedule_shows(open_page):
    tab = open_page(java_script_enabled=False)
    text = tab.inner_text("body")
    for expected in ("Chủ Nhật, 15/11/2026", "Thứ Hai, 16/11/2026", "Phòng, chống tảo hôn",
                     "06:00:01", "Thư mục trên USB: 02_1611_sang", "khẩn cấp"):
        assert expected in text, expected
    assert "Phát cả buổi" not in text


def test_phone_layout_fits_and_has_big_tap_targets(open_page):
    tab = open_page(today="2026-11-15", viewport={"width": 360, "height": 740}, is_mobile=True,
                    has_touch=True)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for box in (b.bounding_box() for b in tab.locator("button").all() if b.is_visible()):
        assert box["height"] >= 44 and box["width"] >= 44, box


def test_print_shows_the_days_schedule_without_controls(open_page):
    tab = open_page(today="2026-11-15")
    tab.emulate_media(media="print")
    for hidden in (".days", ".player", "button.play", "button.play-slot"):
        assert not tab.locator(hidden).first.is_visible(), hidden
    for shown in ("Nhạc hiệu", "Phòng, chống tảo hôn", "06:00:01", "Thư mục trên USB: 01_1511_sang"):
        assert tab.locator("#schedule").get_by_text(shown).first.is_visible(), shown


def test_the_guide_gives_the_packages_own_folders_as_examples():
    from broadcast.package import guide

    jingle = item("jingle", "_station", "Nhạc hiệu", "01_2011_toi/001_nhac-hieu.mp3", 0.0, 4.0)
    data = package_data([
        {"date": "2026-11-20", "weekday": "Thứ Sáu", "slots": [{**slot("01_2011_toi", [jingle], "19:00"),
                                                               "slot": "toi", "title": "Buổi tối"}]},
        {"date": "2026-11-21", "weekday": "Thứ Bảy", "slots": [{**slot("02_2111_toi", [jingle], "19:00"),
                                                               "slot": "toi", "title": "Buổi tối"}]}])
    text = guide.render(data)
    assert "01_2011_toi là buổi tối ngày 20/11; 02_2111_toi là buổi tối ngày 21/11" in text
    assert "Buổi tối" in text.split("3. LỊCH PHÁT")[1]  # the slot's name in the schedule, not "toi"
    called = guide.render(package_data([], contact={"person": "Chị Lan", "phone": "0233 3821 555"}))
    assert "- Người liên hệ: Chị Lan" in called and "- Điện thoại: 0233 3821 555" in called
    assert "01_1511_sang" not in text and "02_1511_chieu" not in text  # no sample's names
    empty = guide.render(package_data([]))
    assert "Ví dụ" not in empty


def test_the_guides_schedule_stays_in_columns_with_the_offices_own_slot_names():
    from broadcast.package import guide

    jingle = item("jingle", "_station", "Nhạc hiệu", "x/001_nhac-hieu.mp3", 0.0, 4.0)
    data = package_data([
        {"date": "2026-12-02", "weekday": "Thứ Tư", "slots": [
            {**slot("01_0212_phien-cho", [jingle], "07:00"), "slot": "phien-cho", "title": "Phiên chợ sáng"},
            {**slot("02_0212_chieu-toi", [jingle], "18:30"), "slot": "chieu-toi",
             "title": "Buổi chiều tối ở bản"}]}])
    lines = guide.render(data).split("3. LỊCH PHÁT\r\n")[1].split("\r\n\r\n")[0].splitlines()
    assert len(lines) == 3 and lines[0].startswith("Ngày")
    # Every row's time and folder start where the header says (Notepad: a fixed-width font),
    # however long the slot's name: "Buổi chiều tối ở bản" once pushed them off their column.
    for label, row in (("Giờ", "07:00"), ("Giờ", "18:30"), ("Thư mục", "0")):
        at = lines[0].index(label)
        assert any(line[at:].startswith(row) for line in lines[1:]), (label, lines)
    assert lines[1].index("07:00") == lines[2].index("18:30") == lines[0].index("Giờ")
    assert lines[1].index("01_0212") == lines[2].index("02_0212") == lines[0].index("Thư mục")


def test_a_package_with_nothing_to_play_says_so_in_its_guide():
    from broadcast.package import guide

    text = guide.render(package_data([]))
    assert "chưa có buổi phát nào" in text.split("3. LỊCH PHÁT")[1]
    assert "Ngày  " not in text  # no header over an empty table
