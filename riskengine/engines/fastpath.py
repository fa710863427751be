"""The compiled fast path: the same rules evaluated in plain Python, stratum by stratum.

Because rules only add, evaluating each stratum to a fixed point gives exactly the set of firings
and findings the experta engine reaches (tests/test_differential.py holds the two to that, on every
golden case and on ten thousand generated ones). It is the default engine of ``riskengine batch`` and
is used for what-if questions (missing facts, why-not), where running experta dozens of times per
case would be too slow.

How it is fast:

- Every condition tree is compiled once, when the engine is built, into nested Python closures
  ``test(facts, signals, findings) -> bool``: no ``isinstance`` dispatch, no operator lookup and no
  path splitting per evaluation; the most used field leaves read their value inline
  (:func:`compile_field_leaf`). The meaning of each operator is still the one in
  :mod:`riskengine.language.tree` (``test_field`` / ``OPERATORS``); ``tests/test_fastpath.py`` checks every
  compiled leaf against it.
- Each rule gets a *trigger*: a set of atoms at least one of which must hold for its condition to
  hold — a signal present (``{signal: A}`` needs A), a finding asserted (``all: [.., {finding: F}, ..]``
  needs F), or a closed field having one value (``{field: jurisdiction, eq: CN}``, ``in: [...]`` on an
  enum or boolean field); an ``any`` needs one of its branches' triggers. A rule with a trigger is
  only tested when the case has one of those atoms, so the ~100 implicit signal rules and most rules
  about another jurisdiction, industry or category cost nothing. Rules without a trigger are tested
  once per case.
- Inside a stratum, evaluation is semi-naive: after the first sweep, only the rules that test a
  finding asserted in the previous wave are tested again.

Firing order: stratum, then wave (a rule enabled by a finding fires after the rule that asserted it),
then salience (higher first), then file order. It may differ from experta's agenda order; the set of
firings, the findings and the matched facts are the same.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

from riskengine.engines.state import CaseState, Evaluation, Firing, _plain
from riskengine.language.tree import (AllCondition, AnyCondition, Condition, FieldCondition, FindingCondition, NotCondition,
                       OPERATORS, SignalCondition, SignalsCondition, _contains, leaves, lookup)
from riskengine.engines.plan import Plan

Test = Callable[[dict, Any, Any], bool]   # (facts, signals, findings) -> bool
Getter = Callable[[dict], Any]


# -- field access ---------------------------------------------------------------------------------
def compile_getter(path: str) -> Getter:
    """``lookup(facts, path)`` specialised for one path (same result for every input)."""
    parts = path.split(".")
    if len(parts) == 1:
        key = parts[0]
        return lambda facts: facts.get(key)
    if len(parts) == 2:
        outer, inner = parts

        def get2(facts: dict, outer=outer, inner=inner):
            value = facts.get(outer)
            if value is None:
                return None
            if value.__class__ is dict:
                return value.get(inner)
            return lookup(facts, path)
        return get2
    return lambda facts: lookup(facts, path)


# -- leaves ---------------------------------------------------------------------------------------
def compile_field_test(cond: FieldCondition) -> Callable[[Any], bool]:
    """A one-argument test equal to ``language.test_field(cond, actual)`` for every fact value.

    Fact values come from ``Case.model_dump(mode="json")`` and :mod:`riskengine.language.fields`: plain ``None``,
    ``bool``, ``int``, ``float``, ``str``, lists and dicts, never subclasses, so the exact-class checks
    below (``a.__class__ is int``) mean the same as language's ``isinstance`` checks."""
    op, expected = cond.op, cond.value
    if op == "exists":
        if expected:
            return lambda a: a is not None
        return lambda a: a is None
    if op == "matches":
        search = cond.pattern.search
        return lambda a: a.__class__ is str and search(a) is not None
    if op in ("eq", "ne"):
        positive = op == "eq"
        if isinstance(expected, bool):
            # Booleans only equal booleans: ``a is expected``.
            if positive:
                return lambda a: a is expected
            return lambda a: a is not None and a is not expected
        if positive:
            return lambda a: a is not None and a.__class__ is not bool and a == expected
        return lambda a: a is not None and not (a.__class__ is not bool and a == expected)
    if op in ("in", "not_in"):
        values = expected
        positive = op == "in"
        if isinstance(values, tuple) and values and all(v.__class__ is str for v in values):
            fast = frozenset(values)
            if positive:
                return lambda a: (a in fast) if a.__class__ is str else (a is not None and a in values)
            return lambda a: (a not in fast) if a.__class__ is str else (a is not None and a not in values)
        if positive:
            return lambda a: a is not None and a in values
        return lambda a: a is not None and a not in values
    if op in ("gt", "ge", "lt", "le"):
        limit = expected
        if op == "gt":
            return lambda a: (a.__class__ is int or a.__class__ is float) and a > limit
        if op == "ge":
            return lambda a: (a.__class__ is int or a.__class__ is float) and a >= limit
        if op == "lt":
            return lambda a: (a.__class__ is int or a.__class__ is float) and a < limit
        return lambda a: (a.__class__ is int or a.__class__ is float) and a <= limit
    if op == "contains":
        return lambda a: a is not None and _contains(a, expected)
    if op == "contains_any":
        options = tuple(expected)
        return lambda a: a is not None and any(_contains(a, x) for x in options)
    # An operator added to the language later: fall back to its one definition.
    test = OPERATORS[op][0]
    return lambda a: a is not None and bool(test(a, expected))


