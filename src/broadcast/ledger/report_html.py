"""The report as a printable, self-contained HTML page with bar charts drawn in inline SVG.

No scripts, no external assets: it opens from a USB stick or an e-mail attachment and prints
on the office printer as it shows.
"""

from __future__ import annotations

from html import escape

from broadcast.ledger.report import (
    DELIVERED,
    Figures,
    Report,
    Table,
    _language,
    _numeric,
    _topic,
    _vi,
    human,
    notes,
    period,
    tables,
)

_CSS = """
body{font-family:"Segoe UI",Arial,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left}th{background:#eee}
td.n{text-align:right}tr.total td{font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}figure{margin:0}figcaption{font-weight:bold}
svg text{font-size:12px;fill:#222}svg rect{fill:#2b6cb0}.notes{font-size:.85em;color:#444}
.warnings{color:#8a4b00;font-weight:600}
@media print{@page{size:A4 landscape;margin:1.5cm}body{margin:0;font-size:10pt}
figure,tr{break-inside:avoid}h2{break-after:avoid}
svg rect{fill:#555;-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _bars(title: str, pairs: list[tuple[str, float]]) -> str:
    """A horizontal bar chart in inline SVG: label, bar scaled to the largest value, value."""
    label_w, bar_w, row_h = 230, 300, 24
    peak = max((v for _, v in pairs), default=0) or 1
    width, height = label_w + bar_w + 80, max(len(pairs), 1) * row_h
    marks = []
    for n, (label, value) in enumerate(pairs):
        y, w = n * row_h, bar_w * value / peak
        marks.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}"></rect>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{escape(human(value))}</text>')
    return (f'<figure><figcaption>{escape(title)}</figcaption><svg role="img" aria-label="{escape(title)}"'
            f' width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'{"".join(marks)}</svg></figure>')


def _charts(total: Figures) -> str:
    def by_size(found: dict, label) -> list[tuple[str, float]]:
        return [(label(k), round(v, 1)) for k, v in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))]

    return "".join([
        _bars(_vi("report.chart.topics"), by_size(total.topics, _topic)),
        _bars(_vi("report.chart.languages"), by_size(total.languages, _language)),
        _bars(_vi("report.chart.channels"), [(_vi(f"report.column.{c}"), total.packages.get(c, 0))
                                             for c in DELIVERED])])


def _html_table(table: Table, total: str) -> str:
    numeric = [_numeric(row[i] for row in table.rows) for i in range(len(table.header))]
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = []
    for row in table.rows:
        cells = "".join(f'<td{" class=n" if n else ""}>{escape(human(v))}</td>'
                        for v, n in zip(row, numeric, strict=True))
        rows.append(f'<tr class="total">{cells}</tr>' if row[0] == total else f"<tr>{cells}</tr>")
    empty = "" if table.rows else f"<p>{escape(_vi('report.empty'))}</p>"
    return (f"<h2>{escape(table.title)}</h2>\n<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{empty}\n")


def _warnings(report: Report) -> str:
    items = "".join(f"<li>{escape(w)}</li>" for w in report.warnings)
    return f'<ul class="warnings">{items}</ul>\n' if items else ""


def to_html(report: Report) -> str:
    """A printable page in Vietnamese: inline CSS and SVG bar charts, nothing fetched from anywhere."""
    title = _vi("report.title")
    body = "".join(_html_table(t, report.total.name) for t in tables(report))
    items = "".join(f"<li>{escape(n)}</li>" for n in notes(report))
    return ('<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f'<h1>{escape(title)}</h1>\n<p class="period">{escape(period(report))}</p>\n'
            f"{_warnings(report)}"
            f'<div class="charts">{_charts(report.total)}</div>\n{body}<ul class="notes">{items}</ul>\n'
            "</body>\n</html>\n")
