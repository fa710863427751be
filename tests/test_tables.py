"""Spreadsheet tables: export -> import gives back the same ruleset (shipped and generated), every bad cell
is reported as FILE!Sheet!CELL with a did-you-mean and blocks the write, and YAML is rewritten entry by
entry (comments and unchanged entries stay as written)."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from riskengine.cli import main
from riskengine.load.cached_loader import load_ruleset
from riskengine.authoring.tables import condition_from_cell, condition_to_cell
from riskengine.authoring.tablebook import write_csv, write_xlsx
from riskengine.authoring.tablesync import export_tables, import_tables

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
KINDS = ["scoring", "deadlines", "channels", "phrases", "taboos", "indicators", "agent_signs", "legal_bases",
         "strategies", "escalation", "profiles", "rules"]


def _copy(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / "rules", dest / "rules")
    shutil.copytree(src / "knowledge", dest / "knowledge")
    return dest


def _export(src: Path, path: Path, kinds=KINDS) -> list:
    tables, choices, version = export_tables(src / "rules", src / "knowledge", kinds)
    if path.suffix == ".csv":
        write_csv(path, tables[0])
    else:
        write_xlsx(path, tables, choices, version)
    return tables


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def _same_ruleset(a: Path, b: Path) -> None:
    ra = load_ruleset(a / "rules", a / "knowledge")
    rb = load_ruleset(b / "rules", b / "knowledge")
    assert ra.knowledge == rb.knowledge
    assert sorted(ra.rules, key=lambda r: r.id) == sorted(rb.rules, key=lambda r: r.id)


def test_shipped_ruleset_round_trips_through_xlsx_unchanged(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    before = load_ruleset(target / "rules", target / "knowledge").version
    tables = _export(ROOT, tmp_path / "all.xlsx")
    assert sum(len(t.rows) for t in tables) > 400
    result = import_tables([tmp_path / "all.xlsx"], target)
    assert result.errors == [] and result.written == []
    assert _tree(target / "rules") == _tree(ROOT / "rules")
    assert _tree(target / "knowledge") == _tree(ROOT / "knowledge")
    assert load_ruleset(target / "rules", target / "knowledge").version == before


def test_shipped_ruleset_round_trips_through_csv(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    tables, _choices, _version = export_tables(ROOT / "rules", ROOT / "knowledge", KINDS)
    files = []
    for table in tables:
        write_csv(tmp_path / f"{table.kind}.csv", table)
        files.append(tmp_path / f"{table.kind}.csv")
    result = import_tables(files, target)
    assert result.errors == [] and result.written == []
    assert _tree(target / "knowledge") == _tree(ROOT / "knowledge")


def test_rules_too_complex_for_a_row_are_listed_and_left_alone(tmp_path):
    shipped = export_tables(ROOT / "rules", ROOT / "knowledge", ["rules"])[0][0]
    assert "CHAN-INTERNAL-FIRST" in {key for key, _where, _why in shipped.kept}   # a channel pick has no column
    tables = _export(MINI, tmp_path / "rules.xlsx", ["rules"])
    kept = {key for key, _where, _why in tables[0].kept}
    assert "HEAD-CHANNEL" in kept
    readme = [c.value for row in load_workbook(tmp_path / "rules.xlsx")["README"].iter_rows() for c in row]
    assert any(isinstance(v, str) and "HEAD-CHANNEL" in v for v in readme)
    wb = load_workbook(tmp_path / "rules.xlsx")
    ws = wb["rules"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("findings")].value is None)
    gone = row[header.index("id")].value
    ws.delete_rows(row[0].row)
    wb.save(tmp_path / "one_less.xlsx")
    target = _copy(MINI, tmp_path / "copy")
    result = import_tables([tmp_path / "one_less.xlsx"], target)
    assert result.errors == [] and len(result.changes) == 1 and f"removed {gone}" in result.changes[0]
    rs = load_ruleset(target / "rules", target / "knowledge")
    assert gone not in rs.rules_by_id and kept <= set(rs.rules_by_id)
    assert len(rs.rules) == len(load_ruleset(MINI / "rules", MINI / "knowledge").rules) - 1
    # without any rows, rules that the kept ones need are gone: the whole-ruleset check blocks it
    ws.delete_rows(2, ws.max_row)
    wb.save(tmp_path / "empty.xlsx")
    before = _tree(target)
    result = import_tables([tmp_path / "empty.xlsx"], target)
    assert any("RE104" in e for e in result.errors) and _tree(target) == before


def test_xlsx_has_drop_downs_frozen_headers_and_a_readme(tmp_path):
    _export(ROOT, tmp_path / "t.xlsx", ["channels", "rules"])
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames[0] == "README" and wb["_lists"].sheet_state == "hidden"
    ws = wb["channels"]
    assert ws.freeze_panes == "B2"
    header = [c.value for c in ws[1]]
    kind_col = "ABCDEFGHIJKLMNOP"[header.index("kind")]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    kind_dv = next(dv for dv in lists if any(str(r).startswith(kind_col + "2") for r in dv.sqref.ranges))
    sheet, cells = kind_dv.formula1.split("!")
    col = cells.split("$")[1]
    values = [c.value for c in wb["_lists"][col][1:] if c.value is not None]
    assert "arbitration" in values and "mediation" in values
    rules = wb["rules"]
    strategy_col = [c.value for c in rules[1]].index("strategy")
    assert any(dv.type == "list" for dv in rules.data_validations.dataValidation
               if any(r.min_col == strategy_col + 1 for r in dv.sqref.ranges))


def _edit(path: Path, out: Path, sheet: str, key: str, column: str, value) -> str:
    wb = load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    key_col = header.index("level" if sheet == "escalation" else "id")
    for row in ws.iter_rows(min_row=2):
        if row[key_col].value == key:
            row[header.index(column)].value = value
            wb.save(out)
            return row[header.index(column)].coordinate
    raise AssertionError(f"{key} not in {sheet}")


def test_changing_an_eligibility_rewrites_only_that_entry(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    _export(ROOT, tmp_path / "ch.xlsx", ["channels"])
    _edit(tmp_path / "ch.xlsx", tmp_path / "ch2.xlsx", "channels", "consumer_association", "eligible_when",
          "industry in [ecommerce, services, other, public, banking]")
    before = (target / "knowledge" / "channels.yaml").read_text(encoding="utf-8")
    result = import_tables([tmp_path / "ch2.xlsx"], target)
    assert result.errors == []
    assert result.changes == [next(c for c in result.changes if "consumer_association" in c)]
    after = (target / "knowledge" / "channels.yaml").read_text(encoding="utf-8")
    header_end = before.index("\nchannels:")
    assert after[:header_end] == before[:header_end]             # the leading comment block
    changed = [ln for ln in after.splitlines() if ln not in before.splitlines()]
    assert changed and all("banking" in ln or ln.strip().startswith(("in:", "- ", "legal_bases")) for ln in changed)
    rs = load_ruleset(target / "rules", target / "knowledge")
    assert "banking" in rs.knowledge.channels["consumer_association"].eligible_when.value


def test_bad_cells_are_reported_with_location_and_nothing_is_written(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    _export(ROOT, tmp_path / "t.xlsx", ["channels", "rules"])
    cell_kind = _edit(tmp_path / "t.xlsx", tmp_path / "b.xlsx", "channels", "arbitration", "kind", "arbitraton")
    cell_law = _edit(tmp_path / "b.xlsx", tmp_path / "b.xlsx", "channels", "internal", "legal_bases",
                     "CPL-ART-39\nCPL-ART-399")
    cell_cond = _edit(tmp_path / "b.xlsx", tmp_path / "b.xlsx", "channels", "litigation", "eligible_when",
                      "not arbitration_agreement eqq true")
    cell_order = _edit(tmp_path / "b.xlsx", tmp_path / "b.xlsx", "channels", "internal", "order", "first")
    before = _tree(target)
    result = import_tables([tmp_path / "b.xlsx"], target)
    text = "\n".join(result.errors)
    book = str(tmp_path / "b.xlsx")
    assert f"{book}!channels!{cell_kind}: " in text and "did you mean 'arbitration'" in text
    assert f"{book}!channels!{cell_law}: unknown legal basis 'CPL-ART-399' (did you mean 'CPL-ART-39'?)" in text
    assert f"{book}!channels!{cell_cond}: " in text and "did you mean 'eq'" in text
    assert f"{book}!channels!{cell_order}: order: expected a whole number" in text
    assert len(result.errors) == 4
    assert _tree(target) == before and result.written == []


def test_an_error_only_the_whole_ruleset_sees_blocks_the_import(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    _export(ROOT, tmp_path / "t.xlsx", ["escalation"])
    _edit(tmp_path / "t.xlsx", tmp_path / "b.xlsx", "escalation", 3, "level", 5)   # levels 1-4 required (4 has a condition: it stays in YAML)
    before = _tree(target)
    result = import_tables([tmp_path / "b.xlsx"], target)
    assert result.errors and all("b.xlsx!escalation!" in e for e in result.errors)
    assert _tree(target) == before


def test_cli_table_import_reports_errors_one_per_line(tmp_path):
    target = _copy(MINI, tmp_path / "copy")
    runner = CliRunner()
    out = runner.invoke(main, ["table", "export", "channels", str(tmp_path / "channels.csv"),
                               "--rules", str(MINI / "rules"), "--knowledge", str(MINI / "knowledge")])
    assert out.exit_code == 0, out.output
    with open(tmp_path / "channels.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    row = next(r for r in rows if r[0] == "arbitration")
    row[rows[0].index("kind")] = "arbitraton"
    with open(tmp_path / "channels.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    bad = runner.invoke(main, ["table", "import", str(tmp_path / "channels.csv"), "--into", str(target)])
    assert bad.exit_code == 1
    lines = bad.output.strip().splitlines()
    assert lines[-1] == "1 error(s); nothing written"
    cell = f"{'ABCDEFGHIJ'[rows[0].index('kind')]}{rows.index(row) + 1}"
    assert lines[0].startswith(f"{tmp_path / 'channels.csv'}!{cell}: ") and "did you mean 'arbitration'" in lines[0]
    assert "Traceback" not in bad.output
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    out = runner.invoke(main, ["table", "import", str(junk), "--into", str(target)])
    assert out.exit_code == 1 and "cannot read this file as a table" in out.output


# ------------------------------------------------------------------------ condition cell syntax
LEAVES = [
    {"field": "industry", "in": ["banking", "insurance"]}, {"field": "amount_in_dispute", "le": 50000},
    {"field": "arbitration_agreement", "eq": True}, {"field": "product", "eq": "true"},
    {"field": "history.days_open", "ge": 3.5}, {"field": "demand.amount", "exists": False},
    {"field": "narrative", "matches": "退保.{0,4}代理"}, {"signal": "threatens_media"},
    {"signals": ["template_letter", "contact_phone_changed"], "min": 2}, {"signals": ["hostile_words"]},
    {"finding": "media_risk"}, {"field": "product", "contains": "[不] 是 #1: x"},
]
leaf = st.sampled_from(LEAVES) | st.sampled_from(LEAVES).map(lambda c: {"not": c})


@given(st.lists(leaf, min_size=1, max_size=4))
def test_condition_cells_give_back_the_condition(leaves):
    cond = leaves[0] if len(leaves) == 1 else {"all": leaves}
    assert condition_from_cell(condition_to_cell(cond, allow_flow=False), allow_flow=False) == cond


def test_conditions_beyond_the_cell_syntax_use_yaml_flow_in_knowledge_only():
    cond = {"any": [{"signal": "a"}, {"all": [{"signal": "b"}]}]}
    assert condition_from_cell(condition_to_cell(cond)) == cond
    with pytest.raises(ValueError):
        condition_to_cell(cond, allow_flow=False)


# ------------------------------------------------------------------ generated rulesets (property)
text = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0x9FFF), min_size=1,
               max_size=12)
ident = st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z")
bilingual = st.fixed_dictionaries({"zh": text, "en": text})
field_leaves = st.sampled_from([
    {"field": "industry", "in": ["banking", "insurance"]}, {"field": "amount_in_dispute", "le": 50000},
    {"not": {"field": "arbitration_agreement", "eq": True}}, {"field": "channel", "eq": "hotline"},
    {"field": "history.days_open", "ge": 3}, {"signal": "hostile_words"},
    {"signals": ["template_letter", "contact_phone_changed"], "min": 2},
])


def _when(leaves: list) -> dict:
    return leaves[0] if len(leaves) == 1 else {"all": leaves}


channel = st.fixed_dictionaries(
    {"id": ident, "name": bilingual, "kind": st.sampled_from(["mediation", "regulator", "litigation"]),
     "order": st.integers(-5, 200)},
    optional={"eligible_when": st.lists(field_leaves, min_size=1, max_size=3, unique_by=str).map(_when),
              "ineligible_reason": bilingual, "legal_bases": st.just(["INS-ART-24"])})
indicator = st.fixed_dictionaries(
    {"id": ident, "dimension": st.sampled_from(["time", "space", "emotion", "interest", "communication"]),
     "points": st.integers(0, 100), "name": bilingual},
    optional={"question": bilingual,
              "patterns": st.fixed_dictionaries({}, optional={"zh": st.lists(text, min_size=1, max_size=3),
                                                               "en": st.lists(text, min_size=1, max_size=3)})})
rule = st.fixed_dictionaries(
    {"id": ident.map(lambda s: "GEN-" + s.upper()), "description": bilingual,
     "when": st.lists(field_leaves, min_size=1, max_size=3, unique_by=str).map(_when),
     "then": st.fixed_dictionaries({}, optional={
         "points": st.dictionaries(st.sampled_from(["time", "emotion", "interest"]), st.integers(-100, 100),
                                   min_size=1),
         "strategy": st.sampled_from(["routine", "care", "settlement"]),
         "taboos": st.lists(st.sampled_from(["ignore_emotions", "stability_money"]), min_size=1, unique=True),
         "escalation": st.integers(1, 4), "min_level": st.sampled_from(["medium", "high"])}).filter(bool)},
    optional={"salience": st.integers(-1000, 1000)})


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(channels=st.lists(channel, max_size=3, unique_by=lambda c: c["id"]),
       indicators=st.lists(indicator, max_size=3, unique_by=lambda c: c["id"]),
       rules=st.lists(rule, max_size=3, unique_by=lambda r: r["id"]),
       threshold=st.integers(1, 100), fmt=st.sampled_from(["xlsx", "csv"]))
def test_generated_rulesets_round_trip(tmp_path_factory, channels, indicators, rules, threshold, fmt):
    work = tmp_path_factory.mktemp("gen")
    src = _copy(MINI, work / "src")
    for kind, extra in (("channels", channels), ("indicators", indicators), ("rules", rules)):
        path = src / ("rules/mini.yaml" if kind == "rules" else f"knowledge/{kind}.yaml")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        known = {e["id"] for e in data[kind]}
        data[kind] += json.loads(json.dumps([e for e in extra if e["id"] not in known]))   # no shared nodes
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scoring = src / "knowledge" / "scoring.yaml"
    data = yaml.safe_load(scoring.read_text(encoding="utf-8"))
    data["scoring"]["agent_suspected_at"] = threshold
    scoring.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    target = _copy(MINI, work / "target")       # the original: the tables must turn it into src
    if fmt == "xlsx":
        _export(src, work / "t.xlsx")
        files = [work / "t.xlsx"]
    else:
        tables, _choices, _version = export_tables(src / "rules", src / "knowledge",
                                                   ["channels", "indicators", "rules", "scoring"])
        files = []
        for table in tables:
            write_csv(work / f"{table.kind}.csv", table)
            files.append(work / f"{table.kind}.csv")
    result = import_tables(files, target)
    assert result.errors == []
    _same_ruleset(src, target)


def test_a_changed_threshold_is_replaced_in_place_keeping_its_comment(tmp_path):
    target = _copy(ROOT, tmp_path / "copy")
    path = tmp_path / "scoring.csv"
    tables = _export(ROOT, path, ["scoring"])
    assert ["agent_suspected_at", 50] in tables[0].rows
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("agent_suspected_at,50", "agent_suspected_at,60"), encoding="utf-8-sig")
    before = (target / "knowledge" / "scoring.yaml").read_text(encoding="utf-8").splitlines()
    result = import_tables([path], target)
    assert result.errors == [] and result.changes == ["scoring: changed"]
    after = (target / "knowledge" / "scoring.yaml").read_text(encoding="utf-8").splitlines()
    diff = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(diff) == 1
    old, new = diff[0]
    assert "#" in old and new == old.replace("50", "60", 1)      # the comment after the number stays
    assert load_ruleset(target / "rules", target / "knowledge").knowledge.scoring.agent_suspected_at == 60
