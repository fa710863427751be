"""Knowledge and simple rules as table rows (one row per entry), and back, without loss.

A *table* is one kind (``channels``, ``indicators`` ..., ``rules``, ``scoring``) as a header and rows of
cell values (str, int, bool, date or None). The columns come from the pydantic models: a bilingual text is
two columns (``name.zh``, ``name.en``), a list is one cell with one item per line, a condition is one
cell in the *condition cell syntax* below, ids and closed values get drop-down choices.

Condition cell syntax (each line one test; several lines: all of them hold)::

    industry in [ecommerce, services]         a case field, an operator, a value (YAML: [a, b], true, 5)
    not arbitration_agreement eq true         `not` before any test
    signal threatens_media                    a signal
    signals [template_letter, fee_share] min 2
    finding suspected_agent

A condition that is not a list of such tests (an ``any``, a nested ``not``) is written as one YAML flow
mapping, e.g. ``{any: [{signal: a}, {signal: b}]}`` — for knowledge only; such rules stay in YAML.

Export is checked row by row: an entry whose row does not give back exactly the same entry is not put in
the table but listed (with the reason) and left in YAML, where import does not touch it.
"""
from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from riskengine.contracts.knowledge import DIMENSIONS, KINDS, RISK_LEVELS, Patterns, Scoring, Text
from riskengine.language.tree import OPERATORS
from riskengine.contracts.rule import Rule
from riskengine.load.yaml_source import YamlSourceError, parse_yaml

TABLE_KINDS: tuple[str, ...] = ("scoring", "deadlines", "channels", "phrases", "taboos", "indicators", "agent_signs",
                                "legal_bases", "strategies", "escalation", "profiles", "rules")
CONDITION_FIELDS = {"when", "eligible_when", "applies_when"}
OPS = (*sorted(OPERATORS), "exists")


