"""Decision records: one JSON line per assessment, with personal data masked, and their replay.

A record holds what an auditor needs to know which ruleset produced which decision: the UTC time,
the case id, the ruleset version, the engine, the (masked) input, the (masked) output and the fired
rules. ``replay`` re-assesses the logged inputs with the current ruleset and reports what changed.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from riskengine.contracts.assessment import Assessment, KeyFigures
from riskengine.io.casefile import json_lines
from riskengine.errors import CaseError, shown
from riskengine.io.mask import mask



def decision_record(case_input: dict, a: Assessment, now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.timezone.utc)
    return {
        "timestamp": now.isoformat(timespec="seconds"),
        "case_id": a.case_id,
        "ruleset_version": a.ruleset.version,
        "engine": a.engine,
        "input": mask(json.loads(json.dumps(case_input, default=str, ensure_ascii=False))),
        "output": mask(a.model_dump(mode="json")),
        "fired_rules": [s.rule for s in a.explanation],
    }


def record_line(record: dict) -> str:
    """A decision record as the one line written to a log."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"


def append_record(path: str | Path, record: dict) -> None:
    """One whole line per record, flushed, so an interrupted run never leaves half a record."""
    line = record_line(record)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()


@dataclass
class ReplayResult:
    line: int
    case_id: str
    logged_version: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    fired_added: list[str] = field(default_factory=list)
    fired_removed: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.fired_added or self.fired_removed or self.error)


def record_problem(rec: dict) -> str | None:
    """What is wrong with a logged decision (truncated, edited by hand, from another tool), or None."""
    if not {"input", "output", "fired_rules"} <= set(rec):
        return "not a decision record (needs input, output, fired_rules)"
    if not isinstance(rec["input"], dict):
        return "input must be an object (the logged case)"
    if not isinstance(rec["fired_rules"], list) or not all(isinstance(r, str) for r in rec["fired_rules"]):
        return "fired_rules must be a list of rule ids"
    out = rec["output"]
    if not isinstance(out, dict):
        return "output must be an object (the logged assessment)"
    for block, key in (("risk", "level"), ("risk", "score"), ("agent", "suspected"), ("escalation", "level")):
        if not isinstance(out.get(block), dict) or key not in out[block]:
            return f"output.{block}.{key} is missing"
    if out.get("strategy") is not None and not isinstance(out["strategy"], dict):
        return "output.strategy must be an object or null"
    for block in ("channels", "taboos"):
        items = out.get(block, [])
        if not isinstance(items, list):
            return f"output.{block} must be a list"
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                return f"output.{block}[{i}] has no id"
    for key in ("case_id", "ruleset_version"):
        if key in rec and not isinstance(rec[key], (str, type(None))):
            return f"{key} must be text"
    return None


def read_records(path: str | Path) -> Iterator[tuple[int, dict | CaseError]]:
    """(line number, decision record or the error for that line); a bad line never stops the others."""
    with open(path, "rb") as fh:
        for lineno, rec in json_lines(fh, str(path)):
            if not isinstance(rec, CaseError):
                problem = record_problem(rec)
                if problem:
                    rec = CaseError(problem, f"{path}:{lineno}", "RE204")
            yield lineno, rec


def replay(engine, path: str | Path, *, workers: int = 1, engine_name: str = "compiled") -> Iterator[ReplayResult]:
    """Re-run each logged input with the current ruleset (through the batch machinery); one result per record."""
    from riskengine.run.batch import assess_tagged   # not imported by `assess --log`, which needs only the writer

    items = (((lineno, rec), f"{path}:{lineno}", rec if isinstance(rec, CaseError) else rec["input"])
             for lineno, rec in read_records(path))
    for (lineno, rec), now in assess_tagged(engine, items, workers, engine_name, rows=True):
        if isinstance(rec, CaseError):
            yield ReplayResult(lineno, "?", "?", error=str(rec))
            continue
        case_id = shown(rec.get("case_id") or "?", 100)
        if isinstance(now, CaseError):
            yield ReplayResult(lineno, case_id, shown(rec.get("ruleset_version") or "?"), error=str(now))
            continue
        before = KeyFigures.from_output(rec["output"])
        after = KeyFigures.from_row(now)   # the decision row: ids and figures, nothing to mask
        fired_now = now["fired_rules"]
        yield ReplayResult(
            lineno, case_id, shown(rec.get("ruleset_version") or "?"),
            changes=before.changes(after),
            fired_added=sorted(set(fired_now) - set(rec["fired_rules"])),
            fired_removed=sorted(set(rec["fired_rules"]) - set(fired_now)))
