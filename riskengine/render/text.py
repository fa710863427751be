"""Render an assessment for a person, in Chinese (default) or English."""
from __future__ import annotations

from typing import Any

from riskengine.contracts.assessment import Assessment

MISSING_SHOWN = 10  # the text view lists the highest-impact questions; JSON has them all

LABELS = {
    "zh": {
        "title": "投诉风险评估", "case": "案件", "ruleset": "规则版本", "risk": "风险", "score": "分值",
        "dims": "五维度", "time": "时间", "space": "空间", "emotion": "情绪", "interest": "利益",
        "communication": "沟通", "agent": "职业代理嫌疑", "suspected": "疑似职业代理", "not_suspected": "未见明显迹象",
        "signs": "命中迹象", "strategy": "处置策略", "steps": "步骤", "also": "同时适用", "escalation": "升级",
        "level": "级", "owner": "负责人", "within": "小时内介入", "respond_by": "答复期限", "channels": "纠纷化解渠道",
        "excluded": "不适用渠道", "taboos": "本案禁忌", "instead": "应当", "legal": "法律依据", "unverified": "待核实",
        "why": "推理过程", "matched": "命中事实", "missing": "待补充事实（可能改变结论）", "narrative": "叙述中发现的信号", "sentence": "句",
        "by": "依据规则", "none": "无", "low": "低", "medium": "中", "high": "高", "critical": "极高",
        "findings": "推理结论", "profile": "投诉人画像", "nature": "投诉性质", "motive": "可能动机",
        "priority": "处理优先级", "styles": "沟通方式", "gap": "期望差距", "asked": "诉求", "entitled": "应得",
        "script": "沟通话术", "say": "可以说", "avoid": "切勿说", "opening": "开场", "question": "提问",
        "anchor": "依据", "closing": "收尾",
    },
    "en": {
        "title": "Complaint risk assessment", "case": "Case", "ruleset": "Ruleset", "risk": "Risk", "score": "score",
        "dims": "Dimensions", "time": "time", "space": "space", "emotion": "emotion", "interest": "interest",
        "communication": "communication", "agent": "Professional agent", "suspected": "suspected",
        "not_suspected": "no clear signs", "signs": "signs", "strategy": "Strategy", "steps": "Steps",
        "also": "Also apply", "escalation": "Escalation", "level": "level", "owner": "owner",
        "within": "hours to take over", "respond_by": "respond by", "channels": "Dispute-resolution channels",
        "excluded": "Not available", "taboos": "Taboos in this case", "instead": "instead", "legal": "Legal bases",
        "unverified": "unverified", "why": "Reasoning", "matched": "matched", "missing": "Missing facts (could change the answer)",
        "narrative": "Signals found in the narrative", "sentence": "sentence", "by": "rules", "none": "none", "low": "low",
        "medium": "medium", "high": "high", "critical": "critical", "findings": "Findings",
        "profile": "Complainant profile", "nature": "nature", "motive": "motive", "priority": "priority",
        "styles": "talk", "gap": "expectation gap", "asked": "asked", "entitled": "entitled",
        "script": "What to say", "say": "say", "avoid": "never say", "opening": "opening", "question": "ask",
        "anchor": "anchor", "closing": "close",
    },
}


def _v(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_v(x) for x in value) + "]"
    return str(value)


def _profile_lines(a: Assessment, L: dict, t, by, lang: str) -> list[str]:
    p = a.profile
    lines = ["", f"{L['profile']}:"]
    for key in ("nature", "motive", "priority"):
        value = getattr(p, key)
        if value:
            lines.append(f"  {L[key]}: {t(value.name)} [{value.id}]{by(value.rules)}")
    for style in p.styles:
        lines.append(f"  {L['styles']}: {t(style.name)} [{style.id}]{by(style.rules)}")
        for g in style.guidance:
            lines.append(f"      - {t(g)}")
    g = p.expectation_gap
    if g:
        ratio = f" ×{g.ratio}" if g.ratio is not None else ""
        lines.append(f"  {L['gap']}: {L['asked']} {g.demand_amount:,.0f} / {L['entitled']} "
                     f"{g.entitlement_amount:,.0f} ({g.gap:+,.0f}{ratio})")
    if a.script.say or a.script.avoid:
        lines.append("")
        lines.append(f"{L['script']}:")
        for line in a.script.say:
            lines.append(f"  [{L[line.situation]}] {t(line.text)}")
        for line in a.script.avoid:
            lines.append(f"  [{L['avoid']}] ✗ {t(line.text)}  ({line.taboo})")
    return lines


