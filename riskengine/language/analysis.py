"""Analysis of condition trees and rule sets, over the language's one traversal: the strata that make
negation safe, which findings a condition cannot do without, conditions that contradict themselves,
and the plain conjunctions that rule comparisons need. Used by the plan (strata) and by validation."""
from __future__ import annotations

from typing import TYPE_CHECKING

from riskengine.errors import Problem
from riskengine.language.tree import AllCondition, AnyCondition, Condition, FieldCondition, FindingCondition, NotCondition, leaves

if TYPE_CHECKING:
    from riskengine.contracts.ruleset import Ruleset


def stratify(rules, rs: Ruleset | None = None) -> tuple[dict[str, int], list[Problem]]:
    asserters: dict[str, list[str]] = {}
    for r in rules:
        for f in r.then.findings:
            asserters.setdefault(f, []).append(r.id)
    deps: dict[str, list[tuple[str, bool]]] = {}
    for r in rules:
        deps[r.id] = [(a, neg) for leaf, _p, neg in leaves(r.when) if isinstance(leaf, FindingCondition)
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


def required(cond: Condition, finding: str) -> bool:
    """True if every way of satisfying ``cond`` needs ``finding`` (it is not just one branch of an `any`)."""
    if isinstance(cond, FindingCondition):
        return cond.finding == finding
    if isinstance(cond, AllCondition):
        return any(required(c, finding) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return all(required(c, finding) for c in cond.any)
    return False


def _flatten_all(cond: AllCondition) -> list:
    """The conjuncts of nested `all`s as one list (all(all(a, b), c) is a, b, c)."""
    out = []
    for c in cond.all:
        out.extend(_flatten_all(c) if isinstance(c, AllCondition) else [c])
    return out


def contradiction(cond: Condition) -> bool:
    """Conflicting field tests side by side in one `all` (x = a and x = b; x ≥ 10 and x < 5; ...)."""
    if isinstance(cond, AnyCondition):
        return all(contradiction(c) for c in cond.any)
    if isinstance(cond, NotCondition):
        return False
    if not isinstance(cond, AllCondition):
        return False
    if any(contradiction(c) for c in cond.all):
        return True
    by_field: dict[str, list[FieldCondition]] = {}
    for c in _flatten_all(cond):
        if isinstance(c, FieldCondition):
            by_field.setdefault(c.field, []).append(c)
    for conds in by_field.values():
        eqs = {repr(c.value) for c in conds if c.op == "eq"}
        if len(eqs) > 1:
            return True
        ins = [set(c.value) for c in conds if c.op == "in"]
        eq_vals = [c.value for c in conds if c.op == "eq"]
        if ins and eq_vals and any(eq_vals[0] not in s for s in ins):
            return True
        if any(c.op == "exists" and c.value is False for c in conds) and any(c.op != "exists" for c in conds):
            return True
        low = max((c.value for c in conds if c.op in ("ge", "gt")), default=None)
        high = min((c.value for c in conds if c.op in ("le", "lt")), default=None)
        if low is not None and high is not None:
            strict = any(c.op in ("gt", "lt") for c in conds)
            if low > high or (strict and low == high):
                return True
    return False


def conjuncts(cond: Condition) -> frozenset | None:
    """The leaves of a plain conjunction (a leaf, or an `all` of leaves/nested `all`s); None otherwise."""
    if isinstance(cond, AllCondition):
        parts = [conjuncts(c) for c in cond.all]
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    if isinstance(cond, (AnyCondition, NotCondition)):
        return frozenset([repr(cond)])
    return frozenset([repr(cond)])
