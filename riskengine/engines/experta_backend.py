"""Compile a validated ruleset onto an experta ``KnowledgeEngine`` (the reference evaluator).

One class is built with ``type()`` per ruleset load; each case is assessed with ``reset()``, one
``declare(*facts)`` and ``run()`` on the same instance. Facts: one ``CaseFact`` holding the whole case
(few large facts are far cheaper in experta than many small ones) and one ``Finding`` per asserted
finding. Effective salience puts every rule of a lower stratum before any rule of a higher one, so
``not finding`` tests only run once the finding can no longer appear (see :mod:`riskengine.engines.plan`).

Rule order and two experta workarounds: every rule gets its own effective salience (stratum first,
then the rule's salience, then file order), which also avoids an agenda bug of experta 1.9.4 (see
``TIE_SPAN``). Adaptations that make it cheaper without changing what it computes: identical leaf
tests share one predicate (so one alpha node); a conjunction's tests of the case are one pattern (no
join between them); rules are emitted already in the normal form experta's matcher would rewrite them
into, so building the network skips that pass, and wires those simple shapes without experta's
per-rule dispatch (:class:`_PreparedRete`); ``reset()`` resets each
network node once; and after a firing only the conflict-set nodes a token reached are polled (none
when nothing was declared).

experta 1.9.4 is not thread-safe (``Rule.__get__`` stores the engine on the shared class-level Rule,
and its check caches are global), so :class:`ExpertaEvaluator` serialises ``evaluate`` with a lock.
"""
from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass, field
from itertools import product

from experta import AND, NOT, OR, Fact, InitialFact, KnowledgeEngine, P, watchers
from experta import Rule as ExpertaRule
from experta.matchers import ReteMatcher
from experta.matchers.rete.check import FeatureCheck, SameContextCheck, WhereCheck
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode
from experta.matchers.rete.utils import wire_rule
from experta.strategies import DepthStrategy

from riskengine.engines.state import CaseState, Evaluation, Firing
from riskengine.language.tree import (AllCondition, AnyCondition, Condition, FieldCondition, FindingCondition, NotCondition,
                       SignalCondition, SignalsCondition, count_signals, test_field, to_data)
from riskengine.engines.plan import Plan

STRATUM_SPAN = 10_000  # rule salience is bounded to ±1000, so strata never overlap
# Every rule gets its own effective salience (ties broken by file order). experta 1.9.4's depth strategy
# removes a cancelled activation by bisecting on (salience, fact ids) and only looks one place either
# side: with three or more activations of equal key, the wrong one may be left on the agenda and fire
# although its `not finding` no longer holds. Unique saliences keep every key distinct.
TIE_SPAN = 100_000


class CaseFact(Fact):
    """The whole case as one fact; nested fields are matched with experta's ``a__b`` paths."""


class Finding(Fact):
    """A conclusion asserted by a rule, matched by later rules (forward chaining)."""


def _leaf(cond: Condition, shared: dict):
    """The experta pattern of a leaf condition. ``shared`` maps each distinct leaf test to one ``P``
    object, so that experta builds one alpha node for a test many rules make (``jurisdiction = CN`` is
    tested by dozens of rules): the same predicate on the same field, evaluated once per fact instead
    of once per rule."""
    if isinstance(cond, FieldCondition):
        key = ("field", repr(to_data(cond)))
        if key not in shared:
            shared[key] = P(lambda v, c=cond: test_field(c, v))
        return CaseFact(**{cond.field.replace(".", "__"): shared[key]})
    if isinstance(cond, SignalCondition):
        key = ("signal", cond.signal)
        if key not in shared:
            shared[key] = P(lambda s, sid=cond.signal: sid in s)
        return CaseFact(signals=shared[key])
    if isinstance(cond, SignalsCondition):
        key = ("signals", cond.signals, cond.min)
        if key not in shared:
            shared[key] = P(lambda s, c=cond: count_signals(c, s) >= c.min)
        return CaseFact(signals=shared[key])
    if isinstance(cond, FindingCondition):
        return Finding(id=cond.finding)
    raise TypeError(f"not a condition: {cond!r}")


