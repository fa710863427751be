"""``table export`` and ``table import``: a ruleset folder to spreadsheet tables and back.

Export puts every entry whose row gives back exactly the same entry into its kind's table, and lists the
others (kept in YAML). Import reads every sheet, checks every cell (types, closed values, ids with a
did-you-mean, the whole ruleset loaded as the engine would), and writes YAML only when nothing is wrong:
unchanged entries stay byte for byte, changed ones are rewritten, rows that are gone are removed.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from riskengine.errors import Problem, RulesetError, did_you_mean
from riskengine.language.fields import FIELD_TYPES
from riskengine.load.cached_loader import load_ruleset
from riskengine.authoring.schema import modeline, ruleset_ids
from riskengine.authoring.tablebook import Sheet, read_book
from riskengine.authoring.tablefolder import SourceFile, parse_source, read_folder, render_list_file, render_scoring
from riskengine.authoring.tables import (TABLE_KINDS, CellError, Column, Table, columns, differing_fields, entry_to_row, key_of,
                     model_of, row_to_entry, same_entry, scoring_from_rows, scoring_rows)

RULE_FILE = re.compile(r"^rules/[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.ya?ml$")


class TableError(Exception):
    """Export could not run (e.g. the ruleset is invalid)."""


# ------------------------------------------------------------------------------------------ export
def _row_back(kind: str, raw: Any, cols: list[Column], label: str) -> tuple[list | None, str]:
    """The entry's row when it gives back the same entry, else (None, why)."""
    if not isinstance(raw, dict):
        return None, "not a mapping"
    covered = {c.path[:2] if c.path[0] == "then" else c.path[:1] for c in cols}
    loose = [k for k in raw if (k,) not in covered and k != "then"]
    loose += [f"then.{k}" for k in (raw.get("then") or {}) if ("then", k) not in covered] \
        if isinstance(raw.get("then"), dict) else []
    if loose:
        return None, f"{', '.join(loose)} has no column"
    try:
        row = entry_to_row(kind, raw, cols, label)
        back, file = row_to_entry(kind, dict(zip([c.header for c in cols], row)), cols)
    except CellError as exc:
        return None, str(exc)
    if kind == "rules" and file != label:
        return None, "its file name cannot be written in a cell"
    if not same_entry(kind, raw, back):
        fields = differing_fields(kind, raw, back)
        return None, f"{', '.join(fields) or 'a value'} cannot be written in one row"
    return row, ""


def export_tables(rules_dir: Path, knowledge_dir: Path, kinds: list[str]) -> tuple[list[Table], dict, str]:
    """The tables of ``kinds``, the drop-down choices (id kind -> ids) and the ruleset version."""
    try:
        rs = load_ruleset(rules_dir, knowledge_dir)
    except RulesetError as exc:
        raise TableError(f"the ruleset is not valid; fix it first (riskengine validate): {exc}") from None
    files = read_folder(Path(rules_dir), Path(knowledge_dir))
    rule_files = tuple(sorted(f.label for f in files if f.kind == "rules"))
    tables = []
    for kind in kinds:
        table = Table(kind, columns(kind, rule_files))
        for src in (f for f in files if f.kind == kind):
            if kind == "scoring":
                table.rows = [list(r) for r in scoring_rows(src.entries[0])] if src.entries else []
                continue
            for i, raw in enumerate(src.entries):
                row, why = _row_back(kind, raw, table.columns, src.label)
                if row is None:
                    key = key_of(kind, raw) if isinstance(raw, dict) else f"#{i + 1}"
                    table.kept.append((str(key), f"{src.label}:{src.starts[i]}", why))
                else:
                    table.rows.append(row)
        tables.append(table)
    choices = {kind: list(ids) for kind, ids in ruleset_ids(rs).items() if kind != "field"}
    return tables, choices, rs.version


# ------------------------------------------------------------------------------------------ import
@dataclass
class RowEntry:
    kind: str
    key: Any
    raw: dict
    file: str
    rowno: int
    sheet: Sheet
    book: str

    def where(self, column: str | None = None) -> str:
        return self.sheet.where(self.book, column or self.sheet.header[0], self.rowno)


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _column_for(cols: list[Column], loc: tuple) -> str | None:
    names = tuple(p for p in loc if isinstance(p, str))
    best, best_len = None, 0
    for col in cols:
        path = tuple(p.lstrip("*") for p in col.path)
        n = 0
        while n < min(len(path), len(names)) and (path[n] == names[n] or col.path[n].startswith("*")):
            n += 1
        if n > best_len:
            best, best_len = col.header, n
    return best


