"""Missing facts build a signal trial's state without validating the whole case again; it must be the
state the validated case data of that trial gives."""
from __future__ import annotations

from pathlib import Path

from riskengine.contracts.case import Case
from riskengine.explain.missing_facts import _with_signal, trials
from riskengine.io.casefile import read_case_file

ROOT = Path(__file__).resolve().parent.parent


def test_a_signal_trial_state_is_that_of_the_validated_trial_case(engine):
    checked = 0
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        case = engine.parse_case(read_case_file(str(path)))
        state, hits = engine.state(case)
        for fact, sid, data in trials(engine.ruleset, case, state):
            if not fact.startswith("signal:"):
                continue
            full = engine.state(Case.model_validate(data), hits)[0]
            quick = _with_signal(case, state, sid)
            assert quick.facts == full.facts and list(quick.facts) == list(full.facts), fact
            assert quick.signals == full.signals and quick.signal_sources == full.signal_sources, fact
            checked += 1
    assert checked > 500


def test_a_signal_trial_the_case_format_would_refuse_is_skipped(engine, make_case):
    sid = next(iter(engine.ruleset.knowledge.indicators))
    case = engine.parse_case(make_case(signals=[sid] * 500))      # at the limit of the case format
    state, _hits = engine.state(case)
    assert _with_signal(case, state, "x") is None
    case = engine.parse_case(make_case(signals=[sid] * 499))
    assert _with_signal(case, engine.state(case)[0], "x").facts["signals"] == [sid] * 499 + ["x"]


def test_lateness_is_asked_as_the_days_open_just_past_the_cases_own_answer_clock(engine, make_case):
    # UK: 8 weeks (56 days) allow; the rule asks for 1 day past, so 57 days open is tried. CN insurers: 15 + 1.
    for jurisdiction, industry, first_late in (("UK", "banking", 57), ("CN", "insurance", 16)):
        case = engine.parse_case(make_case(jurisdiction=jurisdiction, industry=industry, history={}))
        state, _hits = engine.state(case)
        tried = [value for fact, value, _data in trials(engine.ruleset, case, state) if fact == "history.days_open"]
        assert first_late in tried, (jurisdiction, tried)
