"""Missing facts: which unknown fields and unobserved signals would change the answer, and how much.

Computed from the rules, not from a list: every unobserved signal and every unknown field a rule
tests is tried, one at a time, with a value taken from the rules' own conditions. The case is
re-assessed with the plain-Python evaluator (proven equal to experta) and the outcome compared.
"""
from __future__ import annotations

from typing import Any, Iterator

from riskengine.contracts.assessment import Assessment, KeyFigures, MissingFact
from riskengine.contracts.knowledge import RISK_LEVELS, Text
from riskengine.language.tree import FieldCondition, leaves, lookup
from riskengine.language.fields import set_path
from riskengine.decide.clock import answer_clock_days
from riskengine.decide.policy import key_figures

MAX_MISSING = 40

# How a handler asks for each case field a rule may test (derived fields are asked for through these).
FIELD_QUESTIONS: dict[str, Text] = {
    "amount_in_dispute": Text(zh="争议金额是多少？", en="What amount is in dispute?"),
    "entitlement_amount": Text(zh="按合同或法律客户实际可得多少（如退保现金价值）？",
                               en="What does the contract or law actually give (e.g. the cash value)?"),
    "demand.type": Text(zh="客户具体要求是什么（全额退款、赔偿、道歉、解释、更正）？",
                        en="What exactly is the customer asking for (refund, compensation, apology, explanation)?"),
    "demand.amount": Text(zh="客户要求的金额是多少？", en="How much is the customer asking for?"),
    "arbitration_agreement": Text(zh="合同中是否有书面仲裁条款，或双方另行签订了仲裁协议？",
                                  en="Is there a written arbitration clause or a separate arbitration agreement?"),
    "complainant.age": Text(zh="投诉人多大年龄？", en="How old is the complainant?"),
    "complainant.emotion": Text(zh="投诉人目前情绪如何（平静、焦虑、激动、敌对）？",
                                en="How is the complainant feeling now (calm, anxious, agitated, hostile)?"),
    "complainant.represented_by": Text(zh="是本人投诉，还是亲属、律师或第三方代为投诉？",
                                       en="Is the complainant acting alone, or through a relative, lawyer or third party?"),
    "complainant.vulnerable": Text(zh="投诉人是否属于老年、重病、残障、低收入等需特别关照的群体？",
                                   en="Is the complainant elderly, seriously ill, disabled, on a low income or "
                                      "otherwise vulnerable?"),
    "history.prior_complaints": Text(zh="此前就同一事项投诉过几次？",
                                     en="How many times has the customer complained about this before?"),
    "history.contacts_last_7_days": Text(zh="近 7 天内联系了我们几次？",
                                         en="How many times have they contacted us in the last 7 days?"),
    "history.days_open": Text(zh="本投诉已经处理了多少天？", en="How many days has this complaint been open?"),
    "history.offers_rejected": Text(zh="客户已拒绝过几次我们的处理方案？",
                                    en="How many of our offers has the customer rejected?"),
    "history.complaints_against_seller_30d": Text(zh="该买家 30 天内对同一商家投诉了几次？",
                                                  en="How many complaints has this buyer filed against the same "
                                                     "seller in 30 days?"),
}
# Derived ratios: the case field a handler is asked for instead (the ratio's denominator).
RATIO_INPUTS = {"derived.demand_over_entitlement": "entitlement_amount",
                "derived.demand_over_dispute": "amount_in_dispute"}
# The clock's lateness: the case field a handler is asked for instead (decide.clock.days_past_answer_clock).
LATENESS, DAYS_OPEN = "derived.answer_days_past", "history.days_open"
# The key figures (assessment.KeyFigures) a missing fact is judged by, weighted by how much a change
# matters to the handler; score and taboos do not make a question worth asking.
WEIGHTS = {"risk.level": 3, "agent.suspected": 3, "strategy": 2, "escalation.level": 2, "channels": 1}


def _impact(before: dict, after: dict) -> tuple[int, list[str]]:
    score, changes = 0, []
    for key, weight in WEIGHTS.items():
        if before[key] == after[key]:
            continue
        if key == "risk.level":
            score += weight * abs(RISK_LEVELS.index(after[key]) - RISK_LEVELS.index(before[key]))
        elif key == "escalation.level":
            score += weight * abs(after[key] - before[key])
        else:
            score += weight
        b, a = before[key], after[key]
        if key == "channels":
            b, a = ",".join(b) or "-", ",".join(a) or "-"
        changes.append(f"{key}: {b} → {a}")
    return score, changes


