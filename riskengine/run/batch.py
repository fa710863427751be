"""Assess many cases: JSON Lines or CSV in; decision rows (docs/decision-row.md) as JSON Lines, CSV or
Parquet out, or whole assessments with ``full``; in input order, on N processes.

The pieces, usable on their own:

- :func:`read_records` reads a ``.jsonl`` or ``.csv`` file into :class:`Record` s (1-based line
  numbers; a line that cannot be read becomes a record carrying its error, never an exception);
- :func:`flat_to_case` turns one flat row (CSV columns or a DataFrame row; nested fields as dotted
  names such as ``complainant.age``; lists ``;``- or ``,``-separated; empty = unknown) into a case;
- :func:`assess_records` assesses an iterable of cases, on one process or a pool, and yields
  ``(index, Assessment | CaseError)`` in input order; :func:`assess_tagged`, the same with a value
  kept beside each case, is what ``diff`` and ``replay`` use;
- :func:`run_batch` is ``riskengine batch``: writes one whole line per record (buffered; Parquet in
  row groups), sends bad
  records to an errors file with their line number, resumes after the last complete record, shows
  progress on a terminal and returns a :class:`BatchReport`.

With ``workers > 1`` each worker process builds one engine in its initializer and reuses it for every
record it is sent; records go out in chunks (``Pool.imap``) and at most a few chunks per worker are
in flight, so memory stays flat however long the input is.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Mapping

from riskengine.io.casefile import MAX_LINE_BYTES, iter_lines, json_lines, parse_json_line
from riskengine.contracts.decision_row import ParquetRows, build_row, csv_header, csv_line, row_json
from riskengine.errors import CaseError, did_you_mean, one_line, shown
from riskengine.io.spreadsheet import csv_cell
from riskengine.language.fields import parse_bool

EngineName = Literal["compiled", "experta"]
SUMMARY_COLUMNS = (
    "case_id", "risk.score", "risk.level", "risk.time", "risk.space", "risk.emotion", "risk.interest",
    "risk.communication", "agent.score", "agent.suspected", "strategy.id", "escalation.level",
    "escalation.respond_by", "channels", "taboos", "ruleset.version",
)
DEFAULT_CHUNKSIZE = {"compiled": 32, "experta": 4}
_LIST_SPLIT = re.compile(r"[;,]")
_GROUPED_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


# -- records ----------------------------------------------------------------------------------------
@dataclass
class Record:
    """One input record: its 0-based ``index`` among records, the 1-based ``line`` it starts on, and
    either the raw case ``data`` or the ``error`` (message, location, code) found while reading it.
    ``location`` names where it came from in messages (default: the input file and line)."""
    index: int
    line: int
    data: dict | None = None
    error: tuple[str, str, str] | None = None
    location: str | None = None
    raw: str | None = None    # the JSON line, parsed by the worker that assesses it (run_batch)


def input_format(path: str | Path) -> str:
    return "csv" if str(path).lower().endswith(".csv") else "jsonl"


def output_format(path: str | Path) -> str:
    """``csv`` for .csv, ``parquet`` for .parquet, else ``jsonl``."""
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".parquet": "parquet"}.get(suffix, "jsonl")


def read_records(path: str | Path, fmt: str | None = None, skip: int = 0, raw: bool = False) -> Iterator[Record]:
    """Records of a JSON Lines or CSV file, skipping the first ``skip`` (for ``--resume``).
    ``raw``: JSON lines are left as text in ``Record.raw``, for the worker to parse (a pool's parent
    then only splits lines, so it does not become the bottleneck).

    Raises :class:`CaseError` (code RE203) only for problems with the whole file: it cannot be opened,
    or a CSV header names a column that is not a case field."""
    fmt = fmt or input_format(path)
    try:   # utf-8-sig: files saved by Windows tools often start with a byte-order mark
        fh = open(path, encoding="utf-8-sig", errors="replace", newline="") if fmt == "csv" else open(path, "rb")
    except OSError as exc:
        raise CaseError(f"cannot read input: {exc.strerror or exc}", str(path), "RE203") from None
    with fh:
        yield from (_csv_records(fh, str(path), skip) if fmt == "csv" else
                    _raw_jsonl_records(fh, str(path), skip) if raw else _jsonl_records(fh, str(path), skip))


def _raw_jsonl_records(fh, shown: str, skip: int) -> Iterator[Record]:
    index = 0
    for lineno, line in iter_lines(fh):
        if line is not None and not line.strip():
            continue
        if index >= skip:
            if line is None:
                yield Record(index, lineno, error=(f"line is longer than {MAX_LINE_BYTES} bytes", f"{shown}:{lineno}",
                                                   "RE203"))
            else:
                yield Record(index, lineno, raw=line)
        index += 1


def _jsonl_records(fh, shown: str, skip: int) -> Iterator[Record]:
    index = 0
    for lineno, data in json_lines(fh, shown):
        if index < skip:
            index += 1
            continue
        if isinstance(data, CaseError):
            yield Record(index, lineno, error=(data.message, data.location, data.code))
        else:
            yield Record(index, lineno, data=data)
        index += 1


_TOO_LONG = "\x00a line longer than the limit\x00"


def _bounded_lines(fh) -> Iterator[str]:
    """The lines of a CSV file for ``csv.reader``, none held whole beyond ``MAX_LINE_BYTES`` characters:
    a longer line is read past in pieces and replaced by a marker that makes its row an error."""
    while line := fh.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(("\n", "\r")):
            while line and not line.endswith(("\n", "\r")):
                line = fh.readline(MAX_LINE_BYTES + 1)
            line = _TOO_LONG + "\n"
        yield line


def _csv_reader(fh):
    # strict: a malformed quote is an error, not a silently altered value
    return csv.reader(_bounded_lines(fh), strict=True)


def _csv_records(fh, shown: str, skip: int) -> Iterator[Record]:
    reader = _csv_reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise CaseError(f"cannot read CSV header: {exc}", f"{shown}:1", "RE203") from None
    if any(_TOO_LONG in cell for cell in header):
        raise CaseError(f"the header line is longer than {MAX_LINE_BYTES} characters", f"{shown}:1", "RE203")
    columns = [h.strip().lstrip("\ufeff") for h in header]
    check_columns(columns, f"{shown}:1")
    index = 0
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if index >= skip:   # an unreadable row is a record too: done already when resuming past it
                yield Record(index, line, error=(f"cannot read CSV row: {exc}", f"{shown}:{line}", "RE203"))
            index += 1
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if index < skip:
            index += 1
            continue
        if any(_TOO_LONG in cell for cell in row):
            yield Record(index, start, error=(f"a line of this row is longer than {MAX_LINE_BYTES} characters",
                                              f"{shown}:{start}", "RE203"))
        elif len(row) != len(columns):
            yield Record(index, start, error=(f"the row has {len(row)} cells but the header has {len(columns)}",
                                              f"{shown}:{start}", "RE203"))
        else:
            try:
                yield Record(index, start, data=flat_to_case(dict(zip(columns, row))))
            except CaseError as exc:
                yield Record(index, start, error=(exc.message, f"{shown}:{start}", exc.code))
        index += 1


def case_columns() -> list[str]:
    """Every column a flat row may have: the case fields as dotted paths (derived values excluded)."""
    from riskengine.language.fields import FIELD_TYPES
    return [p for p in FIELD_TYPES if not p.startswith("derived.")]


def check_columns(columns: Iterable[str], location: str = "") -> None:
    known = set(case_columns())
    seen: dict[str, int] = {}
    for number, col in enumerate(columns, 1):
        if col not in known:
            hint = did_you_mean(col, known) or "columns are case fields, nested ones as dotted names like complainant.age"
            raise CaseError(f"unknown column '{col}' ({hint})", location, "RE203")
        if col in seen:   # one of the two would silently win in every row
            raise CaseError(f"column '{col}' appears twice (columns {seen[col]} and {number}); keep one",
                            location, "RE203")
        seen[col] = number


def flat_to_case(flat: Mapping[str, Any]) -> dict:
    """A case from a flat row. Values may be text (CSV) or typed (pandas: numbers, bools, lists, NaN).

    Empty text, None and NaN mean *unknown* and are left out; text is converted by the field's kind
    in the case model (``riskengine.language.fields.kind_of``): numbers (``1,200`` is read as 1200), booleans
    (true/false, yes/no, 1/0), lists split on ``;`` or ``,``. A value that does not convert is passed
    on as it is, so the case validation names the field and what is wrong."""
    from riskengine.language.fields import FIELD_TYPES, kind_of, set_path
    case: dict[str, Any] = {}
    for column, raw in flat.items():
        path = str(column).strip()
        value = _plain_value(raw)
        if value is None:
            continue
        if isinstance(value, str) and path != "narrative":
            value = value.strip()
            if not value:
                continue
        if path in FIELD_TYPES and not path.startswith("derived."):
            value = _convert(value, kind_of(path), FIELD_TYPES[path])
        set_path(case, path, value)
    return case


def _plain_value(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if hasattr(raw, "tolist") and not isinstance(raw, (str, bytes)):   # numpy scalars and arrays
        return _plain_value(raw.tolist())
    if isinstance(raw, (list, tuple)):
        return [_plain_value(v) for v in raw if _plain_value(v) is not None]
    if isinstance(raw, str) and raw == "":
        return None
    try:   # pandas.NA / NaT
        if raw != raw:   # noqa: PLR0124 - NaN-like
            return None
    except (TypeError, ValueError):
        return None
    return raw


def _convert(value: Any, kind: str, annotation: Any) -> Any:
    if kind == "list":
        if isinstance(value, str):
            return [v.strip() for v in _LIST_SPLIT.split(value) if v.strip()]
        return list(value) if isinstance(value, (list, tuple)) else [value]
    if not isinstance(value, str):
        if kind == "number" and annotation is int and isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if kind == "number":
        text = value.replace("_", "")
        if _GROUPED_NUMBER.match(text):
            text = text.replace(",", "")
        try:
            return int(text) if annotation is int else float(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if annotation is int and number.is_integer() else number
    if kind == "bool":
        parsed = parse_bool(value)
        if parsed is not None:
            return parsed
    return value


def summary_row(figures: dict[str, Any]) -> dict[str, Any]:
    """One CSV row (``SUMMARY_COLUMNS``) from ``Engine.summarise``'s figures."""
    row = dict(figures)
    row["agent.suspected"] = "true" if figures["agent.suspected"] else "false"
    row["strategy.id"] = figures["strategy.id"] or ""
    due = figures["escalation.respond_by"]
    row["escalation.respond_by"] = due.isoformat() if due else ""
    row["channels"] = ";".join(figures["channels"])
    row["taboos"] = ";".join(figures["taboos"])
    return row


