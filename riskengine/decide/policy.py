"""Turn the recorded firings into the final answer, by explicit rules of precedence (docs/policy.md).

- Risk: each dimension is the sum of its points clamped to 0..100; the score is the sum of the five
  clamped to 0..100; the level comes from the thresholds in scoring.yaml, raised (never lowered) by
  any ``min_level`` a fired rule sets.
- Agent: score = agent-sign weights + agent points, clamped to 100; suspected when the score reaches
  the threshold or a rule asserts the finding ``suspected_agent``.
- Strategy: the recommended strategy with the highest ``precedence`` (strategies.yaml) wins; ties go
  to the higher rule salience, then the smaller strategy id. The rest are reported as outranked and,
  with ``also_strategies``, in ``also`` with their key steps, which are merged into the plan.
- Escalation: the highest level any rule sets, or the level the risk level hints at (scoring.yaml caps
  the hint below 4: level 4 comes from the crisis rules only); a crisis condition (escalation.yaml
  ``immediate_when``) turns hours into minutes. respond_by is the earliest complaint-answer clock that
  applies; legal duties are dated actions from their own start events, judged as of ``as_of``.
- Legal bases: only those in force on a relevant date of the case and covering its sector are cited.
- Channels: every recommended channel whose eligibility holds, ordered by the smallest rank any rule
  gave it, then the channel's default order, then id; ineligible ones are listed apart with the reason.
- Taboos by severity (critical first) then id; legal bases by id.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from riskengine.contracts import assessment as out
from riskengine.decide.clock import add_days
from riskengine.engines.state import CaseState, Evaluation
from riskengine.contracts.knowledge import DIMENSIONS, RISK_LEVELS, Text
from riskengine.decide.emergency import emergency_numbers
from riskengine.language.tree import evaluate, lookup
from riskengine.engines.plan import SIGNAL_RULE_PREFIX
from riskengine.decide.profile import build_script, decide_profile
from riskengine.contracts.ruleset import Ruleset

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


NOT_BY_SCORE_FINDINGS = frozenset({"lone_claimant_conduct", "recognised_representative"})


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
    # A lone claimant's own conduct (planting, pay-or-expose, professional claiming) is scored with the agent
    # signs but is not evidence of a paid third party, and neither is a lawyer's, guardian's or near
    # relative's formal letter: then only a rule's finding makes the agent suspected (rules/agent.yaml
    # AGENT-LONE-CLAIMANT-CONDUCT, AGENT-RECOGNISED-REPRESENTATIVE; docs/policy.md "Agent").
    by_score = score >= scoring.agent_suspected_at and not (NOT_BY_SCORE_FINDINGS & set(ev.findings))
    return score, by_score or asserted, sorted(set(rules))


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
    ranked, by_strategy, also = _ranked_strategies(k, ev)
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
        "also_strategies": _beside(k, ranked, by_strategy, also)[0] if win else [],
        "escalation_level": _escalation_level(k, ev, level)[0],
        "respond_by": pick[1].isoformat() if pick else None,
        "deadline": pick[0].id if pick else None,
        "channels": [cid for cid, _rules, _reasons, eligible in _channel_picks(rs, state, ev) if eligible],
        "taboos": [tid for tid, _rules in _taboo_rules(k, ev)],
        "legal_bases": _cited_legal_bases(rs, state, ev),
        "findings": sorted(ev.findings),
        "fired_rules": [f.rule.id for f in ev.firings],
        "signals": sorted(declared),
        "narrative_signals": sorted(set(narrative_signals)),
        "vulnerable": sorted(complainant.get("vulnerable") or ()),
    }


def decide(rs: Ruleset, state: CaseState, ev: Evaluation, declared: list[str],
           narrative_hits: list, engine_name: str, as_of: dt.date | None = None) -> out.Assessment:
    k = rs.knowledge
    if as_of is None:
        as_of = default_as_of(state.facts)
    dims, score, level, raised_by = _risk(k.scoring, ev.firings)
    risk = out.Risk(score=score, level=level, dimensions=out.Dimensions(**dims), level_floor_by=raised_by)

    agent_score, suspected, agent_rules = _agent(k.scoring, ev)
    hits = [out.AgentSignHit(id=s, name=k.agent_signs[s].name, group=k.agent_signs[s].group,
                             weight=k.agent_signs[s].weight, source=state.signal_sources[s])
            for s in sorted(state.signals) if s in k.agent_signs]
    agent = out.Agent(score=agent_score, suspected=suspected, signs=[h.id for h in hits], sign_details=hits,
                      reasons=agent_rules)

    channels, excluded = _channels(rs, state, ev)
    escalation = _escalation(rs, state, ev, level, as_of)
    taboos = _taboos(rs, ev)
    cited, skipped = _legal_bases(rs, state, ev)
    respond_by = escalation.respond_by.isoformat() if escalation.respond_by else None
    return out.Assessment(
        case_id=state.facts["id"],
        ruleset=out.RulesetInfo(version=rs.version, rules=len(rs.rules)),
        engine=engine_name,
        risk=risk,
        agent=agent,
        strategy=_strategy(rs, ev, state.facts),
        escalation=escalation,
        channels=channels,
        channels_excluded=excluded,
        taboos=taboos,
        legal_bases=cited,
        legal_bases_skipped=skipped,
        as_of=as_of,
        profile=decide_profile(rs, ev, state.facts),
        script=build_script(rs, ev, state.facts, respond_by, taboos, state.signals),
        findings=sorted(ev.findings),
        signals=out.Signals(declared=sorted(declared), from_narrative=[
            out.NarrativeSignal(signal=h.signal, text=h.text, start=h.start, end=h.end, sentence=h.sentence,
                                concepts=list(h.concepts), actor=h.actor, modality=h.modality)
            for h in narrative_hits]),
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


def _beside(k, ranked: list[str], by_strategy: dict, also: dict) -> tuple[list[str], dict[str, list[str]]]:
    """The strategies applied beside the leader (recommended but outranked, or recommended beside), by
    precedence, and the rules behind each."""
    others: dict[str, list[str]] = defaultdict(list)
    for sid in ranked[1:]:
        others[sid] += [r.id for r in by_strategy[sid]]
    for sid, rules in also.items():
        others[sid] += rules
    order = sorted((s for s in others if s != ranked[0]), key=lambda s: (-k.strategies[s].precedence, s))
    return order, others


def _strategy(rs: Ruleset, ev: Evaluation, facts: dict) -> out.Strategy | None:
    """The leader's steps, then the key steps of every other applicable strategy (recommended but
    outranked, or recommended beside), by precedence: the plan hides no protocol (docs/policy.md)."""
    k = rs.knowledge
    ranked, by_strategy, also = _ranked_strategies(k, ev)
    if not ranked:
        return None
    win = k.strategies[ranked[0]]
    numbers = emergency_numbers(facts.get("jurisdiction", "CN"))

    def fill(t: Text) -> Text:
        if "{emergency}" not in t.zh and "{emergency}" not in t.en:
            return t
        return Text(zh=t.zh.replace("{emergency}", numbers[0]), en=t.en.replace("{emergency}", numbers[1]))

    order, others = _beside(k, ranked, by_strategy, also)

    def key_steps(sid: str) -> list[Text]:
        entry = k.strategies[sid]
        return [fill(entry.steps[i - 1]) for i in entry.key_steps if 1 <= i <= len(entry.steps)]

    steps = [fill(t) for t in win.steps]
    step_from = [win.id] * len(steps)
    refs = []
    for sid in order:
        merged = [t for t in key_steps(sid) if t not in steps]
        steps += merged
        step_from += [sid] * len(merged)
        refs.append(out.StrategyRef(id=sid, name=k.strategies[sid].name, rules=sorted(set(others[sid])),
                                    key_steps=merged))
    return out.Strategy(
        id=win.id, name=win.name, steps=steps, step_from=step_from,
        rules=sorted(r.id for r in by_strategy[win.id]), also=refs,
        outranked=[out.StrategyRef(id=s, name=k.strategies[s].name, rules=sorted({r.id for r in by_strategy[s]}))
                   for s in ranked[1:]],
    )


def _escalation_level(k, ev: Evaluation, risk_level: str) -> tuple[int, list[str], bool]:
    """(level, rules that set it, whether the risk level alone calls for it)."""
    from_level = k.scoring.level_escalation[risk_level]
    by_rules = [(f.rule.then.escalation, f.rule.id) for f in ev.firings if f.rule.then.escalation]
    level = max([from_level] + [lvl for lvl, _ in by_rules])
    return level, sorted(rid for lvl, rid in by_rules if lvl == level), from_level == level


def default_as_of(facts: dict) -> dt.date:
    """The deterministic as-of date when none is given: received + history.days_open when the handler
    recorded how long the case has been open, else the day it was received. (The CLI passes today.)"""
    received = dt.date.fromisoformat(facts["received"])
    days_open = (facts.get("history") or {}).get("days_open")
    if days_open is None:
        return received
    try:
        return received + dt.timedelta(days=days_open)
    except OverflowError:   # an absurd days_open must not crash the assessment
        return received


def _escalation(rs: Ruleset, state: CaseState, ev: Evaluation, risk_level: str,
                as_of: dt.date) -> out.Escalation:
    level, rules, from_risk = _escalation_level(rs.knowledge, ev, risk_level)
    entry = rs.knowledge.escalation[level]
    deadline, respond_by = _deadline(rs, state, ev)
    immediate = entry.immediate_when is not None and evaluate(entry.immediate_when, state.facts, state.signals,
                                                              ev.findings)
    facts = state.facts
    received = dt.date.fromisoformat(facts["received"])
    days_open = (as_of - received).days
    recorded = (facts.get("history") or {}).get("days_open")
    note = None
    if recorded is not None and recorded != days_open:
        note = Text(zh=f"记录的已处理天数为{recorded}天，按受理日期到评估日期计算为{days_open}天；时限按受理日期计算。",
                    en=f"history.days_open says {recorded} days; received to as-of gives {days_open}; "
                       "the clocks run from `received`.")
    overdue = max(0, (as_of - respond_by).days) if respond_by else 0
    return out.Escalation(level=level, name=entry.name, owner=entry.owner, within_hours=entry.within_hours,
                          respond_by=respond_by, deadline=deadline, rules=rules, from_risk_level=from_risk,
                          immediate=immediate, within_minutes=entry.within_minutes if immediate else None,
                          days_open=days_open, days_open_note=note, overdue_days=overdue,
                          actions=_actions(rs, state, ev, as_of))


def _actions(rs: Ruleset, state: CaseState, ev: Evaluation, as_of: dt.date) -> list[out.Action]:
    """Every applicable clock as a dated action: answer clocks from `received`, duties from their own
    start events; overdue ones carry the days past due and the step the rules then require."""
    facts = state.facts
    items = []
    for d in sorted(rs.knowledge.deadlines.values(), key=lambda d: d.id):
        if d.jurisdiction != facts["jurisdiction"]:
            continue
        if d.applies_when is not None and not evaluate(d.applies_when, facts, state.signals, ev.findings):
            continue
        raw = lookup(facts, d.start_event)
        start = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
        done = d.done_when is not None and evaluate(d.done_when, facts, state.signals, ev.findings)
        due, exact, overdue = None, True, 0
        if start is None:
            status = "done" if done else "not_started"
        else:
            due, exact = add_days(start, d.days, d.day_type, d.jurisdiction)
            overdue = 0 if done else max(0, (as_of - due).days)
            status = "done" if done else "overdue" if overdue else "due"
        items.append(out.Action(id=d.id, name=d.name, kind=d.kind, start_event=d.start_event, start=start, due=due,
                                status=status, overdue_days=overdue, legal_basis=d.legal_basis,
                                step=d.overdue_step if status == "overdue" else None, exact=exact))
    rank = {"overdue": 0, "due": 1, "not_started": 2, "done": 3}
    items.sort(key=lambda a: (rank[a.status], a.due or dt.date.max, a.id))
    return items


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
    for d, applies in rs.policy_conditions.answer_deadlines.get(facts["jurisdiction"], ()):
        if applies is not None and not applies(facts, state.signals, ev.findings):
            continue
        due, exact = add_days(received, d.days, d.day_type, d.jurisdiction)
        if best is None or due < best[1]:
            best = (d, due, exact)
    return best


def _channel_picks(rs: Ruleset, state: CaseState, ev: Evaluation) -> list[tuple[str, list[str], list, bool]]:
    """(channel id, rules, reasons, eligible) for each recommended channel, in policy order."""
    k = rs.knowledge
    eligible_tests = rs.policy_conditions.eligible
    picks: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        for pick in f.rule.then.channels:
            picks[pick.id].append((pick, f.rule.id))
    result = []
    for cid in sorted(picks, key=lambda c: (min(p.rank for p, _ in picks[c]), k.channels[c].order, c)):
        reasons = []
        for pick, _rid in sorted(picks[cid], key=lambda t: (t[0].rank, t[1])):
            if pick.reason not in reasons:
                reasons.append(pick.reason)
        test = eligible_tests[cid]
        eligible = test is None or bool(test(state.facts, state.signals, ev.findings))
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


def relevant_dates(facts: dict) -> list[dt.date]:
    """The dates a citation must be in force on one of: contract sold, loss, complaint received."""
    events = facts.get("events") or {}
    raw = [events.get("contract_sold_on"), events.get("loss_on"), facts["received"]]
    return [dt.date.fromisoformat(r) for r in raw if r]


def in_force(basis, facts: dict) -> str | None:
    """None when the basis may be cited for this case, else why not. In force on some relevant date (a
    sale under the old rules may cite them; nothing later than the complaint); industries must cover
    the case's sector (empty: all sectors)."""
    if basis.industries and facts["industry"] not in basis.industries:
        return "other_sector"
    dates = relevant_dates(facts)
    if basis.effective is not None and basis.effective > max(dates):
        return "not_yet_in_force"
    if basis.ends is not None and basis.ends < min(dates):
        return "no_longer_in_force"
    if basis.effective is not None and basis.ends is not None and \
            not any(basis.effective <= d <= basis.ends for d in dates):
        return "no_longer_in_force"
    return None


def _legal_basis_rules(ev: Evaluation) -> dict[str, list]:
    """Legal basis id -> the rules that cite it."""
    rules: dict[str, list] = defaultdict(list)
    for f in ev.firings:
        for lb in f.rule.then.legal_bases:
            rules[lb].append(f.rule.id)
    return rules


def _cited_legal_bases(rs: Ruleset, state: CaseState, ev: Evaluation) -> list[str]:
    """The ids of the bases cited (in force for the case's sector and dates), by id."""
    return [i for i in sorted(_legal_basis_rules(ev)) if not in_force(rs.knowledge.legal_bases[i], state.facts)]


def _legal_bases(rs: Ruleset, state: CaseState, ev: Evaluation):
    k = rs.knowledge
    rules = _legal_basis_rules(ev)
    cited, skipped = [], []
    for i in sorted(rules):
        b = k.legal_bases[i]
        why = in_force(b, state.facts)
        if why:
            skipped.append(out.LegalBasisSkipped(id=i, reason=why, rules=sorted(set(rules[i]))))
        else:
            cited.append(out.LegalBasisOut(id=i, law=b.law, article=b.article, summary=b.summary,
                                           verified=b.verified, rules=sorted(set(rules[i])), effective=b.effective))
    return cited, skipped