class CellError(ValueError):
    """A cell that cannot be read; ``column`` is the header it belongs to (None: the whole row)."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]            # where the value sits in the entry (e.g. ("name", "zh"))
    kind: str                        # str int bool date enum id lines ids condition
    choices: tuple = ()              # allowed values (enum) or the id kind for drop-downs (id, ids)
    id_kind: str = ""                # signal, strategy, channel, taboo, legal_basis, profile, phrase, finding, rule
    required: bool = False
    help: str = ""

    @property
    def multiline(self) -> bool:
        return self.kind in ("lines", "ids", "condition") or self.header.endswith((".zh", ".en"))


# ------------------------------------------------------------------------------------ columns
ID_FIELDS = {"legal_bases": "legal_basis", "legal_basis": "legal_basis", "replaced_by": "legal_basis"}


def _optional(ann: Any) -> tuple[Any, bool]:
    if get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


def model_columns(model: type[BaseModel]) -> list[Column]:
    cols: list[Column] = []
    for name, info in model.model_fields.items():
        ann, _opt = _optional(info.annotation)
        required = info.is_required()
        desc = info.description or ""
        if name in CONDITION_FIELDS:
            cols.append(Column(name, (name,), "condition", required=required, help=desc))
        elif ann is Text:
            cols += [Column(f"{name}.zh", (name, "zh"), "str", required=required, help=desc),
                     Column(f"{name}.en", (name, "en"), "str", required=required, help=desc)]
        elif ann is Patterns:
            cols += [Column(f"{name}.zh", (name, "zh"), "lines", help="one pattern per line"),
                     Column(f"{name}.en", (name, "en"), "lines", help="one pattern per line")]
        elif get_origin(ann) is tuple:
            item = get_args(ann)[0]
            if item is Text:
                cols += [Column(f"{name}.zh", (name, "*zh"), "lines", required=required, help=desc),
                         Column(f"{name}.en", (name, "*en"), "lines", required=required, help=desc)]
            elif get_origin(item) is Literal:
                cols.append(Column(name, (name,), "ids", get_args(item), required=required, help=desc))
            else:
                cols.append(Column(name, (name,), "ids", id_kind=ID_FIELDS.get(name, ""), required=required,
                                   help=desc))
        elif get_origin(ann) is Literal:
            cols.append(Column(name, (name,), "enum", get_args(ann), required=required, help=desc))
        elif name in ID_FIELDS:
            cols.append(Column(name, (name,), "id", id_kind=ID_FIELDS[name], required=required, help=desc))
        elif ann is bool:
            cols.append(Column(name, (name,), "bool", (True, False), required=required, help=desc))
        elif ann is int:
            cols.append(Column(name, (name,), "int", required=required, help=desc))
        elif ann is dt.date:
            cols.append(Column(name, (name,), "date", required=required, help=desc))
        else:
            cols.append(Column(name, (name,), "str", required=required, help=desc))
    return cols


def rule_columns(rule_files: tuple[str, ...]) -> list[Column]:
    cols = [Column("file", ("@file",), "enum", rule_files, required=True, help="the rules/*.yaml file it lives in"),
            Column("id", ("id",), "str", required=True),
            Column("description.zh", ("description", "zh"), "str", required=True),
            Column("description.en", ("description", "en"), "str", required=True),
            Column("salience", ("salience",), "int", help="higher fires first in its round (-1000..1000)"),
            Column("when", ("when",), "condition", required=True, help="one test per line; all must hold")]
    cols += [Column(f"points.{d}", ("then", "points", d), "int", help=f"risk points for {d}") for d in DIMENSIONS]
    cols += [Column("agent_points", ("then", "agent_points"), "int"),
             Column("findings", ("then", "findings"), "ids", help="findings this rule asserts, one per line"),
             Column("strategy", ("then", "strategy"), "id", id_kind="strategy"),
             Column("also_strategies", ("then", "also_strategies"), "ids", id_kind="strategy"),
             Column("escalation", ("then", "escalation"), "enum", (1, 2, 3, 4)),
             Column("min_level", ("then", "min_level"), "enum", RISK_LEVELS),
             Column("taboos", ("then", "taboos"), "ids", id_kind="taboo"),
             Column("legal_bases", ("then", "legal_bases"), "ids", id_kind="legal_basis"),
             Column("profile", ("then", "profile"), "ids", id_kind="profile"),
             Column("phrases", ("then", "phrases"), "ids", id_kind="phrase")]
    return cols


SCORING_COLUMNS = [Column("setting", ("setting",), "str", required=True), Column("value", ("value",), "int",
                                                                                   required=True)]


def columns(kind: str, rule_files: tuple[str, ...] = ()) -> list[Column]:
    if kind == "rules":
        return rule_columns(rule_files)
    if kind == "scoring":
        return SCORING_COLUMNS
    return model_columns(KINDS[kind])


def model_of(kind: str) -> type[BaseModel]:
    return Rule if kind == "rules" else Scoring if kind == "scoring" else KINDS[kind]


def key_of(kind: str, raw: dict) -> Any:
    return raw.get("level") if kind == "escalation" else raw.get("id")


# ---------------------------------------------------------------------------- condition cells
def flow(value: Any) -> str:
    """A value in YAML flow style on one line ('true' stays a quoted string, 5 a number)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False)
    if text.endswith("\n...\n"):
        text = text[:-5]
    return text.strip()


def _is_leaf(d: Any) -> bool:
    if not isinstance(d, dict):
        return False
    keys = set(d)
    if keys == {"not"}:
        return _is_leaf(d["not"]) and "not" not in d["not"]
    if keys in ({"signal"}, {"finding"}):
        return isinstance(next(iter(d.values())), str)
    if keys in ({"signals"}, {"signals", "min"}):
        return isinstance(d["signals"], list) and all(isinstance(s, str) for s in d["signals"])
    return "field" in keys and len(keys) == 2 and isinstance(d["field"], str) and (keys - {"field"}) <= set(OPS)


def leaf_text(d: dict) -> str:
    if "not" in d:
        return "not " + leaf_text(d["not"])
    if "signal" in d:
        return f"signal {d['signal']}"
    if "finding" in d:
        return f"finding {d['finding']}"
    if "signals" in d:
        return f"signals {flow(d['signals'])}" + (f" min {d['min']}" if "min" in d else "")
    op = next(k for k in d if k != "field")
    return f"{d['field']} {op} {flow(d[op])}"


def condition_to_cell(raw: Any, allow_flow: bool = True) -> str:
    if _is_leaf(raw):
        return leaf_text(raw)
    if isinstance(raw, dict) and set(raw) == {"all"} and isinstance(raw["all"], list) and len(raw["all"]) > 1 \
            and all(_is_leaf(c) for c in raw["all"]):
        return "\n".join(leaf_text(c) for c in raw["all"])
    if not allow_flow:
        raise CellError("the condition is not a list of simple tests (it uses any, or a nested not)")
    return flow(raw)


def _yaml_value(text: str) -> Any:
    try:
        return parse_yaml(text, "cell").data
    except YamlSourceError as exc:
        raise CellError(f"'{text}' is not a value: {exc.problem.message}") from None


