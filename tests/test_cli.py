"""The command line, through click's CliRunner: outputs, exit codes, one-line errors."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from tests.conftest import MINI

MINI_ARGS = ["--rules", str(MINI / "rules"), "--knowledge", str(MINI / "knowledge")]
CASE = """\
id: CLI-1
received: 2025-03-02
industry: insurance
channel: hotline
category: claim_denial
demand: {type: full_refund, amount: 120000}
history: {days_open: 12}
signals: [threatens_media]
narrative: 客户说要找媒体曝光
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(CASE, encoding="utf-8")
    return path


def test_assess_json(runner, case_file):
    res = runner.invoke(main, ["assess", str(case_file), "--format", "json", *MINI_ARGS])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["case_id"] == "CLI-1" and data["escalation"]["level"] == 3
    assert set(data) >= {"case_id", "ruleset", "risk", "agent", "strategy", "escalation", "channels", "taboos",
                         "legal_bases", "explanation", "missing_facts"}
    assert data["ruleset"]["rules"] == 10 and len(data["ruleset"]["version"]) == 16
    assert data["engine"] == "experta"   # the reference engine is the default for one case


def test_assess_with_the_compiled_engine_gives_the_same_answer(runner, case_file):
    """Equal but for the engine's name and the firing order (as in tests/test_differential.py)."""
    from riskengine import Assessment
    from tests.test_differential import comparable
    reference = runner.invoke(main, ["assess", str(case_file), "--format", "json", *MINI_ARGS]).stdout
    res = runner.invoke(main, ["assess", str(case_file), "--format", "json", "--engine", "compiled", *MINI_ARGS])
    assert res.exit_code == 0, res.output
    fast, slow = Assessment.model_validate_json(res.stdout), Assessment.model_validate_json(reference)
    assert (fast.engine, slow.engine) == ("compiled", "experta")
    assert comparable(fast) == comparable(slow) and fast.explanation and fast.missing_facts == slow.missing_facts


def test_assess_json_case_file_and_text_in_both_languages(runner, case_file, tmp_path):
    as_json = tmp_path / "case.json"
    import yaml
    as_json.write_text(json.dumps(yaml.safe_load(CASE), default=str, ensure_ascii=False), encoding="utf-8")
    zh = runner.invoke(main, ["assess", str(as_json), "--format", "text", *MINI_ARGS])
    en = runner.invoke(main, ["assess", str(case_file), "--format", "text", "--lang", "en", *MINI_ARGS])
    assert zh.exit_code == en.exit_code == 0
    # the first screen (issue 17): in words, rule ids only when asked for
    assert "风险：" in zh.stdout and "第 3 级" in zh.stdout and "MEDIA-ESCALATE" not in zh.stdout
    assert "Risk: " in en.stdout and "level 3" in en.stdout
    with_ids = runner.invoke(main, ["assess", str(as_json), "--format", "text", "--ids", *MINI_ARGS])
    assert "MEDIA-ESCALATE" in with_ids.stdout
    # The same files saved with a byte-order mark (as Windows tools do) give the same assessment.
    for path in (as_json, case_file):
        plain = runner.invoke(main, ["assess", str(path), "--format", "json", *MINI_ARGS]).stdout
        path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
        with_bom = runner.invoke(main, ["assess", str(path), "--format", "json", *MINI_ARGS])
        assert with_bom.exit_code == 0 and with_bom.stdout == plain, with_bom.output


@pytest.mark.parametrize("mutation, message", [
    (lambda t: t.replace("industry: insurance", "industry: insurence"), "not 'insurence' (did you mean 'insurance'?)"),
    (lambda t: t.replace("signals: [threatens_media]", "signals: [threatens_medai]"),
     "did you mean 'threatens_media'"),
    (lambda t: t + "colour: red\n", "colour: unknown field"),
    (lambda t: t.replace("history: {days_open: 12}", "history: {days_open: many}"), "history.days_open"),
    (lambda t: t.replace("demand: {type", "demand: {type: ["), "YAML syntax"),
    (lambda t: "- just\n- a list\n", "one mapping of fields"),
])
def test_bad_case_files_give_one_line_errors(runner, tmp_path, mutation, message):
    path = tmp_path / "bad.yaml"
    path.write_text(mutation(CASE), encoding="utf-8")
    res = runner.invoke(main, ["assess", str(path), *MINI_ARGS])
    assert res.exit_code == 1
    assert message in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1 and str(path) in res.stderr


def test_missing_case_file(runner, tmp_path):
    res = runner.invoke(main, ["assess", str(tmp_path / "nope.yaml"), *MINI_ARGS])
    assert res.exit_code == 1 and "cannot read case file" in res.stderr


