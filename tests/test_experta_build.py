"""The compiler emits experta rules already in the shape experta's own rule preparation produces, and
its matcher (``compiler._PreparedRete``) skips that pass and wires the beta network itself to build
the network faster. If experta's preparation ever changed, or the compiler emitted a shape the pass
would rewrite or conjunctions other than the pass would make (up to joining a conjunction's tests of
the one CaseFact), or the network differed from the one experta's ``wire_rule`` builds, these fail.
"""
from __future__ import annotations

from itertools import product

from experta import AND, NOT, OR, Fact
from experta import Rule as ExpertaRule
from experta.fieldconstraint import FieldConstraint
from experta.matchers import ReteMatcher
from experta.matchers.rete.nodes import BusNode, ConflictSetNode
from experta.matchers.rete.utils import prepare_rule

from riskengine.engines.experta_backend import ExpertaEvaluator, _join_case_tests, _leaf, _PreparedRete, build_engine_class
from riskengine.engines.fastpath import FastEvaluator
from riskengine.engines.state import CaseState
from riskengine.language.tree import AllCondition, AnyCondition, NotCondition
from riskengine.engines.plan import Plan, stratify
from riskengine.contracts.rule import Rule


def _same(a, b) -> bool:
    """Equality that also compares types: experta's conditional elements are tuples, so
    ``AND(x, y) == OR(x, y)`` and ``==`` alone would not notice a changed shape."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ExpertaRule) and (a.salience != b.salience or a._wrapped is not b._wrapped):
        return False
    if isinstance(a, Fact):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, FieldConstraint):
        return a is b   # one shared predicate object per distinct test
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _branches(rule: ExpertaRule) -> list[list]:
    """A prepared rule's conjunctions: the branches of its top-level ``OR``, or the rule itself."""
    if len(rule) == 1 and isinstance(rule[0], OR):
        return [list(b) if isinstance(b, AND) else [b] for b in rule[0]]
    return [list(rule)]


def _same_branches(got: list[list], want: list[list]) -> bool:
    """The same conjunctions, up to the order of the branches. Each branch becomes its own path in
    the network; their order only decides which is wired first. (experta keeps a nested disjunction's
    branches together when it distributes, the compiler lists them in plain product order; the two
    differ only for an any inside an all inside an any.)"""
    want = list(want)
    for branch in got:
        match = next((i for i, other in enumerate(want) if _same(tuple(branch), tuple(other))), None)
        if match is None:
            return False
        del want[match]
    return not want


def _nested(cond, shared):
    """The condition tree as one nested experta pattern, as it reads: what experta normalises itself."""
    if isinstance(cond, AllCondition):
        return AND(*(_nested(c, shared) for c in cond.all))
    if isinstance(cond, AnyCondition):
        return OR(*(_nested(c, shared) for c in cond.any))
    if isinstance(cond, NotCondition):
        return NOT(_nested(cond.not_, shared))
    return _leaf(cond, shared)


def check_emitted_prepared(plan: Plan) -> None:
    shared: dict = {}
    cls = build_engine_class(plan, shared)
    # Rule attributes are named r0000_..., in plan order.
    compiled = [v for _, v in sorted(vars(cls).items()) if isinstance(v, ExpertaRule)]
    assert len(compiled) == len(plan.rules)
    for source, rule in zip(plan.rules, compiled):
        # experta's preparation leaves the compiled rule unchanged, so skipping it changes nothing ...
        assert _same(prepare_rule(rule), rule), source.id
        # ... and the compiled rule has the conjunctions experta makes of the plain nested pattern
        # (with each conjunction's tests of the one CaseFact joined into one pattern).
        reference = ExpertaRule(_nested(source.when, shared), salience=rule.salience)(rule._wrapped)
        reference = prepare_rule(reference)
        assert reference.salience == rule.salience and reference._wrapped is rule._wrapped
        assert _same_branches(_branches(rule), [_join_case_tests(b) for b in _branches(reference)]), source.id


def test_shipped_rules_are_emitted_in_prepared_form(engine):
    check_emitted_prepared(engine.plan)


def test_mini_rules_are_emitted_in_prepared_form(mini_engine):
    check_emitted_prepared(mini_engine.plan)


def rule(rid: str, when: dict, **then) -> Rule:
    return Rule.model_validate({"id": rid, "description": {"zh": rid, "en": rid}, "when": when, "then": then})


CN = {"field": "jurisdiction", "eq": "CN"}
PUBLIC = {"field": "industry", "eq": "public"}
ONLINE = {"field": "channel", "eq": "online"}
THREAT = {"signal": "threat"}
TWO = {"signals": ["threat", "media"], "min": 2}

