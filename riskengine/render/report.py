"""One-page case reports a handler can attach to the case record (the web page's print view): Markdown and
self-contained HTML, in the first screen's order — alerts; risk with its badge, gauge, five dimensions
and top reasons together; who acts and by when; the plan; what to say; what never to say; channels —
then the record: all taboos, profile, legal bases, the reasoning and the missing facts.

Both escape every value that came from the case or the knowledge files: HTML is shown, never passed through
(Markdown renderers pass raw HTML on), and a line break in a value cannot start a new Markdown block.
"""
from __future__ import annotations

from html import escape

from riskengine.contracts.assessment import Assessment
from riskengine.render.text import LABELS
from riskengine.render.screen_model import DIMENSION_WORDS, SEVERITY_WORDS, _t, first_screen, ranked_taboos

DIMS = ("time", "space", "emotion", "interest", "communication")
LEVEL_COLOURS = {"low": "#2e7d32", "medium": "#a86b00", "high": "#c43e00", "critical": "#b00020"}
EXTRA = {"zh": {"next": "处置步骤", "first": "先做", "record": "案件记录", "why_level": "主要原因",
                "questions": "提问", "opening": "开场", "other_channels": "其他渠道"},
         "en": {"next": "Plan", "first": "first", "record": "For the record", "why_level": "Top reasons",
                "questions": "Ask", "opening": "Open with", "other_channels": "Other channels"}}


def _bar(value: int, width: int = 20) -> str:
    filled = round(value * width / 100)
    return "█" * filled + "░" * (width - filled)


def _md(text: object) -> str:
    """A value in Markdown: raw HTML shown as text, one line."""
    return escape(str(text), quote=False).replace("\r", " ").replace("\n", " ")


def _sections(a: Assessment, lang: str) -> dict:
    return {s.key: s for s in first_screen(a, lang)}


def render_markdown(a: Assessment, lang: str = "zh") -> str:
    L, X = LABELS[lang], EXTRA[lang]
    t = lambda x: _md(_t(x, lang))  # noqa: E731
    S = _sections(a, lang)
    r = a.risk
    md = [f"# {L['title']} — {_md(a.case_id)}", ""]
    if "alerts" in S:
        md += [f"> **⚠ {_md(i.text)}**  " for i in S["alerts"].items] + [""]
    md += [f"**{L['risk']}: {L[r.level]} — {r.score}/100** `{_bar(r.score)}`  ", ""]
    reasons = S["risk"].items[1:]
    if reasons:
        md += [f"{X['why_level']}: " + ("；" if lang == "zh" else "; ").join(_md(i.text) for i in reasons), ""]
    md += [f"| {L['dims']} | | |", "|---|---|---|"]
    md += [f"| {L[d]} | {getattr(r.dimensions, d)} | `{_bar(getattr(r.dimensions, d))}` |" for d in DIMS]
    md += ["", f"## {S['who'].title}", ""] + [f"- {_md(i.text)}" for i in S["who"].items]
    if a.strategy:
        md += ["", f"## {L['strategy']}: {t(a.strategy.name)}", ""]
        md += [f"{i}. {'**' + t(s) + '**' if i <= 3 else t(s)}" for i, s in enumerate(a.strategy.steps, 1)]
        md += [f"- {L['also']}: {t(s.name)}" for s in a.strategy.also]
    if a.script.say:
        md += ["", f"## {L['script']}", ""]
        md += [f"- *{L[s.situation]}*: {t(s.text)}" for s in a.script.say]
    md += ["", f"## {L['taboos']}", ""]
    md += [f"- **✗ {t(x.name)}** ({SEVERITY_WORDS[lang].get(x.severity, x.severity)}) — {t(x.why)}"
           + (f"  \n  → {L['instead']}: {t(x.say_instead)}" if x.say_instead else "") for x in ranked_taboos(a)] \
        or [f"- {L['none']}"]
    md += [f"- *{L['avoid']}*: ~~{t(s.text)}~~" for s in a.script.avoid]
    md += ["", f"## {L['channels']}", ""]
    md += [f"{i}. **{t(c.name)}** — {t(c.reason)}" for i, c in enumerate(a.channels, 1)] or [f"- {L['none']}"]
    md += [f"- ~~{t(c.name)}~~ — {t(c.reason)}" for c in a.channels_excluded]
    md += ["", "---", "", f"## {X['record']}", ""]
    md += [f"**{L['agent']}:** {L['suspected'] if a.agent.suspected else L['not_suspected']} ({a.agent.score}/100)"
           + (" — " + ", ".join(t(h.name) for h in a.agent.sign_details) if a.agent.sign_details else "")]
    p = a.profile
    prof = [t(getattr(p, k).name) for k in ("nature", "motive", "priority") if getattr(p, k)]
    if prof or p.styles:
        md += ["", f"### {L['profile']}", "", " · ".join(prof)]
        md += [f"- **{t(s.name)}** — " + ("；" if lang == "zh" else "; ").join(t(g).rstrip("。.") for g in s.guidance)
               for s in p.styles]
    md += ["", f"### {L['legal']}", ""]
    md += [f"- {t(x.law)} {x.article}{'' if x.verified else ' (' + L['unverified'] + ')'}: {t(x.summary)}"
           for x in a.legal_bases] or [f"- {L['none']}"]
    if a.missing_facts:
        md += ["", f"### {L['missing']}", ""]
        md += [f"- {t(m.question)}" for m in a.missing_facts]
    md += ["", f"### {L['why']}", "", "| # | rule | matched | effect |", "|---|---|---|---|"]
    for s in a.explanation:
        matched = _md(", ".join(f"{k}={v}" for k, v in s.matched.items())).replace("|", "\\|")
        effect = _md(", ".join(f"{k}={v}" for k, v in s.effect.items())).replace("|", "\\|")
        md.append(f"| {s.order} | `{s.rule}` | {matched} | {effect} |")
    md += ["", f"{L['ruleset']} `{a.ruleset.version}` · {a.ruleset.rules} rules"]
    return "\n".join(md) + "\n"


