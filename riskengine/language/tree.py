"""The rule language: condition trees and what each operator means.

This is the single definition of the language. The experta compiler (:mod:`riskengine.engines.experta_backend`),
the why-not explainer and every other evaluator call :func:`test_leaf` / :data:`OPERATORS`, so they
cannot drift apart.

A condition is one of::

    {all: [cond, ...]}          every child holds
    {any: [cond, ...]}          at least one child holds
    {not: cond}                 the child does not hold
    {field: PATH, OP: VALUE}    a case field (dotted path) compared with one operator
    {signal: ID}                the signal was declared by the handler or found in the narrative
    {signals: [ID, ...], min: N}  at least N of the listed signals are present (default 1)
    {finding: ID}               another rule asserted this finding (forward chaining)

Missing values (``None``) never satisfy a comparison; only ``exists: false`` matches them. That is
what lets ``missing_facts`` ask for a field instead of guessing it.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Annotated, Any, Callable, ClassVar, Generic, Iterator, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from riskengine.errors import shown


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _eq(actual: Any, expected: Any) -> bool:
    # YAML's true must not equal 1: booleans only match booleans.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return actual == expected


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, (list, tuple, frozenset, set)):
        return expected in actual
    return False


def _matches(actual: Any, pattern) -> bool:
    return isinstance(actual, str) and pattern.search(actual) is not None


# op -> (test(actual, expected), how a person reads it). ``actual`` None fails every op but exists.
OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "eq": (lambda a, e: _eq(a, e), "="),
    "ne": (lambda a, e: not _eq(a, e), "≠"),
    "in": (lambda a, e: a in e, "one of"),
    "not_in": (lambda a, e: a not in e, "none of"),
    "gt": (lambda a, e: _num(a) and a > e, ">"),
    "ge": (lambda a, e: _num(a) and a >= e, "≥"),
    "lt": (lambda a, e: _num(a) and a < e, "<"),
    "le": (lambda a, e: _num(a) and a <= e, "≤"),
    "contains": (_contains, "contains"),
    "contains_any": (lambda a, e: any(_contains(a, x) for x in e), "contains any of"),
    "matches": (_matches, "matches"),
}
NUMERIC_OPS = {"gt", "ge", "lt", "le"}
LIST_OPS = {"in", "not_in", "contains_any"}


class _Node(BaseModel):
    """What every node tells a traversal; adding a node type means defining these, its ``visit`` (the
    name of its method in :class:`ConditionVisitor`, declared there too), and teaching the two
    evaluators (engines/experta_backend.py and engines/fastpath.py). tests/test_language.py enumerates
    the node classes and fails for one that lacks any of them."""
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, populate_by_name=True)
    negates: ClassVar[bool] = False   # a `not`: its child holds when it does not
    visit: ClassVar[str | None] = None   # its ConditionVisitor method, e.g. "visit_field"

    def accept(self, visitor: "ConditionVisitor[R]", *args: Any) -> R:
        """``visitor.visit_<this node type>(self, *args)``: per-node behaviour kept outside the language
        (why-not, case generation) without dispatching on node classes."""
        if self.visit is None:
            raise TypeError(f"{type(self).__name__} declares no ConditionVisitor method (ClassVar visit)")
        return getattr(visitor, self.visit)(self, *args)

    def branches(self) -> tuple[tuple[tuple, "Condition"], ...]:
        """(path step inside the YAML, child) for each child; a leaf has none."""
        return ()

    def references(self) -> tuple[tuple[str, str, tuple], ...]:
        """(kind, id, path step) for each id a leaf names: kind is signal, finding or field."""
        return ()


class FieldCondition(_Node):
    visit: ClassVar[str] = "visit_field"
    field: str
    op: str
    value: Any = None
    pattern: Any = Field(default=None, exclude=True, repr=False)  # compiled regex for `matches`

    def references(self):
        return (("field", self.field, ("field",)),)

    def describe(self) -> str:
        if self.op == "exists":
            return f"{self.field} {'is known' if self.value else 'is unknown'}"
        return f"{self.field} {OPERATORS[self.op][1]} {_show(self.value)}"


class SignalCondition(_Node):
    visit: ClassVar[str] = "visit_signal"
    signal: str

    def references(self):
        return (("signal", self.signal, ("signal",)),)

    def describe(self) -> str:
        return f"signal {self.signal}"


class SignalsCondition(_Node):
    visit: ClassVar[str] = "visit_signals"
    signals: tuple[str, ...] = Field(min_length=1)
    min: int = Field(default=1, ge=1)

    def references(self):
        return tuple(("signal", s, ("signals", i)) for i, s in enumerate(self.signals))

    def describe(self) -> str:
        return f"at least {self.min} of signals [{', '.join(self.signals)}]"


class FindingCondition(_Node):
    visit: ClassVar[str] = "visit_finding"
    finding: str

    def references(self):
        return (("finding", self.finding, ("finding",)),)

    def describe(self) -> str:
        return f"finding {self.finding}"


class AllCondition(_Node):
    visit: ClassVar[str] = "visit_all"
    all: tuple["Condition", ...] = Field(min_length=1)

    def branches(self):
        return tuple((("all", i), c) for i, c in enumerate(self.all))

    def describe(self) -> str:
        return "all of (" + "; ".join(c.describe() for c in self.all) + ")"


class AnyCondition(_Node):
    visit: ClassVar[str] = "visit_any"
    any: tuple["Condition", ...] = Field(min_length=1)

    def branches(self):
        return tuple((("any", i), c) for i, c in enumerate(self.any))

    def describe(self) -> str:
        return "any of (" + "; ".join(c.describe() for c in self.any) + ")"


class NotCondition(_Node):
    visit: ClassVar[str] = "visit_not"
    not_: "Condition" = Field(alias="not")
    negates: ClassVar[bool] = True

    def branches(self):
        return ((("not",), self.not_),)

    def describe(self) -> str:
        return "not (" + self.not_.describe() + ")"


Leaf = Union[FieldCondition, SignalCondition, SignalsCondition, FindingCondition]
def to_data(cond: Any) -> Any:
    """A condition tree back in the YAML form it was written in."""
    if isinstance(cond, AllCondition):
        return {"all": [to_data(c) for c in cond.all]}
    if isinstance(cond, AnyCondition):
        return {"any": [to_data(c) for c in cond.any]}
    if isinstance(cond, NotCondition):
        return {"not": to_data(cond.not_)}
    if isinstance(cond, FieldCondition):
        value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
        return {"field": cond.field, cond.op: value}
    if isinstance(cond, SignalsCondition):
        return {"signals": list(cond.signals), "min": cond.min}
    if isinstance(cond, SignalCondition):
        return {"signal": cond.signal}
    if isinstance(cond, FindingCondition):
        return {"finding": cond.finding}
    return cond


Condition = Annotated[
    Union[AllCondition, AnyCondition, NotCondition, FieldCondition, SignalCondition, SignalsCondition,
          FindingCondition],
    PlainSerializer(to_data, return_type=Any),
]
# No model_rebuild() here: the nodes' validators are built on first use (defer_build), when
# ``Condition`` above resolves from this module; a start-up that reads its rules from the ruleset
# cache (load/model_codec.py) never validates a condition and never builds them.

R = TypeVar("R")


class ConditionVisitor(ABC, Generic[R]):
    """Behaviour per node type that lives outside the language (explain/why.py's why-not,
    testing/generate.py's case generation), reached with ``node.accept(visitor, *args)``.

    One abstract method per node type: a visitor that misses one cannot even be instantiated, so a new
    node type is declared here, and every visitor is made to say what it does with it."""

    @abstractmethod
    def visit_all(self, node: AllCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_any(self, node: AnyCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_not(self, node: NotCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_field(self, node: FieldCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_signal(self, node: SignalCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_signals(self, node: SignalsCondition, *args: Any) -> R: ...

    @abstractmethod
    def visit_finding(self, node: FindingCondition, *args: Any) -> R: ...


# Every node type of the language, as the Condition union lists them.
NODE_TYPES: tuple[type[_Node], ...] = get_args(get_args(Condition)[0])


def walk(cond: Condition, path: tuple = (),
         descend: Callable[[Condition, Condition, bool], bool] | None = None) -> Iterator[tuple[Condition, tuple, bool]]:
    """The one traversal of the language: every node, parents first, with its path inside the YAML and
    whether it sits under an odd number of `not`s. ``descend(parent, child, negated)`` may refuse to
    enter a child (e.g. the branches of an `any` that do not hold)."""
    stack = [(cond, path, False)]
    while stack:
        node, p, neg = stack.pop()
        yield node, p, neg
        inner = neg != node.negates
        stack.extend((child, p + step, inner) for step, child in reversed(node.branches())
                     if descend is None or descend(node, child, inner))


def leaves(cond: Condition, path: tuple = ()) -> Iterator[tuple[Condition, tuple, bool]]:
    """The leaves of :func:`walk`."""
    return ((n, p, neg) for n, p, neg in walk(cond, path) if not n.branches())


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ConditionSyntaxError(ValueError):
    """A condition mapping that is not in the language. ``path`` is where, inside the mapping."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.path = path


_KINDS = ("all", "any", "not", "field", "signal", "signals", "finding")


MAX_CONDITION_DEPTH = 32


def parse_condition(raw: Any, path: tuple = ()) -> Condition:
    """Turn a YAML mapping into a condition tree, naming the exact place of any mistake."""
    if sum(1 for p in path if p in ("all", "any", "not")) > MAX_CONDITION_DEPTH:
        raise ConditionSyntaxError(f"conditions are nested more than {MAX_CONDITION_DEPTH} levels deep; "
                                   "no rule needs that many: flatten the all/any/not", path)
    if not isinstance(raw, dict):
        raise ConditionSyntaxError(
            f"a condition must be a mapping such as {{field: ..., eq: ...}}, got {type(raw).__name__}", path)
    kinds = [k for k in _KINDS if k in raw]
    if len(kinds) != 1:
        found = shown(", ".join(map(str, raw))) or "nothing"
        raise ConditionSyntaxError(
            f"a condition needs exactly one of {', '.join(_KINDS)}; found {found}", path)
    kind = kinds[0]
    if kind in ("all", "any"):
        _no_extra(raw, {kind}, path)
        items = raw[kind]
        if not isinstance(items, list) or not items:
            raise ConditionSyntaxError(f"'{kind}' takes a non-empty list of conditions", path + (kind,))
        children = tuple(parse_condition(c, path + (kind, i)) for i, c in enumerate(items))
        return AllCondition(all=children) if kind == "all" else AnyCondition(any=children)
    if kind == "not":
        _no_extra(raw, {"not"}, path)
        return NotCondition(**{"not": parse_condition(raw["not"], path + ("not",))})
    if kind == "signal":
        _no_extra(raw, {"signal"}, path)
        return SignalCondition(signal=_ident(raw["signal"], path + ("signal",)))
    if kind == "finding":
        _no_extra(raw, {"finding"}, path)
        return FindingCondition(finding=_ident(raw["finding"], path + ("finding",)))
    if kind == "signals":
        _no_extra(raw, {"signals", "min"}, path)
        ids = raw["signals"]
        if not isinstance(ids, list) or not ids:
            raise ConditionSyntaxError("'signals' takes a non-empty list of signal ids", path + ("signals",))
        minimum = raw.get("min", 1)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            raise ConditionSyntaxError("'min' must be a whole number ≥ 1", path + ("min",))
        if minimum > len(ids):
            raise ConditionSyntaxError(
                f"min is {minimum} but only {len(ids)} signals are listed; it can never hold", path + ("min",))
        return SignalsCondition(signals=tuple(_ident(s, path + ("signals", i)) for i, s in enumerate(ids)),
                                min=minimum)
    return _parse_field(raw, path)


def _parse_field(raw: dict, path: tuple) -> FieldCondition:
    field = _ident(raw["field"], path + ("field",), allow_dots=True)
    ops = [k for k in raw if k != "field"]
    allowed = sorted(OPERATORS) + ["exists"]
    if len(ops) != 1 or ops[0] not in allowed:
        got = ", ".join(map(str, ops)) or "none"
        raise ConditionSyntaxError(
            f"a field condition needs exactly one operator from {', '.join(allowed)}; got {got}", path)
    op = ops[0]
    value = raw[op]
    where = path + (op,)
    if op == "exists":
        if not isinstance(value, bool):
            raise ConditionSyntaxError("'exists' takes true or false", where)
        return FieldCondition(field=field, op=op, value=value)
    if op in NUMERIC_OPS and not _num(value):
        raise ConditionSyntaxError(f"'{op}' compares numbers; {shown(value)} is not a number", where)
    if op in NUMERIC_OPS and not (abs(value) <= 1e13):   # also refuses .inf and .nan
        raise ConditionSyntaxError(f"'{op}' takes a finite number of at most 1e13 in size, not {shown(value)}", where)
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            raise ConditionSyntaxError(f"'{op}' takes a non-empty list, e.g. [a, b]", where)
        value = tuple(value)
    if op == "matches":
        return FieldCondition(field=field, op=op, value=value, pattern=compile_safe_regex(value, where))
    if isinstance(value, (dict, list)):
        raise ConditionSyntaxError(f"'{op}' takes a single value, not a {type(value).__name__}", where)
    return FieldCondition(field=field, op=op, value=value)


def _no_extra(raw: dict, allowed: set, path: tuple) -> None:
    extra = [k for k in raw if k not in allowed]
    if extra:
        raise ConditionSyntaxError(
            f"unexpected key '{extra[0]}' beside '{next(iter(allowed))}'; put conditions inside all/any",
            path + (extra[0],))


_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


def _ident(value: Any, path: tuple, allow_dots: bool = False) -> str:
    pattern = _PATH if allow_dots else _IDENT
    if not isinstance(value, str) or not pattern.match(value):
        kind = "a dotted field path like history.days_open" if allow_dots else "an id (letters, digits, _ or -)"
        raise ConditionSyntaxError(f"expected {kind}, got {shown(value)}", path)
    return value


# Staff-written patterns run on RE2, in time linear in the text (riskengine/saferegex.py): no guard
# against catastrophic backtracking is needed, because nothing backtracks.
MAX_PATTERN_LENGTH = 500


class UnsafePatternError(ConditionSyntaxError):
    pass


def compile_safe_regex(value: Any, path: tuple = (), flags: int = re.IGNORECASE, lookaround: bool = False,
                       word_end: str | None = None):
    """Compile a pattern written by compliance staff for the linear-time engine (a
    :class:`~riskengine.language.saferegex.LinearPattern`: ``search``, ``finditer``, ``pattern`` as in ``re``).
    ``lookaround``: allow the look-behind/look-ahead idioms of narrative patterns."""
    from riskengine.language.saferegex import PatternError, compile_linear
    check_pattern_safety(value, path, lookaround)
    try:
        return compile_linear(value, bool(flags & re.IGNORECASE), lookaround, word_end)
    except PatternError as exc:
        kind = UnsafePatternError if exc.unsafe else ConditionSyntaxError
        raise kind(f"pattern {shown(value)}: {exc}", path) from None


def check_pattern_safety(value: Any, path: tuple = (), lookaround: bool = True) -> None:
    """The checks of :func:`compile_safe_regex` that need no compiling (the narrative scanner compiles lazily)."""
    from riskengine.language.saferegex import PatternError, check_syntax
    if not isinstance(value, str) or not value:
        raise ConditionSyntaxError("a pattern must be a non-empty string", path)
    try:
        check_syntax(value, lookaround)
    except PatternError as exc:
        raise UnsafePatternError(f"pattern {shown(value)}: {exc}", path) from None


def test_leaf(leaf: Leaf, case: dict, signals: frozenset, findings: frozenset | set) -> bool:
    """The meaning of one leaf condition. ``case`` is the fact dict built by :mod:`riskengine.language.fields`."""
    if isinstance(leaf, FieldCondition):
        return test_field(leaf, lookup(case, leaf.field))
    if isinstance(leaf, SignalCondition):
        return leaf.signal in signals
    if isinstance(leaf, SignalsCondition):
        return count_signals(leaf, signals) >= leaf.min
    return leaf.finding in findings


def test_field(cond: FieldCondition, actual: Any) -> bool:
    if cond.op == "exists":
        return (actual is not None) == cond.value
    if actual is None:
        return False
    if cond.op == "matches":
        return _matches(actual, cond.pattern)
    return bool(OPERATORS[cond.op][0](actual, cond.value))


def count_signals(cond: SignalsCondition, signals) -> int:
    return sum(1 for s in cond.signals if s in signals)


def evaluate(cond: Condition, case: dict, signals: frozenset, findings) -> bool:
    """Evaluate a whole tree in plain Python (used for eligibility checks and why-not)."""
    if isinstance(cond, AllCondition):
        return all(evaluate(c, case, signals, findings) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return any(evaluate(c, case, signals, findings) for c in cond.any)
    if isinstance(cond, NotCondition):
        return not evaluate(cond.not_, case, signals, findings)
    return test_leaf(cond, case, signals, findings)


def lookup(case: dict, path: str) -> Any:
    value: Any = case
    for part in path.split("."):
        if not isinstance(value, dict) and not hasattr(value, "get"):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value