# -- workers ----------------------------------------------------------------------------------------
class _Worker:
    """One engine and how to use it: what assesses the records of one run. A single-process run keeps
    its own; a pool worker process keeps one in ``_POOL_WORKER`` (its process belongs to one pool), so
    two runs side by side in one process (``diff``'s base and new rulesets) never share an engine."""
    __slots__ = ("engine", "engine_name", "missing_facts", "mode", "source")

    def __init__(self, spec: tuple, engine_name: str, missing_facts: bool, mode: str, source: str):
        self.engine = _build_engine(spec)
        self.engine_name = engine_name
        self.missing_facts = missing_facts
        self.mode = mode
        self.source = source

    def assess(self, record: Record) -> tuple:
        """(index, line, "ok", payload, level, strategy) or (index, line, "error", (message, location,
        code), case id). ``payload``: the compact JSON line, the CSV summary row, or the Assessment."""
        if record.error is not None:
            return (record.index, record.line, "error", record.error, None)
        location = record.location or (f"{self.source}:{record.line}" if self.source else f"record {record.index + 1}")
        data = record.data
        if record.raw is not None:
            data = parse_json_line(record.raw, location)
            if isinstance(data, CaseError):
                return (record.index, record.line, "error", (data.message, data.location, data.code), None)
        case_id = data.get("id") if isinstance(data, dict) else None
        engine = self.engine
        try:
            case = engine.parse_case(data, location)
            if self.mode in ROW_MODES:   # the compact decision row (docs/decision-row.md)
                row = build_row(engine, case, self.engine_name)
                payload = (row_json(row) if self.mode == "row-jsonl" else csv_line(row) if self.mode == "row-csv"
                           else row)
                return (record.index, record.line, "ok", payload, row["risk_level"], row["strategy"])
            if self.mode == "csv":   # one summary row: the explanation, profile and script are not needed
                figures = engine.summarise(case, engine=self.engine_name)
                return (record.index, record.line, "ok", summary_row(figures), figures["risk.level"],
                        figures["strategy.id"])
            result = engine.assess(case, engine=self.engine_name, missing_facts=self.missing_facts)
        except CaseError as exc:
            return (record.index, record.line, "error", (exc.message, exc.location, exc.code),
                    shown(case_id, 100) if isinstance(case_id, str) else None)
        except Exception as exc:   # noqa: BLE001 - a fault on one record must never lose the others
            return (record.index, record.line, "error",
                    (one_line(f"internal error on this record ({type(exc).__name__}: {shown(str(exc), 200)}); "
                              "please report it"), location, "RE299"),
                    shown(case_id, 100) if isinstance(case_id, str) else None)
        payload: Any = result.model_dump_json() if self.mode in ("jsonl", "full-jsonl") else result
        return (record.index, record.line, "ok", payload, result.risk.level,
                result.strategy.id if result.strategy else None)