# Shapes experta's DNF pass has to rewrite: negated conjunctions and disjunctions, double negation,
# negations first in a branch, nested any/all, a lone negation; and conjunctions testing several
# fields of the case, one of them (signals) twice.
SHAPES = [
    rule("ASSERT-A", PUBLIC, findings=["a"]),
    rule("ASSERT-B", {"any": [ONLINE, THREAT]}, findings=["b"]),
    rule("ASSERT-C", {"all": [CN, {"finding": "a"}]}, findings=["c"]),
    rule("NOT-ALL", {"not": {"all": [CN, {"finding": "a"}, {"not": {"finding": "b"}}]}}, points={"time": 1}),
    rule("NOT-ANY", {"not": {"any": [ONLINE, THREAT]}}, points={"time": 1}),
    rule("NOT-NOT", {"not": {"not": CN}}, points={"time": 1}),
    rule("ANY-NOT", {"any": [{"not": {"finding": "a"}}, ONLINE]}, points={"time": 1}),
    rule("LONE-NOT", {"not": {"finding": "c"}}, points={"time": 1}),
    rule("NESTED", {"all": [{"any": [CN, {"all": [THREAT, {"any": [{"finding": "b"}, ONLINE]}]}]},
                            {"any": [{"finding": "a"}, {"not": {"finding": "c"}}, TWO]}]}, points={"time": 1}),
    rule("FLAT", {"all": [{"all": [CN, PUBLIC]}, {"any": [{"any": [ONLINE, THREAT]}, TWO]}]}, points={"time": 1}),
    rule("SAME-FIELD", {"all": [THREAT, CN, {"not": ONLINE}, TWO, {"any": [PUBLIC, {"finding": "b"}]}]},
         points={"time": 1}),
    rule("NOT-NESTED", {"all": [{"finding": "b"}, {"not": {"any": [{"all": [CN, {"not": ONLINE}]},
                                                                      {"finding": "c"}]}}]}, points={"time": 1}),
]


def shapes_plan() -> Plan:
    strata, problems = stratify(SHAPES)
    assert not problems
    return Plan(rules=tuple(SHAPES), stratum=strata)


def test_rewritten_shapes_are_emitted_in_prepared_form():
    check_emitted_prepared(shapes_plan())


def test_rewritten_shapes_fire_as_the_fast_path_does():
    plan = shapes_plan()
    fast, experta = FastEvaluator(plan), ExpertaEvaluator(plan)
    for industry, jurisdiction, channel, signals in product(
            ["public", "banking"], ["CN", "HK", None], ["online", "hotline"],
            [(), ("threat",), ("media",), ("threat", "media")]):
        facts = {"id": "X", "industry": industry, "channel": channel, "jurisdiction": jurisdiction}
        state = CaseState(facts=facts, signals=frozenset(signals), signal_sources={})
        want, got = fast.evaluate(state), experta.evaluate(state)
        # Firing order within a stratum may differ between the engines.
        assert sorted(got.fired_ids) == sorted(want.fired_ids), facts | {"signals": signals}
        assert got.findings == want.findings


def test_the_network_holds_unbound_copies_of_every_rule(engine):
    matcher = ExpertaEvaluator(engine.plan)._engine.matcher
    assert type(matcher).prepare_ruleset is _PreparedRete.prepare_ruleset
    nodes = [n for n in matcher._get_conflict_set_nodes() if isinstance(n, ConflictSetNode)]
    # run() calls a rule with the engine as first argument: a rule still bound to it would get it twice.
    assert all(n.rule._wrapped_self is None for n in nodes)
    assert len({n.rule._wrapped for n in nodes}) == len(engine.plan.rules)


def _network(ruleset: set, build_beta) -> list[tuple]:
    """The RETE network built for ``ruleset`` with the given beta-part builder, as a list of nodes in
    depth-first order from the root: (node class, check class, rule of a conflict-set node, children
    as (callback name, index of the child node)). Equal lists mean the same graph, wired in the same
    order (experta delivers tokens to children in that order)."""
    root = BusNode()
    build_beta(ruleset, ReteMatcher.build_alpha_part(ruleset, root))
    index: dict[int, int] = {}
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        if id(node) in index:
            continue
        index[id(node)] = len(order)
        order.append(node)
        stack.extend(reversed([child.node for child in node.children]))
    rows = []
    for node in order:
        rule = getattr(node, "rule", None)
        rows.append((type(node).__name__, type(getattr(node, "matcher", None)).__name__,
                     rule._wrapped.__name__ if rule is not None else None,
                     tuple((child.callback.__name__, index[id(child.node)]) for child in node.children)))
    return rows


def test_beta_network_is_the_one_experta_wires(engine, mini_engine):
    """``_PreparedRete.build_beta_part`` wires without experta's per-rule singledispatch; the network
    must be node for node the one experta's own ``wire_rule`` builds."""
    for plan in (engine.plan, mini_engine.plan, shapes_plan()):
        # One prepared ruleset for both: a set, whose iteration order (and so the order rules are
        # wired in) differs from one engine class to the next.
        ruleset = _PreparedRete.prepare_ruleset(ExpertaEvaluator(plan)._engine)
        ours = _network(ruleset, _PreparedRete.build_beta_part)
        assert ours == _network(ruleset, ReteMatcher.build_beta_part)
        assert sum(row[0] == "NotNode" for row in ours) > 0
        assert sum(row[0] == "ConflictSetNode" for row in ours) >= len(plan.rules)
