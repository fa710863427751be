"""Cross-reference checks over a loaded ruleset: everything a schema alone cannot see.

Unknown signals, fields and knowledge ids; operators that do not fit the field; findings no rule
asserts; rules that can never fire. Every problem carries the file and line it is about.
"""
from __future__ import annotations


from riskengine.errors import Problem, did_you_mean
from riskengine.language.fields import FIELD_TYPES, allowed_values, kind_of
from riskengine.language.analysis import conjuncts, contradiction, required, stratify
from riskengine.language.tree import (NUMERIC_OPS, ConditionSyntaxError, UnsafePatternError, compile_safe_regex, AllCondition, Condition,
                       FieldCondition, FindingCondition, leaves)
from riskengine.contracts.ruleset import Ruleset

# Findings the policy reads directly (they need no rule that matches on them).
POLICY_FINDINGS = frozenset({"suspected_agent"})
CATALOG_FILES = {"strategy": "strategies.yaml", "channel": "channels.yaml", "taboo": "taboos.yaml",
                 "legal_basis": "legal_bases.yaml", "profile": "profiles.yaml", "phrase": "phrases.yaml"}


def validate_ruleset(rs: Ruleset) -> list[Problem]:
    k = rs.knowledge
    problems: list[Problem] = []

    def at(key: str, path: tuple, code: str, msg: str, hint: str = "", severity: str = "error"):
        src, base = rs.located[key]
        problems.append(src.problem(base + path, code, msg, hint, severity))

    def ref(key: str, path: tuple, kind: str, value, catalog) -> None:
        if value not in catalog:
            at(key, path, "RE103", f"unknown {kind.replace('_', ' ')} id '{value}'",
               did_you_mean(str(value), map(str, catalog)) or f"define it in knowledge/{CATALOG_FILES[kind]} first")

    overlap = set(k.indicators) & set(k.agent_signs)
    for sid in sorted(overlap):
        at(f"agent_signs:{sid}", (), "RE020", f"signal id '{sid}' is both an indicator and an agent sign",
           "signal ids must be unique across indicators.yaml and agent_signs.yaml")
    missing_levels = sorted({1, 2, 3, 4} - set(k.escalation))
    if missing_levels and k.escalation:
        first = next(iter(k.escalation))
        at(f"escalation:{first}", (), "RE010", f"escalation levels {missing_levels} are missing",
           "knowledge/escalation.yaml must define levels 1 to 4")

    asserted = {f for r in rs.rules for f in r.then.findings}
    used_findings: set[str] = set(POLICY_FINDINGS)

    def check_condition(key: str, cond: Condition, base: tuple) -> None:
        def _check_signal(sid: str, p: tuple) -> None:
            if sid not in k.signals:
                at(key, p, "RE101", f"unknown signal '{sid}'",
                   did_you_mean(sid, k.signals) or "signals are the ids in indicators.yaml and agent_signs.yaml")

        for leaf, path, _neg in leaves(cond, base):
            for kind, ident, step in leaf.references():
                if kind == "signal":
                    _check_signal(ident, path + step)
                elif kind == "finding":
                    used_findings.add(ident)
                    if ident not in asserted:
                        at(key, path + step, "RE104", f"finding '{ident}' is never asserted by any rule",
                           did_you_mean(ident, asserted) or "add a rule whose `then.findings` lists it")
                else:
                    _check_field(key, leaf, path)

    def _check_field(key: str, leaf: FieldCondition, path: tuple) -> None:
        if leaf.field not in FIELD_TYPES:
            at(key, path + ("field",), "RE102", f"unknown field '{leaf.field}'",
               did_you_mean(leaf.field, FIELD_TYPES) or "see docs/case-format.md for the field paths")
            return
        kind = kind_of(leaf.field)
        op = leaf.op
        if op in NUMERIC_OPS and kind not in ("number",):
            at(key, path + (op,), "RE106", f"'{op}' compares numbers but {leaf.field} is {kind}",
               "use eq/in for non-numbers")
        if op in ("contains", "contains_any") and kind not in ("list", "text"):
            at(key, path + (op,), "RE106", f"'{op}' needs a list or text field; {leaf.field} is {kind}")
        if op == "matches" and kind != "text":
            at(key, path + (op,), "RE106", f"'matches' needs a text field; {leaf.field} is {kind}")
        allowed = allowed_values(leaf.field)
        if allowed is not None and op in ("eq", "ne", "in", "not_in", "contains", "contains_any"):
            values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            for v in values:
                if v not in allowed:
                    at(key, path + (op,), "RE106", f"{leaf.field} is never '{v}'",
                       did_you_mean(str(v), map(str, allowed)) or f"allowed: {', '.join(map(str, allowed))}")
        if kind == "bool" and op in ("eq", "ne") and not isinstance(leaf.value, bool):
            at(key, path + (op,), "RE106", f"{leaf.field} is true or false, not {leaf.value!r}")

    for rule in rs.rules:
        check_condition(rule.id, rule.when, ("when",))
        t = rule.then
        if t.strategy:
            ref(rule.id, ("then", "strategy"), "strategy", t.strategy, k.strategies)
        for i, s in enumerate(t.also_strategies):
            ref(rule.id, ("then", "also_strategies", i), "strategy", s, k.strategies)
        for i, ch in enumerate(t.channels):
            ref(rule.id, ("then", "channels", i), "channel", ch.id, k.channels)
        for i, tb in enumerate(t.taboos):
            ref(rule.id, ("then", "taboos", i), "taboo", tb, k.taboos)
        for i, lb in enumerate(t.legal_bases):
            ref(rule.id, ("then", "legal_bases", i), "legal_basis", lb, k.legal_bases)
        for i, pid in enumerate(t.profile):
            ref(rule.id, ("then", "profile", i), "profile", pid, k.profiles)
        for i, ph in enumerate(t.phrases):
            ref(rule.id, ("then", "phrases", i), "phrase", ph, k.phrases)
        if t.is_empty():
            at(rule.id, ("then",), "RW302", f"rule {rule.id} has no effect", "give it points, findings or a "
               "recommendation, or delete it", "warning")

    for cid, ch in k.channels.items():
        if ch.eligible_when is not None:
            check_condition(f"channels:{cid}", ch.eligible_when, ("eligible_when",))
        for i, lb in enumerate(ch.legal_bases):
            ref(f"channels:{cid}", ("legal_bases", i), "legal_basis", lb, k.legal_bases)
    for did, d in k.deadlines.items():
        if d.applies_when is not None:
            check_condition(f"deadlines:{did}", d.applies_when, ("applies_when",))
        if d.done_when is not None:
            check_condition(f"deadlines:{did}", d.done_when, ("done_when",))
        if d.start_event not in FIELD_TYPES or kind_of(d.start_event) != "date":
            at(f"deadlines:{did}", ("start_event",), "RE102", f"start_event '{d.start_event}' is not a date field",
               did_you_mean(d.start_event, [p for p in FIELD_TYPES if kind_of(p) == "date"]) or
               "use received or a date in the case's events block")
    for lvl, e in k.escalation.items():
        if e.immediate_when is not None:
            check_condition(f"escalation:{lvl}", e.immediate_when, ("immediate_when",))
    for pid, ph in k.phrases.items():
        if ph.when is not None:
            check_condition(f"phrases:{pid}", ph.when, ("when",))
    for qid, q in k.questions.items():
        if q.applies_when is not None:
            check_condition(f"questions:{qid}", q.applies_when, ("applies_when",))
        if q.fact not in FIELD_TYPES or q.fact.startswith("derived."):
            at(f"questions:{qid}", ("fact",), "RE102", f"unknown case field '{q.fact}'",
               did_you_mean(q.fact, FIELD_TYPES) or "see docs/case-format.md for the field paths")
        if d.legal_basis:
            ref(f"deadlines:{did}", ("legal_basis",), "legal_basis", d.legal_basis, k.legal_bases)
    for kind, catalog in (("indicators", k.indicators), ("agent_signs", k.agent_signs)):
        for sid, entry in catalog.items():
            for lang in ("zh", "en"):
                for j, pattern in enumerate(getattr(entry.patterns, lang)):
                    try:
                        compile_safe_regex(pattern, lookaround=True)
                    except ConditionSyntaxError as exc:
                        code = "RE013" if isinstance(exc, UnsafePatternError) else "RE012"
                        at(f"{kind}:{sid}", ("patterns", lang, j), code, str(exc))
    for kind, catalog in (("taboos", k.taboos), ("strategies", k.strategies)):
        for eid, entry in catalog.items():
            for i, lb in enumerate(entry.legal_bases):
                ref(f"{kind}:{eid}", ("legal_bases", i), "legal_basis", lb, k.legal_bases)

    for rule in rs.rules:
        for i, f in enumerate(rule.then.findings):
            if f not in used_findings:
                at(rule.id, ("then", "findings", i), "RW301", f"finding '{f}' is asserted but no rule, channel or "
                   "deadline uses it", "", "warning")
    from riskengine.reading.lexicon import validate_concepts
    validate_concepts(rs, at)
    problems.extend(_never_fire(rs))
    problems.extend(_strategy_conflicts(rs))
    problems.extend(_channel_ties(rs))
    problems.extend(stratify(rs.rules, rs)[1])
    return problems