def _svg_chart(a: Assessment, L: dict, lang: str = "zh") -> str:
    """The badge, the gauge and the five dimensions in one picture."""
    r = a.risk
    colour = LEVEL_COLOURS[r.level]
    rows = []
    for i, d in enumerate(DIMS):
        v = getattr(r.dimensions, d)
        y = 70 + i * 22
        rows.append(f'<text x="0" y="{y + 12}" font-size="12">{escape(DIMENSION_WORDS[lang][d])}</text>'
                    f'<rect x="90" y="{y}" width="200" height="14" fill="#e6e6e6"/>'
                    f'<rect x="90" y="{y}" width="{v * 2}" height="14" fill="{colour}"/>'
                    f'<text x="296" y="{y + 12}" font-size="12">{v}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="330" height="185" role="img" '
            f'aria-label="{escape(L["risk"])} {escape(L[r.level])} {r.score}/100">'
            f'<rect x="0" y="10" width="290" height="30" fill="#e6e6e6" rx="4"/>'
            f'<rect x="0" y="10" width="{r.score * 2.9:.0f}" height="30" fill="{colour}" rx="4"/>'
            f'<text x="8" y="31" font-size="16" fill="#fff" font-weight="bold">{escape(L[r.level])} {r.score}</text>'
            f'<text x="0" y="58" font-size="12">{escape(L["dims"])}</text>' + "".join(rows) + "</svg>")


