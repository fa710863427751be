"""The handler's first screen, as data: what to do now, in the order a busy handler reads it.

One model feeds the terminal (:mod:`riskengine.render.screen`), the printed report
(:mod:`riskengine.render.report`) and the web page (:mod:`riskengine.serve.web`), so the three cannot
drift apart. Sections, in order: alerts that change everything; the risk level with its top three
reasons in words; who acts and by when; the next three actions; the opening line and two best
questions; the three most important things never to say; the recommended channel.

Fields that other branches add to the assessment (``escalation.actions``, ``as_of``, ``overdue``,
``alerts``, richer narrative hits) are read with ``getattr`` and simply not shown when absent.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from riskengine.contracts.assessment import Assessment

LEVEL_WORDS = {"zh": {"low": "低", "medium": "中", "high": "高", "critical": "极高"},
               "en": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}}
SEVERITY_WORDS = {"zh": {"low": "轻", "medium": "中", "high": "重", "critical": "严禁"},
                  "en": {"low": "minor", "medium": "moderate", "high": "serious", "critical": "never"}}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
DAY_TYPE_WORDS = {"zh": {"calendar": "自然日", "working": "工作日"},
                  "en": {"calendar": "calendar days", "working": "working days"}}
DIMENSION_WORDS = {"zh": {"time": "时间", "space": "空间", "emotion": "情绪", "interest": "利益",
                          "communication": "沟通"},
                   "en": {"time": "time", "space": "space", "emotion": "emotion", "interest": "interest",
                          "communication": "communication"}}
DIMS = ("time", "space", "emotion", "interest", "communication")

# Alerts that change everything (issue 17: safety, group, media, then suspected agent and overdue), in the
# documented precedence,
# each raised by any of these findings. Words are written here; the findings' ids never reach the reader.
ALERTS = (
    ("safety", ("safety_crisis", "safety_risk", "safety_on_site"),
     {"zh": "人身安全风险：先启动危机处置（报警/急救、安保、主管到场），再谈诉求",
      "en": "Safety risk: crisis protocol first (emergency services, security, supervisor); claim later"}),
    ("group", ("major_group", "major_group_on_site", "group_on_site", "group_risk"),
     {"zh": "群体投诉：请其推选不超过5名代表到接待室，统一口径",
      "en": "Group complaint: ask for at most five representatives in a separate room; one voice"}),
    ("media", ("media_exposure", "public_opinion_crisis", "media_risk"),
     {"zh": "舆情：媒体已介入或扬言曝光，对外口径统一报批",
      "en": "Media: the press is involved or threatened; public statements only as approved"}),
)
AGENT_ALERT = {"zh": "疑似职业代理：核实授权，只与客户本人或合法代理人沟通",
               "en": "Suspected agent: check the authority; deal with the customer or a lawful representative"}
OVERDUE_ALERT = {"zh": "已超期 {days} 天：立即处理", "en": "Overdue by {days} days: act now"}
CLOCK_ALERT = {"zh": "已超出处理时限：立即处理", "en": "Past a handling clock: act now"}

TITLES = {
    "zh": {"alerts": "警示", "risk": "风险", "who": "谁来处理、何时完成", "next": "下一步", "script": "怎么说",
           "never": "切勿说", "channel": "建议渠道", "reasons": "主要原因", "owner": "负责人",
           "within": "{h} 小时内介入", "respond_by": "答复期限 {date}（{name}，{days} 个{unit}）",
           "opening": "开场", "ask": "提问", "more": "更多：--detail", "agent": "职业代理嫌疑",
           "level": "第 {n} 级：{name}", "overdue": "已超期 {days} 天", "due_in": "还剩 {days} 天",
           "due_today": "今天到期"},
    "en": {"alerts": "Alerts", "risk": "Risk", "who": "Who acts, by when", "next": "Next", "script": "What to say",
           "never": "Never say", "channel": "Channel", "reasons": "because", "owner": "owner",
           "within": "takes over within {h} h", "respond_by": "respond by {date} ({name}, {days} {unit})",
           "opening": "open", "ask": "ask", "more": "more: --detail", "agent": "Professional agent",
           "level": "level {n}: {name}", "overdue": "overdue by {days} days", "due_in": "{days} days left",
           "due_today": "due today"},
}


@dataclass
class Item:
    text: str
    tone: str = ""               # "", "alert", "warn", "ok", "muted"
    rules: list[str] = field(default_factory=list)   # the rules behind it (the "why")
    key: str = ""                # a stable name (an alert kind, a phrase situation) for styling and tests
    detail: str = ""             # a second line: the reason or what to say instead


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]


def tidy(text: str) -> str:
    """Joins of whole sentences read as one: "。；" → "；" and ".; " → "; " (reasons joined by the policy)."""
    return text.replace("。；", "；").replace(".; ", "; ")


def _t(text: Any, lang: str) -> str:
    if text is None:
        return ""
    if isinstance(text, dict):
        return tidy(text.get(lang) or text.get("zh") or "")
    get = getattr(text, "get", None)
    return tidy(get(lang) if get else str(text))


def as_of(a: Assessment) -> dt.date | None:
    value = getattr(a, "as_of", None)
    return value if isinstance(value, dt.date) else None


def overdue_days(a: Assessment) -> int | None:
    """Days past the answer clock: the assessment's own figure when it carries one, else from ``as_of``."""
    e = a.escalation
    given = getattr(e, "overdue_days", None)
    if given is None:
        given = getattr(a, "overdue_days", None)
    if isinstance(given, int):
        return given if given > 0 else None
    od = getattr(e, "overdue", None) or getattr(a, "overdue", None)
    if isinstance(od, int) and not isinstance(od, bool):
        return od if od > 0 else None
    day = as_of(a)
    if day and e.respond_by and day > e.respond_by:
        return (day - e.respond_by).days
    return None


