"""The first screen on a terminal: about 30 lines, colour only on a terminal, wrapped by display width
(a Chinese character takes two columns). ``--detail`` adds everything else, still without ids unless
``--ids`` asks for them."""
from __future__ import annotations

import unicodedata

from riskengine.contracts.assessment import Assessment
from riskengine.render.screen_model import (DAY_TYPE_WORDS, DIMENSION_WORDS, DIMS, SEVERITY_WORDS, TITLES, Section, _t,
                                           as_of, first_screen, ranked_taboos)

WIDTH = 100      # when the output is not a terminal (and the terminal width is unknown)
COLOURS = {"alert": "\x1b[1;31m", "warn": "\x1b[33m", "ok": "\x1b[32m", "muted": "\x1b[2m", "title": "\x1b[1m"}
RESET = "\x1b[0m"
MARKS = {"alerts": "!", "risk": "", "who": "", "next": "", "script": "", "never": "✗", "channel": "→"}

DETAIL = {
    "zh": {"plan": "完整处置步骤", "also": "同时适用", "taboos": "全部禁忌", "instead": "应当", "legal": "法律依据",
           "unverified": "待核实", "profile": "投诉人画像", "channels": "全部渠道", "excluded": "不适用",
           "missing": "待补充事实（可能改变结论）", "why": "推理过程", "narrative": "叙述中发现的信号",
           "dims": "五维度", "agent": "职业代理嫌疑", "script": "全部话术", "opening": "开场", "question": "提问",
           "anchor": "依据", "closing": "收尾", "suspected": "疑似", "not_suspected": "未见明显迹象",
           "changes": "可能改变", "ruleset": "规则版本", "case": "案件", "duties": "全部时限与法定义务",
           "answer": "答复时限", "duty": "法定义务", "done": "已完成", "open": "未到期",
           "not_started": "尚未起算：起算日期未记录", "then": "此时应当"},
    "en": {"plan": "Full plan", "also": "also apply", "taboos": "All taboos", "instead": "instead", "legal": "Legal bases",
           "unverified": "unverified", "profile": "Complainant profile", "channels": "All channels",
           "excluded": "not available", "missing": "Missing facts (could change the answer)", "why": "Reasoning",
           "narrative": "Signals found in the narrative", "dims": "Dimensions", "agent": "Professional agent",
           "script": "Full script", "opening": "open", "question": "ask", "anchor": "anchor", "closing": "close",
           "suspected": "suspected", "not_suspected": "no clear signs", "changes": "could change",
           "ruleset": "ruleset", "case": "Case", "duties": "Every clock and legal duty",
           "answer": "answer clock", "duty": "legal duty", "done": "done", "open": "open",
           "not_started": "not started: its start date is not recorded", "then": "now"},
}


