"""One-page case reports a handler can attach to the case record: Markdown and self-contained HTML.

Both show the risk gauge and the five dimension scores as a small chart, findings, strategy steps,
deadline, channels, taboos, legal bases, the script and the explanation. HTML escapes every value
that came from the case or the knowledge files.
"""
from __future__ import annotations

from html import escape

from riskengine.contracts.assessment import Assessment
from riskengine.render.text import LABELS

DIMS = ("time", "space", "emotion", "interest", "communication")
LEVEL_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#c62828"}


def _bar(value: int, width: int = 20) -> str:
    filled = round(value * width / 100)
    return "█" * filled + "░" * (width - filled)


def _md(text: object) -> str:
    """Text from a case (or filled from one) in Markdown: raw HTML is shown, never passed through, and a
    line break cannot start a new Markdown block."""
    return escape(str(text), quote=False).replace("\r", " ").replace("\n", " ")


def render_markdown(a: Assessment, lang: str = "zh") -> str:
    L = LABELS[lang]
    t = lambda x: _md(x.get(lang)) if x is not None else ""  # noqa: E731
    r, e = a.risk, a.escalation
    md = [f"# {L['title']} — {_md(a.case_id)}", "",
          f"**{L['risk']}: {L[r.level]} ({r.level}) — {r.score}/100** `{_bar(r.score)}`  ",
          f"{L['ruleset']} `{a.ruleset.version}` · {a.ruleset.rules} rules", "",
          f"| {L['dims']} | | |", "|---|---|---|"]
    md += [f"| {L[d]} | {getattr(r.dimensions, d)} | `{_bar(getattr(r.dimensions, d))}` |" for d in DIMS]
    md += ["", f"**{L['agent']}:** {L['suspected'] if a.agent.suspected else L['not_suspected']} "
               f"({a.agent.score}/100)" + (f" — {', '.join(a.agent.signs)}" if a.agent.signs else "")]
    if a.findings:
        md += ["", f"**{L['findings']}:** " + ", ".join(f"`{f}`" for f in a.findings)]
    p = a.profile
    prof = [f"{L[k]}: {t(getattr(p, k).name)}" for k in ("nature", "motive", "priority") if getattr(p, k)]
    if prof or p.styles:
        md += ["", f"## {L['profile']}", "", " · ".join(prof)]
        md += [f"- {L['styles']}: **{t(s.name)}** — " + "; ".join(t(g) for g in s.guidance) for s in p.styles]
    if a.strategy:
        md += ["", f"## {L['strategy']}: {t(a.strategy.name)}", ""]
        md += [f"{i}. {t(s)}" for i, s in enumerate(a.strategy.steps, 1)]
        md += [f"- {L['also']}: {t(s.name)}" for s in a.strategy.also]
    md += ["", f"## {L['escalation']}: {e.level} — {t(e.owner)} ({e.within_hours}h)"]
    if e.respond_by:
        md += ["", f"**{L['respond_by']}: {e.respond_by.isoformat()}** — {t(e.deadline.name)}"]
    md += ["", f"## {L['channels']}", ""]
    md += [f"{i}. **{t(c.name)}** — {t(c.reason)}" for i, c in enumerate(a.channels, 1)] or [f"- {L['none']}"]
    md += [f"- ~~{t(c.name)}~~ — {t(c.reason)}" for c in a.channels_excluded]
    md += ["", f"## {L['taboos']}", ""]
    md += [f"- **{t(x.name)}** ({x.severity}) — {t(x.why)}" for x in a.taboos] or [f"- {L['none']}"]
    if a.script.say or a.script.avoid:
        md += ["", f"## {L['script']}", ""]
        md += [f"- *{L[s.situation]}*: {t(s.text)}" for s in a.script.say]
        md += [f"- *{L['avoid']}*: ~~{t(s.text)}~~" for s in a.script.avoid]
    md += ["", f"## {L['legal']}", ""]
    md += [f"- {t(x.law)} {x.article}{'' if x.verified else ' (' + L['unverified'] + ')'}: {t(x.summary)}"
           for x in a.legal_bases] or [f"- {L['none']}"]
    md += ["", f"## {L['why']}", "", "| # | rule | matched | effect |", "|---|---|---|---|"]
    for s in a.explanation:
        matched = _md(", ".join(f"{k}={v}" for k, v in s.matched.items())).replace("|", "\\|")
        effect = _md(", ".join(f"{k}={v}" for k, v in s.effect.items())).replace("|", "\\|")
        md.append(f"| {s.order} | `{s.rule}` | {matched} | {effect} |")
    if a.missing_facts:
        md += ["", f"## {L['missing']}", ""]
        md += [f"- {t(m.question)} (`{m.fact}` → {'; '.join(m.would_change)})" for m in a.missing_facts]
    return "\n".join(md) + "\n"


