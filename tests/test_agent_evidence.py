"""Agent evidence that decides (rules/agent.yaml): a hard fact alone or a documentary pair reaches
`suspected_agent`; relatives and lawyers are not agents; a lone claimant's pay-or-expose is
`suspected_extortion`, found in the handler's narrative."""
from __future__ import annotations

import pytest

BASE = {"id": "t", "received": "2026-03-02", "industry": "insurance", "channel": "hotline",
        "category": "surrender_refund"}


def findings(engine, narrative="", signals=(), **extra):
    case = {**BASE, "narrative": narrative, "signals": list(signals), **extra}
    result = engine.assess(case, engine="compiled", missing_facts=False)
    return set(result.findings), result


@pytest.mark.parametrize("narrative", [
    "客户称已向维权公司支付了退回金额三成的服务费。",
    "保单联系电话上月被改成了中介的号码，客户本人并不知道。",
    "中介让客户不要接保险公司的电话，有事都找他们对接。",
])
def test_one_hard_fact_in_the_narrative_reaches_suspicion(engine, narrative):
    got, result = findings(engine, narrative)
    assert "suspected_agent" in got and result.agent.suspected


def test_a_documentary_pair_reaches_suspicion_but_not_for_a_relative(engine):
    pair = ["template_letter", "third_party_power_of_attorney"]
    assert "suspected_agent" in findings(engine, signals=pair)[0]
    got, _ = findings(engine, signals=pair, complainant={"represented_by": "relative"})
    assert "suspected_agent" not in got


def test_one_documentary_sign_alone_is_not_suspicion(engine):
    assert "suspected_agent" not in findings(engine, signals=["template_letter"])[0]


def test_a_declared_professional_third_party_plus_one_sign(engine):
    got, _ = findings(engine, signals=["template_letter"], complainant={"represented_by": "third_party_agent"})
    assert "suspected_agent" in got


def test_pay_or_expose_is_suspected_extortion_not_an_agent(engine):
    # extortion needs a demand above what is owed (a CNY 159 cup, CNY 5,000 asked) with the threat (issue 14 §2)
    got, _ = findings(engine, "买家来信：给五千元私了，否则就举报并发视频曝光。", industry="ecommerce",
                      category="product_quality", amount_in_dispute=159,
                      demand={"type": "compensation", "amount": 5000})
    assert {"suspected_extortion", "extortion_risk"} <= got and "suspected_agent" not in got


def test_an_agents_fee_is_not_a_fee_dispute(engine):
    _, result = findings(engine, "客户称已向维权公司支付了退回金额三成的服务费。")
    hits = {h.signal: h for h in result.signals.from_narrative}
    assert "agent_fee_share" in hits and "fee_dispute" not in hits
    assert hits["agent_fee_share"].concepts and hits["agent_fee_share"].sentence == 1
