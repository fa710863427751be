"""The review-board set (tests/review_board/*.yaml): published real cases with the outcome an expert would sign.

Many expectations there are targets that today's engine does not meet yet (issue 14), so this module does not
require them to pass. It guards what must hold regardless: every file loads and assesses, the set covers each
sector with the agreed minimum, every case names its source, and every id an expectation names exists in the
knowledge base (a typo would make a check meaningless) — except the ids the issue-14 work introduces.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from riskengine.io.casefile import read_case_file
from riskengine.testing.ruletest import check, collect, load_test, run_test

BOARD = Path(__file__).parent / "review_board"
FILES = collect([BOARD])
# Ids agreed in /work/shared-ids.md that the advice and narrative helpers add (issue 14).
PENDING = {"strategy": {"safety_crisis_protocol", "extortion_response"},
           "finding": {"safety_crisis", "suspected_extortion"}}
MINIMUM = {("CN", "insurance"): 15, ("CN", "banking"): 12, ("CN", "securities"): 6, ("CN", "ecommerce"): 8,
           ("CN", "services"): 5, ("UK", "banking"): 6, ("US", "banking"): 6}


def _named(want) -> list[str]:
    if isinstance(want, dict):
        return [x for k in ("contains", "excludes", "exactly", "in") for x in want.get(k, [])]
    return [want] if isinstance(want, str) else []


def test_the_board_has_at_least_sixty_cases_and_the_sector_minimums():
    assert len(FILES) >= 60
    sectors = Counter()
    for f in FILES:
        _, case, _ = load_test(f)
        sectors[(case.get("jurisdiction", "CN"), case["industry"])] += 1
    short = {k: (sectors[k], n) for k, n in MINIMUM.items() if sectors[k] < n}
    assert not short, f"sectors below their minimum (have, need): {short}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_case_loads_assesses_and_names_its_source(engine, path):
    result = run_test(engine, path)
    assert result.error is None, result.error
    assert str(read_case_file(path).get("source") or "").strip(), f"{path.name}: no source"


def test_every_id_an_expectation_names_exists(engine):
    k = engine.ruleset.knowledge
    known = {"legal_bases": set(k.legal_bases), "channels": set(k.channels), "taboos": set(k.taboos),
             "script.say": set(k.phrases), "strategy.id": set(k.strategies) | PENDING["strategy"],
             "strategy.also": set(k.strategies) | PENDING["strategy"]}
    unknown = []
    for f in FILES:
        _, _, expect = load_test(f)
        for path, want in expect.items():
            for name in _named(want):
                if path in known and name not in known[path]:
                    unknown.append(f"{f.name}: {path} {name}")
    assert not unknown, unknown


def test_script_phrases_can_be_checked_by_id(engine):
    path = BOARD / "ins14_leaflet_is_not_explanation.yaml"
    _, case, _ = load_test(path)
    a = engine.assess(engine.parse_case(case, str(path)))
    said = [p.id for p in a.script.say]
    assert said, "the script says something"
    assert check(a, {"script.say": {"contains": [said[0]]}}) == []
    assert check(a, {"script.say": {"excludes": [said[0]]}}) != []


def test_every_expected_legal_basis_was_in_force_for_that_sector_and_date(engine):
    """An expectation may only ask for a basis that governed the case's sector on the day it was received."""
    import datetime as dt
    bases = engine.ruleset.knowledge.legal_bases
    wrong = []
    for f in FILES:
        _, case, expect = load_test(f)
        day = case["received"] if isinstance(case["received"], dt.date) else dt.date.fromisoformat(str(case["received"]))
        for lb_id in (expect.get("legal_bases") or {}).get("contains", []):
            lb = bases[lb_id]
            if lb.effective and lb.effective > day or lb.ends and lb.ends < day:
                wrong.append(f"{f.name}: {lb_id} not in force on {day}")
            if lb.industries and case["industry"] not in lb.industries:
                wrong.append(f"{f.name}: {lb_id} does not govern {case['industry']}")
    assert not wrong, wrong


# Handlers rarely tick signal boxes: run every case with its ticked `signals:` removed, so the advice rests on what
# the narrative reader finds. Raised as the reading improves; never lowered without a reason in the commit.
NARRATIVE_ONLY_FLOOR = 91


def test_advice_from_the_narrative_alone_keeps_its_pass_rate(engine):
    results = [run_test(engine, path, narrative_only=True) for path in FILES]
    failed = [Path(r.file).stem for r in results if not r.passed]
    assert len(results) - len(failed) >= NARRATIVE_ONLY_FLOOR, f"{len(failed)} fail narrative-only: {failed}"


def test_narrative_only_drops_the_ticked_signals_and_nothing_else(engine, tmp_path):
    path = tmp_path / "ticked.yaml"
    path.write_text("case:\n  id: T-1\n  received: 2026-11-02\n  industry: banking\n  channel: hotline\n  category: other\n"
                    "  signals: [threatens_lawsuit]\n  narrative: 客户来电询问账户年费。\nexpect:\n"
                    "  findings: {contains: [legal_action_threat]}\n", encoding="utf-8")
    assert run_test(engine, path).passed
    result = run_test(engine, path, narrative_only=True)
    assert not result.passed and "legal_action_threat" in result.failures[0]