# Worker modes that write a compact decision row: its JSON line, its CSV line, or the row dict (Parquet).
ROW_MODES = ("row-jsonl", "row-csv", "row")


def _build_engine(spec: tuple):
    from riskengine.engine import Engine, load_engine
    kind = spec[0]
    if kind == "engine":
        return spec[1]
    if kind == "ruleset":
        return Engine(spec[1], engine="compiled")
    return load_engine(spec[1], spec[2], engine="compiled")


# Set only inside a pool's worker process, by the pool's initializer; never in the parent.
_POOL_WORKER: _Worker | None = None


def _init_pool_worker(spec: tuple, engine_name: str, missing_facts: bool, mode: str, source: str) -> None:
    global _POOL_WORKER
    import signal   # Ctrl-C is handled by the parent, which stops the pool; workers just end
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _POOL_WORKER = _Worker(spec, engine_name, missing_facts, mode, source)


def _pool_assess(records: list[Record]) -> list[tuple]:
    """One task of a pool: a chunk of records in, their result tuples out (one message each way)."""
    worker = _POOL_WORKER
    assert worker is not None, "called outside a pool worker"
    return [worker.assess(record) for record in records]


def _engine_spec(engine_or_dirs, workers: int) -> tuple:
    from riskengine.engine import Engine
    if isinstance(engine_or_dirs, Engine):
        if workers <= 1:
            return ("engine", engine_or_dirs)
        if _pool_context().get_start_method() == "fork":
            # Forked workers inherit the parent's engine as it is (a copy each: nothing is shared while
            # they run, the parent only reads and writes), with the narrative reader's index and literal
            # automata built once here instead of once per worker.
            engine_or_dirs.scanner.prepare()
            return ("engine", engine_or_dirs)
        return ("ruleset", engine_or_dirs.ruleset)
    if engine_or_dirs is None:
        return ("dirs", None, None)
    rules, knowledge = engine_or_dirs
    return ("dirs", None if rules is None else str(rules), None if knowledge is None else str(knowledge))


