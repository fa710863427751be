"""Change impact: assess the same cases with two rulesets and report what changed, case by case."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from riskengine.contracts.assessment import KEY_NAMES, KeyFigures
from riskengine.run.batch import EngineName, assess_tagged
from riskengine.io.casefile import iter_jsonl, read_case_file
from riskengine.errors import CaseError, Problem, RulesetError

FIELDS = tuple(KEY_NAMES.values())   # the key figures, in their order


@dataclass
class CaseImpact:
    case_id: str
    location: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class ImpactReport:
    base_version: str
    new_version: str
    cases: list[CaseImpact] = field(default_factory=list)

    @property
    def changed(self) -> list[CaseImpact]:
        return [c for c in self.cases if c.changes]

    def transitions(self) -> dict[str, Counter]:
        table: dict[str, Counter] = {f: Counter() for f in FIELDS}
        for c in self.changed:
            for f, (old, new) in c.changes.items():
                table[f][f"{_show(old)} → {_show(new)}"] += 1
        return {f: t for f, t in table.items() if t}

    def to_dict(self) -> dict:
        return {
            "base_version": self.base_version, "new_version": self.new_version,
            "cases": len(self.cases), "changed": len(self.changed),
            "errors": [{"case": c.location, "error": c.error} for c in self.cases if c.error],
            "transitions": {f: dict(sorted(t.items())) for f, t in self.transitions().items()},
            "per_case": [{"case_id": c.case_id, "changes": {k: list(v) for k, v in c.changes.items()}}
                         for c in self.changed],
        }


def _show(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(v) or "-"
    return str(v)


def resolve_base(base: Path) -> tuple[Path, Path, str]:
    """(rules folder, knowledge folder, what was taken) for ``diff --base``: a checkout holding rules/
    and knowledge/, or a rules folder whose knowledge/ sits beside it (``old/rules`` → ``old/knowledge``)."""
    if (base / "rules").is_dir():
        return base / "rules", base / "knowledge", f"the checkout {base} (rules/ and knowledge/)"
    if any(base.glob("*.yaml")) and (base.parent / "knowledge").is_dir():
        return base, base.parent / "knowledge", f"the rules folder {base} with {base.parent / 'knowledge'}"
    raise RulesetError([Problem(str(base), 0, 0, "RE002", "holds neither rules/ nor rule files with a knowledge/ "
                                "folder beside them", hint="give a checkout holding rules/ and knowledge/, "
                                "or its rules/ folder")])


def iter_cases(paths: list[Path]) -> Iterator[tuple[str, dict | CaseError]]:
    """(location, raw case or error) from case files, folders of them, and JSON Lines files."""
    for p in paths:
        if p.is_dir():
            yield from iter_cases(sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json", ".jsonl")))
        elif p.suffix == ".jsonl":
            for lineno, rec in iter_jsonl(p):
                yield f"{p}:{lineno}", rec
        else:
            try:
                data = read_case_file(p)
            except CaseError as exc:
                yield str(p), exc
                continue
            # Rule-test files hold their case under `case:`.
            yield str(p), data["case"] if "case" in data and "expect" in data else data


def compare(base_engine, new_engine, paths: list[Path], *, workers: int = 1,
            engine: EngineName = "compiled") -> ImpactReport:
    """Assess every case with both rulesets (through the batch machinery: ``workers`` processes per
    ruleset, input order kept, a bad case reported and skipped) and list what changed."""
    def items():
        return (((location, raw), location, raw) for location, raw in iter_cases(paths))

    report = ImpactReport(base_engine.version, new_engine.version)
    olds = assess_tagged(base_engine, items(), workers, engine, rows=True)   # decision rows: no texts needed
    news = assess_tagged(new_engine, items(), workers, engine, rows=True)
    try:
        for ((location, raw), old), (_same, new) in zip(olds, news):
            error = next((r for r in (old, new) if isinstance(r, CaseError)), None)
            if error is not None:
                case_id = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
                report.cases.append(CaseImpact(case_id, location, error=str(error)))
                continue
            report.cases.append(CaseImpact(old["case_id"], location,
                                           KeyFigures.from_row(old).changes(KeyFigures.from_row(new))))
    finally:
        olds.close()
        news.close()
    return report


def row_decisions(row: dict) -> dict[str, Any]:
    """``Assessment.key_decisions()`` read from a decision row."""
    return {"risk.level": row["risk_level"], "agent.suspected": row["agent_suspected"], "strategy": row["strategy"],
            "escalation.level": row["escalation_level"], "channels": row["channels"]}
