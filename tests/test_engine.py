"""Engine behaviour on the small fixture ruleset: chaining, policy, threads, determinism."""
from __future__ import annotations

import threading

import pytest

from riskengine import Assessment, CaseError
from tests.conftest import base_case


def assess(engine, **over) -> Assessment:
    return engine.assess(base_case(**over))


def test_three_level_chain_is_explained_in_order(mini_engine):
    a = assess(mini_engine, signals=["threatens_media"], history={"days_open": 12})
    fired = [s.rule for s in a.explanation]
    assert fired.index("MEDIA-LONG") < fired.index("MEDIA-ESCALATE") < fired.index("HEAD-CHANNEL")
    step = next(s for s in a.explanation if s.rule == "MEDIA-LONG")
    assert step.matched == {"signal:threatens_media": "declared", "history.days_open": 12}
    assert step.effect == {"points": {"time": 10}, "findings": ["media_risk"]}
    assert a.escalation.level == 3 and a.escalation.rules == ["MEDIA-ESCALATE"]
    assert [c.id for c in a.channels] == ["mediation"] and a.channels[0].rules == ["HEAD-CHANNEL"]
    assert a.findings == ["media_risk", "needs_head"]


def test_chain_stops_when_a_condition_fails(mini_engine):
    a = assess(mini_engine, signals=["threatens_media"], history={"days_open": 3})
    assert "MEDIA-LONG" not in [s.rule for s in a.explanation]
    assert a.escalation.level == 1 and a.findings == []


def test_scores_dimensions_and_levels(mini_engine):
    a = assess(mini_engine, signals=["threatens_media", "repeat_complaint"], history={"days_open": 12})
    assert a.risk.dimensions.space == 15 and a.risk.dimensions.time == 20
    assert a.risk.score == 35 and a.risk.level == "medium"


def test_strategy_precedence_and_negation(mini_engine):
    plain = assess(mini_engine, demand={"type": "full_refund", "amount": 1000})
    assert plain.strategy.id == "settlement"
    assert [o.id for o in plain.strategy.outranked] == ["routine"]
    agent = assess(mini_engine, demand={"type": "full_refund"}, signals=["template_letter", "contact_phone_changed"])
    # The agent protocol wins, and SETTLE does not fire at all: its `not suspected_agent` is stratified
    # after the rule that asserts it, whatever the salience.
    assert agent.strategy.id == "agent_protocol"
    assert "SETTLE" not in [s.rule for s in agent.explanation]
    assert agent.agent.suspected and agent.agent.score == 60 and agent.agent.signs == [
        "contact_phone_changed", "template_letter"]
    assert [t.id for t in agent.taboos] == ["stability_money"]


def test_vulnerable_care_is_reported_beside_the_winner(mini_engine):
    a = assess(mini_engine, complainant={"age": 80}, signals=["template_letter", "contact_phone_changed"])
    assert a.strategy.id == "agent_protocol"
    # issue 14 §5: every other applicable strategy is reported beside the leader, by precedence
    # (recommended-beside and outranked alike), so no protocol is hidden
    assert [s.id for s in a.strategy.also] == ["care", "routine"]


def test_channel_eligibility_and_rank(mini_engine):
    no = assess(mini_engine, demand={"type": "compensation"})
    assert [c.id for c in no.channels] == ["internal"]
    assert [c.id for c in no.channels_excluded] == ["arbitration"]
    assert no.channels_excluded[0].reason.en == "No arbitration agreement"
    yes = assess(mini_engine, demand={"type": "compensation"}, arbitration_agreement=True)
    assert [c.id for c in yes.channels] == ["internal", "arbitration"]


def test_deadlines_pick_the_earliest_applicable(mini_engine):
    fin = assess(mini_engine, received="2025-09-28")
    assert fin.escalation.deadline.id == "cn_15" and str(fin.escalation.respond_by) == "2025-10-13"
    shop = assess(mini_engine, industry="ecommerce", category="delivery_delay", received="2025-09-28")
    # 7 working days after 28 Sep 2025: the 1-8 October holiday is skipped, and Saturday 11 October
    # is an adjusted working day in China.
    assert shop.escalation.deadline.id == "cn_7wd" and str(shop.escalation.respond_by) == "2025-10-14"


