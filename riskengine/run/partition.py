"""Assess cases beyond one machine: one partition of records at a time, for Spark, Dask, Ray …

- :func:`assess_partition` takes an iterator of cases (dicts or JSON strings) and yields plain dicts:
  the compact decision row (docs/decision-row.md; ``full=True``: the whole assessment, JSON-ready) or an
  error record. The engine is built once per worker process and
  cached at module level, so every partition a worker processes reuses it.
- :func:`assess_pandas` is the pandas-level wrapper for Spark's ``DataFrame.mapInPandas``: it takes an
  iterator of pandas DataFrames of cases (a JSON column, or flattened columns named like the CSV
  input of ``riskengine batch``: ``id``, ``complainant.age`` …) and yields DataFrames with
  :data:`OUTPUT_COLUMNS`, the decision row and ``error`` (Spark schema: :data:`SPARK_SCHEMA`; with
  ``full=True`` :data:`FULL_OUTPUT_COLUMNS` and :data:`FULL_SPARK_SCHEMA`).

Spark::

    from functools import partial
    from riskengine.run.partition import SPARK_SCHEMA, assess_pandas
    out = cases_df.mapInPandas(partial(assess_pandas, json_column="case_json"), schema=SPARK_SCHEMA)

Dask::

    import dask.bag as db
    from riskengine.run.partition import assess_partition_list
    results = db.from_sequence(cases, npartitions=8).map_partitions(assess_partition_list).compute()

See docs/scale.md. The rules and knowledge must be readable on every worker (the shipped ones travel
inside the wheel; pass ``rules_dir``/``knowledge_dir`` for others).
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any, Iterable, Iterator

from riskengine.io.casefile import parse_json_line
from riskengine.errors import CaseError, RiskEngineError

from riskengine.contracts.decision_row import BOOL_FIELDS, DATE_FIELDS, INT_FIELDS, LIST_FIELDS, ROW_FIELDS, build_row

# The default output: one compact decision row per case (docs/decision-row.md) and an error column.
OUTPUT_COLUMNS = ROW_FIELDS + ("error",)
SPARK_SCHEMA = ", ".join(
    f"{name} " + ("array<string>" if name in LIST_FIELDS else "date" if name in DATE_FIELDS else
                  "int" if name in INT_FIELDS else "boolean" if name in BOOL_FIELDS else "string")
    for name in OUTPUT_COLUMNS)
# With ``full=True``: a few figures and the whole assessment as JSON (the output before decision rows).
FULL_OUTPUT_COLUMNS = ("case_id", "risk_level", "risk_score", "agent_suspected", "strategy", "escalation_level",
                       "assessment_json", "error")
FULL_SPARK_SCHEMA = ("case_id string, risk_level string, risk_score int, agent_suspected boolean, strategy string, "
                     "escalation_level int, assessment_json string, error string")

def engine_for(rules_dir: str | os.PathLike | None = None, knowledge_dir: str | os.PathLike | None = None):
    """The engine of this worker process for these folders, built on first use and then reused.

    A partition function is called by Spark or Dask with nothing but its arguments, so the engine lives
    in a per-process cache, bounded to the last few folders used: a long-lived worker that is handed
    new rule folders again and again does not keep every old ruleset alive. The process id is part of
    the key, so a forked child never reuses its parent's engine."""
    return _cached_engine(None if rules_dir is None else os.fspath(rules_dir),
                          None if knowledge_dir is None else os.fspath(knowledge_dir), os.getpid())


@functools.lru_cache(maxsize=4)
def _cached_engine(rules_dir: str | None, knowledge_dir: str | None, _pid: int):
    from riskengine.engine import load_engine
    return load_engine(rules_dir, knowledge_dir, engine="compiled")


def _error(case_id: Any, message: str, code: str, location: str = "") -> dict:
    return {"case_id": case_id if isinstance(case_id, str) else None, "error": message, "code": code,
            "location": location}


def assess_partition(records: Iterable[dict | str], rules_dir: str | None = None, knowledge_dir: str | None = None,
                     *, engine: str = "compiled", missing_facts: bool = False, full: bool = False) -> Iterator[dict]:
    """Assess one partition. Yields, per record, its decision row (a dict in the field order of
    docs/decision-row.md, dates as ISO text) or, with ``full=True``, ``Assessment.model_dump(mode="json")``;
    or an error record ``{"case_id", "error", "code", "location"}`` (a bad record never stops the partition)."""
    eng = engine_for(rules_dir, knowledge_dir)
    for n, record in enumerate(records):
        case_id = None
        try:
            if isinstance(record, (str, bytes)):
                record = parse_json_line(record, f"record {n + 1}")
                if isinstance(record, CaseError):
                    raise record
            if isinstance(record, dict):
                case_id = record.get("id")
            if not full:
                row = build_row(eng, record, engine, f"record {n + 1}")
            else:
                result = eng.assess(eng.parse_case(record, f"record {n + 1}"), engine=engine,
                                    missing_facts=missing_facts)
        except CaseError as exc:
            yield _error(case_id, exc.message, exc.code, exc.location)
            continue
        except RiskEngineError as exc:   # pragma: no cover - defensive
            yield _error(case_id, str(exc), "RE000")
            continue
        yield row if not full else result.model_dump(mode="json")