def _dnf(cond: Condition, negated: bool = False) -> list[list[tuple[bool, Condition]]]:
    """``cond`` as a disjunction of conjunctions of (negated, leaf) literals: the conjunctions experta's
    own DNF pass (experta/matchers/rete/dnf.py) makes of the nested pattern. ``not`` is pushed down to
    the leaves by De Morgan; ``all`` distributes over ``any`` in product order, the first child varying
    slowest (experta orders the branches alike, except that it keeps the branches of an ``any`` nested
    in an ``all`` inside an ``any`` together; branch order only decides which is wired first)."""
    if isinstance(cond, NotCondition):
        return _dnf(cond.not_, not negated)
    if isinstance(cond, (AllCondition, AnyCondition)):
        parts = [_dnf(c, negated) for c in (cond.all if isinstance(cond, AllCondition) else cond.any)]
        if isinstance(cond, AllCondition) != negated:   # a conjunction
            return [[lit for conj in combo for lit in conj] for combo in product(*parts)]
        return [conj for part in parts for conj in part]
    return [[(negated, cond)]]


def _join_case_tests(elems: list) -> list:
    """A conjunction's positive ``CaseFact`` patterns as one pattern testing all their fields, where
    the first of them was.

    There is exactly one ``CaseFact`` per case, so ``AND(CaseFact(a=x), CaseFact(b=y))`` and
    ``CaseFact(a=x, b=y)`` match the same fact and activate the rule once with the same facts. The
    first costs an alpha path per pattern and a join node between them for every case; the second one
    alpha path, which starts with the tests other patterns share. A pattern on a field already tested
    stays apart (a fact pattern holds one test per field)."""
    merged: dict | None = None
    out = []
    for elem in elems:
        if type(elem) is CaseFact and merged is not None and not elem.keys() & merged.keys():
            merged.update(elem)
        elif type(elem) is CaseFact and merged is None:
            merged = dict(elem)
            out.append(merged)
        else:
            out.append(elem)
    return [CaseFact(**e) if e is merged else e for e in out]


def _conditions(cond: Condition, shared: dict) -> tuple:
    """The rule's conditions in the shape experta's ``prepare_rule`` turns any pattern into before it
    builds the network (see :class:`_PreparedRete`): disjunctive normal form, at most one ``OR`` and
    only at the top, ``AND`` only as an ``OR`` branch, ``NOT`` only around one fact, and an
    ``InitialFact()`` in front of a conjunction that starts with a ``NOT`` (a negation needs a left
    input to join with)."""
    def conjunction(literals):
        elems = _join_case_tests([NOT(_leaf(c, shared)) if negated else _leaf(c, shared)
                                  for negated, c in literals])
        if isinstance(elems[0], NOT):
            elems.insert(0, InitialFact())
        return elems

    branches = [conjunction(conj) for conj in _dnf(cond)]
    if len(branches) == 1:
        return tuple(branches[0])
    return (OR(*(b[0] if len(b) == 1 else AND(*b) for b in branches)),)


class _PreparedRete(ReteMatcher):
    """experta's RETE matcher, minus its rule preparation pass.

    ``ReteMatcher.prepare_ruleset`` rewrites every rule into disjunctive normal form (``prepare_rule``:
    a fixpoint of ``dnf`` rewrites, each step copying the rule and calling ``inspect.signature`` on its
    body): over half of the time it takes to build the network for the shipped rules. The compiler
    already emits every rule in the prepared shape (:func:`_conditions`), so the pass would return
    equal rules. tests/test_experta_build.py checks that ``prepare_rule`` leaves each compiled rule
    unchanged, and that the rule has the conjunctions of experta's own preparation of the nested
    pattern (with the case tests joined).

    Each rule is still copied with ``new_conditions``, as the pass does: ``get_rules()`` binds the
    class-level rules to the engine (``Rule.__get__``), and the network must hold unbound copies, which
    ``run()`` calls with the engine as first argument.
    """

    @staticmethod
    def prepare_ruleset(engine):
        return {rule.new_conditions(*rule) for rule in engine.get_rules()}

    @staticmethod
    def build_beta_part(ruleset, alpha_terminals):
        """The beta network experta's ``wire_rule`` builds, for the shapes :func:`_conditions` emits.

        ``wire_rule`` creates a new ``singledispatch`` function for every rule and OR branch, so each
        of its dispatches recomputes the class MRO: about two thirds of the network build for the
        shipped rules. Our conjunctions hold only facts and ``NOT(fact)``, which need no dispatch:
        the first two elements join in a match node, each further element joins the node before, and
        the last node feeds the rule's conflict-set node; a ``NOT`` joins through a ``NotNode`` on
        its fact's alpha terminal. Same node classes, same checks, children added in the same order:
        tests/test_experta_build.py compares the two networks node by node. Any other shape goes to
        experta's own ``wire_rule``."""
        for rule in ruleset:
            branches = tuple(rule[0]) if isinstance(rule[0], OR) else (rule,)
            for lhs in branches:
                last = _wire_conjunction(lhs, alpha_terminals)
                if last is None:
                    wire_rule(rule, alpha_terminals, lhs=lhs)
                    continue
                conflict_set = ConflictSetNode(rule)
                last.add_child(conflict_set, conflict_set.activate)


