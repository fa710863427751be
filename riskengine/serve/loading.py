"""Build one servable ruleset: load → validate → compile → run its rule tests. All or nothing.

The result, :class:`Loaded`, is immutable: a request takes the current one once and uses it to the end,
so a reload that swaps in another never changes a request half-way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import Engine
from ..errors import Problem, RiskEngineError, RulesetError

STEPS = ("load", "validate", "compile", "test")


@dataclass(frozen=True)
class Loaded:
    engine: Engine
    loaded_at: dt.datetime
    source: str                     # "files" (the rule folders) or "snapshot" (the last good copy)
    rules_dir: str
    knowledge_dir: str
    tests_dir: str | None
    tests_passed: int

    @property
    def version(self) -> str:
        return self.engine.version

    def counts(self) -> dict[str, int]:
        return self.engine.ruleset.counts()


@dataclass
class LoadFailure(Exception):
    """A ruleset that must not serve: the step that refused it and every reason, one line each."""
    step: str
    reasons: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = self.reasons[0] if self.reasons else "failed"
        more = f" (+{len(self.reasons) - 1} more)" if len(self.reasons) > 1 else ""
        return f"{self.step}: {head}{more}"


def build(rules_dir: str | Path | None, knowledge_dir: str | Path | None, tests_dir: str | Path | None,
          source: str = "files") -> Loaded:
    """The servable ruleset from these folders, or :class:`LoadFailure` naming the step that refused it."""
    from riskengine.load.cached_loader import load_ruleset
    from riskengine.load.loader import default_dir
    from riskengine.testing.ruletest import collect, run_test

    rules = Path(rules_dir) if rules_dir else default_dir("rules")
    knowledge = Path(knowledge_dir) if knowledge_dir else default_dir("knowledge")
    try:
        ruleset = load_ruleset(rules, knowledge)
    except RulesetError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        step = "load" if all(p.code in ("RE001", "RE002", "RE003") for p in errors) else "validate"
        raise LoadFailure(step, [str(p) for p in errors], errors) from None
    except (OSError, RiskEngineError) as exc:
        raise LoadFailure("load", [str(exc)]) from None
    try:
        engine = Engine(ruleset, engine="compiled")
        engine.evaluator("experta")         # both evaluators are ready before the first request
    except Exception as exc:                 # a ruleset the compilers refuse is a failed step, not a crash
        raise LoadFailure("compile", [f"{type(exc).__name__}: {exc}"]) from None
    passed = 0
    if tests_dir is not None:
        tests = Path(tests_dir)
        files = collect([tests]) if tests.is_dir() else []
        if not files:
            raise LoadFailure("test", [f"no rule tests found in {tests}"])
        failures = []
        for path in files:
            result = run_test(engine, path)
            if result.passed:
                passed += 1
                continue
            why = result.error or "; ".join(result.failures)
            failures.append(f"{result.file} ({result.name}): {why}")
        if failures:
            raise LoadFailure("test", [f"{len(failures)} of {len(files)} rule tests failed"] + failures)
    return Loaded(engine=engine, loaded_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                  source=source, rules_dir=str(rules), knowledge_dir=str(knowledge),
                  tests_dir=str(tests_dir) if tests_dir is not None else None, tests_passed=passed)
