"""The compact decision row: what was decided for one case, as ids and figures, in one flat record.

``riskengine batch`` (and the Spark/Dask partition functions) write one row per case by default;
``--full`` writes whole assessments instead. Texts are never repeated in a row: every id resolves
against the ruleset named by ``ruleset_version`` (``riskengine knowledge show ID``). The schema is
documented in docs/decision-row.md; :func:`decision_row_schema` gives its JSON Schema.

The row is computed by :func:`riskengine.decide.policy.decision_figures` from the same helpers as the full
assessment, without building the pydantic ``Assessment`` (tests/test_decision_row.py checks every
field against ``Engine.assess`` on both engines). :class:`DecisionRow` declares the fields; rows are
plain dicts in its field order, so writing one costs no model validation.

Adding a field: compute it in ``policy.decision_figures`` and declare it here, with its description
(the CSV and Parquet columns and the JSON Schema follow from the model).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from riskengine.errors import CaseError
from riskengine.io.spreadsheet import csv_cell

RiskLevel = Literal["low", "medium", "high", "critical"]


class DecisionRow(BaseModel):
    """One case's decision, as ids and figures (docs/decision-row.md)."""
    model_config = ConfigDict(defer_build=True, extra="forbid")

    case_id: str = Field(description="the case's id")
    ruleset_version: str = Field(description="the ruleset that decided; resolves every id below")
    received: dt.date = Field(description="case: date received")
    jurisdiction: str = Field(description="case: CN, UK or US")
    industry: str = Field(description="case: industry")
    intake_channel: str = Field(description="case: the channel the complaint came in by (case field `channel`)")
    category: str = Field(description="case: complaint category")
    product: str | None = Field(description="case: product, as given")
    days_open: int | None = Field(description="case: history.days_open, when known")
    risk_score: int = Field(description="risk score 0..100")
    risk_level: RiskLevel = Field(description="risk level")
    risk_time: int = Field(description="risk dimension: time, 0..100")
    risk_space: int = Field(description="risk dimension: space, 0..100")
    risk_emotion: int = Field(description="risk dimension: emotion, 0..100")
    risk_interest: int = Field(description="risk dimension: interest, 0..100")
    risk_communication: int = Field(description="risk dimension: communication, 0..100")
    agent_score: int = Field(description="agent-involvement score 0..100")
    agent_suspected: bool = Field(description="a third-party agent is suspected")
    agent_signs: list[str] = Field(description="agent-sign ids present (declared or from the narrative)")
    strategy: str | None = Field(description="winning strategy id")
    also_strategies: list[str] = Field(description="strategy ids to apply beside the winner")
    escalation_level: int = Field(description="escalation level")
    respond_by: dt.date | None = Field(description="earliest regulatory deadline that applies")
    deadline: str | None = Field(description="id of that deadline (the regulatory clock)")
    channels: list[str] = Field(description="recommended resolution channel ids, in policy order (eligible only)")
    taboos: list[str] = Field(description="taboo ids, critical first")
    legal_bases: list[str] = Field(description="legal basis ids cited by fired rules")
    findings: list[str] = Field(description="finding ids asserted by fired rules")
    fired_rules: list[str] = Field(description="fired rule ids, in firing order (implicit signal rules included)")
    signals: list[str] = Field(description="signal ids declared in the case")
    narrative_signals: list[str] = Field(description="signal ids the narrative raised (distinct, sorted)")
    vulnerable: list[str] = Field(description="case: complainant.vulnerable")


ROW_FIELDS: tuple[str, ...] = tuple(DecisionRow.model_fields)
LIST_FIELDS = frozenset(n for n, f in DecisionRow.model_fields.items() if f.annotation == list[str])
INT_FIELDS = frozenset(n for n, f in DecisionRow.model_fields.items() if f.annotation in (int, int | None))
DATE_FIELDS = frozenset(("received", "respond_by"))
BOOL_FIELDS = frozenset(("agent_suspected",))
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


def decision_row_schema() -> dict:
    """The JSON Schema of a row (what ``riskengine schema`` can print; docs/decision-row.schema.json)."""
    return DecisionRow.model_json_schema()


def build_row(engine, data, engine_name: str | None = None, location: str = "") -> dict[str, Any]:
    """The decision row of one case (a dict or a parsed ``Case``), without building the ``Assessment``.
    Raises :class:`CaseError` for a bad case, like ``Engine.assess``."""
    from riskengine.decide.policy import decision_figures
    case = engine.parse_case(data, location)
    state, hits = engine.state(case)
    ev = engine.evaluator(engine_name).evaluate(state, matched=False)
    return decision_figures(engine.ruleset, state, ev, case.signals, [h.signal for h in hits])