def _leaf_from_text(line: str) -> dict:
    from riskengine.errors import did_you_mean
    words = line.split(None, 1)
    head, rest = words[0], (words[1].strip() if len(words) > 1 else "")
    if head == "not":
        if not rest or rest.startswith("not "):
            raise CellError(f"'{line}': write one test after `not`")
        return {"not": _leaf_from_text(rest)}
    if head in ("signal", "finding"):
        if not rest or len(rest.split()) != 1:
            raise CellError(f"'{line}': write `{head} ID`")
        return {head: rest}
    if head == "signals":
        ids_text, _, min_text = rest.partition("] min ")
        ids = _yaml_value(ids_text + ("]" if min_text else ""))
        if not isinstance(ids, list):
            raise CellError(f"'{line}': write `signals [a, b] min 2`")
        out: dict = {"signals": ids}
        if min_text:
            minimum = _yaml_value(min_text)
            out["min"] = minimum
        return out
    parts = line.split(None, 2)
    if len(parts) < 3:
        raise CellError(f"'{line}': write `FIELD OPERATOR VALUE`, e.g. `industry in [banking, insurance]`")
    fld, op, value = parts
    if op not in OPS:
        hint = did_you_mean(op, OPS) or f"operators: {', '.join(OPS)}"
        raise CellError(f"'{line}': unknown operator '{op}' ({hint})")
    return {"field": fld, op: _yaml_value(value)}


def condition_from_cell(text: str, allow_flow: bool = True) -> Any:
    text = text.strip()
    if text.startswith("{"):
        if not allow_flow:
            raise CellError("a rule's condition in a table is one test per line; write complex ones in YAML")
        value = _yaml_value(text)
        if not isinstance(value, dict):
            raise CellError("a condition in braces must be one YAML mapping, e.g. {any: [{signal: a}, {signal: b}]}")
        return value
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    leaves = [_leaf_from_text(ln) for ln in lines]
    return leaves[0] if len(leaves) == 1 else {"all": leaves}


# ----------------------------------------------------------------------------- entry <-> row
def _get(raw: dict, path: tuple) -> Any:
    value: Any = raw
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _lines(items: Any) -> str | None:
    if items is None or items == []:
        return None          # an empty cell: the empty default
    if not isinstance(items, list):
        raise CellError("not a list of values")
    texts = [flow(i) if not isinstance(i, str) else i for i in items]
    for t in texts:
        if not t or "\n" in t or "\r" in t or t != t.strip():
            raise CellError(f"list item {t!r} is empty, spans lines or has outer spaces")
    if any(not isinstance(i, str) for i in items) and any(isinstance(i, str) for i in items):
        raise CellError("a list mixing texts and other values")
    return "\n".join(texts)


def entry_to_row(kind: str, raw: dict, cols: list[Column], file: str = "") -> list[Any]:
    """The cells of one entry, in column order (raises CellError when a value has no cell form)."""
    row: list[Any] = []
    for col in cols:
        if col.path == ("@file",):
            row.append(file)
            continue
        if len(col.path) == 2 and col.path[1].startswith("*"):
            items = _get(raw, col.path[:1])
            lang = col.path[1][1:]
            row.append(None if items is None else _lines([t.get(lang) if isinstance(t, dict) else t
                                                          for t in items]))
            continue
        value = _get(raw, col.path)
        if value is None:
            row.append(None)
        elif col.kind == "condition":
            row.append(condition_to_cell(value, allow_flow=kind != "rules"))
        elif col.kind in ("lines", "ids"):
            row.append(_lines(value))
        elif col.kind == "date" and not isinstance(value, dt.date):
            raise CellError(f"{col.header}: not a date")
        elif isinstance(value, (dict, list)):
            raise CellError(f"{col.header}: a structured value")
        else:
            row.append(value)
    return row


def _scalar(col: Column, value: Any) -> Any:
    if col.kind in ("int",) or (col.kind == "enum" and col.choices and isinstance(col.choices[0], int)):
        if isinstance(value, bool):
            raise CellError(f"expected a whole number, got {value}", col.header)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise CellError(f"expected a whole number, got '{value}'", col.header) from None
    if col.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "是", "1"):
            return True
        if text in ("false", "no", "否", "0"):
            return False
        raise CellError(f"expected true or false, got '{value}'", col.header)
    if col.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise CellError(f"expected a date YYYY-MM-DD, got '{value}'", col.header) from None
    if col.kind in ("enum", "id"):
        return str(value).strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value)


