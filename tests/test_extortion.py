"""Issue 14, extortion protocol (rules/extortion.yaml, docs/policy.md "Extortion protocol"): planted,
swapped or pay-or-expose evidence read from the narrative leads to the extortion response with the
police, and the same words without that evidence do not."""
from __future__ import annotations

import pytest


def diner(narrative: str, amount: float = 800, **over) -> dict:
    data = {"id": "X-1", "received": "2025-06-02", "industry": "services", "channel": "visit",
            "category": "product_quality", "amount_in_dispute": amount,
            "demand": {"type": "compensation", "amount": amount},
            "complainant": {"represented_by": "self", "emotion": "agitated"}, "narrative": narrative}
    data.update(over)
    return data


def channels(a) -> list[str]:
    return [c.id for c in a.channels]


@pytest.mark.parametrize("narrative", [
    "顾客说汤里有只苍蝇，要求免单。店长调看监控，画面显示他从随身的小盒子里拿出东西放进汤碗。",
    "顾客称菜里有蟑螂要赔偿。厨师发现这只蟑螂完整干净，没煮过。",
    "The diner said there was a cockroach in the soup; the CCTV shows he took it from his own bag.",
])
def test_a_planted_object_leads_to_the_extortion_response_with_the_police(engine, narrative):
    a = engine.assess(diner(narrative))
    assert "suspected_extortion" in a.findings
    assert a.strategy.id == "extortion_response"
    assert "police" in channels(a)
    taboos = [t.id for t in a.taboos]
    assert "label_customer_malicious" in taboos and "pay_stability_money" in taboos
    # a small consumer sum: the supervisor and the police, not the legal department's level 3
    assert a.escalation.level == 2


def test_the_same_complaint_without_evidence_of_planting_is_an_ordinary_food_complaint(engine):
    a = engine.assess(diner("顾客说汤里有只苍蝇，要求免单。店长调看监控，画面显示后厨卫生有问题。"))
    assert "suspected_extortion" not in a.findings
    assert a.strategy.id != "extortion_response"
    assert "police" not in channels(a)


def test_money_or_exposure_is_read_as_pay_or_expose_but_a_plain_media_threat_is_not(engine):
    threat = engine.assess(diner("他索要两万元精神损失，说不给就发视频曝光。", amount=20000))
    assert "settle_privately_or_report" in [s.signal for s in threat.signals.from_narrative]
    assert threat.strategy.id == "extortion_response"
    assert threat.escalation.level == 3          # a large sum: legal takes part
    plain = engine.assess(diner("菜里有头发，店员态度很差，再不处理我就找媒体曝光。"))
    assert "settle_privately_or_report" not in [s.signal for s in plain.signals.from_narrative]
    assert "suspected_extortion" not in plain.findings


def test_a_swapped_return_label_is_faked_evidence_with_the_no_multiple_rule(engine):
    a = engine.assess(diner("仓库拆开退回的包裹，里面是便宜的小商品，面单是从贵的商品上撕下来贴上去的。",
                            amount=980, industry="ecommerce", channel="online",
                            demand={"type": "full_refund", "amount": 980}))
    assert "suspected_extortion" in a.findings
    assert "CPL-REG-ART-49" in [b.id for b in a.legal_bases]


def test_an_agent_ring_that_extorts_keeps_the_agent_protocol_ahead(engine):
    a = engine.assess({"id": "X-2", "received": "2025-06-02", "industry": "insurance", "channel": "letter",
                       "category": "surrender_refund", "entitlement_amount": 30000,
                       "demand": {"type": "full_refund", "amount": 90000},
                       "complainant": {"represented_by": "third_party_agent"},
                       "signals": ["third_party_speaks", "agent_fee_share"],
                       "narrative": "信里写的违规情节与投保录音对不上。"})
    assert a.strategy.id == "suspected_agent_protocol"
    assert "CBIRC-2020-3-ART-16" in [b.id for b in a.legal_bases]


