"""Tables as spreadsheet files: .xlsx (openpyxl) with drop-downs, frozen headers and a README sheet, or .csv.

Reading gives, per sheet, its kind, header and rows as ``{header: value}`` with their row numbers, so
import can name every problem as ``FILE.xlsx!Sheet!D14``.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskengine.authoring.schema import ZH
from riskengine.authoring.tables import Column, Table

README = "README"
LISTS = "_lists"
HEADER_FILL = "DDEBF7"
EXTRA_ROWS = 300            # rows below the data that still get the drop-downs


@dataclass
class Sheet:
    name: str                # "" for a CSV file
    header: list[Any]
    kind: str = ""
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def where(self, book: str, column: str | None, rowno: int | None) -> str:
        from openpyxl.utils import get_column_letter
        col = 1
        if column is not None and column in self.header:
            col = self.header.index(column) + 1
        cell = f"{get_column_letter(col)}{rowno if rowno else 1}"
        return f"{book}!{cell}" if self.name == "" else f"{book}!{self.name}!{cell}"


README_TEXT = [
    ("riskengine 知识表格 / riskengine knowledge tables", ""),
    ("每个工作表是一类知识或简单规则：一行一个条目，第一行是列名（鼠标悬停看说明）。",
     "Each sheet is one kind of knowledge, or simple rules: one row per entry; row 1 names the columns "
     "(hover for help)."),
    ("带下拉框的单元格只能选列出的编号；一格多项时每行一项（Alt+Enter 换行）。",
     "Cells with a drop-down take one of the listed ids; a cell with several items has one per line (Alt+Enter)."),
    ("条件单元格每行一个判断，全部成立才算成立，例如：industry in [banking, insurance] / not arbitration_agreement "
     "eq true / signal threatens_media / signals [a, b] min 2 / finding suspected_agent。",
     "A condition cell holds one test per line, all of which must hold, e.g. industry in [banking, insurance] / "
     "not arbitration_agreement eq true / signal threatens_media / signals [a, b] min 2 / finding suspected_agent."),
    ("删除一行即删除该条目；新增一行即新增条目；不在表中的复杂条目保留在 YAML 中，不受影响（见下表）。",
     "Deleting a row removes the entry; a new row adds one; complex entries not in the tables stay in YAML "
     "untouched (listed below)."),
    ("改完后：riskengine table import 本文件 --into 规则目录；再用 riskengine review 生成审批报告。",
     "Then: riskengine table import THIS_FILE --into RULESET_DIR, and riskengine review for the sign-off report."),
]


def _help(col: Column) -> str:
    name = col.header.split(".")[0]
    zh = ZH.get(name, "")
    en = col.help or ""
    lang = {"zh": "（中文）", "en": "（English）"}.get(col.header.rsplit(".", 1)[-1], "") if "." in col.header else ""
    parts = [p for p in (zh + lang, en) if p]
    if col.choices and col.kind in ("enum", "ids"):
        parts.append("取值 / values: " + ", ".join(map(str, col.choices)))
    if col.required:
        parts.append("必填 / required")
    return "\n".join(parts) or col.header


def write_xlsx(path: Path, tables: list[Table], choices: dict[str, list[str]], version: str) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    readme = wb.active
    readme.title = README
    lists = wb.create_sheet(LISTS)
    list_cols: dict[str, str] = {}

    def list_range(key: str, values: list) -> str:
        if key not in list_cols:
            col = get_column_letter(len(list_cols) + 1)
            list_cols[key] = col
            lists[f"{col}1"] = key
            for i, v in enumerate(values, start=2):
                lists[f"{col}{i}"] = v
        col = list_cols[key]
        return f"{LISTS}!${col}$2:${col}${len(values) + 1}"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for table in tables:
        ws = wb.create_sheet(table.kind)
        for c, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=c, value=col.header)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(_help(col), "riskengine", width=320, height=160)
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"      # never a formula, whatever the text starts with
                if table.columns[c - 1].multiline:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    cell.alignment = Alignment(vertical="top")
        last = len(table.rows) + 1 + EXTRA_ROWS
        for c, col in enumerate(table.columns, start=1):
            letter = get_column_letter(c)
            values: list = []
            if col.kind in ("enum", "bool") and col.choices:
                values = [("TRUE" if v else "FALSE") if isinstance(v, bool) else v for v in col.choices]
            elif col.kind == "id" and choices.get(col.id_kind):
                values = choices[col.id_kind]
            if values:
                key = f"{table.kind}.{col.header}" if col.kind in ("enum", "bool") else col.id_kind
                dv = DataValidation(type="list", formula1=list_range(key, values), allow_blank=True,
                                    showErrorMessage=True, errorTitle="riskengine",
                                    error=f"{col.header}: 请从列表中选择 / pick a value from the list")
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
            elif col.kind in ("ids", "lines", "condition"):
                tip = {"condition": "每行一个判断 / one test per line",
                       "ids": "每行一个编号 / one id per line" + (
                           f": {', '.join(choices.get(col.id_kind, [])[:12])}…" if choices.get(col.id_kind) else ""),
                       "lines": "每行一项 / one item per line"}[col.kind]
                dv = DataValidation(type=None, allow_blank=True, showInputMessage=True, promptTitle=col.header,
                                    prompt=tip[:250])
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
            width = 48 if col.multiline and col.kind != "ids" else 28 if col.kind in ("ids", "id") else 14
            ws.column_dimensions[letter].width = max(width, len(col.header) + 2)
        key_col = next((i for i, h in enumerate(table.headers) if h in ("id", "level", "setting")), 0)
        ws.freeze_panes = f"{get_column_letter(key_col + 2)}2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(len(table.rows) + 1, 2)}"
    lists.sheet_state = "hidden"
    _write_readme(readme, tables, version)
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    wb.save(path)


def _write_readme(ws, tables: list[Table], version: str) -> None:
    from openpyxl.styles import Alignment, Font
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 90
    r = 1
    for zh, en in README_TEXT:
        ws.cell(row=r, column=1, value=zh).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=2, value=en).alignment = Alignment(wrap_text=True, vertical="top")
        r += 1
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    r += 1
    ws.cell(row=r, column=1, value="规则集版本 / ruleset version").font = Font(bold=True)
    ws.cell(row=r, column=2, value=version)
    r += 2
    ws.cell(row=r, column=1, value="工作表 / sheets").font = Font(bold=True)
    r += 1
    for t in tables:
        ws.cell(row=r, column=1, value=t.kind)
        ws.cell(row=r, column=2, value=f"{len(t.rows)} 行 / rows; {len(t.kept)} 条保留在 YAML / kept in YAML")
        r += 1
    kept = [(t.kind, *k) for t in tables for k in t.kept]
    if kept:
        r += 1
        ws.cell(row=r, column=1, value="保留在 YAML 中、不在表里的条目 / entries kept in YAML (too complex for a row)"
                ).font = Font(bold=True)
        r += 1
        for kind, key, where, why in kept:
            ws.cell(row=r, column=1, value=f"{kind}: {key}  ({where})")
            ws.cell(row=r, column=2, value=why)
            r += 1


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write_csv(path: Path, table: Table) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(table.headers)
        for row in table.rows:
            w.writerow([_csv_value(v) for v in row])


def _clean(v: Any) -> Any:
    if isinstance(v, str) and not v.strip():
        return None
    return v


def read_book(path: Path, csv_kind: str | None = None) -> list[Sheet]:
    """Every sheet of the file but README and the hidden lists. A CSV file is one sheet named after
    ``csv_kind`` (or its file name)."""
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, strict=True))
        header = [h.strip() for h in rows[0]] if rows else []
        sheet = Sheet("", header, csv_kind or path.stem)
        for n, row in enumerate(rows[1:], start=2):
            cells = {h: _clean(row[i]) if i < len(row) else None for i, h in enumerate(header) if h}
            if any(v is not None for v in cells.values()):
                sheet.rows.append((n, cells))
        return [sheet]
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    out = []
    for ws in wb.worksheets:
        if ws.title in (README, LISTS):
            continue
        values = list(ws.iter_rows(values_only=True))
        header = [(str(h).strip() if h is not None else None) for h in (values[0] if values else [])]
        sheet = Sheet(ws.title, header, ws.title)
        for n, row in enumerate(values[1:], start=2):
            cells = {h: _clean(row[i]) for i, h in enumerate(header) if h and i < len(row)}
            if any(v is not None for v in cells.values()):
                sheet.rows.append((n, cells))
        out.append(sheet)
    wb.close()
    return out
