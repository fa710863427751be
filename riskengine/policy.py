"""Turn the recorded firings into the final answer, by explicit rules of precedence (docs/policy.md).

- Risk: each dimension is the sum of its points clamped to 0..100; the score is the sum of the five
  clamped to 0..100; the level comes from the thresholds in scoring.yaml, raised (never lowered) by
  any ``min_level`` a fired rule sets.
- Agent: score = agent-sign weights + agent points, clamped to 100; suspected when the score reaches
  the threshold or a rule asserts the finding ``suspected_agent``.
- Strategy: the recommended strategy with the highest ``precedence`` (strategies.yaml) wins; ties go
  to the higher rule salience, then the smaller strategy id. The rest are reported as outranked;
  ``also_strategies`` are reported beside the winner, never instead of it.
- Escalation: the highest level any rule sets or the risk level calls for; respond_by is the earliest
  regulatory deadline that applies to the case.
- Channels: every recommended channel whose eligibility holds, ordered by the smallest rank any rule
  gave it, then the channel's default order, then id; ineligible ones are listed apart with the reason.
- Taboos by severity (critical first) then id; legal bases by id.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from . import assessment as out
from .clock import add_days
from .firing import CaseState, Evaluation
from .knowledge import DIMENSIONS, RISK_LEVELS, Text
from .language import evaluate
from .plan import SIGNAL_RULE_PREFIX
from .profile import build_script, decide_profile
from .ruleset import Ruleset

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _clamp(value: int, low: int = 0, high: int = 100) -> int:
    return max(low, min(high, value))


def _risk(scoring, firings) -> tuple[dict[str, int], int, str, list[str]]:
    """(clamped dimensions, score, level, rules that raised the level above what the score gives)."""
    points = defaultdict(int)
    floor = "low"
    floors: list[tuple[str, str]] = []  # (min_level, rule id)
    for f in firings:
        for dim, pts in f.rule.then.points.items():
            points[dim] += pts
        lvl = f.rule.then.min_level
        if lvl:
            floors.append((lvl, f.rule.id))
            if RISK_LEVELS.index(lvl) > RISK_LEVELS.index(floor):
                floor = lvl
    dims = {d: _clamp(points[d]) for d in DIMENSIONS}
    score = _clamp(sum(dims.values()))
    level = "low"
    for name in ("medium", "high", "critical"):
        if score >= scoring.level_thresholds[name]:
            level = name
    raised_by = []
    if RISK_LEVELS.index(floor) > RISK_LEVELS.index(level):
        raised_by = sorted(rid for lvl, rid in floors if lvl == floor)
        level = floor
    return dims, score, level, raised_by


def _agent(scoring, ev: Evaluation) -> tuple[int, bool, list[str]]:
    """(score, suspected, rules that added agent points or asserted ``suspected_agent``)."""
    points = 0
    rules: list[str] = []
    for f in ev.firings:
        if f.rule.then.agent_points:
            points += f.rule.then.agent_points
            if not f.rule.id.startswith(SIGNAL_RULE_PREFIX):
                rules.append(f.rule.id)
    asserted = "suspected_agent" in ev.findings
    if asserted:
        rules += [f.rule.id for f in ev.firings if "suspected_agent" in f.rule.then.findings]
    score = _clamp(points)
    return score, score >= scoring.agent_suspected_at or asserted, sorted(set(rules))


def key_figures(rs: Ruleset, state: CaseState, ev: Evaluation) -> dict:
    """The figures of a summary (batch CSV, what-if trials) without building the ``Assessment``: the
    same helpers as :func:`decide`, so they always agree with it (tests/test_batch.py checks)."""
    k = rs.knowledge
    dims, score, level, _raised_by = _risk(k.scoring, ev.firings)
    agent_score, suspected, _rules = _agent(k.scoring, ev)
    ranked = _ranked_strategies(k, ev)[0]
    return {"case_id": state.facts["id"], "risk.score": score, "risk.level": level,
            **{f"risk.{d}": v for d, v in dims.items()},
            "agent.score": agent_score, "agent.suspected": suspected,
            "strategy.id": ranked[0] if ranked else None,
            "escalation.level": _escalation_level(k, ev, level)[0],
            "escalation.respond_by": (_deadline_pick(rs, state, ev) or (None, None))[1],
            "channels": [cid for cid, _rules, _reasons, eligible in _channel_picks(rs, state, ev) if eligible],
            "taboos": [tid for tid, _rules in _taboo_rules(k, ev)],
            "ruleset.version": rs.version}


def decision_figures(rs: Ruleset, state: CaseState, ev: Evaluation, declared, narrative_signals) -> dict:
    """The figures of a compact decision row (riskengine/decision_row.py, docs/decision-row.md), by the
    same helpers as :func:`decide` and without building the ``Assessment``; tests/test_decision_row.py
    checks every field against ``assess``. ``narrative_signals``: the signal ids the narrative raised.
    To add a field: compute it here from the helpers :func:`decide` uses, and declare it in
    ``DecisionRow`` (the key order here is the row's column order)."""
    k = rs.knowledge
    facts = state.facts
    dims, score, level, _raised_by = _risk(k.scoring, ev.firings)
    agent_score, suspected, _rules = _agent(k.scoring, ev)
    ranked, _by, also = _ranked_strategies(k, ev)
    win = ranked[0] if ranked else None
    pick = _deadline_pick(rs, state, ev)
    complainant = facts.get("complainant") or {}
    history = facts.get("history") or {}
    return {
        "case_id": facts["id"], "ruleset_version": rs.version,
        "received": facts["received"], "jurisdiction": facts["jurisdiction"], "industry": facts["industry"],
        "intake_channel": facts["channel"], "category": facts["category"], "product": facts.get("product"),
        "days_open": history.get("days_open"),
        "risk_score": score, "risk_level": level, **{f"risk_{d}": v for d, v in dims.items()},
        "agent_score": agent_score, "agent_suspected": suspected,
        "agent_signs": [s for s in sorted(state.signals) if s in k.agent_signs],
        "strategy": win,
        "also_strategies": [s for s in sorted(also, key=lambda s: (-k.strategies[s].precedence, s)) if s != win]
        if win else [],
        "escalation_level": _escalation_level(k, ev, level)[0],
        "respond_by": pick[1].isoformat() if pick else None,
        "deadline": pick[0].id if pick else None,
        "channels": [cid for cid, _rules, _reasons, eligible in _channel_picks(rs, state, ev) if eligible],
        "taboos": [tid for tid, _rules in _taboo_rules(k, ev)],
        "legal_bases": sorted(_legal_basis_rules(ev)),
        "findings": sorted(ev.findings),
        "fired_rules": [f.rule.id for f in ev.firings],
        "signals": sorted(declared),
        "narrative_signals": sorted(set(narrative_signals)),
        "vulnerable": sorted(complainant.get("vulnerable") or ()),
    }


def decide(rs: Ruleset, state: CaseState, ev: Evaluation, declared: list[str],
           narrative_hits: list, engine_name: str) -> out.Assessment:
    k = rs.knowledge
    dims, score, level, raised_by = _risk(k.scoring, ev.firings)
    risk = out.Risk(score=score, level=level, dimensions=out.Dimensions(**dims), level_floor_by=raised_by)

    agent_score, suspected, agent_rules = _agent(k.scoring, ev)
    hits = [out.AgentSignHit(id=s, name=k.agent_signs[s].name, group=k.agent_signs[s].group,
                             weight=k.agent_signs[s].weight, source=state.signal_sources[s])
            for s in sorted(state.signals) if s in k.agent_signs]
    agent = out.Agent(score=agent_score, suspected=suspected, signs=[h.id for h in hits], sign_details=hits,
                      reasons=agent_rules)

    channels, excluded = _channels(rs, state, ev)
    escalation = _escalation(rs, state, ev, level)
    taboos = _taboos(rs, ev)
    respond_by = escalation.respond_by.isoformat() if escalation.respond_by else None
    return out.Assessment(
        case_id=state.facts["id"],
        ruleset=out.RulesetInfo(version=rs.version, rules=len(rs.rules)),
        engine=engine_name,
        risk=risk,
        agent=agent,
        strategy=_strategy(rs, ev),
        escalation=escalation,
        channels=channels,
        channels_excluded=excluded,
        taboos=taboos,
        legal_bases=_legal_bases(rs, ev),
        profile=decide_profile(rs, ev, state.facts),
        script=build_script(rs, ev, state.facts, respond_by, taboos),
        findings=sorted(ev.findings),
        signals=out.Signals(declared=sorted(declared), from_narrative=[
            out.NarrativeSignal(signal=h.signal, text=h.text, start=h.start, end=h.end) for h in narrative_hits]),
        explanation=[_step(f) for f in ev.firings],
    )


def _step(f) -> out.Step:
    return out.Step(order=f.order, rule=f.rule.id, description=f.rule.description, matched=f.matched,
                    effect=f.rule.then.as_data)


def _ranked_strategies(k, ev: Evaluation) -> tuple[list[str], dict[str, list], dict[str, list]]:
    """Recommended strategies, winner first; the rules behind each; the ``also`` strategies' rule ids."""
    by_strategy: dict[str, list] = defaultdict(list)
    also: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        if f.rule.then.strategy:
            by_strategy[f.rule.then.strategy].append(f.rule)
        for s in f.rule.then.also_strategies:
            also[s].append(f.rule.id)

    def key(sid: str):
        return (-k.strategies[sid].precedence, -max(r.salience for r in by_strategy[sid]), sid)

    return sorted(by_strategy, key=key), by_strategy, also


def _strategy(rs: Ruleset, ev: Evaluation) -> out.Strategy | None:
    k = rs.knowledge
    ranked, by_strategy, also = _ranked_strategies(k, ev)
    if not ranked:
        return None
    win = k.strategies[ranked[0]]

    def ref(sid: str, rules: list[str]) -> out.StrategyRef:
        return out.StrategyRef(id=sid, name=k.strategies[sid].name, rules=sorted(set(rules)))

    return out.Strategy(
        id=win.id, name=win.name, steps=list(win.steps), rules=sorted(r.id for r in by_strategy[win.id]),
        also=[ref(s, also[s]) for s in sorted(also, key=lambda s: (-k.strategies[s].precedence, s))
              if s != win.id],
        outranked=[ref(s, [r.id for r in by_strategy[s]]) for s in ranked[1:]],
    )


def _escalation_level(k, ev: Evaluation, risk_level: str) -> tuple[int, list[str], bool]:
    """(level, rules that set it, whether the risk level alone calls for it)."""
    from_level = k.scoring.level_escalation[risk_level]
    by_rules = [(f.rule.then.escalation, f.rule.id) for f in ev.firings if f.rule.then.escalation]
    level = max([from_level] + [lvl for lvl, _ in by_rules])
    return level, sorted(rid for lvl, rid in by_rules if lvl == level), from_level == level


def _escalation(rs: Ruleset, state: CaseState, ev: Evaluation, risk_level: str) -> out.Escalation:
    level, rules, from_risk = _escalation_level(rs.knowledge, ev, risk_level)
    entry = rs.knowledge.escalation[level]
    deadline, respond_by = _deadline(rs, state, ev)
    return out.Escalation(level=level, name=entry.name, owner=entry.owner, within_hours=entry.within_hours,
                          respond_by=respond_by, deadline=deadline, rules=rules, from_risk_level=from_risk)


def _deadline(rs: Ruleset, state: CaseState, ev: Evaluation):
    best = _deadline_pick(rs, state, ev)
    if best is None:
        return None, None
    d, due, exact = best
    return out.DeadlineOut(id=d.id, name=d.name, days=d.days, day_type=d.day_type, legal_basis=d.legal_basis,
                           exact=exact), due


def _deadline_pick(rs: Ruleset, state: CaseState, ev: Evaluation):
    """(deadline, due date, exact) of the earliest regulatory deadline that applies, or None."""
    facts = state.facts
    received = dt.date.fromisoformat(facts["received"])
    best = None
    for d in sorted(rs.knowledge.deadlines.values(), key=lambda d: d.id):
        if d.jurisdiction != facts["jurisdiction"]:
            continue
        if d.applies_when is not None and not evaluate(d.applies_when, facts, state.signals, ev.findings):
            continue
        due, exact = add_days(received, d.days, d.day_type, d.jurisdiction)
        if best is None or due < best[1]:
            best = (d, due, exact)
    return best


def _channel_picks(rs: Ruleset, state: CaseState, ev: Evaluation) -> list[tuple[str, list[str], list, bool]]:
    """(channel id, rules, reasons, eligible) for each recommended channel, in policy order."""
    k = rs.knowledge
    picks: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        for pick in f.rule.then.channels:
            picks[pick.id].append((pick, f.rule.id))
    result = []
    for cid in sorted(picks, key=lambda c: (min(p.rank for p, _ in picks[c]), k.channels[c].order, c)):
        ch = k.channels[cid]
        reasons = []
        for pick, _rid in sorted(picks[cid], key=lambda t: (t[0].rank, t[1])):
            if pick.reason not in reasons:
                reasons.append(pick.reason)
        eligible = ch.eligible_when is None or evaluate(ch.eligible_when, state.facts, state.signals, ev.findings)
        result.append((cid, sorted({rid for _p, rid in picks[cid]}), reasons, eligible))
    return result


def _channels(rs: Ruleset, state: CaseState, ev: Evaluation):
    k = rs.knowledge
    chosen, excluded = [], []
    for cid, rules, reasons, eligible in _channel_picks(rs, state, ev):
        ch = k.channels[cid]
        if eligible:
            reason = Text(zh="；".join(r.zh for r in reasons), en="; ".join(r.en for r in reasons))
            chosen.append(out.ChannelOut(id=cid, name=ch.name, reason=reason, rules=rules))
        else:
            why = ch.ineligible_reason or Text(zh="不满足适用条件", en="eligibility condition not met")
            excluded.append(out.ExcludedChannel(id=cid, name=ch.name, reason=why, rules=rules))
    return chosen, excluded


def _taboo_rules(k, ev: Evaluation) -> list[tuple[str, list[str]]]:
    """(taboo id, rules that flagged it), by severity (critical first) then id."""
    rules: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        for t in f.rule.then.taboos:
            rules[t].append(f.rule.id)
    ordered = sorted(rules, key=lambda t: (SEVERITY_ORDER[k.taboos[t].severity], t))
    return [(tid, sorted(set(rules[tid]))) for tid in ordered]


def _taboos(rs: Ruleset, ev: Evaluation) -> list[out.TabooOut]:
    items = []
    for tid, rules in _taboo_rules(rs.knowledge, ev):
        t = rs.knowledge.taboos[tid]
        items.append(out.TabooOut(id=tid, name=t.name, severity=t.severity, why=t.why, say_instead=t.say_instead,
                                  legal_bases=list(t.legal_bases), rules=rules))
    return items


def _legal_basis_rules(ev: Evaluation) -> dict[str, list]:
    rules: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        for lb in f.rule.then.legal_bases:
            rules[lb].append(f.rule.id)
    return rules


def _legal_bases(rs: Ruleset, ev: Evaluation) -> list[out.LegalBasisOut]:
    k = rs.knowledge
    rules = _legal_basis_rules(ev)
    return [out.LegalBasisOut(id=i, law=k.legal_bases[i].law, article=k.legal_bases[i].article,
                              summary=k.legal_bases[i].summary, verified=k.legal_bases[i].verified,
                              rules=sorted(set(rules[i]))) for i in sorted(rules)]
