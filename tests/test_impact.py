"""Change impact (`riskengine diff`) compares two rulesets case by case, whatever the position of a
changed case and however many worker processes run each side."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from riskengine import load_engine
from riskengine.cli.group import main
from riskengine.testing.generate import generate_cases
from riskengine.run.diff import FIELDS, compare



@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def lowered(tmp_path_factory):
    """A copy of the shipped ruleset whose risk-level thresholds are lowered: many cases change level."""
    root = tmp_path_factory.mktemp("lowered")
    from riskengine.load.loader import default_dir
    rules, knowledge = default_dir("rules"), default_dir("knowledge")
    shutil.copytree(rules, root / "rules")
    shutil.copytree(knowledge, root / "knowledge")
    scoring = root / "knowledge" / "scoring.yaml"
    text = scoring.read_text(encoding="utf-8")
    for name, new in (("medium", 5), ("high", 10), ("critical", 15)):
        text = _set_threshold(text, name, new)
    scoring.write_text(text, encoding="utf-8")
    return root


def _set_threshold(text: str, name: str, value: int) -> str:
    import re
    new, n = re.subn(rf"(\b{name}:\s*)\d+", rf"\g<1>{value}", text, count=1)
    assert n == 1, f"no {name} threshold in scoring.yaml"
    return new


@pytest.fixture(scope="module")
def engines(lowered):
    return load_engine(), load_engine(lowered / "rules", lowered / "knowledge")


def _expected(base, new, cases) -> list[dict]:
    """What diff must report, from two independently loaded engines assessing each case alone."""
    out = []
    for case in cases:
        before = base.assess(case, engine="compiled").key_figures().named()
        after = new.assess(case, engine="compiled").key_figures().named()
        out.append({f: (before[f], after[f]) for f in FIELDS if before[f] != after[f]})
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_diff_reports_a_changed_case_that_is_not_first(runner, tmp_path, lowered, workers):
    unchanged = {"id": "U-1", "received": "2025-03-20", "industry": "banking", "channel": "app",
                 "category": "other"}
    changed = {"id": "X-2", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
               "category": "claim_denial", "signals": ["strong_anger", "repeat_complaint"]}
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [unchanged, unchanged | {"id": "U-2"}, changed]) + "\n",
                     encoding="utf-8")
    base, new = load_engine(), load_engine(lowered / "rules", lowered / "knowledge")
    want = _expected(base, new, [unchanged, changed])
    assert not want[0] and want[1], "the fixture must change the third case only"
    from riskengine.load.loader import default_dir
    res = runner.invoke(main, ["diff", "--base", str(default_dir("rules").parent), "--rules", str(lowered / "rules"), "--knowledge", str(lowered / "knowledge"),
                               "--workers", str(workers), "--format", "json", str(cases)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["changed"] == 1
    assert [c["case_id"] for c in data["per_case"]] == ["X-2"]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), workers=st.sampled_from([1, 2]))
def test_diff_equals_two_independent_engines(engines, tmp_path, seed, workers):
    base, new = engines
    cases = generate_cases(12, seed=seed, knowledge=base)
    path = tmp_path / f"cases-{seed}-{workers}.jsonl"
    path.write_text("\n".join(json.dumps(c, default=str) for c in cases) + "\n", encoding="utf-8")
    report = compare(base, new, [path], workers=workers)
    assert [c.changes for c in report.cases] == _expected(base, new, cases)


def test_diff_base_accepts_a_rules_folder_and_says_so(runner, tmp_path):
    from riskengine.load.loader import default_dir
    case = tmp_path / "c.jsonl"
    case.write_text(json.dumps({"id": "B-1", "received": "2025-03-20", "industry": "banking", "channel": "app",
                                "category": "other"}) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["diff", "--base", str(default_dir("rules")), str(case)])
    assert res.exit_code == 0, res.output
    assert "0 of 1 cases changed" in res.stdout and "the rules folder" in res.stderr


def test_diff_base_that_holds_no_ruleset_is_one_located_error(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    case = tmp_path / "c.jsonl"
    case.write_text("{}\n", encoding="utf-8")
    res = runner.invoke(main, ["diff", "--base", str(tmp_path / "empty"), str(case)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "RE002" in res.stderr and str(tmp_path / "empty") in res.stderr
