"""What both evaluators need before they run: the implicit signal rules and the strata.

Strata make negation safe. A rule that tests ``not {finding: X}`` must only fire once every rule
that could assert X has had its chance, otherwise the answer would depend on firing order. Each
rule's stratum is at least that of the rules asserting the findings it uses, and strictly higher for
findings it negates; a cycle through a negation cannot be stratified and is a ruleset error.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import Problem
from .knowledge import AgentSign, Indicator
from .language import FindingCondition, SignalCondition
from .rule import Effects, Rule
from .ruleset import Ruleset

SIGNAL_RULE_PREFIX = "signal:"


def signal_rule(entry: Indicator | AgentSign) -> Rule:
    """Each indicator adds its points to its dimension, each agent sign its weight to agent suspicion."""
    if isinstance(entry, Indicator):
        effects = Effects(points={entry.dimension: entry.points})
    else:
        effects = Effects(agent_points=entry.weight)
    return Rule.model_construct(id=SIGNAL_RULE_PREFIX + entry.id, description=entry.name, salience=0,
                                when=SignalCondition(signal=entry.id), then=effects)


@dataclass(frozen=True)
class Plan:
    rules: tuple[Rule, ...]          # implicit signal rules first, then the ruleset's, in file order
    stratum: dict[str, int]          # rule id -> stratum (0 first)

    @property
    def depth(self) -> int:
        return max(self.stratum.values(), default=0) + 1


def build_plan(rs: Ruleset) -> Plan:
    implicit = [signal_rule(e) for e in rs.knowledge.signals.values()]
    rules = tuple(implicit + list(rs.rules))
    strata, problems = stratify(rules, rs)
    if problems:
        from .errors import RulesetError
        raise RulesetError(problems)
    return Plan(rules=rules, stratum=strata)


def stratify(rules, rs: Ruleset | None = None) -> tuple[dict[str, int], list[Problem]]:
    from .validate import walk

    asserters: dict[str, list[str]] = {}
    for r in rules:
        for f in r.then.findings:
            asserters.setdefault(f, []).append(r.id)
    deps: dict[str, list[tuple[str, bool]]] = {}
    for r in rules:
        deps[r.id] = [(a, neg) for leaf, _p, neg in walk(r.when) if isinstance(leaf, FindingCondition)
                      for a in asserters.get(leaf.finding, ())]
    stratum = {r.id: 0 for r in rules}
    limit = len(rules) + 1
    for _ in range(limit):
        changed = False
        for rid, ds in deps.items():
            for other, neg in ds:
                need = stratum[other] + (1 if neg else 0)
                if stratum[rid] < need:
                    stratum[rid] = need
                    changed = True
                    if need > limit:
                        break
        if not changed:
            return stratum, []
    bad = sorted(rid for rid, s in stratum.items() if s >= limit - 1)
    problems = []
    for rid in bad[:1] or sorted(stratum)[:1]:
        where = rs.sources.get(rid) if rs else None
        problems.append(Problem(where.file if where else "rules", where.line if where else 0, 1, "RE107",
                                f"rule {rid} is part of a cycle through a `not finding` test; the result would "
                                "depend on firing order", "break the cycle: a rule must not negate a finding "
                                "that depends on its own conclusion"))
    return stratum, problems