def top_reasons(a: Assessment, lang: str, n: int = 3) -> list[Item]:
    """The fired rules that added the most risk points, in their own words (ties: firing order)."""
    scored = []
    for step in a.explanation:
        points = step.effect.get("points") if isinstance(step.effect, dict) else None
        if isinstance(points, dict):
            total = sum(v for v in points.values() if isinstance(v, (int, float)))
            if total > 0:
                scored.append((-total, step.order, step))
    scored.sort(key=lambda x: (x[0], x[1]))
    out, seen = [], set()
    for _neg, _order, step in scored:
        # The reason, not the bookkeeping after it ("… — add the space points"): the first clause.
        words = re.split(r" — |——|，补计|——补", _t(step.description, lang))[0].strip()
        if words in seen:
            continue
        seen.add(words)
        out.append(Item(words, rules=[step.rule]))
        if len(out) == n:
            break
    return out


def ranked_taboos(a: Assessment) -> list:
    """Severity first, then relevance to this case (how many of its rules forbade it), then the given order."""
    return [x for _, x in sorted(enumerate(a.taboos), key=lambda p: (SEVERITY_RANK.get(p[1].severity, 9),
                                                                     -len(p[1].rules), p[0]))]


def _alerts(a: Assessment, lang: str) -> list[Item]:
    items = []
    given = getattr(a, "alerts", None) or []
    for alert in given:        # the advice branch's safety alerts, when present
        text = _t(getattr(alert, "text", None) or getattr(alert, "name", None) or getattr(alert, "message", None),
                  lang)
        if text:
            items.append(Item(text, "alert", list(getattr(alert, "rules", []) or []),
                              key=str(getattr(alert, "kind", getattr(alert, "id", "alert")))))
    findings = set(a.findings)
    fired = {s.rule: s for s in a.explanation}

    def rules_for(ids) -> list[str]:
        return [r for r, s in fired.items() if isinstance(s.effect, dict)
                and set(s.effect.get("findings") or []) & set(ids)]
    shown = {i.key for i in items}
    for kind, ids, words in ALERTS:
        if kind not in shown and findings & set(ids):
            items.append(Item(words[lang], "alert", rules_for(ids), key=kind))
    if a.agent.suspected and "agent" not in shown:
        items.append(Item(AGENT_ALERT[lang], "alert", list(a.agent.reasons), key="agent"))
    days = overdue_days(a)
    if days:
        items.append(Item(OVERDUE_ALERT[lang].format(days=days), "alert", list(a.escalation.rules), key="overdue"))
    elif "clock_overrun" in findings:
        items.append(Item(CLOCK_ALERT[lang], "alert", rules_for(["clock_overrun"]), key="overdue"))
    return items


MAX_ACTIONS = 2