NO_LINE_START = set("，。、；：？！）」』”’》,.;:?!)")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Wrap by display width: Chinese breaks between any two characters, other text at spaces."""
    lines, line, used = [], first, display_width(first)
    limit = max(width, display_width(indent) + 10)
    tokens = []
    word = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if ch == " " or wide:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    for tok in tokens:
        w = display_width(tok)
        if used + w > limit and line.strip() and tok not in NO_LINE_START:
            lines.append(line.rstrip())
            line, used = indent, display_width(indent)
            if tok == " ":
                continue
        line += tok
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [first.rstrip()]


def first_sentence(text: str, lang: str) -> str:
    """The first sentence of a reason (the rest is under --detail)."""
    import re
    m = re.search(r"[。！？]" if lang == "zh" else r"[.!?;](\s|$)", text)
    return text[:m.end()].strip() if m else text


def _paint(text: str, tone: str, colour: bool) -> str:
    return f"{COLOURS[tone]}{text}{RESET}" if colour and tone in COLOURS else text


def _rules(rules, ids: bool) -> str:
    return f"  [{', '.join(rules)}]" if ids and rules else ""


def render_sections(sections: list[Section], a: Assessment, lang: str, *, colour: bool, width: int,
                    ids: bool) -> list[str]:
    colon = "：" if lang == "zh" else ": "
    out = []
    for s in sections:
        if s.key == "risk":      # one heading: the level, then its reasons on the same (wrapped) line
            level, reasons = s.items[0], s.items[1:]
            sep = "；" if lang == "zh" else "; "
            because = ("——" if lang == "zh" else " — because: ") + sep.join(r.text.rstrip("。.") for r in reasons)
            text = f"{s.title}{colon}{level.text}" + (because if reasons else "")
            text += _rules(level.rules + [x for r in reasons for x in r.rules], ids)
            wrapped = wrap(text, width, "    ")
            out.append(_paint(wrapped[0], level.tone or "title", colour))
            out.extend(wrapped[1:])
            continue
        if s.key == "never":     # three short names on one line
            sep = "  " if lang == "zh" else "  "
            text = f"{s.title}{colon}" + sep.join(f"✗ {i.text}" for i in s.items)
            text += _rules([r for i in s.items for r in i.rules], ids)
            wrapped = wrap(text, width, "    ")
            out.append(_paint(wrapped[0], "warn", colour))
            out.extend(_paint(x, "warn", colour) for x in wrapped[1:])
            continue
        if s.key == "channel":   # one line: the channel and the first sentence of its reason
            i = s.items[0]
            text = f"{s.title}{colon}{i.text}" + (("——" if lang == "zh" else " — ") + first_sentence(i.detail, lang)
                                                  if i.detail else "") + _rules(i.rules, ids)
            wrapped = wrap(text, width, "    ")
            out.append(_paint(wrapped[0], "title", colour))
            out.extend(wrapped[1:])
            continue
        if s.key != "alerts":    # the alerts speak for themselves
            out.append(_paint(s.title, "title", colour))
        items = s.items
        for i, item in enumerate(items, 1):
            mark = MARKS.get(s.key) or (f"{i}." if s.key == "next" else "•")
            if s.key == "script":
                mark = "»" if item.key == "opening" else "?"
            text = item.text + _rules(item.rules, ids)
            if item.detail and s.key == "channel":
                text += ("——" if lang == "zh" else " — ") + first_sentence(item.detail, lang)
            for j, line in enumerate(wrap(text, width, "    ", f"  {mark} ")):
                out.append(_paint(line, item.tone, colour) if item.tone in ("alert", "warn") else line)
    return out


def _detail(a: Assessment, lang: str, width: int, ids: bool, names: dict | None) -> list[str]:
    D = DETAIL[lang]
    t = lambda x: _t(x, lang)  # noqa: E731
    colon = "：" if lang == "zh" else ": "
    out: list[str] = []

    def block(title: str, lines: list[str]) -> None:
        if lines:
            out.extend(["", title])
            for line in lines:
                out.extend(wrap(line, width, "      ", "  "))
    r = a.risk
    block(D["dims"], ["  ".join(f"{DIMENSION_WORDS[lang][d]} {getattr(r.dimensions, d)}" for d in DIMS),
                      f"{D['agent']}{colon}{D['suspected'] if a.agent.suspected else D['not_suspected']} "
                      f"({a.agent.score}/100)"
                      + ("" if not a.agent.sign_details else colon + ("、" if lang == "zh" else ", ").join(
                          t(h.name) for h in a.agent.sign_details))])
    block(D["duties"], [line for act in a.escalation.actions for line in _duty_lines(act, a, lang, ids)])
    if a.strategy:
        block(f"{D['plan']}{colon}{t(a.strategy.name)}{_rules(a.strategy.rules, ids)}",
              [f"{i}. {t(s)}" for i, s in enumerate(a.strategy.steps, 1)]
              + [f"+ {D['also']}{colon}{t(x.name)}{_rules(x.rules, ids)}" for x in a.strategy.also])
    block(D["script"], [f"[{D[s.situation]}] {t(s.text)}{_rules(s.rules, ids)}" for s in a.script.say])
    block(D["taboos"], [line for x in ranked_taboos(a) for line in _taboo_lines(x, lang, ids)])
    block(D["channels"], [f"{i}. {t(c.name)} — {t(c.reason)}{_rules(c.rules, ids)}" for i, c in enumerate(a.channels, 1)]
          + [f"× {t(c.name)}（{D['excluded']}）— {t(c.reason)}" if lang == "zh" else
             f"× {t(c.name)} ({D['excluded']}) — {t(c.reason)}" for c in a.channels_excluded])
    block(D["legal"], [f"§ {t(lb.law)} {lb.article}" + ("" if lb.verified else
                                                         (f"（{D['unverified']}）" if lang == "zh"
                                                          else f" ({D['unverified']})"))
                       + f"{colon}{t(lb.summary)}{_rules([lb.id], ids)}" for lb in a.legal_bases])
    p = a.profile
    prof = [f"{t(v.name)}{_rules(v.rules, ids)}" for v in (p.nature, p.motive, p.priority) if v]
    for s in p.styles:
        prof.append(f"{t(s.name)}{colon}" + ("；" if lang == "zh" else "; ").join(
            t(g).rstrip("。.") for g in s.guidance))
    block(D["profile"], prof)
    if a.signals.from_narrative:
        names = names or {}
        block(D["narrative"], [f"“{h.text}” → {t(names.get(h.signal)) or (h.signal if ids else '')}"
                               + (f" [{h.signal}]" if ids and names.get(h.signal) else "")
                               for h in a.signals.from_narrative])
    if a.missing_facts:
        block(D["missing"], [f"? {t(m.question)}" + (f"  [{m.fact} → {'; '.join(m.would_change)}]" if ids else "")
                             for m in a.missing_facts[:10]])
    block(D["why"], [f"{s.order:>3}. {t(s.description)}" + (f"  [{s.rule}]" if ids else "") for s in a.explanation])
    return out


def _duty_lines(act, a: Assessment, lang: str, ids: bool) -> list[str]:
    """One dated clock or legal duty of ``escalation.actions``: its date, name, kind and state, and the step
    the rules require once it is overdue (the first screen keeps only the open, dated ones)."""
    D, T = DETAIL[lang], TITLES[lang]
    if act.status == "overdue":
        state = T["overdue"].format(days=act.overdue_days)
    elif act.status == "due":
        day = as_of(a)
        left = (act.due - day).days if act.due and day else None
        state = (D["open"] if left is None or left < 0 else T["due_today"] if left == 0
                 else T["due_in"].format(days=left))
    else:
        state = D[act.status]
    when = act.due.isoformat() if act.due else "—"
    name = _t(act.name, lang)
    head = (f"{when} {name}（{D[act.kind]}，{state}）" if lang == "zh" else f"{when} {name} ({D[act.kind]}, {state})")
    marks = [act.id] + ([act.legal_basis] if act.legal_basis else []) \
        + ([act.start_event] if act.status == "not_started" else [])
    lines = [head + _rules(marks, ids)]
    if act.step and act.status == "overdue":
        lines.append(f"   → {D['then']}{'：' if lang == 'zh' else ': '}{_t(act.step, lang)}")
    return lines


def _taboo_lines(x, lang: str, ids: bool) -> list[str]:
    sev = SEVERITY_WORDS[lang].get(x.severity, x.severity)
    head = (f"✗ {_t(x.name, lang)}（{sev}）——{_t(x.why, lang)}" if lang == "zh"
            else f"✗ {_t(x.name, lang)} ({sev}) — {_t(x.why, lang)}") + _rules(x.rules, ids)
    lines = [head]
    if x.say_instead:
        lines.append(("   → 应当：" if lang == "zh" else "   → instead: ") + _t(x.say_instead, lang))
    return lines


def render_screen(a: Assessment, lang: str = "zh", *, detail: bool = False, ids: bool = False, colour: bool = False,
                  width: int = WIDTH, names: dict | None = None) -> str:
    lines = render_sections(first_screen(a, lang, ids=ids), a, lang, colour=colour, width=width, ids=ids)
    if detail:
        lines.insert(0, _paint(f"{DETAIL[lang]['case']} {a.case_id} · {DETAIL[lang]['ruleset']} {a.ruleset.version}",
                               "muted", colour))
        lines.extend(_detail(a, lang, width, ids, names))
    else:
        more = "更多：--detail" if lang == "zh" else "more: --detail"
        lines.append(_paint(f"({more} · {a.case_id} · {DETAIL[lang]['ruleset']} {a.ruleset.version})", "muted",
                            colour))
    return "\n".join(lines) + "\n"


def unit_words(day_type: str, lang: str) -> str:
    return DAY_TYPE_WORDS[lang].get(day_type, day_type)


def signal_names(engine) -> dict:
    """Signal id → its bilingual name, from the loaded knowledge (for the narrative hits in --detail)."""
    try:
        signals = engine.ruleset.knowledge.signals
        return {k: v.name for k, v in (signals() if callable(signals) else signals).items()}
    except Exception:
        return {}


def screen_for_terminal(a: Assessment, lang: str, *, detail: bool, ids: bool, engine=None) -> str:
    """Colour and width from the terminal when stdout is one; plain at WIDTH columns when piped."""
    import shutil
    import sys
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((WIDTH, 24)).columns if tty else WIDTH
    return render_screen(a, lang, detail=detail, ids=ids, colour=tty, width=min(max(width, 40), 140),
                         names=signal_names(engine) if engine is not None else None)
