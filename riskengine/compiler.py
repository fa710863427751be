"""Compile a validated ruleset onto an experta ``KnowledgeEngine`` (the reference evaluator).

One class is built with ``type()`` per ruleset load; each case is assessed with ``reset()``, one
``declare(*facts)`` and ``run()`` on the same instance. Facts: one ``CaseFact`` holding the whole case
(few large facts are far cheaper in experta than many small ones) and one ``Finding`` per asserted
finding. Effective salience puts every rule of a lower stratum before any rule of a higher one, so
``not finding`` tests only run once the finding can no longer appear (see :mod:`riskengine.plan`).

experta 1.9.4 is not thread-safe (``Rule.__get__`` stores the engine on the shared class-level Rule,
and its check caches are global), so :class:`ExpertaEvaluator` serialises ``evaluate`` with a lock.
"""
from __future__ import annotations

import threading

from experta import AND, NOT, OR, Fact, KnowledgeEngine, P
from experta import Rule as ExpertaRule

from .firing import CaseState, Evaluation, Firing
from .language import (AllCondition, AnyCondition, Condition, FieldCondition, FindingCondition, NotCondition,
                       SignalCondition, SignalsCondition, count_signals, test_field)
from .plan import Plan

STRATUM_SPAN = 10_000  # rule salience is bounded to ±1000, so strata never overlap


class CaseFact(Fact):
    """The whole case as one fact; nested fields are matched with experta's ``a__b`` paths."""


class Finding(Fact):
    """A conclusion asserted by a rule, matched by later rules (forward chaining)."""


def _pattern(cond: Condition):
    if isinstance(cond, AllCondition):
        return AND(*(_pattern(c) for c in cond.all))
    if isinstance(cond, AnyCondition):
        return OR(*(_pattern(c) for c in cond.any))
    if isinstance(cond, NotCondition):
        return NOT(_pattern(cond.not_))
    if isinstance(cond, FieldCondition):
        return CaseFact(**{cond.field.replace(".", "__"): P(lambda v, c=cond: test_field(c, v))})
    if isinstance(cond, SignalCondition):
        return CaseFact(signals=P(lambda s, sid=cond.signal: sid in s))
    if isinstance(cond, SignalsCondition):
        return CaseFact(signals=P(lambda s, c=cond: count_signals(c, s) >= c.min))
    if isinstance(cond, FindingCondition):
        return Finding(id=cond.finding)
    raise TypeError(f"not a condition: {cond!r}")


def _body(rule, name: str):
    def fire(engine, **_bound):
        # OR branches can activate one rule several times; a rule's effects count once per case.
        if rule.id in engine._fired:
            return
        engine._fired.add(rule.id)
        findings = engine._findings
        engine._evaluation.firings.append(Firing(rule=rule, matched={}, order=len(engine._fired)))
        new = [f for f in rule.then.findings if f not in findings]
        if new:
            findings.update(new)
            engine._evaluation.findings.update(new)
            engine.declare(*(Finding(id=f) for f in new))
    fire.__name__ = name
    return fire


def build_engine_class(plan: Plan) -> type[KnowledgeEngine]:
    attrs = {}
    top = plan.depth
    for i, rule in enumerate(plan.rules):
        name = f"r{i:04d}_{rule.id.replace(':', '_').replace('-', '_')}"
        salience = (top - plan.stratum[rule.id]) * STRATUM_SPAN + rule.salience
        attrs[name] = ExpertaRule(_pattern(rule.when), salience=salience)(_body(rule, name))
    return type("CompiledRiskRules", (KnowledgeEngine,), attrs)


class ExpertaEvaluator:
    name = "experta"

    def __init__(self, plan: Plan):
        self._engine = build_engine_class(plan)()
        self._lock = threading.Lock()

    def evaluate(self, state: CaseState) -> Evaluation:
        case_fact = dict(state.facts)
        case_fact["signals"] = tuple(sorted(state.signals))
        with self._lock:
            engine = self._engine
            engine._findings = set()
            engine._fired = set()
            engine._evaluation = evaluation = Evaluation()
            engine.reset()
            engine.declare(CaseFact(**case_fact))
            engine.run()
            engine._evaluation = None
        return evaluation.finish(state)