def _validation_errors(entry: RowEntry, cols: list[Column], exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        column = _column_for(cols, tuple(err["loc"]))
        ctx = (err.get("ctx") or {}).get("error")
        msg = str(ctx) if ctx is not None else ("is required but missing" if err["type"] == "missing" else err["msg"])
        hint = ""
        if err["type"] == "literal_error" and isinstance(err.get("input"), str):
            allowed = re.findall(r"'([^']+)'", err["msg"])
            hint = did_you_mean(err["input"], allowed)
        out.append(f"{entry.where(column)}: {column or 'row'}: {msg}" + (f" ({hint})" if hint else ""))
    return out


def _condition_leaves(cond: Any):
    if isinstance(cond, dict):
        for k in ("all", "any"):
            if isinstance(cond.get(k), list):
                for c in cond[k]:
                    yield from _condition_leaves(c)
                return
        if "not" in cond:
            yield from _condition_leaves(cond["not"])
            return
        yield cond


def _check_refs(entry: RowEntry, cols: list[Column], known: dict[str, set]) -> list[str]:
    out = []

    def check(value: Any, id_kind: str, column: str, what: str) -> None:
        pool = known.get(id_kind) or set()
        if pool and value not in pool:
            hint = did_you_mean(str(value), sorted(pool)) or f"not one of the {len(pool)} known ids"
            out.append(f"{entry.where(column)}: unknown {what} '{value}' ({hint})")

    for col in cols:
        value = entry.raw
        for part in col.path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        if col.kind == "id" and col.id_kind:
            check(value, col.id_kind, col.header, col.id_kind.replace("_", " "))
        elif col.kind == "ids" and col.id_kind:
            for v in value:
                check(v, col.id_kind, col.header, col.id_kind.replace("_", " "))
        elif col.kind == "condition":
            for leaf in _condition_leaves(value):
                if "field" in leaf and leaf["field"] not in FIELD_TYPES:
                    hint = did_you_mean(str(leaf["field"]), FIELD_TYPES) or "see docs/case-format.md"
                    out.append(f"{entry.where(col.header)}: unknown case field '{leaf['field']}' ({hint})")
                for s in ([leaf["signal"]] if "signal" in leaf else leaf.get("signals") or []):
                    check(s, "signal", col.header, "signal")
                if "finding" in leaf:
                    check(leaf["finding"], "finding", col.header, "finding (no rule asserts it)")
    return out


ID_KINDS = {"indicators": "signal", "agent_signs": "signal", "channels": "channel", "strategies": "strategy",
            "taboos": "taboo", "legal_bases": "legal_basis", "profiles": "profile", "phrases": "phrase",
            "rules": "rule"}


def _known_ids(files: list[SourceFile]) -> dict[str, set]:
    """The ids the folder defines, read from its files as written (the whole load comes later)."""
    known: dict[str, set] = defaultdict(set)
    for src in files:
        id_kind = ID_KINDS.get(src.kind)
        for raw in src.entries:
            if not isinstance(raw, dict):
                continue
            if id_kind and isinstance(raw.get("id"), str):
                known[id_kind].add(raw["id"])
            if src.kind == "rules" and isinstance(raw.get("then"), dict):
                findings = raw["then"].get("findings")
                if isinstance(findings, list):
                    known["finding"].update(f for f in findings if isinstance(f, str))
    return known


def _read_sheets(paths: list[Path], csv_kind: str | None, result: ImportResult) -> list[tuple[str, Sheet]]:
    sheets = []
    for path in paths:
        try:
            for sheet in read_book(path, csv_kind):
                sheets.append((str(path), sheet))
        except Exception as exc:    # a damaged or foreign file: one line, never a traceback
            result.errors.append(f"{path}: cannot read this file as a table ({type(exc).__name__}: {exc})")
    return sheets


def import_tables(paths: list[Path], into: Path, csv_kind: str | None = None,
                  dry_run: bool = False) -> ImportResult:
    result = ImportResult()
    rules_dir, knowledge_dir = into / "rules", into / "knowledge"
    if not rules_dir.is_dir() or not knowledge_dir.is_dir():
        result.errors.append(f"{into}: not a ruleset folder (needs rules/ and knowledge/)")
        return result
    files = read_folder(rules_dir, knowledge_dir)
    rule_files = tuple(sorted(f.label for f in files if f.kind == "rules"))
    known = _known_ids(files)
    sheets = _read_sheets(paths, csv_kind, result)
    entries: dict[str, list[RowEntry]] = {}
    scoring: tuple[dict, str] | None = None
    for book, sheet in sheets:
        kind = sheet.kind
        if kind not in TABLE_KINDS:
            hint = did_you_mean(kind, TABLE_KINDS) or f"tables are named {', '.join(TABLE_KINDS)}"
            if not sheet.name:
                hint += "; name a CSV file's table with --kind"
            result.errors.append(f"{book}!{sheet.name or kind}: unknown table '{kind}' ({hint})")
            continue
        if kind in entries or (kind == "scoring" and scoring is not None):
            result.errors.append(f"{book}!{sheet.name or kind}: a second '{kind}' table; give each kind once")
            continue
        cols = columns(kind, rule_files)
        headers = {c.header for c in cols}
        bad_header = False
        for i, h in enumerate(sheet.header):
            if h and h not in headers:
                hint = did_you_mean(h, headers) or f"columns: {', '.join(c.header for c in cols)}"
                result.errors.append(f"{sheet.where(book, h, 1)}: unknown column '{h}' ({hint})")
                bad_header = True
        missing = [c.header for c in cols if c.required and c.header not in sheet.header]
        if missing:
            result.errors.append(f"{sheet.where(book, None, 1)}: missing column(s) {', '.join(missing)}")
            bad_header = True
        if bad_header:
            continue
        if kind == "scoring":
            raw, errs = scoring_from_rows(sheet.rows)
            for rowno, exc in errs:
                result.errors.append(f"{sheet.where(book, exc.column, rowno)}: {exc}")
            try:
                model_of("scoring").model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    setting = ".".join(str(p) for p in err["loc"])
                    rowno = next((n for n, c in sheet.rows if c.get("setting") == setting), None)
                    result.errors.append(f"{sheet.where(book, 'value' if rowno else None, rowno)}: "
                                         f"{setting or 'scoring'}: {err['msg']}")
            scoring = (raw, book)
            continue
        rows = entries.setdefault(kind, [])
        seen: dict[Any, int] = {}
        for rowno, cells in sheet.rows:
            cell_errors: list[CellError] = []  # every bad cell of the row, not just the first
            raw, file = row_to_entry(kind, cells, cols, cell_errors)
            for exc in cell_errors:
                result.errors.append(f"{sheet.where(book, exc.column, rowno)}: {exc.column or 'row'}: {exc}")
            entry = RowEntry(kind, key_of(kind, raw), raw, file, rowno, sheet, book)
            if cell_errors:
                result.errors.extend(_check_refs(entry, cols, known))
                continue
            try:
                model_of(kind).model_validate(raw)
            except ValidationError as exc:
                result.errors.extend(_validation_errors(entry, cols, exc))
                result.errors.extend(_check_refs(entry, cols, known))
                continue
            key_col = "level" if kind == "escalation" else "id"
            row_errors = []
            if entry.key in seen:
                row_errors.append(f"{entry.where(key_col)}: {key_col} '{entry.key}' appears twice "
                                  f"(first in row {seen[entry.key]})")
            seen.setdefault(entry.key, rowno)
            if kind == "rules" and not RULE_FILE.match(file):
                hint = did_you_mean(file, rule_files) or "e.g. rules/channels.yaml"
                row_errors.append(f"{entry.where('file')}: file '{file}' is not a rules/*.yaml path ({hint})")
            if row_errors:
                result.errors.extend(row_errors + _check_refs(entry, cols, known))
                continue
            rows.append(entry)
    # ids defined by the tables themselves count as known
    for kind, id_kind in ID_KINDS.items():
        for e in entries.get(kind, []):
            known[id_kind].add(e.key)
    for e in entries.get("rules", []):
        known.setdefault("finding", set()).update((e.raw.get("then") or {}).get("findings") or [])
    for kind, rows in entries.items():
        cols = columns(kind, rule_files)
        for e in rows:
            result.errors.extend(_check_refs(e, cols, known))
    if result.errors:
        return result
    texts, origin = _merge(files, entries, scoring, rules_dir, knowledge_dir, into, result)
    if not texts:
        result.changes.append("no changes")
        return result
    _gate(texts, origin, rules_dir, knowledge_dir, into, result)
    if result.errors or dry_run:
        return result
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, path)
        result.written.append(path)
    return result