def _wire_conjunction(lhs, alpha_terminals):
    """The last beta node of a conjunction of facts and ``NOT(fact)`` (``None`` for any other shape)."""
    elems = (lhs,) if isinstance(lhs, Fact) else tuple(lhs)
    if not elems or not isinstance(elems[0], Fact):
        return None
    for elem in elems[1:]:
        if not (isinstance(elem, Fact) or (isinstance(elem, NOT) and len(elem) == 1
                                           and isinstance(elem[0], Fact))):
            return None
    current = alpha_terminals[elems[0]]
    for elem in elems[1:]:
        if isinstance(elem, NOT):
            node, right = NotNode(SameContextCheck()), alpha_terminals[elem[0]]
        else:
            node, right = OrdinaryMatchNode(SameContextCheck()), alpha_terminals[elem]
        current.add_child(node, node.activate_left)
        right.add_child(node, node.activate_right)
        current = node
    return current


def _body(rule, name: str):
    def fire(engine, **_bound):
        run = engine.current
        # OR branches can activate one rule several times; a rule's effects count once per case.
        if rule.id in run.fired:
            return
        run.fired.add(rule.id)
        run.evaluation.firings.append(Firing(rule=rule, matched={}, order=len(run.fired)))
        new = [f for f in rule.then.findings if f not in run.evaluation.findings]
        if new:
            run.evaluation.findings.update(new)
            engine.declare(*(Finding(id=f) for f in new))
    fire.__name__ = name
    # experta's Rule calls inspect.signature on its body each time it wraps it (once per rule here and
    # once per copy the matcher makes). Every body shares this code, hence this signature: compute it
    # once and let inspect.signature find it on the function.
    fire.__signature__ = _BODY_SIGNATURE
    return fire


def _body_shape(engine, **_bound):  # every body's parameters; its signature is computed once, here
    pass


_BODY_SIGNATURE = inspect.signature(_body_shape)   # immutable


@dataclass
class _Run:
    """What one evaluation accumulates while the engine runs."""
    evaluation: Evaluation
    fired: set = field(default_factory=set)


class _PollingEngine(KnowledgeEngine):
    """experta's engine, minus two costs that do not change what it computes.

    ``run()`` asks the matcher for agenda changes before every firing, and the matcher then polls every
    rule's conflict-set node. Nodes only gain or lose activations while fact changes flow through
    the network, which happens only inside that same call; when no fact was declared or retracted
    since the last poll every node is empty, so the poll is skipped. (Rules that assert nothing new
    declare nothing, so most firings need no poll.)

    Its network is built by :class:`_PreparedRete`, which skips experta's rule preparation.
    """

    __matcher__ = _PreparedRete

    def __init__(self):
        super().__init__()
        self.current: _Run | None = None   # set for the duration of one evaluation

    def get_activations(self):
        added, removed = self.facts.changes
        if not added and not removed:
            return [], []
        return self.matcher.changes(added, removed)


def _unique_nodes(root) -> list:
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(child.node for child in node.children)
    return list(seen.values())