_COMPARE = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def compile_field_leaf(cond: FieldCondition) -> Test:
    """``compile_field_test(cond)`` applied to ``compile_getter(cond.field)``, fused into one closure
    for the leaves rules use most (equality with a string or a boolean, membership in strings, numeric
    comparison) on one- and two-part paths: they are most of the leaves tested per case, and each would
    otherwise cost three calls. The tests below are the ones ``compile_field_test`` uses for these
    operators and values (a non-string never equals or is in strings; booleans are not numbers)."""
    getter = compile_getter(cond.field)
    test = compile_field_test(cond)
    parts = cond.field.split(".")
    op, expected = cond.op, cond.value
    if len(parts) > 2 or not (
            (op == "eq" and expected.__class__ in (str, bool)) or op in _COMPARE
            or (op == "in" and expected and all(v.__class__ is str for v in expected))):
        return lambda facts, signals, findings: test(getter(facts))
    one, key, inner = len(parts) == 1, parts[0], parts[-1]
    # One closure per (operator family, path length): the value is fetched inline.
    if op == "eq" and expected.__class__ is str:
        if one:
            return lambda facts, signals, findings: facts.get(key) == expected

        def eq_str2(facts, signals, findings):
            o = facts.get(key)
            return (o.get(inner) if o.__class__ is dict else getter(facts)) == expected
        return eq_str2
    if op == "eq":
        if one:
            return lambda facts, signals, findings: facts.get(key) is expected

        def eq_bool2(facts, signals, findings):
            o = facts.get(key)
            return (o.get(inner) if o.__class__ is dict else getter(facts)) is expected
        return eq_bool2
    if op == "in":
        strings = frozenset(expected)
        if one:
            def in_strs(facts, signals, findings):
                a = facts.get(key)
                return a.__class__ is str and a in strings
            return in_strs

        def in_strs2(facts, signals, findings):
            o = facts.get(key)
            a = o.get(inner) if o.__class__ is dict else getter(facts)
            return a.__class__ is str and a in strings
        return in_strs2
    compare, limit = _COMPARE[op], expected
    if one:
        def number(facts, signals, findings):
            a = facts.get(key)
            return (a.__class__ is int or a.__class__ is float) and compare(a, limit)
        return number

    def number2(facts, signals, findings):
        o = facts.get(key)
        a = o.get(inner) if o.__class__ is dict else getter(facts)
        return (a.__class__ is int or a.__class__ is float) and compare(a, limit)
    return number2


