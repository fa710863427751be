"""Cross-reference checks over a loaded ruleset: everything a schema alone cannot see.

Unknown signals, fields and knowledge ids; operators that do not fit the field; findings no rule
asserts; rules that can never fire. Every problem carries the file and line it is about.
"""
from __future__ import annotations

from riskengine.errors import Problem, did_you_mean
from riskengine.language.fields import FIELD_TYPES, allowed_values, kind_of
from riskengine.language.analysis import conjuncts, contradiction, required, stratify
from riskengine.language.tree import (NUMERIC_OPS, AllCondition, Condition, ConditionSyntaxError, FieldCondition,
                                     FindingCondition, UnsafePatternError, check_pattern_safety, compile_safe_regex,
                                     leaves)
from riskengine.contracts.ruleset import Ruleset

# Findings the policy reads directly (they need no rule that matches on them).
POLICY_FINDINGS = frozenset({"suspected_agent"})
CATALOG_FILES = {"strategy": "strategies.yaml", "channel": "channels.yaml", "taboo": "taboos.yaml",
                 "legal_basis": "legal_bases.yaml", "profile": "profiles.yaml", "phrase": "phrases.yaml"}


class _Checks:
    """The state the stages share: the ruleset, the problems found so far, and which findings are used."""

    def __init__(self, rs: Ruleset):
        self.rs = rs
        self.k = rs.knowledge
        self.problems: list[Problem] = []
        self.asserted = {f for r in rs.rules for f in r.then.findings}
        self.used_findings: set[str] = set(POLICY_FINDINGS)

    def at(self, key: str, path: tuple, code: str, msg: str, hint: str = "", severity: str = "error") -> None:
        src, base = self.rs.located[key]
        self.problems.append(src.problem(base + path, code, msg, hint, severity))

    def ref(self, key: str, path: tuple, kind: str, value, catalog) -> None:
        if value not in catalog:
            self.at(key, path, "RE103", f"unknown {kind.replace('_', ' ')} id '{value}'",
                    did_you_mean(str(value), map(str, catalog)) or f"define it in knowledge/{CATALOG_FILES[kind]} first")

    def condition(self, key: str, cond: Condition, base: tuple) -> None:
        """Every id a condition names exists; every field test fits its field."""
        for leaf, path, _neg in leaves(cond, base):
            for kind, ident, step in leaf.references():
                if kind == "signal":
                    if ident not in self.k.signals:
                        self.at(key, path + step, "RE101", f"unknown signal '{ident}'",
                                did_you_mean(ident, self.k.signals)
                                or "signals are the ids in indicators.yaml and agent_signs.yaml")
                elif kind == "finding":
                    self.used_findings.add(ident)
                    if ident not in self.asserted:
                        self.at(key, path + step, "RE104", f"finding '{ident}' is never asserted by any rule",
                                did_you_mean(ident, self.asserted) or "add a rule whose `then.findings` lists it")
                else:
                    self.field_test(key, leaf, path)

    def field_test(self, key: str, leaf: FieldCondition, path: tuple) -> None:
        at = self.at
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


# -- the stages, in the order they run (as Open Policy Agent lists its compiler stages) ---------------
def _catalog_shape(c: _Checks) -> None:
    """Signal ids unique across indicators and agent signs; escalation levels 1 to 4 all defined."""
    k = c.k
    for sid in sorted(set(k.indicators) & set(k.agent_signs)):
        c.at(f"agent_signs:{sid}", (), "RE020", f"signal id '{sid}' is both an indicator and an agent sign",
             "signal ids must be unique across indicators.yaml and agent_signs.yaml")
    missing_levels = sorted({1, 2, 3, 4} - set(k.escalation))
    if missing_levels and k.escalation:
        c.at(f"escalation:{next(iter(k.escalation))}", (), "RE010", f"escalation levels {missing_levels} are missing",
             "knowledge/escalation.yaml must define levels 1 to 4")


def _rules(c: _Checks) -> None:
    """Each rule's condition, and every knowledge id its effects name."""
    k = c.k
    for rule in c.rs.rules:
        c.condition(rule.id, rule.when, ("when",))
        t = rule.then
        if t.strategy:
            c.ref(rule.id, ("then", "strategy"), "strategy", t.strategy, k.strategies)
        for field, kind, catalog in (("also_strategies", "strategy", k.strategies), ("taboos", "taboo", k.taboos),
                                     ("legal_bases", "legal_basis", k.legal_bases),
                                     ("profile", "profile", k.profiles), ("phrases", "phrase", k.phrases)):
            for i, value in enumerate(getattr(t, field)):
                c.ref(rule.id, ("then", field, i), kind, value, catalog)
        for i, ch in enumerate(t.channels):
            c.ref(rule.id, ("then", "channels", i), "channel", ch.id, k.channels)
        if t.is_empty():
            c.at(rule.id, ("then",), "RW302", f"rule {rule.id} has no effect", "give it points, findings or a "
                 "recommendation, or delete it", "warning")