def _pool_context():
    import multiprocessing   # here, not at the top: a one-worker batch never needs it (nor its imports)
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _results(spec: tuple, records: Iterable[Record], workers: int, engine_name: str, missing_facts: bool,
             mode: str, source: str, chunksize: int | None = None) -> Iterator[tuple]:
    """Result tuples of :meth:`_Worker.assess`, in input order."""
    if workers <= 1:
        worker = _Worker(spec, engine_name, missing_facts, mode, source)
        for record in records:
            yield worker.assess(record)
        return
    chunk = chunksize or DEFAULT_CHUNKSIZE.get(engine_name, 16)
    # The parent hands out whole chunks (lists of records) and takes back whole lists of results: per
    # record it only reads the line and writes the result, so it takes little of the cores the workers
    # need. At most ``window`` chunks are out at once, so memory stays flat however long the input.
    window = max(4 * workers, 2)
    permits = threading.Semaphore(window)
    stop = threading.Event()

    def chunks() -> Iterator[list[Record]]:
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) == chunk:
                permits.acquire()
                if stop.is_set():
                    return
                yield batch
                batch = []
        if batch:
            permits.acquire()
            if not stop.is_set():
                yield batch

    ctx = _pool_context()
    pool = ctx.Pool(workers, initializer=_init_pool_worker, initargs=(spec, engine_name, missing_facts, mode, source))
    try:
        for results in pool.imap(_pool_assess, chunks()):
            permits.release()
            yield from results
        pool.close()
    finally:
        stop.set()
        for _ in range(window + 1):
            permits.release()
        pool.terminate()
        pool.join()