def compile_condition(cond: Condition) -> Test:
    """The whole tree as one closure, equal to ``language.evaluate(cond, facts, signals, findings)``."""
    if isinstance(cond, FieldCondition):
        return compile_field_leaf(cond)
    if isinstance(cond, SignalCondition):
        sid = cond.signal
        return lambda facts, signals, findings: sid in signals
    if isinstance(cond, SignalsCondition):
        listed = cond.signals
        minimum = cond.min
        if len(set(listed)) == len(listed):
            wanted = frozenset(listed)
            if minimum == 1:
                return lambda facts, signals, findings: not wanted.isdisjoint(signals)
            return lambda facts, signals, findings: len(wanted.intersection(signals)) >= minimum
        return lambda facts, signals, findings: sum(1 for s in listed if s in signals) >= minimum
    if isinstance(cond, FindingCondition):
        fid = cond.finding
        return lambda facts, signals, findings: fid in findings
    if isinstance(cond, NotCondition):
        inner = compile_condition(cond.not_)
        return lambda facts, signals, findings: not inner(facts, signals, findings)
    if isinstance(cond, AllCondition):
        parts = tuple(compile_condition(c) for c in _cheap_first(cond.all))
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            a, b = parts
            return lambda facts, signals, findings: a(facts, signals, findings) and b(facts, signals, findings)
        if len(parts) == 3:
            a, b, c = parts
            return lambda facts, signals, findings: (a(facts, signals, findings) and b(facts, signals, findings)
                                                     and c(facts, signals, findings))

        def all_of(facts, signals, findings):
            for part in parts:
                if not part(facts, signals, findings):
                    return False
            return True
        return all_of
    if isinstance(cond, AnyCondition):
        parts = tuple(compile_condition(c) for c in _cheap_first(cond.any))
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            a, b = parts
            return lambda facts, signals, findings: a(facts, signals, findings) or b(facts, signals, findings)

        def any_of(facts, signals, findings):
            for part in parts:
                if part(facts, signals, findings):
                    return True
            return False
        return any_of
    raise TypeError(f"not a condition: {cond!r}")


_COST = {SignalCondition: 0, FindingCondition: 0, SignalsCondition: 1, FieldCondition: 2}


def _cost(cond: Condition) -> int:
    if isinstance(cond, FieldCondition) and cond.op == "matches":
        return 5
    if isinstance(cond, (AllCondition, AnyCondition)):
        children = cond.all if isinstance(cond, AllCondition) else cond.any
        return 1 + sum(_cost(c) for c in children)
    if isinstance(cond, NotCondition):
        return _cost(cond.not_)
    return _COST.get(type(cond), 3)


def _cheap_first(children) -> list:
    """Children sorted cheapest first (stable). ``and``/``or`` have no side effects, so order is free."""
    return sorted(children, key=_cost)


# -- matched facts ---------------------------------------------------------------------------------
_SCALARS = frozenset({str, int, float, bool})
Matched = Callable[[dict, dict, Any, dict, Any], None]   # (out, facts, signals, sources, findings)


def compile_matched(cond: Condition, negated: bool = False) -> Matched:
    """Fill ``out`` exactly as ``firing.matched_facts`` does (same keys, values and key order)."""
    if isinstance(cond, AllCondition):
        parts = tuple(compile_matched(c, negated) for c in cond.all)
        if len(parts) == 1:
            return parts[0]

        def all_parts(out, facts, signals, sources, findings):
            for part in parts:
                part(out, facts, signals, sources, findings)
        return all_parts
    if isinstance(cond, AnyCondition):
        if all(isinstance(c, (SignalCondition, FindingCondition)) for c in cond.any):
            # The usual ``any`` of signals and findings, in one loop: each branch holds when its id is
            # present, and reports presence (a finding) or the signal's source (a signal).
            items = tuple((f"finding:{c.finding}", c.finding, True) if isinstance(c, FindingCondition)
                          else (f"signal:{c.signal}", c.signal, False) for c in cond.any)

            def any_present(out, facts, signals, sources, findings):
                for key, ident, is_finding in items:
                    if is_finding:
                        present = ident in findings
                        if present != negated:
                            out[key] = present
                    elif (ident in signals) != negated:
                        out[key] = sources.get(ident, False)
            return any_present
        branches = tuple((compile_condition(c), compile_matched(c, negated)) for c in cond.any)

        def any_parts(out, facts, signals, sources, findings):
            for test, part in branches:
                if test(facts, signals, findings) != negated:
                    part(out, facts, signals, sources, findings)
        return any_parts
    if isinstance(cond, NotCondition):
        return compile_matched(cond.not_, not negated)
    if isinstance(cond, FieldCondition):
        key = cond.field
        get = compile_getter(cond.field)

        def field_value(out, facts, signals, sources, findings):
            value = get(facts)
            out[key] = value if value is None or value.__class__ in _SCALARS else _plain(value)
        return field_value
    if isinstance(cond, SignalCondition):
        key, sid = f"signal:{cond.signal}", cond.signal

        def signal_source(out, facts, signals, sources, findings):
            out[key] = sources.get(sid, False)
        return signal_source
    if isinstance(cond, SignalsCondition):
        key, listed = "signals:" + ",".join(cond.signals), cond.signals

        def signals_present(out, facts, signals, sources, findings):
            out[key] = sorted(s for s in listed if s in signals)
        return signals_present
    if isinstance(cond, FindingCondition):
        key, fid = f"finding:{cond.finding}", cond.finding

        def finding_present(out, facts, signals, sources, findings):
            out[key] = fid in findings
        return finding_present
    raise TypeError(f"not a condition: {cond!r}")