def _fast_reset(matcher) -> None:
    """``matcher.reset()`` walks the network as a tree, resetting shared nodes once per path to them;
    each node's ``_reset`` only clears its own memory, so resetting every node once is the same."""
    nodes = _unique_nodes(matcher.root_node)
    original = matcher.reset

    def reset():
        if watchers.worth("MATCHER", "DEBUG"):
            return original()
        for node in nodes:
            node._reset()
    matcher.reset = reset


def _poll_dirty_only(matcher) -> None:
    """``matcher.changes()`` polls every rule's conflict-set node after passing the fact changes on;
    only nodes a token reached since the last poll can have activations to report. Each node records
    itself when activated, and only those are polled (in network order, as before)."""
    nodes = matcher._get_conflict_set_nodes()
    rank = {id(n): i for i, n in enumerate(nodes)}
    dirty: dict[int, object] = {}
    for node in nodes:
        def _activate(token, _orig=node._activate, _node=node):
            dirty[id(_node)] = _node
            return _orig(token)
        node._activate = _activate
    root = matcher.root_node

    def changes(adding=None, deleting=None):
        if deleting is not None:
            for fact in deleting:
                root.remove(fact)
        if adding is not None:
            for fact in adding:
                root.add(fact)
        added: list = []
        removed: list = []
        for key in sorted(dirty, key=rank.__getitem__):
            c_added, c_removed = dirty[key].get_activations()
            added.extend(c_added)
            removed.extend(c_removed)
        dirty.clear()
        return added, removed
    matcher.changes = changes


def build_engine_class(plan: Plan, shared: dict | None = None) -> type[KnowledgeEngine]:
    """The engine class for ``plan``. ``shared`` (see :func:`_leaf`) is filled in if given, so that a
    test can build other patterns over the same predicate objects."""
    attrs = {}
    shared = {} if shared is None else shared
    top = plan.depth
    for i, rule in enumerate(plan.rules):
        name = f"r{i:04d}_{rule.id.replace(':', '_').replace('-', '_')}"
        salience = ((top - plan.stratum[rule.id]) * STRATUM_SPAN + rule.salience) * TIE_SPAN + (TIE_SPAN - 1 - i)
        attrs[name] = ExpertaRule(*_conditions(rule.when, shared), salience=salience)(_body(rule, name))
    return type("CompiledRiskRules", (_PollingEngine,), attrs)


# experta interns its check objects in class-level dicts that are never emptied, and each build adds the
# checks of its own predicates: a process that reloads rules would keep every old network's checks
# (../shared/experta-notes.md, "Safety"). A build removes again the entries it added; the lock keeps two
# builds from removing each other's entries while both are under way.
_INTERNED = (FeatureCheck._instances, WhereCheck._instances)
_BUILD_LOCK = threading.Lock()


def _build_engine(plan: Plan) -> KnowledgeEngine:
    with _BUILD_LOCK:
        before = [set(table) for table in _INTERNED]
        try:
            return build_engine_class(plan)()
        finally:
            for table, old in zip(_INTERNED, before):
                for key in set(table) - old:
                    del table[key]


class ExpertaEvaluator:
    name = "experta"

    def __init__(self, plan: Plan):
        self._engine = _build_engine(plan)
        _fast_reset(self._engine.matcher)
        _poll_dirty_only(self._engine.matcher)
        self._lock = threading.Lock()

    def evaluate(self, state: CaseState, matched: bool = True) -> Evaluation:
        """``matched=False`` leaves each firing's matched facts empty (summaries do not show them)."""
        case_fact = dict(state.facts)
        case_fact["signals"] = tuple(sorted(state.signals))
        with self._lock:
            engine = self._engine
            engine.current = _Run(evaluation := Evaluation())
            try:
                engine.reset()
                engine.declare(CaseFact(**case_fact))
                engine.run()
            finally:
                engine.current = None
                # experta's agenda strategy memoises activation keys in a process-wide cache (128
                # entries) whose activations hold their engine: emptied after each run, an old engine
                # is not kept alive by it once its rules are reloaded.
                DepthStrategy.get_key.cache_clear()
        return evaluation.finish(state) if matched else evaluation
