"""Golden cases (tests/cases/*.yaml) and shipped examples, on the shipped ruleset.

Each golden case is a rule test: the same files run with `riskengine test tests/cases`. When a golden
case and the engine disagree, the knowledge is fixed, never the expectation — unless the expectation
was wrong on the facts, which the case file then says in a comment.
"""
from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
import yaml
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.contracts.case import Category, ChannelIn, Industry
from riskengine.testing.ruletest import collect, load_test, run_test

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = collect([ROOT / "tests" / "cases"])
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def results(engine):
    return {p: run_test(engine, p) for p in GOLDEN}


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_case(results, path):
    result = results[path]
    assert result.error is None, result.error
    assert not result.failures, "\n".join(result.failures + [f"fired: {', '.join(result.fired)}"])


def test_there_are_enough_golden_cases_covering_the_domain(engine, results):
    results = list(results.values())
    assert len(results) >= 30
    cases = [r.assessment for r in results if r.assessment]
    raw = [engine.parse_case(load_test(p)[1]) for p in GOLDEN]
    assert {c.category for c in raw} == set(get_args(Category))
    assert {c.industry for c in raw} == set(get_args(Industry))
    assert {c.channel for c in raw} == set(get_args(ChannelIn))
    assert {a.escalation.level for a in cases} == {1, 2, 3, 4}


def test_every_rule_is_fired_by_some_golden_case(engine, results):
    fired = {rule for r in results.values() for rule in r.fired}
    never = sorted(r.id for r in engine.ruleset.rules if r.id not in fired)
    assert never == []


def test_cli_rule_test_command_runs_the_golden_cases():
    res = CliRunner().invoke(main, ["test", str(ROOT / "tests" / "cases"), "-q", "--coverage", "--min-coverage",
                                    "100"])
    assert res.exit_code == 0, res.stdout[-2000:]
    assert res.stdout.strip().endswith(f"{len(GOLDEN)} passed, 0 failed")


def test_examples_cover_the_required_situations(engine):
    assert len(EXAMPLES) >= 6
    results = {p.stem: engine.assess(engine.parse_case(yaml.safe_load(p.read_text("utf-8")))) for p in EXAMPLES}
    channels = {c.id for a in results.values() for c in a.channels}
    assert {"internal", "arbitration"} <= channels
    assert channels & {"industry_mediation", "peoples_mediation", "court_annexed_mediation"}
    assert channels & {"regulator", "litigation", "court_annexed_mediation"}
    assert {a.escalation.level for a in results.values()} == {1, 2, 3, 4}
    assert any(a.agent.suspected for a in results.values())
    assert all(a.risk.dimensions for a in results.values())
    for dim in ("time", "space", "emotion", "interest", "communication"):
        assert any(getattr(a.risk.dimensions, dim) > 0 for a in results.values()), dim


def test_shipped_ruleset_validates_without_errors(engine):
    errors = [str(p) for p in engine.ruleset.problems if p.severity == "error"]
    assert errors == []


def test_scripts_ask_fitting_questions_and_never_say_a_taboo(engine, results):
    forbidden = [t for taboo in engine.ruleset.knowledge.taboos.values() for t in taboo.never_say]
    for path, r in results.items():
        a = r.assessment
        say = a.script.say
        assert 3 <= len(say) <= 6, path.stem
        assert [s.situation for s in say][0] == "opening" and any(s.situation == "question" for s in say), path.stem
        for line in say:
            for bad in forbidden:
                assert bad.zh not in line.text.zh and bad.en.lower() not in line.text.en.lower(), (path.stem, bad.zh)
        assert {x.taboo for x in a.script.avoid} <= {t.id for t in a.taboos}
        assert a.profile.nature is not None and a.profile.priority is not None


@pytest.mark.parametrize("category, question", [
    ("claim_denial", "q_claim_"), ("surrender_refund", "q_surrender_"),
])
def test_questions_fit_the_demand_type(engine, results, category, question):
    # a safety crisis speaks of safety only (issue 14 §1): no questions about the claim then
    matching = [r.assessment for p, r in results.items() if load_test(p)[1]["category"] == category
                and not r.assessment.agent.suspected and "safety_crisis" not in r.assessment.findings
                # surrender questions are about an insurance policy (a prepaid gym card is refunded, not surrendered)
                and (question != "q_surrender_" or load_test(p)[1]["industry"] == "insurance")]
    assert matching, category
    for a in matching:
        ids = [s.id for s in a.script.say if s.situation == "question"]
        assert any(i.startswith(question) or i.startswith("q_excessive") for i in ids), (a.case_id, ids)