def assess_records(engine_or_dirs, records: Iterable[dict | Record], workers: int = 1,
                   engine: EngineName = "compiled", missing_facts: bool = False,
                   chunksize: int | None = None, rows: bool = False) -> Iterator[tuple[int, Any]]:
    """Assess cases in input order: yields ``(index, Assessment | CaseError)`` (``rows``: the decision
    row dict of docs/decision-row.md instead of the Assessment, several times cheaper).

    ``engine_or_dirs``: an :class:`~riskengine.engine.Engine`, a ``(rules_dir, knowledge_dir)`` pair
    (either may be None for the shipped one) or None for the shipped ruleset. ``records``: raw case
    dicts (or :class:`Record` s). With ``workers > 1`` a process pool is used; each worker builds its
    engine once (from the engine's ruleset, or the folders; a forked worker starts from a copy of the
    given engine) and the Assessments are sent back pickled.
    A bad record yields its :class:`CaseError` and never stops the others.
    """
    def as_records() -> Iterator[Record]:
        for i, r in enumerate(records):
            yield r if isinstance(r, Record) else Record(i, i + 1, data=r)

    spec = _engine_spec(engine_or_dirs, workers)
    mode = "row" if rows else "object"
    for result in _results(spec, as_records(), workers, engine, missing_facts, mode, "", chunksize):
        index, _line, kind, payload = result[:4]
        if kind == "ok":
            yield index, payload
        else:
            message, location, code = payload
            yield index, CaseError(message, location, code)


def assess_tagged(engine_or_dirs, items: Iterable[tuple[Any, str, dict | CaseError]], workers: int = 1,
                  engine: EngineName = "compiled", rows: bool = False) -> Iterator[tuple[Any, Any]]:
    """:func:`assess_records` for callers that keep something beside each case (``diff`` its location
    and raw case, ``replay`` the logged decision). ``items``: ``(tag, location, case dict or the
    CaseError met reading it)``; yields ``(tag, Assessment | CaseError)`` in input order (``rows``: the
    decision row instead of the Assessment). Tags wait in
    this process, never more of them than records in flight, so the input is read once."""
    pending: deque = deque()

    def records() -> Iterator[Record]:
        for i, (tag, location, case) in enumerate(items):
            pending.append(tag)   # before the record goes out, so its result always finds it
            if isinstance(case, CaseError):
                yield Record(i, i + 1, error=(case.message, case.location, case.code), location=location)
            else:
                yield Record(i, i + 1, data=case, location=location)

    results = assess_records(engine_or_dirs, records(), workers, engine, rows=rows)
    try:
        for _index, result in results:
            yield pending.popleft(), result
    finally:   # stop the worker pool even when the caller stops early
        results.close()


# -- output -----------------------------------------------------------------------------------------
def complete_lines(path: Path) -> int:
    """Count the complete lines of ``path`` and cut off a trailing partial line (an interrupted write)."""
    if not path.exists():
        return 0
    count = 0
    last_newline = -1
    offset = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            if not block:
                break
            n = block.count(b"\n")
            if n:
                count += n
                last_newline = offset + block.rfind(b"\n")
            offset += len(block)
    if last_newline + 1 != offset:
        with open(path, "rb+") as fh:
            fh.truncate(last_newline + 1)
    return count


# Output is written through a buffer of this many bytes, not flushed line by line: a write call
# per record cost the batch as much as encoding the row. Whatever an interruption leaves is still a
# prefix of the uninterrupted output, cut at most inside one line (``--resume`` removes that part).
OUTPUT_BUFFER = 1 << 16


