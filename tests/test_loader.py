"""Loader and validator errors: each kind of bad file gives the right code, message and location."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from riskengine import RulesetError, load_ruleset
from tests.conftest import STRATEGY_WARNING_RULES

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(MINI, tmp_path / "mini")
    return tmp_path / "mini"


def problems_for(tree, rules_text=None, **knowledge):
    if rules_text is not None:
        (tree / "rules" / "extra.yaml").write_text(textwrap.dedent(rules_text), encoding="utf-8")
    for name, text in knowledge.items():
        (tree / "knowledge" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(RulesetError) as err:
        load_ruleset(tree / "rules", tree / "knowledge")
    return err.value.problems


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[str(p) for p in problems]}"
    return found[0]


RULE = """\
rules:
  - id: X-1
    description: {zh: 测试, en: test}
    when:
      all:
        - signal: threatens_media
        - %s
    then:
      points: {time: 5}
"""


def test_shipped_mini_fixture_is_valid():
    rs = load_ruleset(MINI / "rules", MINI / "knowledge")
    assert len(rs.rules) == 10 and len(rs.version) == 16


def test_yaml_syntax_error_names_line_and_column(tree):
    p = only(problems_for(tree, "rules:\n  - id: X\n    when: {signal: a\n"), "RE001")
    assert p.file.endswith("rules/extra.yaml") and p.line == 4


def test_unknown_key_suggests_the_right_one(tree):
    text = RULE % "field: industry\n          eq: banking"
    p = only(problems_for(tree, text.replace("salience", "x").replace("    then:", "    thne:")), "RE011")
    assert "unknown key 'thne'" in p.message and "did you mean 'then'" in p.hint and p.line == 9


def test_wrong_type_is_reported_with_field(tree):
    p = only(problems_for(tree, (RULE % "field: industry\n          eq: banking").replace("time: 5", "time: lots")),
             "RE010")
    assert "then.points.time" in p.message and p.line == 10


def test_unknown_signal_field_and_value(tree):
    problems = problems_for(tree, RULE.replace("threatens_media", "threatens_medai") % (
        "field: industy\n          eq: banking"))
    sig = only(problems, "RE101")
    assert "threatens_medai" in sig.message and "threatens_media" in sig.hint and sig.line == 6
    fld = only(problems, "RE102")
    assert "industy" in fld.message and "industry" in fld.hint and fld.line == 7


def test_enum_value_and_operator_type_mismatch(tree):
    problems = problems_for(tree, RULE % "field: industry\n          eq: bank")
    assert "never 'bank'" in only(problems, "RE106").message
    problems = problems_for(tree, RULE % "field: industry\n          gt: 3")
    assert "compares numbers" in only(problems, "RE106").message


def test_unknown_knowledge_ids(tree):
    text = RULE % "field: industry\n          eq: banking"
    text = text.replace("points: {time: 5}", "strategy: agent_protocl\n      taboos: [nope]")
    problems = problems_for(tree, text)
    codes = [p for p in problems if p.code == "RE103"]
    assert {("agent_protocl" in p.message) for p in codes} == {True, False}
    assert any("did you mean 'agent_protocol'" in p.hint for p in codes)


def test_finding_never_asserted_and_rule_never_fires(tree):
    text = RULE % "finding: nobody_asserts_this"
    problems = problems_for(tree, text)
    assert "nobody_asserts_this" in only(problems, "RE104").message
    contra = RULE % "all: [{field: history.days_open, ge: 30}, {field: history.days_open, lt: 10}]"
    assert "can never fire" in only(problems_for(tree, contra), "RE105").message


def test_negation_cycle_is_refused(tree):
    text = """\
    rules:
      - id: A
        description: {zh: a, en: a}
        when: {not: {finding: fb}}
        then: {findings: [fa]}
      - id: B
        description: {zh: b, en: b}
        when: {finding: fa}
        then: {findings: [fb]}
    """
    assert only(problems_for(tree, text), "RE107")


def test_duplicates_and_aliases(tree):
    dup = """\
    rules:
      - id: MEDIA-LONG
        description: {zh: a, en: a}
        when: {signal: threatens_media}
        then: {points: {time: 1}}
    """
    p = only(problems_for(tree, dup), "RE020")
    assert "first defined at" in p.hint
    assert {p.file.rsplit("/", 1)[-1], p.hint.rsplit("/", 1)[-1].split(":")[0]} == {"mini.yaml", "extra.yaml"}
    alias = "rules:\n  - &r {id: A}\n  - *r\n"
    assert "aliases" in only(problems_for(tree, alias), "RE001").message
    twice = "rules:\n  - id: A\n    id: B\n"
    assert "appears twice" in only(problems_for(tree, twice), "RE001").message


def test_knowledge_errors_and_every_error_is_listed(tree):
    problems = problems_for(tree, RULE % "field: industry\n          gt: 3",
                            taboos="taboos:\n  - id: t1\n    name: {zh: a, en: a}\n    severity: extreme\n")
    files = {p.file.rsplit("/", 1)[-1] for p in problems}
    assert {"taboos.yaml"} <= files
    assert len([p for p in problems if p.severity == "error"]) >= 2


def test_unsafe_narrative_and_rule_patterns(tree):
    text = RULE % "field: narrative\n          matches: \"(a+)\\\\1\""
    p = only(problems_for(tree, text), "RE013")
    assert "back-references" in p.message and p.line == 8


def test_wrong_top_level_key(tree):
    p = only(problems_for(tree, "rule:\n  - id: A\n"), "RE003")
    assert "rules:" in p.message


def test_warnings_do_not_block_loading(tree):
    (tree / "rules" / "extra.yaml").write_text(
        "rules:\n  - id: W\n    description: {zh: w, en: w}\n    when: {signal: threatens_media}\n"
        "    then: {findings: [unused_finding]}\n", encoding="utf-8")
    rs = load_ruleset(tree / "rules", tree / "knowledge")
    assert [p.code for p in rs.problems] == ["RW301"]


def test_unsafe_narrative_pattern_in_knowledge(tree):
    text = (tree / "knowledge" / "indicators.yaml").read_text(encoding="utf-8")
    problems = problems_for(tree, None, indicators=text.replace("[再次投诉]", "['(再)\\1投诉']"))
    p = only(problems, "RE013")
    assert p.file.endswith("indicators.yaml") and p.line == 12


def _load_with(tree, text):
    (tree / "rules" / "extra.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_ruleset(tree / "rules", tree / "knowledge")


def test_strategy_tie_and_shadowing_are_warned(tree):
    rs = _load_with(tree, "rules:\n" + STRATEGY_WARNING_RULES
                    + "  - id: NEVER-TOGETHER\n"
                      "    description: {zh: n, en: n}\n"
                      "    when: {all: [{field: industry, eq: insurance}, {field: channel, eq: visit}]}\n"
                      "    then: {strategy: settlement}\n")
    warnings = {p.code: p for p in rs.problems}
    shadow = warnings["RW304"]
    assert "SHADOWED recommends routine, but whenever it fires TIE-A also fires" in shadow.message
    assert shadow.hint.startswith("TIE-A is at") and shadow.line == 13
    assert not any("NEVER-TOGETHER" in p.message and "TIE-A" in p.message for p in rs.problems)


def test_channel_tie_is_warned_unless_the_rules_exclude_each_other(tree):
    rs = _load_with(tree, """\
    rules:
      - id: CH-A
        description: {zh: a, en: a}
        when: {all: [{field: industry, eq: banking}]}
        then: {channels: [{id: internal, reason: {zh: a, en: a}, rank: 5}]}
      - id: CH-B
        description: {zh: b, en: b}
        when: {all: [{field: channel, eq: app}]}
        then: {channels: [{id: mediation, reason: {zh: b, en: b}, rank: 5}]}
    """)
    assert [p.code for p in rs.problems] == []  # internal and mediation have different default orders
    (tree / "knowledge" / "channels.yaml").write_text(
        (tree / "knowledge" / "channels.yaml").read_text(encoding="utf-8").replace("order: 20", "order: 10"),
        encoding="utf-8")
    rs = load_ruleset(tree / "rules", tree / "knowledge")
    assert [p.code for p in rs.problems] == ["RW305"] and "CH-A and CH-B" in rs.problems[0].message
    text = (tree / "rules" / "extra.yaml").read_text(encoding="utf-8")
    (tree / "rules" / "extra.yaml").write_text(
        text.replace("{field: channel, eq: app}", "{field: industry, eq: insurance}"), encoding="utf-8")
    assert load_ruleset(tree / "rules", tree / "knowledge").problems == []


def test_a_pattern_unsafe_only_once_normalised_is_refused_at_load(tree):
    # a full-width backslash and brackets are literal characters as written, and a back-reference once normalised
    # (NFKC), the form the reader compiles: the load refuses it, so an engine need not check patterns at start-up
    text = (tree / "knowledge" / "indicators.yaml").read_text(encoding="utf-8")
    problems = problems_for(tree, None, indicators=text.replace("[再次投诉]", "['（再）＼1投诉']"))
    p = only(problems, "RE013")
    assert p.file.endswith("indicators.yaml") and p.line == 12