def render_text(a: Assessment, lang: str = "zh") -> str:
    L = LABELS[lang]
    t = lambda text: text.get(lang) if text is not None else ""  # noqa: E731
    by = lambda rules: f"  [{L['by']}: {', '.join(rules)}]" if rules else ""  # noqa: E731
    lines = [f"{L['title']} — {L['case']} {a.case_id}   ({L['ruleset']} {a.ruleset.version}, {a.ruleset.rules})", ""]
    r = a.risk
    bar = "█" * (r.score // 5) + "░" * (20 - r.score // 5)
    lines.append(f"{L['risk']}: {L[r.level]} ({r.level})  {L['score']} {r.score}/100  {bar}")
    lines.append(f"  {L['dims']}: " + "  ".join(f"{L[d]} {getattr(r.dimensions, d)}" for d in
                                                 ("time", "space", "emotion", "interest", "communication")))
    if r.level_floor_by:
        lines.append(f"  ↑ {by(r.level_floor_by).strip()}")
    ag = a.agent
    verdict = L["suspected"] if ag.suspected else L["not_suspected"]
    lines.append(f"{L['agent']}: {verdict} ({ag.score}/100)")
    if ag.sign_details:
        lines.append(f"  {L['signs']}: " + "; ".join(f"{t(h.name)} [{h.id}, {h.source}]" for h in ag.sign_details))
    lines.append("")
    if a.strategy:
        s = a.strategy
        lines.append(f"{L['strategy']}: {t(s.name)} [{s.id}]{by(s.rules)}")
        for i, step in enumerate(s.steps, 1):
            lines.append(f"  {i}. {t(step)}")
        for extra in s.also:
            lines.append(f"  + {L['also']}: {t(extra.name)} [{extra.id}]{by(extra.rules)}")
    lines.extend(_profile_lines(a, L, t, by, lang))
    e = a.escalation
    lines.append("")
    lines.append(f"{L['escalation']}: {e.level} {L['level']} — {t(e.name)}; {L['owner']}: {t(e.owner)}, "
                 f"{e.within_hours} {L['within']}{by(e.rules)}")
    if e.immediate:
        lines.append(f"  !! {e.within_minutes} " + ("分钟内处置（人身安全）" if lang == "zh" else
                                                     "minutes: act now (safety)"))
    if e.respond_by:
        lines.append(f"  {L['respond_by']}: {e.respond_by.isoformat()} ({t(e.deadline.name)}, "
                     f"{e.deadline.days} {e.deadline.day_type})"
                     + ((f"，已逾期{e.overdue_days}天" if lang == "zh" else f", overdue by {e.overdue_days} days")
                        if e.overdue_days else ""))
    for act in e.actions:
        if act.kind == "duty" or act.status == "overdue":
            when = act.due.isoformat() if act.due else ("待记录起算日" if lang == "zh" else "start date not recorded")
            late = (f"，已逾期{act.overdue_days}天" if lang == "zh" else f", overdue by {act.overdue_days} days") \
                if act.status == "overdue" else ""
            lines.append(f"  - {t(act.name)}: {when} [{act.status}{late}]")
            if act.step:
                lines.append(f"    → {t(act.step)}")
    lines.append("")
    lines.append(f"{L['channels']}:")
    for i, c in enumerate(a.channels, 1):
        lines.append(f"  {i}. {t(c.name)} [{c.id}] — {t(c.reason)}{by(c.rules)}")
    if not a.channels:
        lines.append(f"  {L['none']}")
    for c in a.channels_excluded:
        lines.append(f"  × {L['excluded']}: {t(c.name)} — {t(c.reason)}")
    lines.append("")
    lines.append(f"{L['taboos']}:")
    for tb in a.taboos:
        lines.append(f"  ✗ [{tb.severity}] {t(tb.name)} — {t(tb.why)}{by(tb.rules)}")
        if tb.say_instead:
            lines.append(f"      → {L['instead']}: {t(tb.say_instead)}")
    if not a.taboos:
        lines.append(f"  {L['none']}")
    lines.append("")
    lines.append(f"{L['legal']}:")
    for lb in a.legal_bases:
        flag = "" if lb.verified else f" ({L['unverified']})"
        lines.append(f"  § {t(lb.law)} {lb.article}{flag}: {t(lb.summary)}{by(lb.rules)}")
    if not a.legal_bases:
        lines.append(f"  {L['none']}")
    if a.signals.from_narrative:
        lines.append("")
        lines.append(f"{L['narrative']}:")
        for h in a.signals.from_narrative:
            how = ", ".join(x for x in (h.actor, h.modality) if x)
            via = f"; {'+'.join(h.concepts)}" if h.concepts else ""
            where = f" ({L['sentence']} {h.sentence}: {how}{via})" if h.sentence else ""
            lines.append(f"  • {h.signal}: “{h.text}” @{h.start}-{h.end}{where}")
    if a.findings:
        lines.append("")
        lines.append(f"{L['findings']}: " + ", ".join(a.findings))
    lines.append("")
    lines.append(f"{L['why']}:")
    for step in a.explanation:
        matched = ", ".join(f"{k}={_v(v)}" for k, v in step.matched.items())
        effect = ", ".join(f"{k}={_v(v)}" for k, v in step.effect.items())
        lines.append(f"  {step.order:>3}. {step.rule} — {t(step.description)}")
        lines.append(f"       {L['matched']}: {matched} ⇒ {effect}")
    if a.missing_facts:
        lines.append("")
        lines.append(f"{L['missing']}:")
        for m in a.missing_facts[:MISSING_SHOWN]:
            lines.append(f"  ? {t(m.question)}  [{m.fact}] → {'; '.join(m.would_change)}")
        if len(a.missing_facts) > MISSING_SHOWN:
            lines.append(f"  (+{len(a.missing_facts) - MISSING_SHOWN} more: --format json)")
    return "\n".join(lines) + "\n"
