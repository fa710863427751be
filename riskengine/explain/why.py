"""Why and why-not, in words a handler or auditor can read.

- :func:`why_not` names the first condition of a rule that does not hold, with the value the case
  has and what the rule needs ("history.days_open is 3; this rule needs ≥ 15"). When the missing piece
  is a finding, it follows the rules that could have asserted it, one level at a time.
- :func:`trace` walks back from a fired rule to the raw signals and fields: which finding came from
  which rule, down to the facts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskengine.engines.state import CaseState, Evaluation
from riskengine.language.tree import (OPERATORS, AllCondition, AnyCondition, Condition, ConditionVisitor, FieldCondition,
                                     FindingCondition, NotCondition, SignalCondition, SignalsCondition, evaluate,
                                     lookup)

MAX_DEPTH = 4


@dataclass
class Unmet:
    text: str                       # one sentence
    condition: str                  # the condition as written, in words
    actual: Any = None
    because: list["WhyNot"] = field(default_factory=list)   # for findings: why their rules did not fire


@dataclass
class WhyNot:
    rule: str
    fired: bool
    unmet: list[Unmet] = field(default_factory=list)


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]" if value else "[]"
    return str(value)


def _need(cond: FieldCondition) -> str:
    if cond.op == "exists":
        return "it to be known" if cond.value else "it to be unknown"
    value = _show(list(cond.value) if isinstance(cond.value, tuple) else cond.value)
    return f"{OPERATORS[cond.op][1]} {value}"


class _Blockers(ConditionVisitor[list[Unmet]]):
    """The unmet leaves that block a condition (:meth:`of`), one ``visit_`` method per node type."""

    def __init__(self, state: CaseState, ev: Evaluation, rules_by_id, depth: int):
        self.state, self.ev, self.rules_by_id, self.depth = state, ev, rules_by_id, depth

    def of(self, cond: Condition, negated: bool = False) -> list[Unmet]:
        """The first failing child of an `all`, every branch of an `any`; nothing when ``cond`` holds
        (or, ``negated``, does not)."""
        holds = evaluate(cond, self.state.facts, self.state.signals, self.ev.findings)
        if holds != negated:
            return []
        return cond.accept(self, negated)

    def _children(self, children, conjunctive: bool, negated: bool) -> list[Unmet]:
        if conjunctive:
            for child in children:
                found = self.of(child, negated)
                if found:
                    return found
            return []
        return [u for child in children for u in self.of(child, negated)]

    def visit_all(self, node: AllCondition, negated: bool) -> list[Unmet]:
        return self._children(node.all, not negated, negated)

    def visit_any(self, node: AnyCondition, negated: bool) -> list[Unmet]:
        return self._children(node.any, negated, negated)

    def visit_not(self, node: NotCondition, negated: bool) -> list[Unmet]:
        return self.of(node.not_, not negated)

    def visit_field(self, leaf: FieldCondition, negated: bool) -> list[Unmet]:
        actual = lookup(self.state.facts, leaf.field)
        if negated:
            return [Unmet(f"{leaf.field} is {_show(actual)}; this rule needs it NOT to be {_need(leaf)}",
                          "not " + leaf.describe(), actual)]
        return [Unmet(f"{leaf.field} is {_show(actual)}; this rule needs {_need(leaf)}", leaf.describe(), actual)]

    def visit_signal(self, leaf: SignalCondition, negated: bool) -> list[Unmet]:
        if negated:
            return [Unmet(f"signal {leaf.signal} is present ({self.state.signal_sources.get(leaf.signal)}); "
                          "this rule needs it absent", "not " + leaf.describe(), True)]
        return [Unmet(f"signal {leaf.signal} was neither declared nor found in the narrative; this rule needs it",
                      leaf.describe(), False)]

    def visit_signals(self, leaf: SignalsCondition, negated: bool) -> list[Unmet]:
        present = sorted(s for s in leaf.signals if s in self.state.signals)
        return [Unmet(f"{len(present)} of [{', '.join(leaf.signals)}] present ({', '.join(present) or 'none'}); "
                      f"this rule needs {'fewer than ' if negated else 'at least '}{leaf.min}",
                      leaf.describe(), present)]

    def visit_finding(self, leaf: FindingCondition, negated: bool) -> list[Unmet]:
        ev, rules_by_id, depth = self.ev, self.rules_by_id, self.depth
        if negated:
            by = sorted(f.rule.id for f in ev.firings if leaf.finding in f.rule.then.findings)
            return [Unmet(f"finding {leaf.finding} was asserted (by {', '.join(by)}); this rule needs it absent",
                          "not " + leaf.describe(), True)]
        asserters = [r for r in rules_by_id.values() if leaf.finding in r.then.findings]
        because = [why_not_rule(r, self.state, ev, rules_by_id, depth + 1) for r in asserters] \
            if depth < MAX_DEPTH else []
        names = ", ".join(r.id for r in asserters) or "no rule"
        return [Unmet(f"finding {leaf.finding} was not asserted; it comes from {names}, which did not fire",
                      leaf.describe(), False, because)]


def why_not_rule(rule, state: CaseState, ev: Evaluation, rules_by_id, depth: int = 0) -> WhyNot:
    if rule.id in {f.rule.id for f in ev.firings}:
        return WhyNot(rule.id, True)
    return WhyNot(rule.id, False, _Blockers(state, ev, rules_by_id, depth).of(rule.when))


def why_not(engine, case, rule_id: str) -> WhyNot:
    rules_by_id = {r.id: r for r in engine.plan.rules}
    if rule_id not in rules_by_id:
        from riskengine.errors import CaseError, did_you_mean
        hint = did_you_mean(rule_id, rules_by_id)
        raise CaseError(f"no rule '{rule_id}'" + (f"; {hint}" if hint else ""), code="RE103")
    state, _hits, ev = engine.evaluate(case, "compiled")
    return why_not_rule(rules_by_id[rule_id], state, ev, rules_by_id)


def render_why_not(w: WhyNot, indent: str = "") -> list[str]:
    if w.fired:
        return [f"{indent}{w.rule} fired."]
    lines = [f"{indent}{w.rule} did not fire:"]
    for u in w.unmet:
        lines.append(f"{indent}  - {u.text}")
        for sub in u.because:
            lines.extend(render_why_not(sub, indent + "      "))
    return lines


@dataclass
class TraceNode:
    rule: str
    matched: dict
    via: list["TraceNode"] = field(default_factory=list)   # rules that asserted the findings it matched


def trace(ev: Evaluation, rule_id: str, _seen: frozenset = frozenset()) -> TraceNode | None:
    firing = next((f for f in ev.firings if f.rule.id == rule_id), None)
    if firing is None:
        return None
    node = TraceNode(rule_id, firing.matched)
    for key, value in firing.matched.items():
        if key.startswith("finding:") and value is True:
            finding = key.split(":", 1)[1]
            for f in ev.firings:
                if finding in f.rule.then.findings and f.rule.id not in _seen and f.rule.id != rule_id:
                    child = trace(ev, f.rule.id, _seen | {rule_id})
                    if child:
                        node.via.append(child)
    return node


def render_trace(node: TraceNode, indent: str = "") -> list[str]:
    facts = ", ".join(f"{k}={_show(v)}" for k, v in node.matched.items())
    lines = [f"{indent}{node.rule} ⇐ {facts}"]
    for child in node.via:
        lines.extend(render_trace(child, indent + "    "))
    return lines


def recommendation_traces(a, ev: Evaluation) -> list[tuple[str, list[TraceNode]]]:
    """For each recommendation of an assessment, the trees of rules behind it."""
    items: list[tuple[str, list[str]]] = []
    if a.strategy:
        items.append((f"strategy {a.strategy.id}", a.strategy.rules))
        items.extend((f"also {s.id}", s.rules) for s in a.strategy.also)
    if a.escalation.rules:
        items.append((f"escalation {a.escalation.level}", a.escalation.rules))
    items.extend((f"channel {c.id}", c.rules) for c in a.channels)
    items.extend((f"taboo {t.id}", t.rules) for t in a.taboos)
    items.extend((f"legal basis {lb.id}", lb.rules) for lb in a.legal_bases)
    if a.profile.nature:
        items.append((f"nature {a.profile.nature.id}", a.profile.nature.rules))
    out = []
    for label, rules in items:
        nodes = [n for n in (trace(ev, r) for r in rules) if n]
        out.append((label, nodes))
    return out