# -- encoding ---------------------------------------------------------------------------------------
def row_json(row: dict) -> str:
    """One JSON line (no newline): keys in field order, compact, UTF-8 text kept as is."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def csv_cells(row: dict) -> list[str]:
    """The CSV cells of a row: lists ``;``-joined, booleans true/false, None empty; a cell a spreadsheet
    would run as a formula is neutralised (riskengine.io.spreadsheet)."""
    cells = []
    for name in ROW_FIELDS:
        v = row[name]
        if v is None:
            cells.append("")
        elif v is True or v is False:
            cells.append("true" if v else "false")
        elif isinstance(v, list):
            cells.append(csv_cell(";".join(v)))
        else:
            cells.append(csv_cell(str(v).replace("\r", " ").replace("\n", " ")))
    return cells


def csv_line(row: dict) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(csv_cells(row))
    return buf.getvalue()


def csv_header() -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(ROW_FIELDS)
    return buf.getvalue()


def arrow_schema():
    import pyarrow as pa
    types = {}
    for name in ROW_FIELDS:
        if name in LIST_FIELDS:
            types[name] = pa.list_(pa.string())
        elif name in DATE_FIELDS:
            types[name] = pa.date32()
        elif name in INT_FIELDS:
            types[name] = pa.int32()
        elif name in BOOL_FIELDS:
            types[name] = pa.bool_()
        else:
            types[name] = pa.string()
    return pa.schema([(n, t) for n, t in types.items()])


class ParquetRows:
    """Rows to a Parquet file in row groups of ``group`` rows (needs pyarrow: the spark extra)."""

    def __init__(self, path: str | Path, group: int = 50_000):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise CaseError("Parquet output needs pyarrow: pip install 'riskengine[spark]'", str(path),
                            "RE203") from None
        self.schema = arrow_schema()
        self.writer = pq.ParquetWriter(str(path), self.schema)
        self.group = group
        self.pending: list[dict] = []

    def write(self, row: dict) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.group:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        import pyarrow as pa
        columns = {}
        for name in ROW_FIELDS:
            values = [r[name] for r in self.pending]
            if name in DATE_FIELDS:
                values = [None if v is None else dt.date.fromisoformat(v) for v in values]
            columns[name] = values
        self.writer.write_table(pa.table(columns, schema=self.schema))
        self.pending = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


# -- reading (riskengine report) --------------------------------------------------------------------
def _from_cell(name: str, text: str) -> Any:
    if name in LIST_FIELDS:
        return [v for v in text.split(";") if v]
    if text == "":
        return None
    if name in INT_FIELDS:
        return int(text)
    if name in BOOL_FIELDS:
        return text == "true"
    return text


def read_rows(path: str | Path) -> Iterator[dict]:
    """Decision rows from a JSON Lines, CSV or Parquet file written by ``batch``. A row that is not a
    decision row raises :class:`CaseError` with its file and line."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq
            for batch in pq.ParquetFile(str(path)).iter_batches():
                for row in batch.to_pylist():
                    yield {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
            return
        with open(path, encoding="utf-8-sig", newline="") as fh:
            if suffix == ".csv":
                reader = csv.reader(fh, strict=True)
                header = next(reader, None)
                if header is None:
                    return
                missing = [c for c in ("case_id", "risk_level") if c not in header]
                if missing:
                    raise CaseError(f"not a decision-row CSV: no column {missing[0]} (write it with "
                                    "`riskengine batch`, without --full)", f"{path}:1", "RE203")
                for cells in reader:
                    if not cells:
                        continue
                    row = dict(zip(header, cells))
                    yield {n: _from_cell(n, row[n]) for n in ROW_FIELDS if n in row}
                return
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise CaseError(f"not JSON: {exc.msg}", f"{path}:{lineno}:{exc.colno}", "RE203") from None
                if not isinstance(row, dict) or "risk_level" not in row:
                    hint = " (a full assessment: write rows without --full)" if isinstance(row, dict) and "risk" in row else ""
                    raise CaseError("not a decision row" + hint, f"{path}:{lineno}", "RE203")
                yield row
    except OSError as exc:
        raise CaseError(f"cannot read: {exc.strerror or exc}", str(path), "RE203") from None
    except (csv.Error, ValueError) as exc:
        raise CaseError(f"cannot read: {exc}", str(path), "RE203") from None