def assess_partition_list(records: Iterable[dict | str], rules_dir: str | None = None,
                          knowledge_dir: str | None = None, **options) -> list[dict]:
    """:func:`assess_partition` as a list: for schedulers that pickle a partition's result (Dask's
    process and distributed schedulers cannot pickle a generator)."""
    return list(assess_partition(records, rules_dir, knowledge_dir, **options))


# -- pandas / Spark ------------------------------------------------------------------------------------
def _rows(frame, json_column: str | None) -> Iterator[dict | str | CaseError]:
    from riskengine.run.batch import case_columns, flat_to_case
    if json_column is not None:
        for value in frame[json_column].tolist():
            yield value if isinstance(value, (str, dict)) else CaseError("no case JSON in this row", "", "RE203")
        return
    known = set(case_columns())
    columns = [c for c in frame.columns if c in known]
    for values in frame[columns].itertuples(index=False, name=None):
        try:
            yield flat_to_case(dict(zip(columns, values)))
        except CaseError as exc:
            yield exc


def assess_pandas(frames: Iterable, json_column: str | None = None, rules_dir: str | None = None,
                  knowledge_dir: str | None = None, full: bool = False) -> Iterator:
    """For ``DataFrame.mapInPandas``: DataFrames of cases in, DataFrames of :data:`OUTPUT_COLUMNS` out
    (the decision row and ``error``; Spark schema :data:`SPARK_SCHEMA`), or with ``full=True`` of
    :data:`FULL_OUTPUT_COLUMNS` (schema :data:`FULL_SPARK_SCHEMA`, the whole assessment as JSON).

    Each input row is one case: the JSON text (or dict) in ``json_column``, or, when it is None,
    flattened columns named like case fields (``id``, ``received``, ``complainant.age``,
    ``signals`` as a list or ``;``-separated text …; other columns are ignored; null/NaN = unknown).
    Errors are reported per row in the ``error`` column, never raised."""
    import pandas as pd

    if not full:
        yield from _row_frames(frames, json_column, rules_dir, knowledge_dir)
        return
    for frame in frames:
        out: dict[str, list] = {c: [] for c in FULL_OUTPUT_COLUMNS}
        inputs = list(_rows(frame, json_column))
        good = [r for r in inputs if not isinstance(r, CaseError)]
        results = iter(assess_partition(good, rules_dir, knowledge_dir, full=True))
        for item in inputs:
            if isinstance(item, CaseError):
                row = {"case_id": None, "error": f"{item.code} {item.message}"}
            else:
                res = next(results)
                if "error" in res:
                    row = {"case_id": res["case_id"], "error": f"{res['code']} {res['error']}"}
                else:
                    row = {"case_id": res["case_id"], "risk_level": res["risk"]["level"],
                           "risk_score": res["risk"]["score"], "agent_suspected": res["agent"]["suspected"],
                           "strategy": (res["strategy"] or {}).get("id"),
                           "escalation_level": res["escalation"]["level"],
                           "assessment_json": json.dumps(res, ensure_ascii=False, separators=(",", ":"),
                                                     allow_nan=False)}
            for c in FULL_OUTPUT_COLUMNS:
                out[c].append(row.get(c))
        yield pd.DataFrame({
            "case_id": pd.Series(out["case_id"], dtype="object"),
            "risk_level": pd.Series(out["risk_level"], dtype="object"),
            "risk_score": pd.Series(out["risk_score"], dtype="Int32"),
            "agent_suspected": pd.Series(out["agent_suspected"], dtype="boolean"),
            "strategy": pd.Series(out["strategy"], dtype="object"),
            "escalation_level": pd.Series(out["escalation_level"], dtype="Int32"),
            "assessment_json": pd.Series(out["assessment_json"], dtype="object"),
            "error": pd.Series(out["error"], dtype="object"),
        })


def _row_frames(frames: Iterable, json_column: str | None, rules_dir: str | None, knowledge_dir: str | None):
    """DataFrames of decision rows (:data:`OUTPUT_COLUMNS`) for :func:`assess_pandas`."""
    import datetime as dt

    import pandas as pd

    for frame in frames:
        out: dict[str, list] = {c: [] for c in OUTPUT_COLUMNS}
        inputs = list(_rows(frame, json_column))
        good = [r for r in inputs if not isinstance(r, CaseError)]
        results = iter(assess_partition(good, rules_dir, knowledge_dir))
        for item in inputs:
            if isinstance(item, CaseError):
                row = {"case_id": None, "error": f"{item.code} {item.message}"}
            else:
                row = next(results)
                if "error" in row:
                    row = {"case_id": row["case_id"], "error": f"{row['code']} {row['error']}"}
            for c in OUTPUT_COLUMNS:
                v = row.get(c)
                out[c].append(dt.date.fromisoformat(v) if c in DATE_FIELDS and v is not None else v)
        yield pd.DataFrame({
            c: pd.Series(out[c], dtype="Int32" if c in INT_FIELDS else "boolean" if c in BOOL_FIELDS else "object")
            for c in OUTPUT_COLUMNS})
