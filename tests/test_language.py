"""The rule language: every operator, parsing errors, safe patterns."""
from __future__ import annotations

import pytest

from riskengine.language.tree import (ConditionSyntaxError, UnsafePatternError, compile_safe_regex, evaluate,
                                 parse_condition, to_data)

CASE = {
    "industry": "insurance", "amount_in_dispute": 86000, "arbitration_agreement": False,
    "complainant": {"age": 68, "vulnerable": ["elderly"], "emotion": None},
    "narrative": "客户说要找媒体 and call a lawyer", "group_size": 1,
}


def holds(raw, signals=(), findings=()):
    return evaluate(parse_condition(raw), CASE, frozenset(signals), set(findings))


@pytest.mark.parametrize("raw, expected", [
    ({"field": "industry", "eq": "insurance"}, True),
    ({"field": "industry", "eq": "banking"}, False),
    ({"field": "industry", "ne": "banking"}, True),
    ({"field": "industry", "in": ["banking", "insurance"]}, True),
    ({"field": "industry", "not_in": ["banking", "insurance"]}, False),
    ({"field": "amount_in_dispute", "gt": 86000}, False),
    ({"field": "amount_in_dispute", "ge": 86000}, True),
    ({"field": "amount_in_dispute", "lt": 86000}, False),
    ({"field": "amount_in_dispute", "le": 86000}, True),
    ({"field": "complainant.vulnerable", "contains": "elderly"}, True),
    ({"field": "complainant.vulnerable", "contains": "minor"}, False),
    ({"field": "complainant.vulnerable", "contains_any": ["minor", "elderly"]}, True),
    ({"field": "narrative", "contains": "媒体"}, True),
    ({"field": "narrative", "matches": "LAW(yer|suit)"}, True),
    ({"field": "narrative", "matches": "记者"}, False),
    ({"field": "complainant.emotion", "exists": False}, True),
    ({"field": "complainant.age", "exists": True}, True),
    ({"field": "arbitration_agreement", "eq": False}, True),
    ({"field": "group_size", "eq": True}, False),  # booleans never equal numbers
])
def test_field_operators(raw, expected):
    assert holds(raw) is expected


def test_missing_values_fail_every_comparison():
    for op, value in [("eq", "calm"), ("ne", "calm"), ("in", ["calm"]), ("not_in", ["calm"])]:
        assert holds({"field": "complainant.emotion", op: value}) is False
    assert holds({"field": "history.days_open", "ge": 0}) is False


def test_signals_findings_and_combinators():
    assert holds({"signal": "threatens_media"}, signals=["threatens_media"])
    assert not holds({"signal": "threatens_media"})
    assert holds({"signals": ["a", "b", "c"], "min": 2}, signals=["a", "c"])
    assert not holds({"signals": ["a", "b", "c"], "min": 2}, signals=["a"])
    assert holds({"finding": "x"}, findings=["x"])
    assert holds({"all": [{"finding": "x"}, {"not": {"finding": "y"}}]}, findings=["x"])
    assert not holds({"all": [{"finding": "x"}, {"not": {"finding": "y"}}]}, findings=["x", "y"])
    assert holds({"any": [{"finding": "y"}, {"field": "industry", "eq": "insurance"}]})


@pytest.mark.parametrize("raw, message, path", [
    ({"field": "industry"}, "exactly one operator", ()),
    ({"field": "industry", "equals": "x"}, "exactly one operator", ()),
    ({"signal": "a", "finding": "b"}, "exactly one of", ()),
    ({"all": []}, "non-empty list", ("all",)),
    ({"all": [{"field": "x", "gt": "ten"}]}, "not a number", ("all", 0, "gt")),
    ({"any": [{"signal": "ok"}, {"signal": "bad id!"}]}, "expected an id", ("any", 1, "signal")),
    ({"signals": ["a"], "min": 2}, "can never hold", ("min",)),
    ({"field": "industry", "in": "insurance"}, "non-empty list", ("in",)),
    ("just text", "must be a mapping", ()),
])
def test_parse_errors_name_the_place(raw, message, path):
    with pytest.raises(ConditionSyntaxError) as err:
        parse_condition(raw)
    assert message in str(err.value)
    assert err.value.path == path


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?P<x>a)(?P=x)", "(?>ab)", "a*+", "(?<!x)a", "a(?=b)"])
def test_patterns_the_linear_engine_cannot_run_are_refused(pattern):
    with pytest.raises(UnsafePatternError):
        compile_safe_regex(pattern)


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w*)*x", "(ab|c+){2,}y", "(a|a)*b", ".*.*.*.*.*.*="])
def test_backtracking_patterns_run_in_linear_time(pattern):
    # These hang Python's re on a few dozen characters; RE2 answers at once on 100,000.
    assert compile_safe_regex(pattern).search("a" * 100_000 + "!") is None


