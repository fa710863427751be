"""The compact decision row: every field equals the full assessment's, on both engines; its outputs
(JSON Lines, CSV, Parquet) carry the same rows, byte-identical from run to run; its schema is documented."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskengine import Assessment
from riskengine.contracts.case import Case
from riskengine.cli import main
from riskengine.contracts.decision_row import ROW_FIELDS, DecisionRow, build_row, decision_row_schema, read_rows
from tests.conftest import ROOT
from tests.test_batch import RULES, make_cases, write_jsonl


def row_from_assessment(a: Assessment, case: Case) -> dict:
    """What a row must say, read from the full assessment and the case (an oracle independent of
    policy.decision_figures)."""
    d = a.risk.dimensions
    return {
        "case_id": a.case_id, "ruleset_version": a.ruleset.version, "received": case.received.isoformat(),
        "jurisdiction": case.jurisdiction, "industry": case.industry, "intake_channel": case.channel,
        "category": case.category, "product": case.product, "days_open": case.history.days_open,
        "risk_score": a.risk.score, "risk_level": a.risk.level, "risk_time": d.time, "risk_space": d.space,
        "risk_emotion": d.emotion, "risk_interest": d.interest, "risk_communication": d.communication,
        "agent_score": a.agent.score, "agent_suspected": a.agent.suspected, "agent_signs": a.agent.signs,
        "strategy": a.strategy.id if a.strategy else None,
        "also_strategies": [s.id for s in a.strategy.also] if a.strategy else [],
        "escalation_level": a.escalation.level,
        "respond_by": a.escalation.respond_by.isoformat() if a.escalation.respond_by else None,
        "deadline": a.escalation.deadline.id if a.escalation.deadline else None,
        "channels": [c.id for c in a.channels], "taboos": [t.id for t in a.taboos],
        "legal_bases": [lb.id for lb in a.legal_bases], "findings": a.findings,
        "fired_rules": [s.rule for s in a.explanation], "signals": a.signals.declared,
        "narrative_signals": sorted({h.signal for h in a.signals.from_narrative}),
        "vulnerable": sorted(case.complainant.vulnerable),
    }


@pytest.mark.parametrize("engine_name,n", [("compiled", 400), ("experta", 40)])
def test_every_row_field_equals_the_full_assessment(engine, engine_name, n):
    from riskengine.testing.generate import generate_cases
    from riskengine.testing.ruletest import collect, load_test
    golden = [load_test(p)[1] for p in collect([ROOT / "tests" / "cases"])]
    cases = golden + generate_cases(n, seed=19, knowledge=engine)   # the golden cases cover every level
    seen = {"levels": set(), "narrative": 0, "deadline": 0, "legal": 0}
    for data in cases:
        case = engine.parse_case(data)
        full = engine.assess(case, engine=engine_name, missing_facts=False)
        row = build_row(engine, case, engine_name)
        assert tuple(row) == ROW_FIELDS
        assert row == row_from_assessment(full, case), data.get("id")
        DecisionRow.model_validate(row)   # the dict is what the documented model says
        seen["levels"].add(row["risk_level"])
        seen["narrative"] += bool(row["narrative_signals"])
        seen["deadline"] += row["deadline"] is not None
        seen["legal"] += bool(row["legal_bases"])
    # the comparison saw every level and non-empty optional parts
    assert seen["levels"] == {"low", "medium", "high", "critical"}
    assert seen["narrative"] and seen["deadline"] and seen["legal"]


def test_batch_writes_rows_by_default_and_full_assessments_with_full(tmp_path, mini_engine):
    cases = make_cases(12)
    write_jsonl(tmp_path / "in.jsonl", cases)
    runner = CliRunner()
    for name, extra in (("rows.jsonl", []), ("full.jsonl", ["--full"]), ("rows.csv", []), ("rows.parquet", [])):
        result = runner.invoke(main, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / name),
                                      *extra, *RULES])
        assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (tmp_path / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    for data, row in zip(cases, rows):
        case = mini_engine.parse_case(data)
        assert row == row_from_assessment(mini_engine.assess(case, engine="compiled", missing_facts=False), case)
    full = [json.loads(x) for x in (tmp_path / "full.jsonl").read_text(encoding="utf-8").splitlines()]
    assert full[0] == mini_engine.assess(cases[0], engine="compiled", missing_facts=False).model_dump(mode="json")
    assert list(read_rows(tmp_path / "rows.csv")) == rows
    pytest.importorskip("pyarrow")
    assert list(read_rows(tmp_path / "rows.parquet")) == rows


def test_rows_are_byte_identical_run_to_run_and_with_two_workers(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", make_cases(40, seed=5))
    outs = []
    for name, workers in (("a.jsonl", "1"), ("b.jsonl", "2"), ("a.csv", "1"), ("b.csv", "2")):
        result = CliRunner().invoke(main, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / name),
                                           "--workers", workers, *RULES])
        assert result.exit_code == 0, result.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and outs[2] == outs[3] and outs[0].count(b"\n") == 40


def test_parquet_cannot_be_resumed_and_says_so(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", make_cases(2))
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "o.parquet"),
                                       "--resume", *RULES])
    assert result.exit_code == 1 and "cannot be resumed" in result.output and "Traceback" not in result.output


def test_reading_something_that_is_not_a_row_names_the_line(tmp_path):
    from riskengine.errors import CaseError
    p = tmp_path / "x.jsonl"
    p.write_text('{"case_id": "A", "risk_level": "low"}\n{"case_id": "B", "risk": {}}\n', encoding="utf-8")
    with pytest.raises(CaseError) as err:
        list(read_rows(p))
    assert err.value.location.endswith("x.jsonl:2") and "--full" in err.value.message


def test_the_documented_json_schema_is_the_models():
    shipped = json.loads((ROOT / "docs" / "decision-row.schema.json").read_text(encoding="utf-8"))
    assert shipped == decision_row_schema()
    documented = Path(ROOT / "docs" / "decision-row.md").read_text(encoding="utf-8")
    missing = [f for f in ROW_FIELDS if f"`{f}`" not in documented]
    assert not missing, f"fields not described in docs/decision-row.md: {missing}"