def _candidate_values(cond: FieldCondition) -> list[Any]:
    """Values that satisfy one leaf; tried one at a time."""
    op, v = cond.op, cond.value
    if op == "eq":
        return [v]
    if op in ("in", "contains_any"):
        return [list(v)[0]] if op == "contains_any" else [v[0]]
    if op == "contains":
        return [v]
    if op in ("ge", "le"):
        return [v]
    if op == "gt":
        return [v + 1 if isinstance(v, int) else v * 1.01 + 0.01]
    if op == "lt":
        return [v - 1 if isinstance(v, int) and v > 0 else v * 0.99]
    return []


def trials(rs, case, state) -> Iterator[tuple[str, Any, dict]]:
    """Every one-fact change missing facts tries, as ``(fact, value, case data)``: each unobserved
    signal (fact ``signal:<id>``), then each unknown field with each value taken from the rules."""
    raw = case.model_dump(mode="json")
    for sid in sorted(set(rs.knowledge.signals) - state.signals):
        yield f"signal:{sid}", sid, dict(raw, signals=list(raw["signals"]) + [sid])
    tried: dict[str, list] = {}
    conditions = [r.when for r in rs.rules]
    conditions += [c.eligible_when for c in rs.knowledge.channels.values() if c.eligible_when is not None]
    conditions += [d.applies_when for d in rs.knowledge.deadlines.values() if d.applies_when is not None]
    for cond in conditions:
        for leaf, _path, negated in leaves(cond):
            if not isinstance(leaf, FieldCondition) or negated:
                continue
            if leaf.field in RATIO_INPUTS:
                # A ratio is asked for through its unknown denominator, sized to meet the rule.
                denominator = RATIO_INPUTS[leaf.field]
                asked = (state.facts.get("demand") or {}).get("amount")
                if asked and lookup(state.facts, denominator) is None:
                    for ratio in _candidate_values(leaf):
                        if ratio and ratio > 0:
                            value = round(asked / ratio, 2)
                            if value not in tried.setdefault(denominator, []):
                                tried[denominator].append(value)
                continue
            if leaf.field == LATENESS:
                # Lateness is asked through the days open: the days the case's answer clock allows, plus the
                # days past it the rule names.
                if lookup(state.facts, DAYS_OPEN) is None:
                    allowed = answer_clock_days(rs.policy_conditions.answer_deadlines, state.facts, state.signals)
                    for past in _candidate_values(leaf) if allowed is not None else ():
                        value = allowed + past
                        if value > 0 and value not in tried.setdefault(DAYS_OPEN, []):
                            tried[DAYS_OPEN].append(value)
                continue
            if leaf.field in FIELD_QUESTIONS:
                current = lookup(state.facts, leaf.field)
                if current is None or (leaf.field == "complainant.vulnerable" and not current):
                    for value in _candidate_values(leaf):
                        if value not in tried.setdefault(leaf.field, []):
                            tried[leaf.field].append(value)
    for field in sorted(tried):
        for value in tried[field]:
            data = _deep_copy(raw)
            set_path(data, field, [value] if field == "complainant.vulnerable" else value)
            yield field, value, data


def missing_facts(engine, case, base: Assessment, state=None, hits=None) -> list[MissingFact]:
    """``state`` and ``hits``: the case's own, when the caller has them (the narrative is then not read again)."""
    from riskengine.contracts.case import Case

    rs = engine.ruleset
    knowledge = rs.knowledge
    if state is None or hits is None:
        state, base_hits = engine.state(case)
    else:
        base_hits = hits
    base_ev = engine.fast.evaluate(state, matched=False)
    base_fired = {f.rule.id for f in base_ev.firings}
    before = base.key_figures().named()
    signals: list[MissingFact] = []
    best: dict[str, tuple] = {}          # field -> (impact, changes, new rules, value) of its best value
    for fact, value, data in trials(rs, case, state):
        if fact.startswith("signal:"):
            s = _with_signal(case, state, value)
            if s is None:
                continue
        else:
            try:
                what_if = Case.model_validate(data)
            except ValueError:
                continue
            # The narrative is the same in every trial: reuse its scan; only what the change touches is re-tested.
            s, _hits = engine.state(what_if, base_hits)
        ev = engine.fast.reevaluate(state, base_ev, s)
        score, changes = _impact(before, KeyFigures.from_summary(key_figures(rs, s, ev)).named())
        if not score:
            continue
        rules = sorted(r for r in {f.rule.id for f in ev.firings} - base_fired if not r.startswith("signal:"))
        if fact.startswith("signal:"):
            entry = knowledge.signals[value]
            question = entry.question or Text(zh=f"是否存在：{entry.name.zh}？", en=f"Is this present: {entry.name.en}?")
            signals.append(MissingFact(fact=fact, question=question, would_change=changes, rules=rules,
                                       impact=score))
        elif fact not in best or score > best[fact][0]:
            best[fact] = (score, changes, rules, value)
    results = signals + [MissingFact(fact=field, question=FIELD_QUESTIONS[field], rules=rules, impact=score,
                                     would_change=[f"if {field} = {value}: " + c for c in changes])
                         for field, (score, changes, rules, value) in best.items()]
    results.sort(key=lambda m: (-m.impact, m.fact))
    return rank_missing(rs, state, base, results)[:MAX_MISSING]