def _ordered(new: dict, old: dict) -> dict:
    """``new`` with its keys in the order the file had them (smaller diffs for the reviewer)."""
    out = {k: new[k] for k in old if k in new}
    out.update((k, v) for k, v in new.items() if k not in out)
    if isinstance(out.get("then"), dict) and isinstance(old.get("then"), dict):
        out["then"] = _ordered(out["then"], old["then"])
    return out


def _merge(files: list[SourceFile], entries: dict[str, list[RowEntry]], scoring, rules_dir: Path,
           knowledge_dir: Path, into: Path, result: ImportResult) -> tuple[dict[Path, str], dict]:
    """New file texts (only files that change) and, per file, which row each entry came from."""
    texts: dict[Path, str] = {}
    origin: dict[Path, dict[Any, RowEntry]] = defaultdict(dict)
    by_label = {f.label: f for f in files}
    for kind, rows in entries.items():
        by_key = {e.key: e for e in rows}
        consumed: set = set()
        ops: dict[str, dict[int, Any]] = {}
        adds: dict[str, list[dict]] = defaultdict(list)
        srcs = [f for f in files if f.kind == kind]
        cols = columns(kind, tuple(sorted(f.label for f in files if f.kind == "rules")))
        for src in srcs:
            file_ops = ops.setdefault(src.label, {})
            for i, raw in enumerate(src.entries):
                key = key_of(kind, raw) if isinstance(raw, dict) else None
                row = by_key.get(key)
                if row is None:
                    if _row_back(kind, raw, cols, src.label)[0] is None:
                        file_ops[i] = None        # kept in YAML: the table never held it
                    else:
                        result.changes.append(f"{kind}: removed {key} ({src.label}:{src.starts[i]})")
                    continue
                consumed.add(key)
                origin[into / src.label][key] = row
                if kind == "rules" and row.file != src.label:
                    adds[row.file].append(row.raw)
                    origin[into / row.file][key] = row
                    result.changes.append(f"rules: moved {key} from {src.label} to {row.file}")
                elif same_entry(kind, raw, row.raw):
                    file_ops[i] = None
                else:
                    file_ops[i] = _ordered(row.raw, raw)
                    fields = differing_fields(kind, raw, row.raw)
                    result.changes.append(f"{kind}: changed {key} ({', '.join(fields)}) at {src.label}:{src.starts[i]}")
        for e in rows:
            if e.key in consumed:
                continue
            label = e.file if kind == "rules" else (srcs[0].label if srcs else f"knowledge/{kind}.yaml")
            adds[label].append(e.raw)
            origin[into / label][e.key] = e
            result.changes.append(f"{kind}: added {e.key} ({label})")
        for label in sorted(set(ops) | set(adds)):
            src = by_label.get(label)
            path = into / label
            if src is None:
                src = SourceFile(label, path, modeline(label, "rules.schema.json" if kind == "rules"
                                                       else f"knowledge/{kind}.schema.json") + "\n", kind, None)
                file_ops = {}
            else:
                file_ops = ops.get(label, {})
            text = render_list_file(src, file_ops, adds.get(label, []), kind)
            if text != src.text:
                texts[path] = text
    if scoring is not None:
        raw, _book = scoring
        src = next((f for f in files if f.kind == "scoring"), None)
        if src is None or not src.entries or not same_entry("scoring", src.entries[0], raw):
            if src is None:
                src = SourceFile("knowledge/scoring.yaml", knowledge_dir / "scoring.yaml",
                                 modeline("knowledge/scoring.yaml", "knowledge/scoring.schema.json") + "\n",
                                 "scoring", None)
            texts[src.path] = render_scoring(src, raw)
            result.changes.append("scoring: changed")
    return texts, origin