def _actions(a: Assessment, lang: str) -> list[Item]:
    """Dated actions (the advice branch's ``escalation.actions``), each with its date; overdue ones flagged."""
    out = []
    day = as_of(a)
    answer = getattr(a.escalation.deadline, "id", None)
    for act in getattr(a.escalation, "actions", None) or []:
        if getattr(act, "kind", "duty") == "answer" and not getattr(act, "overdue_days", 0):
            continue   # answer clocks: the respond-by line says the one that counts (the rest: --detail)
        if getattr(act, "status", "") in ("not_started", "done"):
            continue   # no date yet, or met: --detail lists them
        if answer and getattr(act, "id", None) == answer:
            continue   # the answer clock is the respond-by line already
        name = _t(getattr(act, "name", None) or getattr(act, "text", None), lang)
        due = getattr(act, "due", None) or getattr(act, "by", None) or getattr(act, "date", None)
        late = getattr(act, "overdue_days", None)
        if late is None and day and isinstance(due, dt.date) and day > due:
            late = (day - due).days
        when = due.isoformat() if isinstance(due, dt.date) else (str(due) if due else "")
        text = f"{when} {name}".strip()
        if late:
            text += ("（" + TITLES[lang]["overdue"].format(days=late) + "）" if lang == "zh"
                     else " (" + TITLES[lang]["overdue"].format(days=late) + ")")
        out.append(Item(text, "alert" if late else "", list(getattr(act, "rules", []) or []), key="action"))
    # The first screen keeps two: overdue ones first, then those with a date; the rest are in --detail.
    ranked = sorted(range(len(out)), key=lambda i: (out[i].tone != "alert", not out[i].text[:1].isdigit(), i))
    return [out[i] for i in sorted(ranked[:MAX_ACTIONS])]


def countdown(a: Assessment, lang: str, today: dt.date | None = None) -> tuple[str, str]:
    """(words, tone) for the respond-by date, against ``as_of`` (or ``today`` when given)."""
    e = a.escalation
    day = as_of(a) or today
    if not e.respond_by or day is None:
        return "", ""
    left = (e.respond_by - day).days
    T = TITLES[lang]
    if left < 0:
        return T["overdue"].format(days=-left), "alert"
    if left == 0:
        return T["due_today"], "warn"
    return T["due_in"].format(days=left), "warn" if left <= 3 else "ok"


def first_screen(a: Assessment, lang: str = "zh", *, ids: bool = False, today: dt.date | None = None) -> list[Section]:
    T = TITLES[lang]
    sections = []
    alerts = _alerts(a, lang)
    if alerts:
        sections.append(Section("alerts", T["alerts"], alerts))

    r = a.risk
    level = LEVEL_WORDS[lang][r.level]
    head = f"{level} {r.score}/100" if lang == "en" else f"{level}（{r.score}/100）"
    sections.append(Section("risk", T["risk"], [Item(head, "alert" if r.level in ("high", "critical") else "",
                                                     list(r.level_floor_by), key="level")]
                            + top_reasons(a, lang)))

    e = a.escalation
    who = [Item(f"{T['level'].format(n=e.level, name=_t(e.name, lang))}"
                + ("；" if lang == "zh" else "; ") + f"{T['owner']}{'：' if lang == 'zh' else ': '}{_t(e.owner, lang)}"
                + ("，" if lang == "zh" else ", ") + T["within"].format(h=e.within_hours),
                rules=list(e.rules), key="owner")]
    if e.respond_by:
        d = e.deadline
        unit = DAY_TYPE_WORDS[lang].get(d.day_type, d.day_type) if d else ""
        text = (T["respond_by"].format(date=e.respond_by.isoformat(), name=_t(d.name, lang), days=d.days, unit=unit)
                if d else e.respond_by.isoformat())
        words, tone = countdown(a, lang, today)
        if words:
            text += f" — {words}"
        who.append(Item(text, tone, [d.legal_basis] if (d and d.legal_basis and ids) else [], key="respond_by"))
    who.extend(_actions(a, lang))
    sections.append(Section("who", T["who"], who))

    if a.strategy:
        steps = [Item(_t(s, lang), rules=list(a.strategy.rules), key="step") for s in a.strategy.steps[:3]]
        sections.append(Section("next", f"{T['next']}{'：' if lang == 'zh' else ': '}{_t(a.strategy.name, lang)}",
                                steps))

    script = []
    opening = next((s for s in a.script.say if s.situation == "opening"), None)
    if opening:
        script.append(Item(_t(opening.text, lang), rules=list(opening.rules), key="opening"))
    for q in [s for s in a.script.say if s.situation == "question"][:2]:
        script.append(Item(_t(q.text, lang), rules=list(q.rules), key="question"))
    if script:
        sections.append(Section("script", T["script"], script))

    never = []
    for x in ranked_taboos(a)[:3]:
        never.append(Item(_t(x.name, lang), "warn", list(x.rules), key=x.severity, detail=_t(x.say_instead, lang)))
    if never:
        sections.append(Section("never", T["never"], never))

    if a.channels:
        c = a.channels[0]
        sections.append(Section("channel", T["channel"], [Item(_t(c.name, lang), "ok", list(c.rules), key=c.id,
                                                               detail=_t(c.reason, lang))]))
    return sections
