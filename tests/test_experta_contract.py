"""The experta behaviour riskengine relies on. If a dependency upgrade breaks any of it, this fails.

experta 1.9.4 is installed with frozendict/schema overridden (pyproject [tool.uv]); these tests are
the guard that the override still gives the semantics the compiler assumes.
"""
from __future__ import annotations

from experta import AND, NOT, OR, Fact, KnowledgeEngine, P, Rule


class Thing(Fact):
    pass


class Mark(Fact):
    pass


def _run(attrs, *facts):
    engine = type("E", (KnowledgeEngine,), attrs)()
    engine.log = []
    engine.reset()
    engine.declare(*facts)
    engine.run()
    return engine


def test_nested_fields_match_with_double_underscore():
    def body(self):
        self.log.append("old")
    e = _run({"r": Rule(Thing(person__age=P(lambda a: a >= 65)))(body)}, Thing(person={"age": 70}))
    assert e.log == ["old"]


def test_salience_orders_firing():
    def hi(self):
        self.log.append("hi")

    def lo(self):
        self.log.append("lo")
    e = _run({"a": Rule(Thing(), salience=1)(lo), "b": Rule(Thing(), salience=10)(hi)}, Thing(x=1))
    assert e.log == ["hi", "lo"]


def test_declaring_an_identical_fact_is_deduplicated():
    engine = KnowledgeEngine()
    engine.reset()
    assert engine.declare(Mark(id="x")) is not None
    assert engine.declare(Mark(id="x")) is None


def test_chaining_and_negation_and_or():
    def assert_mark(self):
        self.log.append("mark")
        self.declare(Mark(id="m"))

    def on_mark(self):
        self.log.append("chained")

    def absent(self):
        self.log.append("absent")

    def either(self):
        self.log.append("either")
    e = _run({
        "a": Rule(Thing(x=1), salience=5)(assert_mark),
        "b": Rule(Mark(id="m"))(on_mark),
        "c": Rule(AND(Thing(x=1), NOT(Mark(id="zzz"))))(absent),
        "d": Rule(OR(Thing(x=2), Mark(id="m")))(either),
    }, Thing(x=1))
    assert e.log[0] == "mark"
    assert sorted(e.log) == ["absent", "chained", "either", "mark"]


def test_lists_are_frozen_and_matchable():
    def body(self):
        self.log.append("hit")
    e = _run({"r": Rule(Thing(tags=P(lambda t: "b" in t)))(body)}, Thing(tags=["a", "b"]))
    assert e.log == ["hit"]