def _split(value: Any) -> list[str]:
    return [ln.strip() for ln in str(value).replace("\r", "\n").split("\n") if ln.strip()]


def _put(raw: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        raw = raw.setdefault(part, {})
    raw[path[-1]] = value


def row_to_entry(kind: str, cells: dict[str, Any], cols: list[Column],
                 errors: list[CellError] | None = None) -> tuple[dict, str]:
    """The raw entry (as YAML would hold it) and its file (rules) from the cells by header.

    A cell that cannot be read raises CellError naming its column, or, when ``errors`` is given, is
    added there and left out of the entry (so every bad cell of a row is reported at once)."""
    raw: dict = {}
    file = ""
    pairs: dict[str, dict[str, list[str]]] = {}
    for col in cols:
        value = cells.get(col.header)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            if col.path == ("@file",):
                file = str(value).strip()
            elif len(col.path) == 2 and col.path[1].startswith("*"):
                pairs.setdefault(col.path[0], {})[col.path[1][1:]] = _split(value)
            elif col.kind == "condition":
                _put(raw, col.path, condition_from_cell(str(value), allow_flow=kind != "rules"))
            elif col.kind in ("lines", "ids"):
                items: list[Any] = _split(value)
                if col.choices and isinstance(col.choices[0], int):
                    items = [_scalar(Column(col.header, col.path, "int"), i) for i in items]
                _put(raw, col.path, items)
            else:
                _put(raw, col.path, _scalar(col, value))
        except CellError as exc:
            if errors is None:
                raise CellError(str(exc), exc.column or col.header) from None
            errors.append(CellError(str(exc), exc.column or col.header))
    for name, langs in pairs.items():
        zh, en = langs.get("zh", []), langs.get("en", [])
        if len(zh) != len(en):
            exc = CellError(f"{name}: {len(zh)} Chinese line(s) but {len(en)} English line(s); "
                            "write one English line for each Chinese line", f"{name}.{'en' if zh else 'zh'}")
            if errors is None:
                raise exc
            errors.append(exc)
            continue
        raw[name] = [{"zh": z, "en": e} for z, e in zip(zh, en)]
    order = [c.path[0] for c in cols if c.path != ("@file",)]
    return {k: raw[k] for k in sorted(raw, key=order.index)}, file


def scoring_rows(raw: dict) -> list[list[Any]]:
    rows = []
    for key, value in raw.items():
        if isinstance(value, dict):
            rows += [[f"{key}.{k}", v] for k, v in value.items()]
        else:
            rows.append([key, value])
    return rows


def scoring_from_rows(rows: list[tuple[int, dict]]) -> tuple[dict, list[tuple[int, CellError]]]:
    raw: dict = {}
    errors = []
    for rowno, cells in rows:
        setting, value = cells.get("setting"), cells.get("value")
        if setting is None and value is None:
            continue
        try:
            if not isinstance(setting, str) or not setting.strip():
                raise CellError("name the setting, e.g. level_thresholds.high", "setting")
            number = _scalar(SCORING_COLUMNS[1], value) if value is not None else None
            if number is None:
                raise CellError("is required but missing", "value")
            _put(raw, tuple(setting.strip().split(".", 1)), number)
        except CellError as exc:
            errors.append((rowno, exc))
    return raw, errors


# ------------------------------------------------------------------------------- losslessness
def same_entry(kind: str, a: dict, b: dict) -> bool:
    """Whether two raw entries load as the same model (what the engine sees)."""
    if a == b:        # the same data (key order aside) is the same entry
        return True
    model = model_of(kind)
    try:
        return model.model_validate(a) == model.model_validate(b)
    except ValidationError:
        return False


def differing_fields(kind: str, a: dict, b: dict) -> list[str]:
    model = model_of(kind)
    try:
        ma = model.model_validate(a)
        mb = model.model_validate(b)
    except ValidationError as exc:
        return [".".join(map(str, e["loc"])) for e in exc.errors()][:3]
    out = []
    for name in model.model_fields:
        va, vb = getattr(ma, name), getattr(mb, name)
        if va != vb:
            if name == "then" and isinstance(va, BaseModel):
                out += [f"{name}.{n}" for n in type(va).model_fields if getattr(va, n) != getattr(vb, n)]
            else:
                out.append(name)
    return out


@dataclass
class Table:
    kind: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    kept: list[tuple[str, str, str]] = field(default_factory=list)   # (id, file:line, why) left in YAML

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]
