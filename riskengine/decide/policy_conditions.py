"""The policy's own conditions, compiled once per ruleset: which channels are eligible and which answer
deadlines apply. Every case asks them, and walking the condition trees (``language.tree.evaluate``) and
sorting the deadlines again for each case showed in the profile of a batch of decision rows; the fast
path's compiler turns each tree into one closure equal to ``evaluate`` (``engines.fastpath.compile_condition``;
tests/test_policy_conditions.py compares the two)."""
from __future__ import annotations

from typing import Any, Callable

from riskengine.engines.fastpath import compile_condition

Test = Callable[[dict, Any, Any], Any]


class PolicyConditions:
    """``answer_deadlines``: jurisdiction -> ((deadline, its ``applies_when`` test or None), ...) for the
    deadlines of kind ``answer``, by id (the order the earliest-deadline pick breaks ties in);
    ``eligible``: channel id -> its ``eligible_when`` test, or None for a channel always eligible."""
    __slots__ = ("answer_deadlines", "eligible")

    def __init__(self, knowledge):
        by_jurisdiction: dict[str, list] = {}
        for d in sorted(knowledge.deadlines.values(), key=lambda d: d.id):
            if d.kind == "answer":
                test = None if d.applies_when is None else compile_condition(d.applies_when)
                by_jurisdiction.setdefault(d.jurisdiction, []).append((d, test))
        self.answer_deadlines: dict[str, tuple] = {j: tuple(items) for j, items in by_jurisdiction.items()}
        self.eligible: dict[str, Test | None] = {
            cid: None if ch.eligible_when is None else compile_condition(ch.eligible_when)
            for cid, ch in knowledge.channels.items()}
