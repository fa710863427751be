"""What one evaluation of the rules produces, whichever evaluator ran them.

``Firing`` records a rule that fired, the facts it matched (as values a person can read) and its
effects. Both the experta engine and the plain-Python evaluator produce the same records, so the
policy and the explanation do not care which one ran.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskengine.language.tree import (AnyCondition, Condition, FieldCondition, FindingCondition, SignalCondition, SignalsCondition,
                       evaluate, lookup, walk)
from riskengine.contracts.rule import Rule


@dataclass(frozen=True)
class CaseState:
    """The inputs every evaluator sees: the fact dict, all present signals and where each came from."""
    facts: dict
    signals: frozenset
    signal_sources: dict  # signal id -> "declared" | "narrative" | "declared+narrative"

@dataclass(slots=True)
class Firing:
    rule: Rule
    matched: dict[str, Any]
    order: int = 0

@dataclass
class Evaluation:
    firings: list[Firing] = field(default_factory=list)
    findings: set = field(default_factory=set)

    def finish(self, state: CaseState) -> "Evaluation":
        """Record what each firing matched, against the final findings, so the explanation does not
        depend on when inside a stratum a rule happened to fire."""
        for firing in self.firings:
            firing.matched = matched_facts(firing.rule.when, state, self.findings)
        return self

    @property
    def fired_ids(self) -> list[str]:
        return [f.rule.id for f in self.firings]

def matched_facts(cond: Condition, state: CaseState, findings) -> dict[str, Any]:
    """The leaves that made ``cond`` true, with the values they saw.

    Under an ``any`` only the branches that hold are reported; under a ``not`` the leaf is reported
    with the value that made it false (``not finding:X`` -> False, a field -> its actual value).
    """
    def holds(parent: Condition, child: Condition, negated: bool) -> bool:
        return not isinstance(parent, AnyCondition) or evaluate(child, state.facts, state.signals, findings) != negated

    out: dict[str, Any] = {}
    for node, _path, _negated in walk(cond, descend=holds):
        if isinstance(node, FieldCondition):
            out[node.field] = _plain(lookup(state.facts, node.field))
        elif isinstance(node, SignalCondition):
            out[f"signal:{node.signal}"] = state.signal_sources.get(node.signal, False)
        elif isinstance(node, SignalsCondition):
            out["signals:" + ",".join(node.signals)] = sorted(s for s in node.signals if s in state.signals)
        elif isinstance(node, FindingCondition):
            out[f"finding:{node.finding}"] = node.finding in findings
    return out

def _plain(value: Any) -> Any:
    """experta freezes lists and dicts; explanations carry plain JSON values."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    return value
