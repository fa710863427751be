"""Compliance workflow: rule tests with coverage and JUnit, change impact, decision records, replay."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from tests.conftest import MINI

MINI_ARGS = ["--rules", str(MINI / "rules"), "--knowledge", str(MINI / "knowledge")]
PASSING = """\
name: media threat on a long case
case: {id: RT-1, received: 2025-03-20, industry: insurance, channel: hotline, category: claim_denial,
       history: {days_open: 12}, signals: [threatens_media]}
expect:
  escalation.level: 3
  risk.score: {ge: 25}
  channels: {contains: [mediation], excludes: [arbitration]}
  fired: {contains: [MEDIA-LONG, MEDIA-ESCALATE]}
"""
FAILING = """\
name: wrong expectation
case: {id: RT-2, received: 2025-03-20, industry: insurance, channel: hotline, category: claim_denial}
expect:
  risk.level: critical
  taboos: {exactly: [ignore_emotions]}
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def tests_dir(tmp_path):
    (tmp_path / "pass.yaml").write_text(PASSING, encoding="utf-8")
    return tmp_path


def test_rule_tests_pass_fail_and_summary(runner, tests_dir):
    ok = runner.invoke(main, ["test", str(tests_dir), *MINI_ARGS])
    assert ok.exit_code == 0 and ok.stdout.strip().endswith("1 passed, 0 failed")
    (tests_dir / "fail.yaml").write_text(FAILING, encoding="utf-8")
    bad = runner.invoke(main, ["test", str(tests_dir), *MINI_ARGS])
    assert bad.exit_code == 1
    assert "FAIL" in bad.stdout and "risk.level: expected 'critical', got 'low'" in bad.stdout
    assert "taboos: expected exactly ['ignore_emotions'], got []" in bad.stdout
    assert "fired: PROFILE-BASE, ROUTINE" in bad.stdout
    assert bad.stdout.strip().endswith("1 passed, 1 failed")


def test_coverage_min_coverage_and_junit(runner, tests_dir, tmp_path):
    junit = tmp_path / "out.xml"
    res = runner.invoke(main, ["test", str(tests_dir), "--coverage", "--min-coverage", "90", "--junit", str(junit),
                               *MINI_ARGS])
    assert res.exit_code == 1
    assert "coverage: 5/10 rules fired by some test (50.0%)" in res.stdout
    assert "not fired: AGENT, SETTLE, ELDERLY, PROFILE-AGENT, PROFILE-ELDERLY" in res.stdout
    assert "knowledge strategies used by no rule" not in res.stdout  # all four are recommended by some rule
    assert "below the minimum 90%" in res.stdout
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "1" and suite.get("failures") == "0"
    low = runner.invoke(main, ["test", str(tests_dir), "--min-coverage", "45", *MINI_ARGS])
    assert low.exit_code == 0


def test_junit_records_failures(runner, tests_dir, tmp_path):
    (tests_dir / "fail.yaml").write_text(FAILING, encoding="utf-8")
    junit = tmp_path / "out.xml"
    runner.invoke(main, ["test", str(tests_dir), "--junit", str(junit), *MINI_ARGS])
    failures = ET.parse(junit).getroot().findall("testcase/failure")
    assert len(failures) == 1 and "risk.level" in failures[0].get("message")


# diff and replay run on the batch machinery: either engine, one process or a pool, same report.
ENGINE_RUNS = [[], ["--engine", "experta"], ["--workers", "2"]]