# -- triggers -------------------------------------------------------------------------------------
def _value_atoms(cond: FieldCondition) -> frozenset | None:
    """``("v", path, value)`` atoms for an ``eq``/``in`` test of a closed (enum or bool) field."""
    from riskengine.language.fields import FIELD_TYPES, kind_of
    if cond.field not in FIELD_TYPES or kind_of(cond.field) not in ("enum", "bool"):
        return None
    if cond.op == "eq":
        values = (cond.value,)
    elif cond.op == "in":
        values = tuple(cond.value)
    else:
        return None
    if kind_of(cond.field) == "bool":
        if not all(v is True or v is False for v in values):
            return None
    elif not all(v.__class__ is str for v in values):
        return None
    return frozenset(("v", cond.field, v) for v in values)


def trigger(cond: Condition) -> frozenset | None:
    """Atoms of which at least one holds whenever ``cond`` holds, or None when there is no such set
    (the rule must always be tested). Atoms: ``("s", signal)`` present, ``("f", finding)`` asserted,
    ``("v", path, value)`` the closed field ``path`` has exactly this value."""
    if isinstance(cond, SignalCondition):
        return frozenset({("s", cond.signal)})
    if isinstance(cond, SignalsCondition):
        return frozenset(("s", s) for s in cond.signals)
    if isinstance(cond, FindingCondition):
        return frozenset({("f", cond.finding)})
    if isinstance(cond, FieldCondition):
        return _value_atoms(cond)
    if isinstance(cond, AllCondition):
        options = [t for t in (trigger(c) for c in cond.all) if t is not None]
        if not options:
            return None
        return min(options, key=_selectivity)
    if isinstance(cond, AnyCondition):
        union: set = set()
        for c in cond.any:
            t = trigger(c)
            if t is None:
                return None
            union |= t
        return frozenset(union)
    return None   # negations hold without any signal, finding or value


_KIND_RANK = {"s": 0, "f": 1, "v": 2}


def _selectivity(atoms: frozenset) -> tuple:
    """Prefer signals (few per case), then findings, then field values (a value like jurisdiction CN
    holds in most cases), each covering few atoms. A finding is the better trigger because a rule
    that tests one is tried again whenever it is asserted anyway (``users_of``): triggered by a value,
    it would also be tried, and fail, before the finding exists (~40 fewer tests per generated case)."""
    return (max(_KIND_RANK[a[0]] for a in atoms), len(atoms))


def findings_tested(cond: Condition) -> set[str]:
    out: set[str] = set()
    stack = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, AllCondition):
            stack.extend(node.all)
        elif isinstance(node, AnyCondition):
            stack.extend(node.any)
        elif isinstance(node, NotCondition):
            stack.append(node.not_)
        elif isinstance(node, FindingCondition):
            out.add(node.finding)
    return out


class _Compiled:
    __slots__ = ("rule", "test", "key", "rank", "findings", "matched")

    def __init__(self, rule, key: tuple, test: Test, matched):
        self.rule = rule
        self.key = key                      # (stratum, -salience, file index): the firing order in a wave
        self.rank = 0                       # position in ``key`` order over all rules (set by the evaluator)
        self.test = test
        self.matched = matched
        self.findings = tuple(rule.then.findings)


