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

from .assessment import Assessment
from .casefile import json_lines
from .errors import CaseError
from .mask import mask

COMPARED = ("risk.level", "risk.score", "agent.suspected", "strategy", "escalation.level", "channels", "taboos")


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


def append_record(path: str | Path, record: dict) -> None:
    """One whole line per record, flushed, so an interrupted run never leaves half a record."""
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()


def key_outcome(output: dict) -> dict[str, Any]:
    strategy = output.get("strategy") or {}
    return {
        "risk.level": output["risk"]["level"], "risk.score": output["risk"]["score"],
        "agent.suspected": output["agent"]["suspected"], "strategy": strategy.get("id"),
        "escalation.level": output["escalation"]["level"],
        "channels": [c["id"] for c in output.get("channels", [])],
        "taboos": [t["id"] for t in output.get("taboos", [])],
    }


def row_outcome(row: dict) -> dict[str, Any]:
    """:func:`key_outcome` read from a decision row (docs/decision-row.md)."""
    return {"risk.level": row["risk_level"], "risk.score": row["risk_score"], "agent.suspected": row["agent_suspected"],
            "strategy": row["strategy"], "escalation.level": row["escalation_level"], "channels": row["channels"],
            "taboos": row["taboos"]}


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


def read_records(path: str | Path) -> Iterator[tuple[int, dict | CaseError]]:
    with open(path, "rb") as fh:
        for lineno, rec in json_lines(fh, str(path)):
            if not isinstance(rec, CaseError) and not {"input", "output", "fired_rules"} <= set(rec):
                rec = CaseError("not a decision record (needs input, output, fired_rules)", f"{path}:{lineno}",
                                "RE203")
            yield lineno, rec


def replay(engine, path: str | Path, *, workers: int = 1, engine_name: str = "compiled") -> Iterator[ReplayResult]:
    """Re-run each logged input with the current ruleset (through the batch machinery); one result per record."""
    from .batch import assess_tagged   # not imported by `assess --log`, which needs only the writer

    items = (((lineno, rec), f"{path}:{lineno}", rec if isinstance(rec, CaseError) else rec["input"])
             for lineno, rec in read_records(path))
    for (lineno, rec), now in assess_tagged(engine, items, workers, engine_name, rows=True):
        if isinstance(rec, CaseError):
            yield ReplayResult(lineno, "?", "?", error=str(rec))
            continue
        case_id = str(rec.get("case_id", "?"))
        if isinstance(now, CaseError):
            yield ReplayResult(lineno, case_id, rec.get("ruleset_version", "?"), error=str(now))
            continue
        before = key_outcome(rec["output"])
        after = row_outcome(now)   # the decision row: ids and figures, nothing to mask
        fired_now = now["fired_rules"]
        yield ReplayResult(
            lineno, case_id, rec.get("ruleset_version", "?"),
            changes={k: (before[k], after[k]) for k in COMPARED if before[k] != after[k]},
            fired_added=sorted(set(fired_now) - set(rec["fired_rules"])),
            fired_removed=sorted(set(rec["fired_rules"]) - set(fired_now)))