def render_html(a: Assessment, lang: str = "zh") -> str:
    L, X = LABELS[lang], EXTRA[lang]
    t = lambda x: escape(_t(x, lang))  # noqa: E731
    S = _sections(a, lang)
    r = a.risk

    def section(title: str, items: list[str], ordered: bool = False, cls: str = "") -> str:
        tag = "ol" if ordered else "ul"
        body = "".join(f"<li>{i}</li>" for i in items) or f"<li>{escape(L['none'])}</li>"
        return f'<section class="{cls}"><h2>{escape(title)}</h2><{tag}>{body}</{tag}></section>'

    parts = [f"<h1>{escape(L['title'])} — {escape(a.case_id)}</h1>"]
    if "alerts" in S:
        parts.append("".join(f'<p class="alert">⚠ {escape(i.text)}</p>' for i in S["alerts"].items))
    reasons = "".join(f"<li>{escape(i.text)}</li>" for i in S["risk"].items[1:])
    parts.append(f'<section class="risk"><div class="level" style="background:{LEVEL_COLOURS[r.level]}">'
                 f'{escape(L["risk"])}: {escape(L[r.level])} · {r.score}/100</div>'
                 f'<div class="gauge">{_svg_chart(a, L, lang)}<ul class="reasons">{reasons}</ul></div></section>')
    parts.append(section(S["who"].title, [escape(i.text) for i in S["who"].items]))
    if a.strategy:
        steps = [f"<b>{t(s)}</b>" if i < 3 else t(s) for i, s in enumerate(a.strategy.steps)]
        steps += [f"+ {escape(L['also'])}: {t(s.name)}" for s in a.strategy.also]
        parts.append(section(f"{L['strategy']}: {a.strategy.name.get(lang)}", steps, True))
    parts.append(section(L["script"], [f"<i>{escape(L[s.situation])}</i>: {t(s.text)}" for s in a.script.say]))
    parts.append(section(L["taboos"], [f"<b>✗ {t(x.name)}</b> ({escape(SEVERITY_WORDS[lang].get(x.severity, x.severity))})"
                                       f" — {t(x.why)}" + (f"<br>→ {escape(L['instead'])}: {t(x.say_instead)}"
                                                          if x.say_instead else "") for x in ranked_taboos(a)]
                         + [f"<i>{escape(L['avoid'])}</i>: <s>{t(s.text)}</s>" for s in a.script.avoid]))
    parts.append(section(L["channels"], [f"<b>{t(c.name)}</b> — {t(c.reason)}" for c in a.channels]
                         + [f"<s>{t(c.name)}</s> — {t(c.reason)}" for c in a.channels_excluded], True))
    parts.append(f"<hr><h2>{escape(X['record'])}</h2>")
    parts.append(f"<p><b>{escape(L['agent'])}:</b> {escape(L['suspected'] if a.agent.suspected else L['not_suspected'])}"
                 f" ({a.agent.score}/100) {escape(', '.join(_t(h.name, lang) for h in a.agent.sign_details))}</p>")
    p = a.profile
    prof = [f"{escape(L[k])}: {t(getattr(p, k).name)}" for k in ("nature", "motive", "priority") if getattr(p, k)]
    prof += [f"{escape(L['styles'])}: {t(s.name)}" for s in p.styles]
    parts.append(section(L["profile"], prof))
    parts.append(section(L["legal"], [f"{t(x.law)} {escape(x.article)}"
                                      + ("" if x.verified else f" ({escape(L['unverified'])})") + f": {t(x.summary)}"
                                      for x in a.legal_bases]))
    if a.missing_facts:
        parts.append(section(L["missing"], [t(m.question) for m in a.missing_facts]))
    rows = "".join(
        f"<tr><td>{s.order}</td><td><code>{escape(s.rule)}</code></td>"
        f"<td>{escape(', '.join(f'{k}={v}' for k, v in s.matched.items()))}</td>"
        f"<td>{escape(', '.join(f'{k}={v}' for k, v in s.effect.items()))}</td></tr>" for s in a.explanation)
    parts.append(f"<h2>{escape(L['why'])}</h2><table><tr><th>#</th><th>rule</th><th>matched</th>"
                 f"<th>effect</th></tr>{rows}</table>")
    style = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:820px;margin:2em auto;color:#1a1a1a;"
             "line-height:1.5}.level{color:#fff;padding:.4em .8em;display:inline-block;border-radius:4px;"
             "font-weight:bold;font-size:1.3em}.gauge{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}"
             ".alert{background:#fde7ea;color:#b00020;border-left:6px solid #b00020;padding:.4em .8em;"
             "font-weight:bold}section{break-inside:avoid}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 4px}"
             "@media print{body{margin:0}a{color:inherit}}")
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(a.case_id)}</title><style>{style}</style></head><body>"
            + "\n".join(parts) + f"<footer><small>{escape(L['ruleset'])} {escape(a.ruleset.version)}</small>"
            "</footer></body></html>\n")
