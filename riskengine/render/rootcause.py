"""Render the root-cause report (:func:`riskengine.run.rootcause.analyse`) as Markdown or one HTML file.

The HTML stands alone: inline CSS and SVG charts, no script, no network; every text from the rows is
escaped. Numbers are always given as tables too (the charts only draw them).
"""
from __future__ import annotations

import json
from html import escape

TITLE = "Root-cause report · 根因分析"


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _sections(r: dict) -> list[tuple[str, list[str], list[list], list | None]]:
    """(title, header, rows, chart data [[label, value], ...] or None), in report order."""
    g = r["by"]
    return [
        (f"By {g}", [g, "cases", "high+critical", "agent suspected", "overdue", "top signals"],
         [[x["group"], x["cases"], x["high_or_critical"], _pct(x["agent_suspected_share"]), x["overdue"],
           ", ".join(f"{s} {n}" for s, n in x["top_signals"])] for x in r["groups"]],
         [[x["group"], x["cases"]] for x in r["groups"][:15]]),
        ("Volume by month", ["month", "cases"], r["volume_by_month"], r["volume_by_month"]),
        ("Categories", ["category", "cases"], r["categories"], r["categories"]),
        ("Risk levels", ["level", "cases"], r["risk_levels"], r["risk_levels"]),
        ("Escalation levels", ["level", "cases"], r["escalation_levels"],
         [[f"L{lv}", n] for lv, n in r["escalation_levels"]]),
        ("Signals that recur most", ["signal", "cases"], r["top_signals"], r["top_signals"]),
        ("Findings that recur most", ["finding", "cases"], r["top_findings"], r["top_findings"]),
        ("Signals and findings by product", ["product", "cases", "top signals", "top findings"],
         [[x["product"], x["cases"], ", ".join(f"{s} {n}" for s, n in x["top_signals"]),
           ", ".join(f"{s} {n}" for s, n in x["top_findings"])] for x in r["signals_by_product"]], None),
        ("Signals and findings by intake channel", ["channel", "cases", "top signals", "top findings"],
         [[x["channel"], x["cases"], ", ".join(f"{s} {n}" for s, n in x["top_signals"]),
           ", ".join(f"{s} {n}" for s, n in x["top_findings"])] for x in r["signals_by_channel"]], None),
        ("Agent suspected, by month", ["month", "cases", "share"],
         [[m, n, _pct(s)] for m, n, s in r["agent_trend"]], [[m, round(100 * s, 1)] for m, _n, s in r["agent_trend"]]),
        ("Top strategies", ["strategy", "cases"], r["top_strategies"], r["top_strategies"]),
        ("Strategies applied beside the winner", ["strategy", "cases"], r["top_also_strategies"], None),
        ("Cases over the regulatory clocks", ["deadline", "cases", "could tell", "overdue", "share"],
         [[c["deadline"], c["cases"], c["told"], c["overdue"], _pct(c["overdue_share"])] for c in r["clocks"]],
         [[c["deadline"], c["overdue"]] for c in r["clocks"]]),
    ]


def _headline(r: dict) -> list[str]:
    return [f"{r['cases']:,} cases received {r['received_from'] or '-'} to {r['received_to'] or '-'}",
            "ruleset " + ", ".join(f"{v} ({n:,})" for v, n in r["ruleset_versions"]),
            f"agent suspected: {r['agent_suspected']:,} ({_pct(r['agent_suspected_share'])})",
            f"overdue: {r['overdue']:,} of {r['overdue_known']:,} that can be told ({_pct(r['overdue_share'])})"
            + (f", as of {r['as_of']} where days_open is unknown" if r["as_of"] else "")]


def to_markdown(r: dict) -> str:
    out = [f"# {TITLE}", ""] + [f"- {line}" for line in _headline(r)] + [""]
    for title, header, rows, _chart in _sections(r):
        out += [f"## {title}", ""]
        if not rows:
            out += ["(none)", ""]
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for row in rows:
            out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
        out.append("")
    return "\n".join(out)


def _bars(data: list, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG."""
    if not data:
        return ""
    top = max(v for _l, v in data) or 1
    height = 22 * len(data) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{height}" role="img">']
    for i, (label, value) in enumerate(data):
        y = 4 + 22 * i
        width = 380 * value / top
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(str(label))[:40]}</text>'
                     f'<rect x="220" y="{y + 3}" width="{width:.1f}" height="16" fill="#3b6ea5"/>'
                     f'<text x="{226 + width:.1f}" y="{y + 15}" font-size="12">{value:,}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: dict) -> str:
    out = ["<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8">', f"<title>{escape(TITLE)}</title>",
           "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
           "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
           "text-align:left;font-size:13px}th{background:#eef}</style></head><body>",
           f"<h1>{escape(TITLE)}</h1>", "<ul>"]
    out += [f"<li>{escape(line)}</li>" for line in _headline(r)]
    out.append("</ul>")
    for title, header, rows, chart in _sections(r):
        out.append(f"<h2>{escape(title)}</h2>")
        if chart:
            out.append(_bars(chart, "%" if title.startswith("Agent suspected") else ""))
        if not rows:
            out.append("<p>(none)</p>")
            continue
        out.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            out.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
