"""Differential proof: the compiled fast path and the experta engine give identical assessments.

Every golden case (tests/cases/*.yaml), every shipped example and 10,000 generated cases that together
fire every rule of the shipped ruleset are assessed by both engines.

- Golden cases, examples and the first 1,000 generated cases: the whole assessments must be equal field
  for field, except ``engine`` and the firing order (``explanation`` is compared sorted by rule, without
  ``order``; the facts each rule matched are compared in their key order).
- The other 9,000 generated cases: the decision rows (docs/decision-row.md) must be equal — every score,
  level, dimension, strategy, escalation, deadline, channel, taboo, legal basis, finding and fired rule.
  The rest of an assessment (texts, profile, script, the facts each rule matched) is made from the same
  state, findings and firings by code the two engines share, which the first 1,000 check whole; rows
  leave out building it, which is most of the compiled side's cost and a quarter of experta's.

experta runs in a two-process pool (riskengine.run.batch.assess_records), the fast path in this process.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riskengine import Assessment, CaseError
from riskengine.contracts.decision_row import build_row
from riskengine.run.batch import assess_records
from riskengine.io.casefile import read_case_file
from riskengine.testing.generate import generate_cases

ROOT = Path(__file__).resolve().parent.parent
GENERATED = 10_000
COMPARED_WHOLE = 1_000      # of the generated cases, compared as whole assessments
SEED = 20251124


def comparable(a: Assessment) -> dict:
    d = a.model_dump(mode="json")
    d.pop("engine")
    steps = []
    for step in d["explanation"]:
        step.pop("order")
        step["matched"] = list(step["matched"].items())   # key order matters in the JSON output too
        steps.append(step)
    d["explanation"] = sorted(steps, key=lambda s: s["rule"])
    return d


def both(engine, cases: list[dict], rows: bool = False) -> list[tuple[str, object, object]]:
    """(case id, compiled result, experta result) per case — assessments, or with ``rows`` decision rows;
    experta runs in two worker processes while this process runs the compiled path on the cases they
    are not busy with."""
    out = []
    slow = assess_records(engine, cases, workers=2, engine="experta", chunksize=16, rows=rows)
    for i, case in enumerate(cases):
        try:
            fast = (build_row(engine, case, "compiled") if rows
                    else engine.assess(case, engine="compiled", missing_facts=False))
        except CaseError as exc:
            fast = exc
        index, other = next(slow)
        assert index == i
        out.append((case.get("id", f"#{i}"), fast, other))
    assert next(slow, None) is None
    return out


def comparable_row(row: dict) -> dict:
    return dict(row, fired_rules=sorted(row["fired_rules"]))


def fired_rules(d: dict) -> set[str]:
    """The rules fired, from a comparable assessment or row."""
    return {s["rule"] for s in d["explanation"]} if "explanation" in d else set(d["fired_rules"])


def assert_same(results, rows: bool = False) -> None:
    """Each case's two results equal (assessments, or with ``rows`` decision rows); bad cases fail alike."""
    mismatched = []
    for case_id, fast, slow in results:
        if isinstance(fast, CaseError) or isinstance(slow, CaseError):
            assert str(fast) == str(slow), case_id
            continue
        if rows:
            a, b = comparable_row(fast), comparable_row(slow)
        else:
            assert fast.engine == "compiled" and slow.engine == "experta"
            a, b = comparable(fast), comparable(slow)
        if a != b:
            fields = [k for k in a if a[k] != b[k]]
            mismatched.append(f"{case_id}: differs in {fields}; rules fired by one engine only: "
                              f"{sorted(fired_rules(a) ^ fired_rules(b))}")
    assert not mismatched, f"{len(mismatched)} case(s) differ:\n" + "\n".join(mismatched[:20])


def golden_and_example_cases() -> list[dict]:
    cases = []
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("case"), dict):
            cases.append(data["case"])
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        cases.append(read_case_file(path))
    return cases


def test_golden_cases_and_examples_agree(engine):
    cases = golden_and_example_cases()
    if not cases:
        pytest.skip("no golden cases or examples yet")
    assert_same(both(engine, cases))


def test_ten_thousand_generated_cases_agree_and_fire_every_rule(engine):
    cases = generate_cases(GENERATED, SEED, engine)
    assert len(cases) == GENERATED and len({c["id"] for c in cases}) == GENERATED
    whole = both(engine, cases[:COMPARED_WHOLE])
    assert_same(whole)
    results = both(engine, cases[COMPARED_WHOLE:], rows=True)
    assert_same(results, rows=True)
    assessments = [fast for _id, fast, _slow in whole if isinstance(fast, Assessment)]
    rows = [fast for _id, fast, _slow in results if not isinstance(fast, CaseError)]
    fired = ({s.rule for a in assessments for s in a.explanation}
             | {rule for row in rows for rule in row["fired_rules"]})
    never = sorted({r.id for r in engine.plan.rules} - fired)
    assert not never, f"the generator never fired {len(never)} rule(s): {never}"
    levels = {a.risk.level for a in assessments} | {row["risk_level"] for row in rows}
    assert levels == {"low", "medium", "high", "critical"}