def test_safe_patterns_compile_case_insensitively():
    assert compile_safe_regex("Full Refund").search("asked for a FULL REFUND")
    assert compile_safe_regex("(媒体|记者)+").search("找记者")


def test_round_trip_to_yaml_form():
    raw = {"all": [{"field": "industry", "in": ["banking"]}, {"not": {"finding": "x"}},
                   {"signals": ["a", "b"], "min": 1}]}
    assert to_data(parse_condition(raw)) == raw


def _node_classes():
    """Every concrete node class defined on the language's node base, however deep."""
    from riskengine.language.tree import _Node
    out, todo = [], list(_Node.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__ != __name__:   # not the stray node type a test below defines
            out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def test_every_node_type_declares_its_visitor_method():
    """Adding a node type must declare its ConditionVisitor method; why-not and case generation then
    reach it through ``accept``, never by dispatching on node classes."""
    from riskengine.language.tree import NODE_TYPES, ConditionVisitor

    abstract = set(ConditionVisitor.__abstractmethods__)
    classes = _node_classes()
    assert set(classes) == set(NODE_TYPES), "a node class is missing from the Condition union"
    for cls in classes:
        assert isinstance(cls.visit, str), f"{cls.__name__} declares no ConditionVisitor method"
        assert cls.visit in abstract, f"ConditionVisitor has no abstract {cls.visit} for {cls.__name__}"
    assert abstract == {cls.visit for cls in classes}, "a ConditionVisitor method names no node type"


def test_the_visitors_outside_the_language_handle_every_node_type():
    """why-not (explain/why.py) and case generation (testing/generate.py) implement every visit method:
    a node type they do not handle leaves an abstract method and fails here."""
    from riskengine.explain.why import _Blockers
    from riskengine.language.tree import ConditionVisitor
    from riskengine.testing.generate import CaseGenerator

    for visitor in (_Blockers, CaseGenerator):
        assert issubclass(visitor, ConditionVisitor)
        assert not visitor.__abstractmethods__, f"{visitor.__name__} misses {sorted(visitor.__abstractmethods__)}"


def test_a_node_type_without_a_visitor_method_is_refused_by_accept():
    from riskengine.language.tree import _Node

    class Stray(_Node):
        pass

    with pytest.raises(TypeError, match="declares no ConditionVisitor method"):
        Stray().accept(object())


def test_accept_dispatches_each_node_to_its_own_method():
    from riskengine.language.tree import ConditionVisitor, walk

    class Names(ConditionVisitor[str]):
        def visit_all(self, node, *a): return "all"
        def visit_any(self, node, *a): return "any"
        def visit_not(self, node, *a): return "not"
        def visit_field(self, node, *a): return "field"
        def visit_signal(self, node, *a): return "signal"
        def visit_signals(self, node, *a): return "signals"
        def visit_finding(self, node, *a): return "finding"

    cond = parse_condition({"all": [{"any": [{"signal": "a"}, {"signals": ["a", "b"], "min": 2}]},
                                    {"not": {"finding": "f"}}, {"field": "industry", "eq": "banking"}]})
    assert [n.accept(Names()) for n, _p, _neg in walk(cond)] == [
        "all", "any", "signal", "signals", "not", "finding", "field"]