def _never_fire(rs: Ruleset) -> list[Problem]:
    """Rules whose condition contradicts itself, or that need a finding only unreachable rules assert."""
    out: list[Problem] = []
    contradictory = {r.id for r in rs.rules if contradiction(r.when)}
    reachable: set[str] = set()
    live = [r for r in rs.rules if r.id not in contradictory]
    changed = True
    fireable: set[str] = set()
    while changed:
        changed = False
        for r in live:
            if r.id in fireable:
                continue
            needed = {leaf.finding for leaf, _p, neg in leaves(r.when) if isinstance(leaf, FindingCondition)
                      and not neg and required(r.when, leaf.finding)}
            if needed <= reachable:
                fireable.add(r.id)
                reachable.update(r.then.findings)
                changed = True
    for r in rs.rules:
        if r.id in fireable:
            continue
        src, base = rs.located[r.id]
        why = ("its conditions contradict each other" if r.id in contradictory
               else "it needs a finding that only rules which cannot fire assert (or a cycle)")
        out.append(src.problem(base + ("when",), "RE105", f"rule {r.id} can never fire: {why}",
                               "check the values and findings it requires"))
    return out


def _strategy_conflicts(rs: Ruleset) -> list[Problem]:
    """Warnings: two rules that can hold together recommend different strategies that tie on precedence and
    salience (the winner would fall to the id); a rule whose strategy always loses to a more general rule's."""
    out: list[Problem] = []
    k = rs.knowledge
    rules = [r for r in rs.rules if r.then.strategy in k.strategies]
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            sa, sb = a.then.strategy, b.then.strategy
            if sa == sb or contradiction(AllCondition(all=(a.when, b.when))):
                continue
            src, base = rs.located[b.id]
            pa, pb = k.strategies[sa].precedence, k.strategies[sb].precedence
            if pa == pb and a.salience == b.salience:
                out.append(src.problem(base + ("then", "strategy"), "RW303",
                                       f"rules {a.id} and {b.id} can fire together and recommend {sa} and {sb}, "
                                       f"which tie on precedence ({pa}) and salience ({a.salience})",
                                       f"give one a higher salience or its strategy a different precedence "
                                       f"({a.id} is at {rs.sources[a.id]})", "warning"))
                continue
            ca, cb = conjuncts(a.when), conjuncts(b.when)
            for general, specific, pg, ps in ((a, b, pa, pb), (b, a, pb, pa)):
                cg, cs = (ca, cb) if general is a else (cb, ca)
                if cg is not None and cs is not None and cg <= cs and pg > ps:
                    s2, b2 = rs.located[specific.id]
                    out.append(s2.problem(b2 + ("then", "strategy"), "RW304",
                                          f"{specific.id} recommends {specific.then.strategy}, but whenever it fires "
                                          f"{general.id} also fires and its {general.then.strategy} always wins",
                                          f"{general.id} is at {rs.sources[general.id]}", "warning"))
    return out


def _channel_ties(rs: Ruleset) -> list[Problem]:
    """Warnings: rules that can fire together rank two different channels equally, and the channels share
    the same default order, so which one is listed first would fall to the channel id."""
    out: list[Problem] = []
    k = rs.knowledge
    picks = [(r, p) for r in rs.rules for p in r.then.channels if p.id in k.channels]
    seen: set = set()
    for i, (a, pa) in enumerate(picks):
        for b, pb in picks[i + 1:]:
            if a.id == b.id or pa.id == pb.id or pa.rank != pb.rank:
                continue
            if k.channels[pa.id].order != k.channels[pb.id].order:
                continue
            key = (a.id, b.id, pa.id, pb.id)
            if key in seen or contradiction(AllCondition(all=(a.when, b.when))):
                continue
            seen.add(key)
            src, base = rs.located[b.id]
            out.append(src.problem(base + ("then", "channels"), "RW305",
                                   f"rules {a.id} and {b.id} can fire together and rank channels {pa.id} and "
                                   f"{pb.id} equally ({pa.rank}); both channels have order "
                                   f"{k.channels[pa.id].order}, so their order would fall to the id",
                                   f"give one pick a different rank ({a.id} is at {rs.sources[a.id]})", "warning"))
    return out