def _gate(texts: dict[Path, str], origin: dict, rules_dir: Path, knowledge_dir: Path, into: Path,
          result: ImportResult) -> None:
    """Load the ruleset as it would be written (in a scratch copy); every error blocks the import."""
    with tempfile.TemporaryDirectory(prefix="riskengine-import-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(rules_dir, scratch / "rules")
        shutil.copytree(knowledge_dir, scratch / "knowledge")
        for path, text in texts.items():
            target = scratch / path.relative_to(into)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        problems = [p for p in _check_folder(scratch / "rules", scratch / "knowledge") if p.severity == "error"]
        for p in problems:
            result.errors.append(_locate(p, scratch, texts, origin, into))


def _check_folder(rules_dir: Path, knowledge_dir: Path) -> list[Problem]:
    """Every problem the loader and validator find, as ``load_ruleset`` would, but without the
    ruleset cache (a scratch folder is never loaded twice; its entry would only fill the cache)."""
    from riskengine.load.loader import read_ruleset

    return read_ruleset(rules_dir, knowledge_dir, Path.cwd().resolve(), strict=False)[0].problems


def _locate(p: Problem, scratch: Path, texts: dict[Path, str], origin: dict, into: Path) -> str:
    file = p.file
    marker = scratch.as_posix()
    rel = file.split(marker + "/", 1)[1] if marker in file else file
    path = into / rel
    if path in texts and p.line:
        src = parse_source(texts[path], rel, path)
        if src is not None and src.starts:
            idx = max((i for i, s in enumerate(src.starts) if s <= p.line), default=None)
            if idx is not None:
                key = key_of(src.kind, src.entries[idx]) if isinstance(src.entries[idx], dict) else None
                row = origin.get(path, {}).get(key)
                if row is not None:
                    return f"{row.where()}: {p.code} {p.message}" + (f" ({p.hint})" if p.hint else "")
    where = f"{path}:{p.line}:{p.column}" if p.line else str(path)
    return f"{where}: {p.code} {p.message}" + (f" ({p.hint})" if p.hint else "")
