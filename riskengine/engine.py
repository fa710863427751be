"""The library entry point: ``load_engine()`` and ``Engine.assess(case) -> Assessment``.

The engine knows nothing of files (beyond loading its ruleset), terminals or output formats.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from riskengine.contracts.assessment import Assessment
from riskengine.contracts.case import Case
from riskengine.errors import CaseError, CaseProblem, did_you_mean, shown
from riskengine.language.fields import case_facts
from riskengine.engines.fastpath import FastEvaluator
from riskengine.engines.state import CaseState, Evaluation
from riskengine.load.cached_loader import load_ruleset
from riskengine.reading.narrative import NarrativeHit, NarrativeScanner
from riskengine.engines.plan import build_plan
from riskengine.decide.clock import days_past_answer_clock
from riskengine.decide.policy import decide, key_figures
from riskengine.contracts.ruleset import Ruleset

EngineName = Literal["experta", "compiled"]
MAX_CASE_KEYS = 100


class Engine:
    """A compiled ruleset, ready to assess cases. Safe to share between threads."""

    def __init__(self, ruleset: Ruleset, engine: EngineName = "experta"):
        self.ruleset = ruleset
        self.plan = build_plan(ruleset)
        self.fast = FastEvaluator(self.plan)
        self.default_engine = engine
        self._experta = None   # ExpertaEvaluator, built on first use
        self._scanner: NarrativeScanner | None = None   # built on the first narrative

    @property
    def scanner(self) -> NarrativeScanner:
        """The narrative reader of this ruleset, built when first needed: its concept lexicons cost more
        to build than the rest of the engine, and many cases (and commands) read no narrative. Two
        threads racing here build the same scanner twice, harmlessly."""
        scanner = self._scanner
        if scanner is None:
            ruleset = self.ruleset
            scanner = self._scanner = NarrativeScanner(list(ruleset.knowledge.signals.values()),
                                                       ruleset.pattern_literals, ruleset.knowledge.concepts,
                                                       lexicons=ruleset.lexicon_tables, checked=True)
        return scanner

    @property
    def version(self) -> str:
        return self.ruleset.version

    def evaluator(self, name: EngineName | None = None):
        name = name or self.default_engine
        if name == "compiled":
            return self.fast
        if self._experta is None:
            from riskengine.engines.experta_backend import ExpertaEvaluator   # experta is imported only when it is used
            self._experta = ExpertaEvaluator(self.plan)
        return self._experta

    # -- inputs ---------------------------------------------------------------------------------
    def parse_case(self, data: Case | dict[str, Any], location: str = "") -> Case:
        """Validate a case against the contract and the loaded signal ids."""
        if isinstance(data, Case):
            case = data
        else:
            if not isinstance(data, dict):
                raise CaseError(f"a case must be a mapping of fields, got {type(data).__name__}", location)
            if len(data) > MAX_CASE_KEYS:   # before validation builds one error per unknown key
                raise CaseError(f"a case has {len(data):,} fields; the case format has fewer than "
                                f"{MAX_CASE_KEYS} (see docs/case-format.md)", location)
            try:
                case = Case.model_validate(data)
            except ValidationError as exc:
                raise CaseError(describe_case_error(exc), location, details=case_error_items(exc)) from None
        if not case.signals:   # most cases declare none: skip merging the two signal catalogs
            return case
        known = self.ruleset.knowledge.signals
        for i, sid in enumerate(case.signals):
            if sid not in known:
                hint = did_you_mean(sid, known) or "run `riskengine knowledge list indicators` to see the ids"
                raise CaseError(f"signals[{i}]: unknown signal '{shown(sid)}' ({hint})", location, code="RE202",
                                details=[CaseProblem(("signals", i), f"unknown signal '{shown(sid)}'", hint, "RE202",
                                                     f"signals[{i}]")])
        return case

    def state(self, case: Case, hits: list[NarrativeHit] | None = None) -> tuple[CaseState, list[NarrativeHit]]:
        """The evaluators' input. ``hits`` lets what-if questions reuse a narrative scan already done."""
        if hits is None:
            hits = self.scanner.scan(case.narrative) if case.narrative else []
        declared = set(case.signals)
        from_text = {h.signal for h in hits}
        sources = {s: ("declared+narrative" if s in declared and s in from_text else
                       "declared" if s in declared else "narrative") for s in declared | from_text}
        facts, signals = case_facts(case), frozenset(sources)
        facts["derived"]["answer_days_past"] = days_past_answer_clock(
            self.ruleset.policy_conditions.answer_deadlines, facts, signals)
        return CaseState(facts=facts, signals=signals, signal_sources=sources), hits

    # -- assessment -----------------------------------------------------------------------------
    def evaluate(self, case: Case, engine: EngineName | None = None) -> tuple[CaseState, list, Evaluation]:
        state, hits = self.state(case)
        return state, hits, self.evaluator(engine).evaluate(state)

    def assess(self, data: Case | dict[str, Any], *, engine: EngineName | None = None,
               missing_facts: bool = True, location: str = "", as_of: dt.date | None = None) -> Assessment:
        """``location``: where the case came from, named in its errors (e.g. ``case.yaml``). ``as_of``: the
        date clocks and overdue are judged on (default: received + history.days_open, else received —
        deterministic; the CLI passes today unless --as-of is given)."""
        return self.trace(data, engine=engine, missing_facts=missing_facts, location=location, as_of=as_of)[0]

    def trace(self, data: Case | dict[str, Any], *, engine: EngineName | None = None, missing_facts: bool = True,
              location: str = "", as_of: dt.date | None = None) -> tuple[Assessment, Evaluation]:
        """The assessment and the evaluation it was decided from (the firings ``explain`` traces)."""
        case = self.parse_case(data, location)
        state, hits, evaluation = self.evaluate(case, engine)
        result = decide(self.ruleset, state, evaluation, list(case.signals), hits,
                        self.evaluator(engine).name, as_of=as_of)
        if missing_facts:
            from riskengine.explain.missing_facts import missing_facts as compute_missing
            result.missing_facts = compute_missing(self, case, result, state, hits)
        return result, evaluation

    def summarise(self, data: Case | dict[str, Any], *, engine: EngineName | None = None) -> dict[str, Any]:
        """The summary figures of ``assess`` (scores, level, strategy, escalation, channels, taboos) without
        the explanation, profile and script: about twice as fast when a batch wants one row per case."""
        state, _hits = self.state(self.parse_case(data))
        return key_figures(self.ruleset, state, self.evaluator(engine).evaluate(state, matched=False))