def test_narrative_signals_are_kept_apart_from_declared(mini_engine):
    a = assess(mini_engine, narrative="客户表示要找ＭＥＤＩＡ和记者；还说我们是骗子")
    assert a.signals.declared == []
    hits = {h.signal: h.text for h in a.signals.from_narrative}
    assert hits == {"threatens_media": "media", "hostile_words": "骗子"}
    assert a.risk.dimensions.emotion == 20


def test_unknown_signal_and_bad_fields_are_case_errors(mini_engine):
    with pytest.raises(CaseError, match="unknown signal 'threatens_medai'.*did you mean 'threatens_media'"):
        assess(mini_engine, signals=["threatens_medai"])
    with pytest.raises(CaseError, match="industry: Input should be.*not 'insurence'.*did you mean 'insurance'"):
        assess(mini_engine, industry="insurence")
    with pytest.raises(CaseError, match="complainnt: unknown field.*complainant"):
        assess(mini_engine, complainnt={})


def test_missing_facts_come_from_the_rules(mini_engine):
    a = assess(mini_engine, demand={"type": "compensation"}, signals=["template_letter"])
    facts = {m.fact: m for m in a.missing_facts}
    assert "signal:contact_phone_changed" in facts
    m = facts["signal:contact_phone_changed"]
    assert "agent.suspected: False → True" in m.would_change and "AGENT" in m.rules
    assert facts["arbitration_agreement"].would_change == [
        "if arbitration_agreement = True: channels: internal → internal,arbitration"]
    assert a.missing_facts[0].impact >= a.missing_facts[-1].impact


def test_same_case_gives_byte_identical_json(mini_engine):
    case = base_case(signals=["threatens_media"], history={"days_open": 20}, narrative="找记者")
    assert mini_engine.assess(case).to_json() == mini_engine.assess(dict(case)).to_json()


def test_experta_and_fast_path_agree(mini_engine):
    cases = [base_case(signals=s, history={"days_open": d}, demand={"type": t}, complainant={"age": age})
             for s in ([], ["threatens_media"], ["template_letter", "contact_phone_changed"])
             for d in (1, 30) for t in ("apology", "full_refund") for age in (30, 80)]
    for case in cases:
        slow = mini_engine.assess(case, engine="experta", missing_facts=False)
        fast = mini_engine.assess(case, engine="compiled", missing_facts=False)
        for a in (slow, fast):
            a.engine = "-"
            a.explanation = sorted(a.explanation, key=lambda s: s.rule)
            for i, s in enumerate(a.explanation):
                s.order = i
        assert slow == fast


def test_assess_is_safe_from_many_threads(mini_engine):
    cases = [base_case(id=f"T-{i}", signals=["threatens_media"] if i % 2 else [],
                       history={"days_open": i % 20}) for i in range(40)]
    expected = {c["id"]: mini_engine.assess(c, missing_facts=False).to_json() for c in cases}
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(chunk):
        try:
            for c in chunk:
                got[c["id"]] = mini_engine.assess(c, missing_facts=False).to_json()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(cases[i::8] * 3,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and got == expected


def test_case_errors_carry_a_structured_location(engine):
    from riskengine import CaseError
    with pytest.raises(CaseError) as bad_field:
        engine.parse_case(base_case(complainant={"age": -3}), "cases.jsonl:17")
    err = bad_field.value
    assert (err.file, err.line, err.field, err.pointer, err.code) == \
        ("cases.jsonl", 17, "complainant.age", "/complainant/age", "RE201")
    with pytest.raises(CaseError) as bad_signal:
        engine.parse_case(base_case(signals=["threatens_media", "nope"]), "c.yaml")
    err = bad_signal.value
    assert (err.file, err.line, err.pointer, err.code) == ("c.yaml", None, "/signals/1", "RE202")