class _Writer:
    """One whole line per record, in input order. A kill loses at most the buffered lines (``--resume``
    writes them again); :meth:`flush` before anything is written to the errors file, so the complete
    lines of the two files always count a prefix of the input, which is what ``--resume`` skips."""

    def __init__(self, path: Path, fmt: str, append: bool, full: bool = False):
        self.path, self.fmt, self.full = path, fmt, full
        self.parquet = ParquetRows(path) if fmt == "parquet" else None
        if self.parquet is not None:
            return
        self.fh = open(path, "a" if append else "w", encoding="utf-8", newline="", buffering=OUTPUT_BUFFER)
        if fmt == "csv" and self.fh.tell() == 0:
            if full:
                self._write_csv(list(SUMMARY_COLUMNS))
            else:
                self.fh.write(csv_header())

    def _write_csv(self, cells: list) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(
            [csv_cell("" if c is None else str(c).replace("\r", " ").replace("\n", " ")) for c in cells])
        self.fh.write(buf.getvalue())

    def write(self, payload: Any) -> None:
        if self.parquet is not None:
            self.parquet.write(payload)
            return
        if self.fmt == "csv" and self.full:
            self._write_csv([payload[c] for c in SUMMARY_COLUMNS])
        elif self.fmt == "csv":
            self.fh.write(payload)
        else:
            self.fh.write(payload + "\n")

    def flush(self) -> None:
        if self.parquet is None:
            self.fh.flush()

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        else:
            self.fh.close()


class _Errors:
    def __init__(self, path: Path, append: bool):
        self.path = path
        self.fh = None
        self.append = append
        if not append and path.exists():
            path.unlink()

    def write(self, record: dict) -> None:
        if self.fh is None:
            self.fh = open(self.path, "a", encoding="utf-8")
        self.fh.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
        self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


# -- progress ---------------------------------------------------------------------------------------
class _Progress:
    """A rich progress bar on a terminal (rate, ETA), else a plain line every few seconds; silent
    when stderr is not a terminal."""

    def __init__(self, total: int | None, enabled: bool, done: int = 0):
        self.total, self.enabled, self.done = total, enabled, done
        self.start = time.monotonic()
        self.last = self.start
        self.bar = None
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)
        except ImportError:
            return
        self.bar = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                            TextColumn("{task.fields[rate]} rec/s"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=Console(stderr=True), transient=False)
        self.bar.start()
        self.task = self.bar.add_task("batch", total=total, completed=done, rate="-")

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if self.bar is not None:
            if now - self.last >= 0.2:
                rate = self.done / max(now - self.start, 1e-9)
                self.bar.update(self.task, completed=self.done, rate=f"{rate:,.0f}")
                self.last = now
            return
        if now - self.last >= 5:
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            line = f"batch: {self.done:,}"
            if self.total:
                left = max(self.total - self.done, 0)
                line += f" of {self.total:,} ({100 * self.done / self.total:.0f}%)"
                line += f", {rate:,.0f} records/s, ETA {_duration(left / rate if rate else 0)}"
            else:
                line += f" records, {rate:,.0f} records/s"
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
            self.bar.stop()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def count_records(path: str | Path, fmt: str | None = None) -> int:
    """The records of the input, for the progress bar: the rows ``read_records`` will yield, an
    unreadable row included (it becomes one error), so counting never fails where reading would not."""
    fmt = fmt or input_format(path)
    if fmt == "csv":
        rows = 0
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = _csv_reader(fh)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return max(rows - 1, 0)   # less the header
                except csv.Error:
                    rows += 1
                    continue
                if row and any(cell.strip() for cell in row):
                    rows += 1
    n = 0
    with open(path, "rb") as fh:
        for _lineno, line in iter_lines(fh):
            if line is None or line.strip():   # an over-long line is one error record
                n += 1
    return n


