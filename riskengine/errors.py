"""Typed errors, each with a stable code and a location.

Exception tree::

    RiskEngineError
     ├── RulesetError        one or more problems in rules/ or knowledge/ (holds every Problem found)
     └── CaseError           a case file or record that does not fit the case contract

A :class:`Problem` is one finding of the loader or validator: ``code``, ``message``, ``file``, ``line``,
``column`` and an optional ``hint`` (the fix, or a "did you mean"). Codes are listed in docs/errors.md.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal

# Stable codes. Never renumber; add new ones at the end of their block.
CODES: dict[str, str] = {
    "RE001": "yaml-syntax",
    "RE002": "file-unreadable",
    "RE003": "wrong-top-level",
    "RE010": "schema",
    "RE011": "unknown-key",
    "RE012": "condition-syntax",
    "RE013": "unsafe-pattern",
    "RE020": "duplicate-id",
    "RE101": "unknown-signal",
    "RE102": "unknown-field",
    "RE103": "unknown-knowledge-id",
    "RE104": "finding-never-asserted",
    "RE105": "rule-never-fires",
    "RE106": "type-mismatch",
    "RE107": "negation-cycle",
    "RE201": "case-invalid",
    "RE202": "case-unknown-signal",
    "RE203": "case-unreadable",
    "RW301": "finding-never-used",
    "RW302": "rule-without-effect",
    "RW303": "strategy-tie",
    "RW304": "strategy-shadowed",
    "RW305": "channel-tie",
}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Literal["error", "warning"] = field(default="error", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.severity} {self.code} {CODES.get(self.code, '')}: {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class CaseProblem:
    """One finding about a case, at a field: ``loc`` is the path (``("demand", "type")``, ``("signals", 0)``)."""
    loc: tuple
    message: str
    hint: str = ""
    code: str = "RE201"
    where: str = ""     # the field as the message names it, when not the dotted path (``signals[0]``)

    @property
    def field(self) -> str:
        return self.where or ".".join(str(p) for p in self.loc) or "case"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class RiskEngineError(Exception):
    """Base of every error riskengine raises on purpose."""


class RulesetError(RiskEngineError):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = str(errors[0]) if errors else "no errors"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class CaseError(RiskEngineError):
    """A case that does not fit the contract; ``location`` is e.g. ``case.yaml:3`` or ``cases.jsonl:17``."""

    def __init__(self, message: str, location: str = "", code: str = "RE201",
                 details: list[CaseProblem] | None = None):
        self.message = message
        self.location = location
        self.code = code
        self.details = details or []   # one CaseProblem per finding, when the caller knows the fields
        super().__init__(f"{location}: {code} {message}" if location else f"{code} {message}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
