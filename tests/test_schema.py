"""JSON Schema of the files staff write: every shipped file passes an independent validator (jsonschema),
the checked-in schemas and modelines are current, and a misspelt key or an unknown id fails both the
schema and the loader, so the two cannot disagree silently."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from riskengine.cli import main
from riskengine.errors import CaseError, RulesetError
from riskengine.load.cached_loader import load_ruleset
from riskengine.testing.ruletest import load_test
from riskengine.authoring.scaffold import expected_modeline, yaml_files
from riskengine.authoring.schema import dumps, schema_files

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


def _plain(data):
    """As the YAML language server sees a file: dates are strings (JSON has no dates)."""
    return json.loads(json.dumps(data, default=str))


def _schema_of(root: Path, path: Path) -> str:
    line = expected_modeline(root, path)
    assert line is not None, f"{path}: no schema fits this file"
    return line.split("schemas/", 1)[1]


@pytest.fixture(scope="module")
def shipped_schemas():
    return schema_files(load_ruleset())


@pytest.fixture(scope="module")
def mini_schemas():
    return schema_files(load_ruleset(MINI / "rules", MINI / "knowledge"))


def test_every_schema_is_a_valid_draft_07_schema(shipped_schemas):
    for rel, doc in shipped_schemas.items():
        assert doc["$schema"] == "http://json-schema.org/draft-07/schema#", rel
        jsonschema.Draft7Validator.check_schema(doc)


SHIPPED = yaml_files(ROOT)


def test_the_shipped_files_cover_every_kind_of_file():
    kinds = {_schema_of(ROOT, p) for p in SHIPPED}
    assert {"rules.schema.json", "case.schema.json", "ruletest.schema.json",
            "knowledge/channels.schema.json", "knowledge/scoring.schema.json"} <= kinds


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_file_is_valid_against_its_schema(path, shipped_schemas):
    data = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    validator = jsonschema.Draft7Validator(shipped_schemas[_schema_of(ROOT, path)])
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_file_starts_with_its_modeline(path):
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == expected_modeline(ROOT, path), "run `riskengine init --refresh .`"


def test_checked_in_schemas_are_up_to_date(shipped_schemas):
    on_disk = {p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").rglob("*.json")}
    assert on_disk == set(shipped_schemas), "run `riskengine init --refresh .`"
    for rel, doc in shipped_schemas.items():
        assert (ROOT / "schemas" / rel).read_text(encoding="utf-8") == dumps(doc), \
            f"schemas/{rel} is out of date: run `riskengine init --refresh .`"


def test_schemas_carry_the_rulesets_ids_and_both_languages(shipped_schemas):
    rs = load_ruleset()
    defs = shipped_schemas["rules.schema.json"]["definitions"]
    assert defs["signal_id"]["enum"] == sorted(rs.knowledge.signals)
    assert defs["strategy_id"]["enum"] == sorted(rs.knowledge.strategies)
    assert set(defs["finding_id"]["enum"]) == {f for r in rs.rules for f in r.then.findings}
    assert "derived.is_financial" in defs["field_path"]["enum"]
    salience = defs["Rule"]["properties"]["salience"]["description"]
    assert "优先级" in salience and "/" in salience
    channel = shipped_schemas["knowledge/channels.schema.json"]["definitions"]["Channel"]["properties"]
    assert channel["eligible_when"]["anyOf"][0] == {"$ref": "#/definitions/condition"}


# ------------------------------------------------------------------------------- negative: both fail
def _rule(**over) -> dict:
    rule = {"id": "NEW-RULE", "description": {"zh": "新", "en": "new"},
            "when": {"signal": "threatens_media"}, "then": {"findings": ["media_risk"]}}
    rule.update(over)
    return rule


BAD_RULES = {
    "misspelt key": _rule(salince=3),
    "misspelt operator": _rule(when={"field": "history.days_open", "gte": 3}),
    "unknown signal": _rule(when={"signal": "threatens_medai"}),
    "unknown field": _rule(when={"field": "history.day_open", "ge": 3}),
    "unknown strategy": _rule(then={"strategy": "settlment"}),
    "unknown taboo": _rule(then={"taboos": ["no_such_taboo"]}),
    "unknown channel": _rule(then={"channels": [{"id": "arbitraton", "reason": {"zh": "x", "en": "x"}}]}),
    "finding never asserted": _rule(when={"finding": "media_risc"}),
}


def _mini_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "rs"
    shutil.copytree(MINI, dest)
    return dest


@pytest.mark.parametrize("name", BAD_RULES)
def test_a_bad_rule_fails_both_the_schema_and_the_loader(name, tmp_path, mini_schemas):
    rs_dir = _mini_copy(tmp_path)
    path = rs_dir / "rules" / "mini.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"].append(BAD_RULES[name])
    assert list(jsonschema.Draft7Validator(mini_schemas["rules.schema.json"]).iter_errors(_plain(data)))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesetError):
        load_ruleset(rs_dir / "rules", rs_dir / "knowledge")


def test_the_good_rule_passes_both(tmp_path, mini_schemas):
    rs_dir = _mini_copy(tmp_path)
    path = rs_dir / "rules" / "mini.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"].append(_rule())
    assert not list(jsonschema.Draft7Validator(mini_schemas["rules.schema.json"]).iter_errors(_plain(data)))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "NEW-RULE" in load_ruleset(rs_dir / "rules", rs_dir / "knowledge").rules_by_id


@pytest.mark.parametrize("name, change", [
    ("misspelt key", lambda ch: ch.update(oder=5)),
    ("unknown legal basis", lambda ch: ch.update(legal_bases=["NO-SUCH-LAW"])),
    ("bad eligibility", lambda ch: ch.update(eligible_when={"field": "industy", "eq": "banking"})),
])
def test_a_bad_knowledge_entry_fails_both(name, change, tmp_path, mini_schemas):
    rs_dir = _mini_copy(tmp_path)
    path = rs_dir / "knowledge" / "channels.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["channels"][0])
    assert list(jsonschema.Draft7Validator(mini_schemas["knowledge/channels.schema.json"]).iter_errors(_plain(data)))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesetError):
        load_ruleset(rs_dir / "rules", rs_dir / "knowledge")


@pytest.mark.parametrize("change", [
    {"industy": "banking"}, {"signals": ["threatens_medai"]}, {"complainant": {"emotoin": "calm"}},
    {"industry": "bank"},
], ids=["misspelt key", "unknown signal", "misspelt nested key", "unknown enum value"])
def test_a_bad_case_fails_both(change, mini_engine, mini_schemas, make_case):
    case = make_case(**change)
    assert list(jsonschema.Draft7Validator(mini_schemas["case.schema.json"]).iter_errors(case))
    with pytest.raises(CaseError):
        mini_engine.parse_case(case, "case.yaml")


def test_a_bad_rule_test_fails_both(tmp_path, shipped_schemas, make_case):
    path = tmp_path / "t.yaml"
    data = {"name": "x", "case": make_case(), "expcet": {"risk.level": "low"}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert list(jsonschema.Draft7Validator(shipped_schemas["ruletest.schema.json"]).iter_errors(data))
    with pytest.raises(CaseError):
        load_test(path)


# ------------------------------------------------------------------------------------ commands
def test_schema_command_prints_one_schema_and_checks_a_folder(tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["schema", "knowledge", "channels"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["properties"]["channels"]["type"] == "array"
    assert runner.invoke(main, ["schema", "knowledge", "chanels"]).exit_code == 2
    assert runner.invoke(main, ["schema", "all", "--out", str(tmp_path), "--check"]).exit_code == 1
    assert runner.invoke(main, ["schema", "all", "--out", str(tmp_path)]).exit_code == 0
    checked = runner.invoke(main, ["schema", "all", "--out", str(tmp_path), "--check"])
    assert checked.exit_code == 0 and "up to date" in checked.output


def test_init_starts_a_ruleset_folder_with_schemas_and_modelines(tmp_path):
    runner = CliRunner()
    dest = tmp_path / "ruleset"
    out = runner.invoke(main, ["init", str(dest), "--rules", str(MINI / "rules"),
                               "--knowledge", str(MINI / "knowledge")])
    assert out.exit_code == 0, out.output
    files = yaml_files(dest)
    assert files and all(p.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=") for p in files)
    for path in files:      # each modeline points at a schema that exists and that the file satisfies
        target = (path.parent / path.read_text(encoding="utf-8").split("$schema=", 1)[1].split("\n", 1)[0]).resolve()
        doc = json.loads(target.read_text(encoding="utf-8"))
        assert not list(jsonschema.Draft7Validator(doc).iter_errors(_plain(yaml.safe_load(path.read_text("utf-8")))))
    assert load_ruleset(dest / "rules", dest / "knowledge").rules
    again = runner.invoke(main, ["init", str(dest)])
    assert again.exit_code == 1 and "not empty" in again.output