# -- the batch --------------------------------------------------------------------------------------
@dataclass
class BatchReport:
    records: int = 0                     # records handled in this run (assessed + errors)
    assessed: int = 0
    errors: int = 0
    skipped: int = 0                     # records already done before --resume
    seconds: float = 0.0
    levels: Counter = field(default_factory=Counter)
    strategies: Counter = field(default_factory=Counter)
    output: str = ""
    errors_file: str = ""
    workers: int = 1
    engine: str = "compiled"
    interrupted: bool = False

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        out = [f"batch: {self.records:,} records in {self.seconds:.1f} s ({self.rate:,.0f} records/s, "
               f"{self.workers} worker{'s' if self.workers != 1 else ''}, engine {self.engine})"]
        if self.skipped:
            out.append(f"  resumed after {self.skipped:,} records already done")
        out.append(f"  assessed {self.assessed:,} -> {self.output}")
        out.append(f"  errors {self.errors:,}" + (f" -> {self.errors_file}" if self.errors else ""))
        if self.levels:
            order = ("critical", "high", "medium", "low")
            out.append("  risk levels: " + ", ".join(f"{lv} {self.levels[lv]:,}" for lv in order if self.levels[lv]))
        if self.strategies:
            out.append("  strategies: " + ", ".join(f"{s} {n:,}" for s, n in self.strategies.most_common()))
        return out


def run_batch(input_path: str | Path, output: str | Path, *, fmt: str | None = None, workers: int = 1,
              engine: EngineName = "compiled", rules: str | None = None, knowledge: str | None = None,
              engine_obj=None, resume: bool = False, errors: str | Path | None = None,
              missing_facts: bool = False, progress: bool | None = None,
              chunksize: int | None = None, full: bool = False) -> BatchReport:
    """``riskengine batch``. Raises :class:`CaseError` (RE203) if the input cannot be read and
    :class:`~riskengine.errors.RulesetError` if the rules are invalid; bad records go to ``errors``.

    Writes one compact decision row per case (docs/decision-row.md) as JSON Lines, CSV or Parquet;
    ``full``: whole assessments as JSON Lines (the CSV then holds the older summary columns)."""
    out_path = Path(output)
    fmt = fmt or output_format(out_path)
    if fmt == "parquet" and (full or resume):
        raise CaseError("Parquet output is written whole: it cannot be resumed or hold full assessments "
                        "(use .jsonl)", str(out_path), "RE203")
    mode = ("full-jsonl" if fmt == "jsonl" else "csv") if full else {"jsonl": "row-jsonl", "csv": "row-csv",
                                                                      "parquet": "row"}[fmt]
    err_path = Path(errors) if errors else Path(str(out_path) + ".errors.jsonl")
    in_fmt = input_format(input_path)
    if not os.access(input_path, os.R_OK) or Path(input_path).is_dir():
        raise CaseError("cannot read input (missing, a folder, or not readable)", str(input_path), "RE203")
    if engine_obj is None:   # load the rules once here, so a bad ruleset fails before any output
        from riskengine.engine import load_engine
        engine_obj = load_engine(rules, knowledge, engine="compiled")
    spec = _engine_spec(engine_obj, workers)

    skip = 0
    if resume:
        done_out = complete_lines(out_path)
        if fmt == "csv" and done_out:
            done_out -= 1            # the header
        skip = done_out + complete_lines(err_path)
    records = read_records(input_path, in_fmt, skip=skip, raw=True)
    first = next(records, None)     # surfaces file-level problems (unknown CSV columns) before writing
    show = sys.stderr.isatty() if progress is None else progress
    total = count_records(input_path, in_fmt) if show else None
    report = BatchReport(skipped=skip, output=str(out_path), errors_file=str(err_path), workers=max(workers, 1),
                         engine=engine)
    writer = _Writer(out_path, fmt, append=resume, full=full)
    errs = _Errors(err_path, append=resume)
    bar = _Progress(total, show, done=skip)

    def all_records() -> Iterator[Record]:
        if first is not None:
            yield first
            yield from records

    started = time.perf_counter()
    try:
        for result in _results(spec, all_records(), workers, engine, missing_facts, mode, str(input_path), chunksize):
            index, line, kind, payload = result[:4]
            if kind == "ok":
                writer.write(payload)
                report.assessed += 1
                report.levels[result[4]] += 1
                if result[5]:
                    report.strategies[result[5]] += 1
            else:
                message, location, code = payload
                writer.flush()   # the rows before this record first: see _Writer
                errs.write({"line": line, "record": index + 1, "case_id": result[4], "code": code,
                            "location": location, "message": message})
                report.errors += 1
            report.records += 1
            bar.advance()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        report.seconds = time.perf_counter() - started
        bar.close()
        writer.close()
        errs.close()
    return report