@pytest.mark.parametrize("run_args", ENGINE_RUNS, ids=["default", "experta", "workers2"])
def test_diff_reports_transitions(runner, tmp_path, tests_dir, run_args):
    shutil.copytree(MINI, tmp_path / "new")
    rules = tmp_path / "new" / "rules" / "mini.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("escalation: 3", "escalation: 4"), encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "D-1", "received": "2025-03-20", "industry": "banking", "channel": "app", "category": "other",
         "signals": ["threatens_media"], "history": {"days_open": 30}},
        {"id": "D-2", "received": "2025-03-20", "industry": "banking", "channel": "app", "category": "other"},
        {"id": "D-3", "industry": "nope"},
    ]) + "\n", encoding="utf-8")
    args = ["diff", "--base", str(MINI), "--rules", str(tmp_path / "new" / "rules"),
            "--knowledge", str(tmp_path / "new" / "knowledge"), str(cases), *run_args]
    text = runner.invoke(main, args)
    assert text.exit_code == 0
    assert "1 of 2 cases changed; 1 could not be assessed" in text.stdout
    assert "D-1: escalation.level 3 → 4" in text.stdout
    assert "3 → 4: 1 cases" in text.stdout and "cases.jsonl:3" in text.stderr
    data = json.loads(runner.invoke(main, args + ["--format", "json"]).stdout)
    assert data["transitions"] == {"escalation.level": {"3 → 4": 1}} and data["changed"] == 1


def test_replay_reports_unreadable_lines_and_goes_on(runner, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("id: L-2\nreceived: 2025-03-20\nindustry: insurance\nchannel: hotline\ncategory: other\n",
                    encoding="utf-8")
    log = tmp_path / "decisions.jsonl"
    assert runner.invoke(main, ["assess", str(case), "--format", "json", "--log", str(log), *MINI_ARGS]).exit_code == 0
    with log.open("a", encoding="utf-8") as fh:
        fh.write("[" * 100_000 + "]" * 100_000 + "\n" + '{"input": {}}\n')
    res = runner.invoke(main, ["replay", str(log), *MINI_ARGS])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "3 decisions replayed" in res.stdout and "2 differ" in res.stdout
    assert "line 2" in res.stdout and "JSON nesting is too deep" in res.stdout
    assert "line 3" in res.stdout and "not a decision record" in res.stdout


@pytest.mark.parametrize("run_args", ENGINE_RUNS, ids=["default", "experta", "workers2"])
def test_decision_log_is_masked_and_replayable(runner, tmp_path, run_args):
    case = tmp_path / "case.yaml"
    case.write_text("id: L-1\nreceived: 2025-03-20\nindustry: insurance\nchannel: hotline\n"
                    "category: claim_denial\nhistory: {days_open: 12}\n"
                    "narrative: 客户王女士(手机13812345678)说要找媒体曝光\n", encoding="utf-8")
    log = tmp_path / "decisions.jsonl"
    for _ in range(2):
        assert runner.invoke(main, ["assess", str(case), "--format", "json", "--log", str(log), *MINI_ARGS]).exit_code == 0
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2
    rec = records[0]
    assert set(rec) == {"timestamp", "case_id", "ruleset_version", "engine", "input", "output", "fired_rules"}
    assert "13812345678" not in json.dumps(rec, ensure_ascii=False) and "王女士" not in rec["input"]["narrative"]
    assert rec["fired_rules"][:1] == ["MEDIA-LONG"] and rec["case_id"] == "L-1"
    same = runner.invoke(main, ["replay", str(log), *MINI_ARGS, *run_args])
    assert same.exit_code == 0 and "2 decisions replayed" in same.stdout and "0 differ" in same.stdout
    # A changed ruleset: the media rule now needs 20 open days, so the logged decisions differ.
    shutil.copytree(MINI, tmp_path / "new")
    rules = tmp_path / "new" / "rules" / "mini.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("ge: 10", "ge: 20"), encoding="utf-8")
    changed = runner.invoke(main, ["replay", str(log), "--rules", str(tmp_path / "new" / "rules"),
                                   "--knowledge", str(tmp_path / "new" / "knowledge"), *run_args])
    assert changed.exit_code == 1 and "2 differ" in changed.stdout
    assert "escalation.level 3 → 1" in changed.stdout and "no longer fires" in changed.stdout
