"""Regression: experta 1.9.4 could fire a rule whose `not finding` no longer held (found by
tests/test_differential.py on generated cases).

Its depth strategy removes a cancelled activation by bisecting on (salience, fact ids) and looks only
one place either side; with three or more activations of equal key the wrong one stayed on the agenda.
The compiler gives every rule its own effective salience, so keys never tie.
"""
from __future__ import annotations

from riskengine.engines.experta_backend import ExpertaEvaluator
from riskengine.engines.fastpath import FastEvaluator
from riskengine.engines.state import CaseState
from riskengine.engines.plan import Plan, stratify
from riskengine.contracts.rule import Rule


def rule(rid: str, when: dict, **then) -> Rule:
    return Rule.model_validate({"id": rid, "description": {"zh": rid, "en": rid}, "when": when, "then": then})


def test_a_negated_finding_asserted_earlier_blocks_the_rule_whatever_ties_the_agenda_has():
    ties = [rule(f"TIE-{i}", {"all": [{"field": "jurisdiction", "eq": "CN"}, {"not": {"finding": "flag_b"}}]},
                 points={"time": 1}) for i in range(12)]
    rules = [
        rule("ASSERT-A", {"field": "industry", "eq": "public"}, findings=["flag_a"]),
        rule("ASSERT-B", {"field": "industry", "eq": "banking"}, findings=["flag_b"]),   # does not fire
        *ties,
        rule("BLOCKED", {"all": [{"field": "jurisdiction", "eq": "CN"}, {"not": {"finding": "flag_b"}},
                                 {"not": {"finding": "flag_a"}}]}, points={"time": 50}),
    ]
    strata, problems = stratify(rules)
    assert not problems and strata["BLOCKED"] == strata["TIE-0"] == 1
    plan = Plan(rules=tuple(rules), stratum=strata)
    state = CaseState(facts={"id": "X", "industry": "public", "channel": "online", "jurisdiction": "CN"},
                      signals=frozenset(), signal_sources={})
    want = sorted(["ASSERT-A"] + [t.id for t in ties])
    assert sorted(f.rule.id for f in FastEvaluator(plan).evaluate(state).firings) == want
    # experta orders equal keys by how it happened to build its network; several builds cover the orders.
    for _ in range(6):
        fired = sorted(f.rule.id for f in ExpertaEvaluator(plan).evaluate(state).firings)
        assert fired == want
