"""The compiled fast path: every compiled leaf means what riskengine.language.tree says it means."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.engines.fastpath import (compile_condition, compile_field_leaf, compile_field_test, compile_getter,
                                 compile_matched, trigger)
from riskengine.engines.state import CaseState, matched_facts
from riskengine.language.tree import evaluate, lookup, parse_condition
from riskengine.language.tree import test_field as reference_test_field

values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False) | st.sampled_from(
        ["a", "b", "insurance", "CN", "", "abc", "媒体"]),
    lambda inner: st.lists(inner, max_size=3), max_leaves=6)
expected_scalars = st.booleans() | st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False) | st.sampled_from(
    ["a", "b", "CN", "insurance", "abc"])
OPS = ["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "contains", "contains_any", "matches", "exists"]


@st.composite
def field_conditions(draw):
    op = draw(st.sampled_from(OPS))
    if op == "exists":
        raw = {"field": "x", "exists": draw(st.booleans())}
    elif op in ("gt", "ge", "lt", "le"):
        raw = {"field": "x", op: draw(st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False))}
    elif op in ("in", "not_in", "contains_any"):
        raw = {"field": "x", op: draw(st.lists(expected_scalars, min_size=1, max_size=3))}
    elif op == "matches":
        raw = {"field": "x", op: draw(st.sampled_from(["^a", "b$", "媒体|abc", "[0-9]"]))}
    else:
        raw = {"field": "x", op: draw(expected_scalars)}
    return parse_condition(raw)


def test_the_operator_property_test_covers_every_operator_of_the_language():
    """A new operator in language.OPERATORS must join OPS, so the fast path is held to it too."""
    from riskengine.language.tree import OPERATORS
    assert set(OPS) == set(OPERATORS) | {"exists"}


@settings(max_examples=600, deadline=None)
@given(field_conditions(), values)
def test_every_compiled_field_test_equals_the_language(cond, actual):
    assert compile_field_test(cond)(actual) == reference_test_field(cond, actual)


@st.composite
def field_leaves(draw):
    """Field conditions on one-, two- and three-part paths, most of them of the operators and value
    types ``compile_field_leaf`` fuses (eq with a string or boolean, in over strings, comparisons)."""
    path = draw(st.sampled_from(["a", "b", "a.c", "b.d", "a.c.d"]))
    op = draw(st.sampled_from(["eq", "eq", "in", "in", "gt", "ge", "lt", "le", "ne", "exists"]))
    if op == "eq":
        value = draw(st.booleans() | st.sampled_from(["a", "x", ""]) | st.integers(-2, 2))
    elif op == "in":
        value = draw(st.lists(st.sampled_from(["a", "x", "CN"]), min_size=1, max_size=3)
                     | st.lists(expected_scalars, min_size=1, max_size=3))
    elif op == "exists":
        value = draw(st.booleans())
    elif op == "ne":
        value = draw(expected_scalars)
    else:
        value = draw(st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False))
    return parse_condition({"field": path, op: value})


scalars = values | st.sampled_from(["a", "x", "CN"])
nested = st.fixed_dictionaries({}, optional={"c": scalars | st.fixed_dictionaries({"d": scalars}), "d": scalars})
leaf_facts = st.fixed_dictionaries({}, optional={"a": nested | scalars, "b": nested | scalars})


@settings(max_examples=800, deadline=None)
@given(field_leaves(), leaf_facts)
def test_fused_field_leaves_equal_the_language(cond, facts):
    assert compile_field_leaf(cond)(facts, frozenset(), set()) == evaluate(cond, facts, frozenset(), set())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b"]), values | st.dictionaries(st.sampled_from(["c", "d"]), values),
                       max_size=2), st.sampled_from(["a", "b", "a.c", "b.d", "a.c.d"]))
def test_compiled_getters_equal_lookup(facts, path):
    assert compile_getter(path)(facts) == lookup(facts, path)


TREES = [
    {"all": [{"signal": "s1"}, {"field": "a", "ge": 2}, {"not": {"finding": "f1"}}]},
    {"any": [{"signals": ["s1", "s2", "s1"], "min": 2}, {"all": [{"finding": "f2"}, {"field": "b", "in": ["x", "y"]}]}]},
    {"not": {"any": [{"field": "a", "exists": False}, {"signal": "s2"}]}},
    {"any": [{"field": "b", "eq": "x"}, {"not": {"all": [{"signal": "s1"}, {"field": "a", "lt": 1}]}}]},
    {"all": [{"any": [{"finding": "f1"}, {"signal": "s2"}, {"finding": "f2"}]},
             {"not": {"any": [{"signal": "s3"}, {"finding": "f2"}]}}]},
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TREES), st.fixed_dictionaries({"a": st.none() | st.integers(0, 4),
                                                      "b": st.none() | st.sampled_from(["x", "y", "z"])}),
       st.frozensets(st.sampled_from(["s1", "s2", "s3"])), st.sets(st.sampled_from(["f1", "f2"])))
def test_compiled_trees_triggers_and_matched_facts_equal_the_reference(raw, facts, signals, findings):
    cond = parse_condition(raw)
    holds = evaluate(cond, facts, signals, findings)
    assert compile_condition(cond)(facts, signals, findings) == holds
    atoms = trigger(cond)
    if holds and atoms is not None:   # a trigger is a necessary condition
        present = {("s", s) for s in signals} | {("f", f) for f in findings}
        assert atoms & present
    sources = {s: "declared" for s in signals}
    state = CaseState(facts=facts, signals=signals, signal_sources=sources)
    out: dict = {}
    compile_matched(cond)(out, facts, signals, sources, findings)
    expected = matched_facts(cond, state, findings)
    assert list(out.items()) == list(expected.items())


def test_value_triggers_need_the_value():
    cond = parse_condition({"all": [{"field": "jurisdiction", "in": ["UK", "US"]}, {"field": "group_size", "ge": 2}]})
    assert trigger(cond) == frozenset({("v", "jurisdiction", "UK"), ("v", "jurisdiction", "US")})
    assert trigger(parse_condition({"field": "derived.is_financial", "eq": True})) == frozenset(
        {("v", "derived.is_financial", True)})
    assert trigger(parse_condition({"field": "group_size", "ge": 2})) is None


def test_reevaluate_equals_a_full_evaluation_on_every_what_if_trial(engine):
    """What-if trials re-test only the rules a change can reach; the result must be a full evaluation's."""
    from pathlib import Path

    from riskengine.contracts.case import Case
    from riskengine.testing.generate import generate_cases
    from riskengine.testing.ruletest import collect, load_test
    from riskengine.explain.missing_facts import trials
    root = Path(__file__).resolve().parent.parent
    cases = [load_test(p)[1] for p in collect([root / "tests" / "cases"])]
    cases += generate_cases(60, seed=5, knowledge=engine)
    checked = changed = 0
    for data in cases:
        case = engine.parse_case(data)
        base, hits = engine.state(case)
        base_ev = engine.fast.evaluate(base)
        for _fact, _value, trial in trials(engine.ruleset, case, base):
            try:
                state = engine.state(Case.model_validate(trial), hits)[0]
            except ValueError:
                continue
            full = engine.fast.evaluate(state)
            quick = engine.fast.reevaluate(base, base_ev, state)
            assert sorted(f.rule.id for f in quick.firings) == sorted(f.rule.id for f in full.firings), _fact
            assert quick.findings == full.findings, _fact
            checked += 1
            changed += {f.rule.id for f in full.firings} != {f.rule.id for f in base_ev.firings}
    assert checked > 5000 and changed > checked // 2   # many trials, most of which change what fires
