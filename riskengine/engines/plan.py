"""What both evaluators need before they run: the implicit signal rules and the strata.

Strata make negation safe. A rule that tests ``not {finding: X}`` must only fire once every rule
that could assert X has had its chance, otherwise the answer would depend on firing order. Each
rule's stratum is at least that of the rules asserting the findings it uses, and strictly higher for
findings it negates; a cycle through a negation cannot be stratified and is a ruleset error.
"""
from __future__ import annotations

from dataclasses import dataclass

from riskengine.language.analysis import stratify
from riskengine.contracts.knowledge import AgentSign, Indicator
from riskengine.language.tree import SignalCondition
from riskengine.contracts.rule import Effects, Rule
from riskengine.contracts.ruleset import Ruleset

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
        from riskengine.errors import RulesetError
        raise RulesetError(problems)
    return Plan(rules=rules, stratum=strata)
