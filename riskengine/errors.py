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
import unicodedata
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
    "RE014": "nesting-too-deep",
    "RE015": "out-of-range",
    "RE020": "duplicate-id",
    "RE101": "unknown-signal",
    "RE102": "unknown-field",
    "RE103": "unknown-knowledge-id",
    "RE104": "finding-never-asserted",
    "RE105": "rule-never-fires",
    "RE106": "type-mismatch",
    "RE107": "negation-cycle",
    "RE108": "unknown-concept",
    "RE109": "concept-cycle",
    "RE110": "empty-concept",
    "RE201": "case-invalid",
    "RE202": "case-unknown-signal",
    "RE203": "case-unreadable",
    "RE204": "decision-record-invalid",
    "RE205": "rule-test-invalid",
    "RE206": "output-unwritable",
    "RE299": "internal-error",
    "RW301": "finding-never-used",
    "RW302": "rule-without-effect",
    "RW303": "strategy-tie",
    "RW304": "strategy-shadowed",
    "RW305": "channel-tie",
    "RW306": "concept-unused",
    "RW307": "pattern-cannot-end-before-a-word",
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
        where = f"{shown(self.file, 300)}:{self.line}:{self.column}" if self.line else shown(self.file, 300)
        text = f"{where}: {self.severity} {self.code} {CODES.get(self.code, '')}: {one_line(self.message)}"
        return text + (f" ({one_line(self.hint)})" if self.hint else "")


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
        return self.where or shown(".".join(str(p) for p in self.loc), 120) or "case"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class RiskEngineError(Exception):
    """Base of every error riskengine raises on purpose. ``exit_code``: what the command line exits with
    (as click's exceptions know theirs): 1 for bad rules or cases."""
    exit_code = 1

    def show(self) -> list[str]:
        """The lines the command line prints for it (on stderr)."""
        return [f"error: {self}"]


class RulesetError(RiskEngineError):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = str(errors[0]) if errors else "no errors"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    def show(self) -> list[str]:
        errors = sum(1 for p in self.problems if p.severity == "error")
        return [str(p) for p in self.problems] + [f"{errors} error(s), {len(self.problems) - errors} warning(s)"]


class CaseError(RiskEngineError):
    """A case that does not fit the contract.

    ``location`` is where the case came from, as shown (``case.yaml``, ``cases.jsonl:17``); ``file`` and
    ``line`` are its parts; ``details`` holds one :class:`CaseProblem` per bad field when they are known, and
    ``field`` is the dotted path of the first (None when the case as a whole is wrong), so a caller can
    point at it (the service's JSON pointer).
    Message and location are made one escaped, bounded line: they may echo untrusted input."""

    def __init__(self, message: str, location: str = "", code: str = "RE201",
                 details: list[CaseProblem] | None = None, *, field: str | None = None):
        self.message = one_line(message)
        self.location = shown(location, 300)
        self.code = code
        self.details = details or []
        self.field = field or (".".join(map(str, self.details[0].loc)) or None if self.details else None)
        super().__init__(f"{self.location}: {code} {self.message}" if location else f"{code} {self.message}")

    @property
    def file(self) -> str:
        head, _, tail = self.location.rpartition(":")
        return head if head and tail.isdigit() else self.location

    @property
    def line(self) -> int | None:
        head, _, tail = self.location.rpartition(":")
        return int(tail) if head and tail.isdigit() else None

    @property
    def pointer(self) -> str:
        """The bad field as a JSON pointer (RFC 6901) into the case; "" for the whole case."""
        if not self.field:
            return ""
        return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in self.field.split("."))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    if not isinstance(word, str) or len(word) > 200:   # difflib is quadratic; no id is that long
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


# -- echoing untrusted values -------------------------------------------------------------------------
# A value from a case, a log line or a rule file is shown in a message only through these: a newline
# in an id must not forge a second line of output, a 100,000-character id is not echoed whole, and
# bidi overrides or zero-width characters (which can make a message read differently from what it
# says) are shown as escapes. Chinese and other printable text is kept as it is.
SHOWN_MAX = 80


def _escape_char(ch: str) -> str:
    cp = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _unsafe(ch: str) -> bool:
    # Cc control, Cf format (bidi overrides, zero-width), Zl/Zp line and paragraph separators,
    # Cs lone surrogates, Co private use, Cn unassigned.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def escape_text(text: str) -> str:
    """``text`` with every control, format and line-separator character shown as an escape."""
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """An untrusted value as it may appear in a message: escaped and cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + f"…(+{len(text) - limit} chars)"
    return escape_text(text)


def one_line(message: str, limit: int = 1000) -> str:
    """The last guard of every message: one line, no control characters, bounded length."""
    message = escape_text(str(message))
    return message if len(message) <= limit else message[:limit] + "…"
