"""One sign-off review of a ruleset change: everything a compliance officer needs before approving it.

``run_review(old, new, ...)`` gathers, for the NEW ruleset folder against the OLD one:

1. validation of the new ruleset (every problem, file:line:column);
2. its rule tests, with coverage (the rules no test fires);
3. the change-impact diff on the given cases (:func:`riskengine.run.diff.compare`: transitions and changed cases);
4. the replay of a decision log with the new rules (:func:`riskengine.io.decision_log.replay`);
5. a rule-level diff: rules and knowledge entries added, removed and changed, with their locations.

A change is *blocked* when the new ruleset is invalid, a rule test fails (or cannot run), coverage is below
the minimum asked for, or a given case or log cannot be read. What changes for the cases is information
for the reviewer, not a block: that is what the change is for. Rendering is in :mod:`riskengine.authoring.review_report`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from riskengine.errors import Problem, RulesetError
from riskengine.contracts.ruleset import Ruleset


@dataclass
class EntryChange:
    kind: str               # "rules", "channels", "scoring" ...
    key: str
    change: str             # added | removed | changed
    old_at: str = ""        # file:line in the old ruleset
    new_at: str = ""
    fields: list[tuple[str, str, str]] = field(default_factory=list)   # (field, old, new)


@dataclass
class TestSummary:
    total: int = 0
    failed: list[tuple[str, str, list[str]]] = field(default_factory=list)   # (file, name, failures)
    coverage_percent: float = 100.0
    fired: int = 0
    rules: int = 0
    unfired: dict[str, list[str]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)


@dataclass
class Review:
    old_dir: str
    new_dir: str
    reviewer: str
    when: str
    old_version: str = "?"
    new_version: str = "?"
    problems: list[Problem] = field(default_factory=list)
    entry_changes: list[EntryChange] = field(default_factory=list)
    tests: TestSummary | None = None
    impact: Any = None                  # impact.ImpactReport
    replay: list = field(default_factory=list)       # records.ReplayResult that differ
    replayed: int = 0
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# ----------------------------------------------------------------------------------- rule-level diff
def _plain(value: Any) -> Any:
    """A model value as its YAML data (a condition in the form it is written in)."""
    from riskengine.language.tree import AllCondition, AnyCondition, FieldCondition, FindingCondition, NotCondition, \
        SignalCondition, SignalsCondition, to_data
    if isinstance(value, (AllCondition, AnyCondition, NotCondition, FieldCondition, SignalCondition,
                          SignalsCondition, FindingCondition)):
        return to_data(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _show(value: Any) -> str:
    from riskengine.authoring.tables import flow
    text = flow(_plain(value)) if value is not None else "—"
    return text if len(text) <= 300 else text[:297] + "…"


def _field_changes(old: BaseModel, new: BaseModel) -> list[tuple[str, str, str]]:
    out = []
    for name in type(new).model_fields:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if name == "then" and isinstance(a, BaseModel):
            out += [(f"then.{n}", _show(getattr(a, n)), _show(getattr(b, n))) for n in type(b).model_fields
                    if getattr(a, n) != getattr(b, n)]
        else:
            out.append((name, _show(a), _show(b)))
    return out


CATALOGS = ("taboos", "indicators", "agent_signs", "legal_bases", "channels", "strategies", "escalation",
            "deadlines", "profiles", "phrases")


def entry_diff(old: Ruleset, new: Ruleset) -> list[EntryChange]:
    """Rules and knowledge entries added, removed and changed (by id), each with where it is written."""
    out: list[EntryChange] = []

    def compare(kind: str, a: dict, b: dict, where_old, where_new) -> None:
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                out.append(EntryChange(kind, str(key), "added", new_at=where_new(key)))
            elif key not in b:
                out.append(EntryChange(kind, str(key), "removed", old_at=where_old(key)))
            elif a[key] != b[key]:
                out.append(EntryChange(kind, str(key), "changed", where_old(key), where_new(key),
                                       _field_changes(a[key], b[key])))

    compare("rules", old.rules_by_id, new.rules_by_id, lambda k: str(old.sources.get(k, "")),
            lambda k: str(new.sources.get(k, "")))
    for kind in CATALOGS:
        compare(kind, getattr(old.knowledge, kind), getattr(new.knowledge, kind),
                lambda k, kind=kind: str(old.sources.get(f"{kind}:{k}", "")),
                lambda k, kind=kind: str(new.sources.get(f"{kind}:{k}", "")))
    a, b = old.knowledge.scoring, new.knowledge.scoring
    if a is not None and b is not None and a != b:
        out.append(EntryChange("scoring", "scoring", "changed", "knowledge/scoring.yaml", "knowledge/scoring.yaml",
                               _field_changes(a, b)))
    return out


# ---------------------------------------------------------------------------------------- the run
def _load(folder: Path, strict: bool) -> Ruleset:
    from riskengine.load.cached_loader import load_ruleset
    return load_ruleset(folder / "rules", folder / "knowledge", strict=strict)


def run_tests(engine, paths: list[Path]) -> TestSummary:
    from riskengine.testing.ruletest import collect, coverage, run_test
    files = collect(paths)
    results = [run_test(engine, p) for p in files]
    cov = coverage(engine.ruleset, results)
    return TestSummary(total=len(results),
                       failed=[(r.file, r.name, [r.error] if r.error else r.failures) for r in results if not r.passed],
                       coverage_percent=cov.percent, fired=cov.fired, rules=cov.total, unfired=cov.unfired_by_file,
                       paths=[str(p) for p in paths])


def run_review(old_dir: Path, new_dir: Path, *, cases: list[Path] = (), log: Path | None = None,
               tests: list[Path] | None = None, reviewer: str = "", when: dt.datetime | None = None,
               min_coverage: float | None = None, workers: int = 1, engine_name: str = "compiled") -> Review:
    from riskengine.engine import Engine
    when = when or dt.datetime.now(dt.timezone.utc)
    review = Review(str(old_dir), str(new_dir), reviewer or "?", when.strftime("%Y-%m-%d %H:%M UTC"))
    try:
        old = _load(old_dir, strict=True)
    except (RulesetError, OSError) as exc:
        review.blockers.append(f"the base ruleset {old_dir} does not load: {exc}")
        return review
    review.old_version = old.version
    try:
        new = _load(new_dir, strict=False)
    except RulesetError as exc:     # a folder missing: nothing else can run
        review.problems = list(exc.problems)
        review.blockers.append(f"the new ruleset {new_dir} does not load")
        return review
    review.new_version = new.version
    review.problems = list(new.problems)
    review.entry_changes = entry_diff(old, new)
    if review.errors:
        review.blockers.append(f"the new ruleset has {len(review.errors)} error(s) (section 1)")
        return review
    new_engine = Engine(new)
    if tests is None:
        default = new_dir / "tests" / "cases"
        tests = [default] if default.is_dir() else []
    if tests:
        review.tests = run_tests(new_engine, tests)
        if review.tests.failed:
            review.blockers.append(f"{len(review.tests.failed)} of {review.tests.total} rule test(s) fail (section 2)")
        if min_coverage is not None and review.tests.coverage_percent < min_coverage:
            review.blockers.append(f"rule coverage {review.tests.coverage_percent:.1f}% is below the minimum "
                                   f"{min_coverage:g}% (section 2)")
        if not review.tests.total:
            review.notes.append("no rule tests were found")
    else:
        review.notes.append("no rule tests given (tests/cases of the new folder, or --tests)")
    if cases:
        from riskengine.run.diff import compare
        review.impact = compare(Engine(old), new_engine, list(cases), workers=workers, engine=engine_name)
        unreadable = [c for c in review.impact.cases if c.error]
        if unreadable:
            review.blockers.append(f"{len(unreadable)} case(s) could not be assessed (section 3)")
    if log is not None:
        from riskengine.io.decision_log import replay
        for r in replay(new_engine, log, workers=workers, engine_name=engine_name):
            review.replayed += 1
            if r.changed:
                review.replay.append(r)
        if any(r.error for r in review.replay):
            review.blockers.append("decision log records could not be replayed (section 4)")
    return review
