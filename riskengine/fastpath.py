"""The compiled fast path: the same rules evaluated in plain Python, stratum by stratum.

Because rules only add, evaluating each stratum to a fixed point gives exactly the set of firings
and findings the experta engine reaches (tests/test_differential.py holds the two to that). It is
used for what-if questions (missing facts, why-not) where running experta dozens of times per case
would be too slow. Firing order inside a stratum follows salience, then file order.
"""
from __future__ import annotations

from .firing import CaseState, Evaluation, Firing
from .language import evaluate
from .plan import Plan


class FastEvaluator:
    name = "compiled"

    def __init__(self, plan: Plan):
        strata: dict[int, list] = {}
        for index, rule in enumerate(plan.rules):
            strata.setdefault(plan.stratum[rule.id], []).append((-rule.salience, index, rule))
        self._strata = [[r for *_k, r in sorted(strata[s], key=lambda t: t[:2])] for s in sorted(strata)]

    def evaluate(self, state: CaseState) -> Evaluation:
        evaluation = Evaluation()
        findings = evaluation.findings
        fired: set[str] = set()
        for rules in self._strata:
            progress = True
            while progress:
                progress = False
                for rule in rules:
                    if rule.id in fired or not evaluate(rule.when, state.facts, state.signals, findings):
                        continue
                    fired.add(rule.id)
                    evaluation.firings.append(Firing(rule=rule, matched={}, order=len(fired)))
                    if rule.then.findings:
                        findings.update(rule.then.findings)
                        progress = True
        return evaluation.finish(state)