def test_validate_ok_and_errors(runner, tmp_path):
    ok = runner.invoke(main, ["validate", *MINI_ARGS])
    assert ok.exit_code == 0 and ok.stdout.startswith("ok: ruleset")
    shutil.copytree(MINI, tmp_path / "m")
    (tmp_path / "m" / "rules" / "bad.yaml").write_text(
        "rules:\n  - id: B\n    description: {zh: b, en: b}\n    when: {signal: nope}\n    then: {escalation: 9}\n",
        encoding="utf-8")
    bad = runner.invoke(main, ["validate", "--rules", str(tmp_path / "m" / "rules"),
                               "--knowledge", str(tmp_path / "m" / "knowledge")])
    assert bad.exit_code == 1
    lines = bad.stderr.strip().splitlines()
    assert any("bad.yaml:5:" in l and "RE010" in l for l in lines)
    assert lines[-1].startswith("1 error(s)") or "error(s)" in lines[-1]


def test_validate_lists_every_error(runner, tmp_path):
    shutil.copytree(MINI, tmp_path / "m")
    (tmp_path / "m" / "rules" / "bad.yaml").write_text(
        "rules:\n  - id: B\n    description: {zh: b, en: b}\n    when: {signal: nope}\n    then: {strategy: nah}\n"
        "  - id: C\n    description: {zh: c, en: c}\n    when: {field: industri, eq: x}\n    then: {escalation: 2}\n",
        encoding="utf-8")
    res = runner.invoke(main, ["validate", "--rules", str(tmp_path / "m" / "rules"),
                               "--knowledge", str(tmp_path / "m" / "knowledge")])
    codes = {c for c in ("RE101", "RE102", "RE103") if c in res.stderr}
    assert res.exit_code == 1 and codes == {"RE101", "RE102", "RE103"}


def test_knowledge_list_and_show(runner):
    res = runner.invoke(main, ["knowledge", "list", "strategies", *MINI_ARGS])
    assert res.exit_code == 0 and "agent_protocol\t代理应对\tAgent protocol" in res.stdout
    show = runner.invoke(main, ["knowledge", "show", "rules", "SETTLE", *MINI_ARGS])
    assert show.exit_code == 0 and "not:" in show.stdout and "finding: suspected_agent" in show.stdout
    miss = runner.invoke(main, ["knowledge", "show", "strategies", "agent_protocl", *MINI_ARGS])
    assert miss.exit_code == 1 and "did you mean 'agent_protocol'" in miss.stderr


def test_version(runner):
    res = runner.invoke(main, ["version", *MINI_ARGS])
    assert res.exit_code == 0 and "rules: 10" in res.stdout


def test_hostile_case_files(runner, tmp_path):
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n', encoding="utf-8")
    huge = tmp_path / "huge.yaml"
    huge.write_text(CASE.replace("narrative: 客户说要找媒体曝光", "narrative: " + "长" * 150_000), encoding="utf-8")
    for path, message in ((deep_json, "nesting is too deep"), (deep_yaml, "nesting"),
                          (bomb, "aliases"), (huge, "narrative: text is 150,000 characters; the limit is 100,000")):
        res = runner.invoke(main, ["assess", str(path), *MINI_ARGS])
        assert res.exit_code == 1 and message in res.stderr, (path, res.output)
        assert "Traceback" not in res.output
    if Path("/dev/zero").exists():   # a file that never ends is read only up to the size limit
        res = runner.invoke(main, ["assess", "/dev/zero", *MINI_ARGS])
        assert res.exit_code == 1 and "file is larger than" in res.stderr


def test_garbage_collection_is_paused_for_start_up_only(runner, case_file, tmp_path, monkeypatch):
    """Loading runs without the cyclic collector; assessing runs with it; it is back on after any command."""
    import gc

    from riskengine import engine as engine_module
    seen = {}
    load, assess = engine_module.load_engine, engine_module.Engine.assess

    def spy_load(*args, **kwargs):
        seen["load"] = gc.isenabled()
        return load(*args, **kwargs)

    def spy_assess(self, *args, **kwargs):
        seen["assess"] = gc.isenabled()
        return assess(self, *args, **kwargs)

    monkeypatch.setattr(engine_module, "load_engine", spy_load)
    monkeypatch.setattr(engine_module.Engine, "assess", spy_assess)
    assert gc.isenabled()
    res = runner.invoke(main, ["assess", str(case_file), "--format", "json", *MINI_ARGS])
    assert res.exit_code == 0 and seen == {"load": False, "assess": True} and gc.isenabled()
    broken = runner.invoke(main, ["assess", str(case_file), "--rules", str(tmp_path / "missing")])
    assert broken.exit_code != 0 and gc.isenabled()