def _knowledge_conditions(c: _Checks) -> None:
    """The conditions knowledge entries carry (eligibility, clocks, crisis, phrases, questions) and the
    case fields they name."""
    k = c.k
    for cid, ch in k.channels.items():
        if ch.eligible_when is not None:
            c.condition(f"channels:{cid}", ch.eligible_when, ("eligible_when",))
    for did, d in k.deadlines.items():
        for name in ("applies_when", "done_when"):
            if getattr(d, name) is not None:
                c.condition(f"deadlines:{did}", getattr(d, name), (name,))
        if d.start_event not in FIELD_TYPES or kind_of(d.start_event) != "date":
            c.at(f"deadlines:{did}", ("start_event",), "RE102", f"start_event '{d.start_event}' is not a date field",
                 did_you_mean(d.start_event, [p for p in FIELD_TYPES if kind_of(p) == "date"]) or
                 "use received or a date in the case's events block")
    for lvl, e in k.escalation.items():
        if e.immediate_when is not None:
            c.condition(f"escalation:{lvl}", e.immediate_when, ("immediate_when",))
    for pid, ph in k.phrases.items():
        if ph.when is not None:
            c.condition(f"phrases:{pid}", ph.when, ("when",))
    for qid, q in k.questions.items():
        if q.applies_when is not None:
            c.condition(f"questions:{qid}", q.applies_when, ("applies_when",))
        if q.fact not in FIELD_TYPES or q.fact.startswith("derived."):
            c.at(f"questions:{qid}", ("fact",), "RE102", f"unknown case field '{q.fact}'",
                 did_you_mean(q.fact, FIELD_TYPES) or "see docs/case-format.md for the field paths")


def _legal_references(c: _Checks) -> None:
    """Every legal basis a channel, clock, taboo or strategy cites exists."""
    k = c.k
    for cid, ch in k.channels.items():
        for i, lb in enumerate(ch.legal_bases):
            c.ref(f"channels:{cid}", ("legal_bases", i), "legal_basis", lb, k.legal_bases)
    for did, d in k.deadlines.items():
        if d.legal_basis:
            c.ref(f"deadlines:{did}", ("legal_basis",), "legal_basis", d.legal_basis, k.legal_bases)
    for kind, catalog in (("taboos", k.taboos), ("strategies", k.strategies)):
        for eid, entry in catalog.items():
            for i, lb in enumerate(entry.legal_bases):
                c.ref(f"{kind}:{eid}", ("legal_bases", i), "legal_basis", lb, k.legal_bases)


# a literal space or mark at a pattern's end (".", "?" and "-" are left out: they are regex syntax or ranges)
_NO_WORD_END = frozenset(" ,;:!")


def _patterns(c: _Checks) -> None:
    """Narrative patterns are valid and run in linear time."""
    from riskengine.reading.narrative import normalise_pattern
    for kind, catalog in (("indicators", c.k.indicators), ("agent_signs", c.k.agent_signs)):
        for sid, entry in catalog.items():
            for lang in ("zh", "en"):
                for j, pattern in enumerate(getattr(entry.patterns, lang)):
                    try:
                        compile_safe_regex(pattern, lookaround=True)
                        # and as the reader will compile it (normalised: full-width brackets become
                        # groups), so an engine of a loaded ruleset need not check again at start-up
                        check_pattern_safety(normalise_pattern(pattern))
                    except ConditionSyntaxError as exc:
                        code = "RE013" if isinstance(exc, UnsafePatternError) else "RE012"
                        c.at(f"{kind}:{sid}", ("patterns", lang, j), code, str(exc))
                        continue
                    # An English match must end at a word's end, so a pattern that ends in a space or a
                    # punctuation mark can only match where no word follows: "aged (\d\d), " never matches
                    # "aged 82, retired".
                    if lang == "en" and pattern[-1:] in _NO_WORD_END:
                        c.at(f"{kind}:{sid}", ("patterns", lang, j), "RW307",
                             f"pattern {pattern!r} ends in {pattern[-1]!r}: an English match must end at a word's "
                             "end, so it never matches before a word",
                             "end it on the last word, or with a lookahead such as (?= )", severity="warning")


def _concepts(c: _Checks) -> None:
    """The narrative lexicons: known concept ids, no include cycles, no empty or unused concepts."""
    from riskengine.reading.lexicon import validate_concepts
    validate_concepts(c.rs, c.at)


def _findings_used(c: _Checks) -> None:
    """A finding no condition reads is a warning (after every condition has been read)."""
    for rule in c.rs.rules:
        for i, f in enumerate(rule.then.findings):
            if f not in c.used_findings:
                c.at(rule.id, ("then", "findings", i), "RW301", f"finding '{f}' is asserted but no rule, channel or "
                     "deadline uses it", "", "warning")


STAGES: tuple[tuple[str, object], ...] = (
    ("catalog shape", _catalog_shape),
    ("rules", _rules),
    ("knowledge conditions", _knowledge_conditions),
    ("legal references", _legal_references),
    ("patterns", _patterns),
    ("concepts", _concepts),
    ("findings used", _findings_used),
    ("reachability", lambda c: c.problems.extend(_never_fire(c.rs))),
    ("strategy conflicts", lambda c: c.problems.extend(_strategy_conflicts(c.rs))),
    ("channel ties", lambda c: c.problems.extend(_channel_ties(c.rs))),
    ("strata", lambda c: c.problems.extend(stratify(c.rs.rules, c.rs)[1])),
)


def validate_ruleset(rs: Ruleset) -> list[Problem]:
    """Every problem the named stages find, in stage order."""
    checks = _Checks(rs)
    for _name, stage in STAGES:
        stage(checks)
    return checks.problems


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