def test_a_consumer_suing_for_refund_plus_three_is_not_level_three(engine):
    base = {"id": "X-3", "received": "2025-06-02", "industry": "ecommerce", "channel": "online",
            "category": "misleading_sales", "entitlement_amount": 1024,
            "complainant": {"represented_by": "self", "emotion": "calm"}, "signals": ["court_filed"]}
    within = engine.assess({**base, "demand": {"type": "compensation", "amount": 1024}})
    beyond = engine.assess({**base, "demand": {"type": "compensation", "amount": 20000}})
    assert within.escalation.level == 2
    assert beyond.escalation.level == 3


# ---------------------------------------------------------------- what extortion is not (issue 14 §2, harm audit)

def legal_ids(a) -> list[str]:
    return [b.id for b in a.legal_bases]


@pytest.mark.parametrize("lawful_threat", ["threatens_lawsuit", "mentions_regulator", "petition_threat"])
def test_pay_or_i_sue_or_complain_to_the_regulator_is_never_extortion(engine, lawful_threat):
    """EXTORTION-PAY-OR-EXPOSE once asserted extortion on `settle_privately_or_report` alone: a claimant who says
    'pay or I sue / go to the regulator' was routed to the police. A lawful route is never extortion, even when
    the sum asked is high."""
    a = engine.assess(diner("", amount=20000, signals=["settle_privately_or_report", lawful_threat,
                                                       "excessive_compensation"]))
    assert "suspected_extortion" not in a.findings and "extortion_risk" not in a.findings
    assert a.strategy.id != "extortion_response"
    assert "police" not in channels(a)
    assert "CRIM-ART-274" not in legal_ids(a)


def test_pay_or_expose_within_the_entitlement_is_not_extortion_but_above_it_is(engine):
    base = {"entitlement_amount": 1500, "signals": ["settle_privately_or_report", "threatens_media"]}
    within = engine.assess(diner("", amount=1500, **base))
    assert "suspected_extortion" not in within.findings
    assert "police" not in channels(within)
    above = engine.assess(diner("", amount=1500, demand={"type": "compensation", "amount": 30000}, **base))
    assert "suspected_extortion" in above.findings
    assert above.strategy.id == "extortion_response" and "police" in channels(above)


def test_pay_or_expose_when_nothing_is_owed_is_suspected_extortion(engine):
    a = engine.assess(diner("", amount=5000, entitlement_amount=0,
                            signals=["settle_privately_or_report", "social_media_post"]))
    assert "suspected_extortion" in a.findings


def test_an_agent_threatening_regulator_complaints_about_a_real_grievance_is_not_extortion(engine):
    base = {"id": "X-4", "received": "2025-06-02", "industry": "insurance", "channel": "letter",
            "category": "surrender_refund", "entitlement_amount": 30000,
            "demand": {"type": "full_refund", "amount": 90000},
            "complainant": {"represented_by": "third_party_agent"}}
    lawful = engine.assess({**base, "signals": ["third_party_speaks", "agent_fee_share", "settle_privately_or_report",
                                                "mentions_regulator"]})
    assert lawful.agent.suspected
    assert "AGENT-PAY-OR-I-REPORT" not in [e.rule for e in lawful.explanation]
    invented = engine.assess({**base, "signals": ["third_party_speaks", "agent_fee_share", "settle_privately_or_report",
                                                  "mentions_regulator", "fabricated_sales_flaws"]})
    assert "AGENT-PAY-OR-I-REPORT" in [e.rule for e in invented.explanation]
    assert "extortion_risk" in invented.findings


# ---------------------------------------------------------------- a lone claimant is not a paid agent (issue 13, 14)

def test_a_lone_diner_who_plants_and_says_pay_or_expose_is_not_a_suspected_agent(engine):
    """AGENT-STRONG-PLUS-CLEAR-SIGN counted forged_evidence + settle_privately_or_report as a paid agent."""
    a = engine.assess(diner("", amount=20000, signals=["forged_evidence", "settle_privately_or_report",
                                                       "threatens_media"]))
    assert not a.agent.suspected
    assert "suspected_agent" not in a.findings and "agent_possible" not in a.findings
    assert "suspected_extortion" in a.findings and a.strategy.id == "extortion_response"