def _with_signal(case, state, sid: str):
    """The state of ``case`` with the signal ``sid`` declared too: what ``engine.state`` makes of the
    case data the trial holds, without validating the whole case again (only the list of signals
    changed, and its one limit is its length; a case's facts hold its signals as a list). None where
    validation would refuse it."""
    from riskengine.engines.state import CaseState
    if len(case.signals) >= _MAX_SIGNALS:
        return None
    facts = dict(state.facts)
    facts["signals"] = [*facts["signals"], sid]
    return CaseState(facts=facts, signals=state.signals | {sid}, signal_sources={**state.signal_sources, sid: "declared"})


def _max_signals() -> int:
    from annotated_types import MaxLen
    from riskengine.contracts.bounds import CASE_LIMITS
    from riskengine.contracts.case import Case
    lengths = [m.max_length for m in Case.__pydantic_fields__["signals"].metadata if isinstance(m, MaxLen)]
    return min([CASE_LIMITS.max_items, *lengths])


_MAX_SIGNALS = _max_signals()


# Signals that only matter where something already points to an agent or to the media (issue 14 §9).
MEDIA_SIGNALS = frozenset({"threatens_media", "media_involved", "social_media_post", "online_complaint_platform",
                           "threatens_online_post"})
# Threats to life and limb are asked about where the person's state or presence points there: a calm or
# anxious customer with no sign of distress is not asked whether they spoke of killing themselves.
SAFETY_SIGNALS = frozenset({"threatens_self_harm", "threatens_violence"})
CALM = frozenset({"calm", "anxious"})
ON_SITE = frozenset({"visit_in_person", "disruptive_on_site"})


def rank_missing(rs, state, base: Assessment, computed: list[MissingFact]) -> list[MissingFact]:
    """What decides the case type first (knowledge/questions.yaml, by weight), then what the rules
    would change (by impact). Agent and media questions only where something points there."""
    from riskengine.language.tree import evaluate

    decisive: list[MissingFact] = []
    for q in sorted(rs.knowledge.questions.values(), key=lambda q: (-q.weight, q.id)):
        if lookup(state.facts, q.fact) is not None:
            continue
        if q.applies_when is not None and not evaluate(q.applies_when, state.facts, state.signals,
                                                       set(base.findings)):
            continue
        decisive.append(MissingFact(fact=q.fact, question=q.question, would_change=[f"decides: {q.why.en}"],
                                    rules=[], impact=100 + q.weight))
    taken = {m.fact for m in decisive}
    agent_points = base.agent.score > 0 or "agent_possible" in base.findings or base.agent.suspected
    media_points = "media_risk" in base.findings
    safety_points = (lookup(state.facts, "complainant.emotion") not in CALM or lookup(state.facts, "channel") == "visit"
                     or any(sid in ON_SITE or getattr(rs.knowledge.signals.get(sid), "dimension", None) == "emotion"
                            for sid in state.signals))
    rest = []
    for m in computed:
        if m.fact in taken:
            continue
        if m.fact.startswith("signal:"):
            sid = m.fact[len("signal:"):]
            if sid in rs.knowledge.agent_signs and not agent_points:
                continue
            if sid in MEDIA_SIGNALS and not media_points:
                continue
            if sid in SAFETY_SIGNALS and not safety_points:
                continue
        rest.append(m)
    return decisive + rest


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data
