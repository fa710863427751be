"""The sign-off review, and the whole authoring path a compliance officer takes: export the channels table,
change an eligibility in the spreadsheet, import it into a copy, review it against the original."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from riskengine import load_engine
from riskengine.cli import main
from riskengine.language import to_data
from riskengine.load.cached_loader import load_ruleset
from riskengine.io.decision_log import append_record, decision_record
from riskengine.authoring.review import entry_diff, run_review
from riskengine.authoring.tables import flow

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


def _copy(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copytree(src / "rules", dest / "rules")
    shutil.copytree(src / "knowledge", dest / "knowledge")
    return dest


def test_export_edit_import_review_shows_the_cases_that_change(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    # 1. export the channels table (from the shipped ruleset)
    out = runner.invoke(main, ["table", "export", "channels", "channels.xlsx"])
    assert out.exit_code == 0, out.output
    # 2. in the spreadsheet: litigation becomes open even where the parties agreed to arbitrate
    wb = load_workbook("channels.xlsx")
    ws = wb["channels"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("id")].value == "litigation")
    assert row[header.index("eligible_when")].value        # it has a condition today; clearing it: always open
    row[header.index("eligible_when")].value = None
    wb.save("channels.xlsx")
    # 3. import into a copy of the ruleset
    new = _copy(ROOT, tmp_path / "proposed")
    out = runner.invoke(main, ["table", "import", "channels.xlsx", "--into", str(new)])
    assert out.exit_code == 0, out.output
    assert "channels: changed litigation (eligible_when)" in out.output
    # 4. review against the original, on some cases and a decision log
    engine = load_engine()
    cases = [yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
             for name in ("arbitration.yaml", "routine_service.yaml", "uk_bank_fees.yaml")]
    Path("history.jsonl").write_text("".join(json.dumps(c, default=str, ensure_ascii=False) + "\n" for c in cases),
                                     encoding="utf-8")
    for c in cases:
        append_record("decisions.jsonl", decision_record(c, engine.assess(engine.parse_case(c))))
    out = runner.invoke(main, ["review", "--base", str(ROOT), str(new), "--cases", "history.jsonl",
                               "--log", "decisions.jsonl",
                               "--tests", str(ROOT / "tests/cases/gc26_teller_rude_apology.yaml"),
                               "--by", "合规部 王敏", "--out", "review"])
    assert out.exit_code == 0, out.output
    # what should change, worked out independently: each case assessed with both rulesets
    proposed = load_engine(new / "rules", new / "knowledge")
    expected = {c["id"] for c in cases
                if [x.id for x in engine.assess(engine.parse_case(c)).channels]
                != [x.id for x in proposed.assess(proposed.parse_case(c)).channels]}
    assert expected, "the edit should change the channels of some of these cases"
    assert f"{len(expected)} case(s) change" in out.output and "ready for sign-off" in out.output
    report = Path("review.md").read_text(encoding="utf-8")
    changed = report.split("### 改变的案件 / Cases that change", 1)[1].split("## 4.", 1)[0]
    listed = {c["id"] for c in cases if f"| {c['id']} |" in changed}
    assert listed == expected and "litigation" in changed
    old_condition = flow(to_data(engine.ruleset.knowledge.channels["litigation"].eligible_when))
    assert re.search(r"\| channels \| litigation \| 修改 / changed \| [^|]*channels\.yaml:\d+[^|]*\| "
                     + re.escape(f"eligible_when: {old_condition} → —"), report)
    assert "合规部 王敏" in report
    assert f"{load_ruleset().version} → {load_ruleset(new / 'rules', new / 'knowledge').version}" in report
    assert f"3 replayed, {len(expected)} differ" in report
    page = Path("review.html").read_text(encoding="utf-8")
    assert all(case_id in page for case_id in expected) and "Ready for sign-off" in page and "王敏" in page


def test_an_invalid_new_ruleset_blocks_with_its_errors_located(tmp_path, monkeypatch):
    new = _copy(MINI, tmp_path / "new")
    rules = new / "rules" / "mini.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("strategy: settlement", "strategy: setlement"),
                     encoding="utf-8")
    monkeypatch.setenv("USER", "reviewer-from-env")
    out = CliRunner().invoke(main, ["review", "--base", str(MINI), str(new), "--out", str(tmp_path / "r")])
    assert out.exit_code == 1
    assert "blocked: the new ruleset has 1 error(s)" in out.output
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "BLOCKED" in report and "reviewer-from-env" in report
    assert re.search(r"rules/mini\.yaml:\d+:\d+: error RE103 .*'setlement'.*did you mean 'settlement'", report)


def test_a_failing_rule_test_blocks_the_change(tmp_path):
    new = _copy(MINI, tmp_path / "new")
    tests = new / "tests" / "cases"
    tests.mkdir(parents=True)
    case = {"id": "T-1", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
            "category": "claim_denial", "demand": {"type": "full_refund"}}
    (tests / "ok.yaml").write_text(yaml.safe_dump({"name": "settles", "case": case,
                                                   "expect": {"strategy.id": "settlement"}}), encoding="utf-8")
    (tests / "wrong.yaml").write_text(yaml.safe_dump({"name": "expects care", "case": case,
                                                      "expect": {"strategy.id": "care"}}), encoding="utf-8")
    review = run_review(MINI, new, reviewer="x")
    assert review.tests.total == 2 and [name for _f, name, _ in review.tests.failed] == ["expects care"]
    assert review.blocked and "1 of 2 rule test(s) fail" in review.blockers[0]
    (tests / "wrong.yaml").unlink()
    ok = run_review(MINI, new, reviewer="x", min_coverage=100)
    assert ok.tests.failed == [] and ok.blocked       # 100 % coverage asked, one test cannot give it
    assert "below the minimum" in ok.blockers[0]
    assert not run_review(MINI, new, reviewer="x").blocked


def test_rule_level_diff_lists_added_removed_and_changed_entries_with_locations(tmp_path):
    new = _copy(MINI, tmp_path / "new")
    rules = new / "rules" / "mini.yaml"
    data = yaml.safe_load(rules.read_text(encoding="utf-8"))
    removed = data["rules"].pop()["id"]
    data["rules"][0]["salience"] = 7
    data["rules"].append({"id": "NEW-ONE", "description": {"zh": "新", "en": "new"},
                          "when": {"signal": "hostile_words"}, "then": {"points": {"emotion": 5}}})
    rules.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    channels = new / "knowledge" / "channels.yaml"
    channels.write_text(channels.read_text(encoding="utf-8").replace("order: 40", "order: 45"), encoding="utf-8")
    old_rs = load_ruleset(MINI / "rules", MINI / "knowledge")
    new_rs = load_ruleset(new / "rules", new / "knowledge")
    changes = {(c.kind, c.key, c.change): c for c in entry_diff(old_rs, new_rs)}
    assert set(changes) == {("rules", removed, "removed"), ("rules", "NEW-ONE", "added"),
                            ("rules", data["rules"][0]["id"], "changed"), ("channels", "arbitration", "changed")}
    assert changes[("rules", "NEW-ONE", "added")].new_at.endswith(f"mini.yaml:{new_rs.sources['NEW-ONE'].line}")
    assert changes[("rules", removed, "removed")].old_at == str(old_rs.sources[removed])
    assert changes[("channels", "arbitration", "changed")].fields == [("order", "40", "45")]
    assert changes[("rules", data["rules"][0]["id"], "changed")].fields[0][0] == "salience"