def describe_case_error(exc: ValidationError) -> str:
    """One line per problem: the field, what is wrong, and what is allowed."""
    items = case_error_items(exc)
    more = len(items) - 5
    return "; ".join(map(str, items[:5])) + (f"; and {more} more" if more > 0 else "")


def case_error_items(exc: ValidationError) -> list[CaseProblem]:
    """Each problem of a case that does not fit the contract, at its field, with the fix when one is known
    (the CLI joins them into one line; the HTTP service returns them one by one). Values from the input
    are shown escaped and cut short: they may be anything."""
    items = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "literal_error" and isinstance(err.get("input"), str):
            allowed = [str(v).strip("'") for v in str((err.get("ctx") or {}).get("expected", "")).split(", ")]
            allowed = [a.split("'")[1] if "'" in a else a for a in allowed]
            items.append(CaseProblem(loc, f"{err['msg']}, not '{shown(err['input'], 40)}'",
                                     did_you_mean(err["input"], allowed)))
            continue
        if err["type"] == "extra_forbidden":
            from riskengine.language.fields import FIELD_TYPES
            top = {p.split(".")[0] for p in FIELD_TYPES if not p.startswith("derived.")}
            hint = did_you_mean(str(err["loc"][-1]), top | {p.split(".")[-1] for p in FIELD_TYPES})
            items.append(CaseProblem(loc, "unknown field", hint))
        elif err["type"] == "missing":
            items.append(CaseProblem(loc, "required field is missing"))
        else:
            items.append(CaseProblem(loc, err["msg"]))
    return items


def load_engine(rules_dir: str | Path | None = None, knowledge_dir: str | Path | None = None,
                engine: EngineName = "experta") -> Engine:
    """Load, validate and compile a ruleset (the shipped defaults when no folders are given)."""
    return Engine(load_ruleset(rules_dir, knowledge_dir), engine=engine)