class _Stratum:
    __slots__ = ("always", "by_atom", "users_of")

    def __init__(self):
        self.always: list[_Compiled] = []                        # no trigger: tested on every case
        self.by_atom: dict[tuple, list[_Compiled]] = {}          # trigger atom -> rules
        self.users_of: dict[str, list[_Compiled]] = {}           # rules testing this finding (re-check)


class FastEvaluator:
    name = "compiled"

    def __init__(self, plan: Plan):
        strata: dict[int, _Stratum] = {}
        self._compiled: list[_Compiled] = []
        value_paths: set[str] = set()
        for index, rule in enumerate(plan.rules):
            s = plan.stratum[rule.id]
            c = _Compiled(rule, (s, -rule.salience, index), compile_condition(rule.when),
                          compile_matched(rule.when))
            self._compiled.append(c)
            st = strata.setdefault(s, _Stratum())
            t = trigger(rule.when)
            if t is None:
                st.always.append(c)
            else:
                for atom in t:
                    st.by_atom.setdefault(atom, []).append(c)
                    if atom[0] == "v":
                        value_paths.add(atom[1])
            for f in findings_tested(rule.when):
                st.users_of.setdefault(f, []).append(c)
        for rank, c in enumerate(sorted(self._compiled, key=lambda c: c.key)):
            c.rank = rank
        self._strata = [strata[s] for s in sorted(strata)]
        self._value_getters = tuple((path, compile_getter(path)) for path in sorted(value_paths))
        # For reevaluate(): which rules read each signal, field and finding, anywhere in their condition.
        self._by_id = {c.rule.id: c for c in self._compiled}
        self._readers: dict[tuple, list[_Compiled]] = {}
        for c in self._compiled:
            for leaf, _path, _negated in leaves(c.rule.when):
                if isinstance(leaf, SignalCondition):
                    atoms = [("s", leaf.signal)]
                elif isinstance(leaf, SignalsCondition):
                    atoms = [("s", sid) for sid in leaf.signals]
                elif isinstance(leaf, FindingCondition):
                    atoms = [("f", leaf.finding)]
                else:
                    atoms = [("p", leaf.field)]
                for atom in atoms:
                    readers = self._readers.setdefault(atom, [])
                    if c not in readers:
                        readers.append(c)
        # A changed path reaches the rules reading it, a path inside it or a path it lies inside.
        self._field_paths = frozenset(a[1] for a in self._readers if a[0] == "p")
        self._paths_inside: dict[str, list[str]] = {}
        for path in sorted(self._field_paths):
            parts = path.split(".")
            for i in range(1, len(parts)):
                self._paths_inside.setdefault(".".join(parts[:i]), []).append(path)

    def _atoms(self, state: CaseState) -> list:
        """The signal and field-value atoms of a case (findings are added stratum by stratum)."""
        atoms: list = [("s", sid) for sid in state.signals]
        facts = state.facts
        for path, get in self._value_getters:
            value = get(facts)
            if value is True or value is False or value.__class__ is str:
                atoms.append(("v", path, value))
        return atoms

    def evaluate(self, state: CaseState, matched: bool = True) -> Evaluation:
        """``matched=False`` leaves each firing's matched facts empty (summaries do not show them)."""
        evaluation = Evaluation()
        findings = evaluation.findings
        facts = state.facts
        signals = state.signals
        base_atoms = self._atoms(state)
        fired: list[_Compiled] = []
        done: set[_Compiled] = set()
        for st in self._strata:
            in_stratum: list[tuple] = []                    # (wave, rank, rule): the firing order
            # Wave 0: every rule that could hold given the case and the findings of lower strata. A
            # wave's findings become visible together, so the order rules are tested in within a wave
            # does not matter (sets, not lists); the firing order is sorted out at the end.
            candidates = set(st.always)
            by_atom = st.by_atom
            if by_atom:
                for atom in base_atoms:
                    group = by_atom.get(atom)
                    if group:
                        candidates.update(group)
                for fid in findings:
                    group = by_atom.get(("f", fid))
                    if group:
                        candidates.update(group)
            candidates -= done
            wave = 0
            while candidates:
                new: list[str] = []
                for c in candidates:
                    if c.test(facts, signals, findings):
                        done.add(c)
                        in_stratum.append((wave, c.rank, c))
                        for f in c.findings:
                            if f not in findings:
                                new.append(f)
                if not new:
                    break
                findings.update(new)
                wave += 1
                # Then only the rules that test a new finding are tried again.
                users_of = st.users_of
                candidates = set()
                for fid in new:
                    group = users_of.get(fid)
                    if group:
                        candidates.update(group)
                candidates -= done
            in_stratum.sort()   # by wave, then rank; ranks are unique, so rules are never compared
            fired += [t[2] for t in in_stratum]
        # What each firing matched, against the final findings (as Evaluation.finish does, compiled).
        if matched:
            sources = state.signal_sources
            firings = []
            for i, c in enumerate(fired, 1):
                seen: dict = {}
                c.matched(seen, facts, signals, sources, findings)
                firings.append(Firing(c.rule, seen, i))
            evaluation.firings = firings
        else:
            evaluation.firings = [Firing(c.rule, {}, i) for i, c in enumerate(fired, 1)]
        return evaluation


    def reevaluate(self, base: CaseState, base_eval: Evaluation, state: CaseState) -> Evaluation:
        """``evaluate(state)`` for a ``state`` that differs a little from ``base`` (a what-if question), in
        no particular firing order and without matched facts (unchanged firings are ``base_eval``'s own).

        Only the rules that read a changed signal or field, or a finding such a rule asserts (and so on),
        are tested again; every other rule keeps its outcome in ``base_eval``. That is exact: a rule's
        outcome depends only on what it reads, and strata put every rule that can assert a finding in
        the reader's stratum or below, so testing the affected rules stratum by stratum to a fixed point,
        with the unaffected rules' findings in place, reaches the findings a full evaluation would
        (tests/test_fastpath.py compares the two on every what-if trial of the golden cases)."""
        changed = [("s", sid) for sid in base.signals ^ state.signals]
        paths = _changed_paths(base.facts, state.facts)
        read: set[str] = set()
        for path in paths:
            parts = path.split(".")
            itself_and_outer = (".".join(parts[:i]) for i in range(1, len(parts) + 1))
            read.update(p for p in itself_and_outer if p in self._field_paths)
            read.update(self._paths_inside.get(path, ()))
        changed += [("p", p) for p in sorted(read)]
        affected: dict[int, _Compiled] = {}
        todo = [c for atom in changed for c in self._readers.get(atom, ())]
        while todo:
            c = todo.pop()
            if id(c) not in affected:
                affected[id(c)] = c
                for f in c.findings:
                    todo.extend(self._readers.get(("f", f), ()))
        evaluation = Evaluation()
        findings = evaluation.findings
        firings = evaluation.firings
        for firing in base_eval.firings:
            c = self._by_id[firing.rule.id]
            if id(c) not in affected:
                firings.append(firing)
                if c.findings:
                    findings.update(c.findings)
        facts, signals = state.facts, state.signals
        by_stratum: dict[int, list[_Compiled]] = {}
        for c in affected.values():
            by_stratum.setdefault(c.key[0], []).append(c)
        for stratum in sorted(by_stratum):
            pending = sorted(by_stratum[stratum], key=lambda c: c.key)
            progress = True
            while progress:   # to a fixed point: a firing may assert what another pending rule reads
                progress = False
                for c in list(pending):
                    if c.test(facts, signals, findings):
                        pending.remove(c)
                        firings.append(Firing(rule=c.rule, matched={}))
                        if not findings.issuperset(c.findings):
                            findings.update(c.findings)
                            progress = True
        return evaluation


def _changed_paths(before: dict, after: dict, prefix: str = "") -> list[str]:
    """Dotted paths whose value differs between two fact dicts (nested dicts compared key by key)."""
    out = []
    for key in before.keys() | after.keys():
        a, b = before.get(key), after.get(key)
        if a is b or a == b:
            continue
        if a.__class__ is dict and b.__class__ is dict:
            out += _changed_paths(a, b, f"{prefix}{key}.")
        else:
            out.append(prefix + key)
    return out


__all__ = ["FastEvaluator", "compile_condition", "compile_field_leaf", "compile_field_test", "compile_getter",
           "trigger"]