def test_the_same_planting_with_a_paid_third_party_is_a_suspected_agent(engine):
    a = engine.assess(diner("", amount=20000, signals=["forged_evidence", "settle_privately_or_report",
                                                       "threatens_media", "third_party_speaks", "agent_fee_share"]))
    assert a.agent.suspected and "suspected_agent" in a.findings


def test_a_lone_serial_claimant_over_the_agent_score_line_is_not_a_suspected_agent(engine):
    """forged_evidence (30) + three complaints against the seller in 30 days (20) reached the agent line (50)."""
    a = engine.assess(diner("", amount=980, industry="ecommerce", channel="online",
                            demand={"type": "full_refund", "amount": 980},
                            history={"complaints_against_seller_30d": 3}, signals=["forged_evidence"]))
    assert a.agent.score >= 50
    assert not a.agent.suspected
    assert a.strategy.id == "extortion_response"


def test_a_lawful_threat_is_scored_as_itself_not_as_coercion(engine):
    """DIM-LEVERAGE-FOR-MONEY added coercion points for 'pay or I sue / go to the regulator', which (with the
    threats' own points) sent an ordinary product complaint to level 3."""
    lawful = engine.assess(diner("", amount=3999, entitlement_amount=3999, channel="online",
                                 demand={"type": "compensation", "amount": 10000},
                                 signals=["settle_privately_or_report", "threatens_lawsuit", "mentions_regulator"]))
    assert "DIM-LEVERAGE-FOR-MONEY" not in [e.rule for e in lawful.explanation]
    assert lawful.escalation.level <= 2
    exposing = engine.assess(diner("", amount=3999, entitlement_amount=3999, channel="online",
                                   demand={"type": "compensation", "amount": 10000},
                                   signals=["settle_privately_or_report", "threatens_media"]))
    assert "DIM-LEVERAGE-FOR-MONEY" in [e.rule for e in exposing.explanation]


@pytest.mark.parametrize("jurisdiction,category", [("UK", "misleading_sales"), ("US", "debt_collection")])
def test_a_regulated_claims_or_settlement_firms_fee_is_not_a_police_matter(engine, jurisdiction, category):
    """AGENT-FEE-SCHEME-EXTORTION turned any paid representative's fee into extortion_risk and the police
    channel: UK claims-management and US debt-settlement firms are regulated and lawful."""
    a = engine.assess({"id": "X-5", "received": "2025-06-02", "jurisdiction": jurisdiction, "industry": "banking",
                       "channel": "letter", "category": category,
                       "complainant": {"represented_by": "third_party_agent"},
                       "signals": ["third_party_speaks", "agent_fee_share", "template_letter"]})
    assert a.agent.suspected
    assert "extortion_risk" not in a.findings and "police" not in channels(a)


def test_a_chinese_surrender_agent_paid_to_manufacture_complaints_is_still_reported(engine):
    a = engine.assess({"id": "X-6", "received": "2025-06-02", "industry": "insurance", "channel": "letter",
                       "category": "surrender_refund", "entitlement_amount": 21500,
                       "demand": {"type": "full_refund", "amount": 60000},
                       "complainant": {"represented_by": "third_party_agent"},
                       "signals": ["agent_fee_share", "template_letter", "complain_until_refund"]})
    assert "extortion_risk" in a.findings and "police" in channels(a)


def test_going_public_about_an_established_wrong_of_the_seller_is_not_extortion(engine):
    """The 2006 laptop case: a real, admitted defect, a huge demand and 'or I expose it' — no prosecution."""
    a = engine.assess(diner("她要求赔偿500万美元，说不赔就发视频曝光。", amount=20900, industry="ecommerce",
                            price=20900, fraud_by_seller=True, received="2016-06-02",
                            demand={"type": "compensation", "amount": 40000000}))
    assert "excessive_demand" in a.findings
    assert "suspected_extortion" not in a.findings and "police" not in channels(a)
    assert "threaten_complainant" in [t.id for t in a.taboos]