def _svg_chart(a: Assessment, L: dict) -> str:
    r = a.risk
    colour = LEVEL_COLOURS[r.level]
    rows = []
    for i, d in enumerate(DIMS):
        v = getattr(r.dimensions, d)
        y = 70 + i * 22
        rows.append(f'<text x="0" y="{y + 12}" font-size="12">{escape(L[d])}</text>'
                    f'<rect x="90" y="{y}" width="200" height="14" fill="#eee"/>'
                    f'<rect x="90" y="{y}" width="{v * 2}" height="14" fill="{colour}"/>'
                    f'<text x="296" y="{y + 12}" font-size="12">{v}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="330" height="185" role="img" '
            f'aria-label="risk {r.score}">'
            f'<rect x="0" y="10" width="290" height="30" fill="#eee" rx="4"/>'
            f'<rect x="0" y="10" width="{r.score * 2.9:.0f}" height="30" fill="{colour}" rx="4"/>'
            f'<text x="8" y="31" font-size="16" fill="#fff" font-weight="bold">{r.score}</text>'
            f'<text x="0" y="58" font-size="12">{escape(L["dims"])}</text>' + "".join(rows) + "</svg>")


def render_html(a: Assessment, lang: str = "zh") -> str:
    L = LABELS[lang]
    t = lambda x: escape(x.get(lang)) if x is not None else ""  # noqa: E731
    r, e = a.risk, a.escalation

    def section(title: str, items: list[str], ordered: bool = False) -> str:
        tag = "ol" if ordered else "ul"
        body = "".join(f"<li>{i}</li>" for i in items) or f"<li>{escape(L['none'])}</li>"
        return f"<h2>{escape(title)}</h2><{tag}>{body}</{tag}>"

    parts = [
        f"<h1>{escape(L['title'])} — {escape(a.case_id)}</h1>",
        f'<p class="level" style="background:{LEVEL_COLOURS[r.level]}">{escape(L[r.level])} · {r.score}/100</p>',
        _svg_chart(a, L),
        f"<p><b>{escape(L['agent'])}:</b> {escape(L['suspected'] if a.agent.suspected else L['not_suspected'])} "
        f"({a.agent.score}/100) {escape(', '.join(a.agent.signs))}</p>",
        f"<p><b>{escape(L['findings'])}:</b> {escape(', '.join(a.findings) or L['none'])}</p>",
    ]
    p = a.profile
    prof = [f"{escape(L[k])}: {t(getattr(p, k).name)}" for k in ("nature", "motive", "priority") if getattr(p, k)]
    prof += [f"{escape(L['styles'])}: {t(s.name)}" for s in p.styles]
    parts.append(section(L["profile"], prof))
    if a.strategy:
        parts.append(section(f"{L['strategy']}: {a.strategy.name.get(lang)}", [t(s) for s in a.strategy.steps], True))
    deadline = (f" — {escape(L['respond_by'])} <b>{e.respond_by.isoformat()}</b> ({t(e.deadline.name)})"
                if e.respond_by else "")
    parts.append(f"<h2>{escape(L['escalation'])}</h2><p>{e.level} — {t(e.owner)} ({e.within_hours}h){deadline}</p>")
    parts.append(section(L["channels"], [f"<b>{t(c.name)}</b> — {t(c.reason)}" for c in a.channels], True))
    parts.append(section(L["taboos"], [f"<b>{t(x.name)}</b> ({escape(x.severity)}) — {t(x.why)}" for x in a.taboos]))
    parts.append(section(L["script"], [f"<i>{escape(L[s.situation])}</i>: {t(s.text)}" for s in a.script.say]
                         + [f"<i>{escape(L['avoid'])}</i>: <s>{t(s.text)}</s>" for s in a.script.avoid]))
    parts.append(section(L["legal"], [f"{t(x.law)} {escape(x.article)}: {t(x.summary)}" for x in a.legal_bases]))
    rows = "".join(
        f"<tr><td>{s.order}</td><td><code>{escape(s.rule)}</code></td>"
        f"<td>{escape(', '.join(f'{k}={v}' for k, v in s.matched.items()))}</td>"
        f"<td>{escape(', '.join(f'{k}={v}' for k, v in s.effect.items()))}</td></tr>" for s in a.explanation)
    parts.append(f"<h2>{escape(L['why'])}</h2><table><tr><th>#</th><th>rule</th><th>matched</th>"
                 f"<th>effect</th></tr>{rows}</table>")
    if a.missing_facts:
        parts.append(section(L["missing"], [f"{t(m.question)} <code>{escape(m.fact)}</code>"
                                           for m in a.missing_facts]))
    style = ("body{font-family:sans-serif;max-width:820px;margin:2em auto;color:#222}"
             ".level{color:#fff;padding:.4em .8em;display:inline-block;border-radius:4px;font-weight:bold}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 4px}")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(a.case_id)}</title><style>{style}</style></head><body>"
            + "\n".join(parts) + f"<footer><small>{escape(L['ruleset'])} {escape(a.ruleset.version)}</small>"
            "</footer></body></html>\n")
