"""Issue 14: advice an expert would sign — one group of tests per point of the issue, on the shipped
ruleset. Each test guards a behaviour the engine did not have before (see docs/policy.md)."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.language.fields import case_facts
from riskengine.contracts.case import Case
from riskengine.decide.policy import in_force


def case(**over) -> dict:
    data = {"id": "A-1", "received": "2025-06-02", "industry": "insurance", "channel": "hotline",
            "category": "claim_denial", "complainant": {"represented_by": "self"}}
    data.update(over)
    return data


def ids(items) -> list[str]:
    return [getattr(i, "id", None) or getattr(i, "signal", None) for i in items]


def say(a) -> list[str]:
    return [line.id for line in a.script.say]


# ---------------------------------------------------------------- §1 safety outranks everything

@pytest.mark.parametrize("jurisdiction,number", [("CN", "110"), ("UK", "999"), ("US", "911")])
def test_a_self_harm_threat_leads_to_the_safety_protocol_with_the_local_emergency_number(engine, jurisdiction,
                                                                                          number):
    a = engine.assess(case(jurisdiction=jurisdiction, industry="banking", category="service_process",
                           signals=["threatens_self_harm", "complaint_after_refusal"]))
    assert a.strategy.id == "safety_crisis_protocol"
    assert "safety_crisis" in a.findings
    assert number in a.strategy.steps[0].en and "{emergency}" not in a.strategy.steps[0].zh
    assert a.escalation.level == 4 and a.escalation.immediate and a.escalation.within_minutes <= 15
    assert "police" in ids(a.channels)


def test_violence_on_the_premises_outranks_a_group_and_the_press(engine):
    a = engine.assess(case(industry="banking", channel="visit", category="service_process", group_size=30,
                           signals=["threatens_violence", "visit_in_person", "media_involved"]))
    assert a.strategy.id == "safety_crisis_protocol"
    also = ids(a.strategy.also)
    assert "group_complaint_protocol" in also and "media_crisis_protocol" in also
    assert "group_complaint_protocol" in a.strategy.step_from   # the group's key steps are in the plan


def test_in_a_safety_crisis_the_script_speaks_of_safety_only(engine):
    a = engine.assess(case(channel="visit", history={"prior_complaints": 3, "days_open": 40},
                           signals=["threatens_violence", "visit_in_person", "claim_denied"]))
    phrases = engine.ruleset.knowledge.phrases
    assert "closing_safety_first" in say(a)
    assert all(phrases[p].in_crisis for p in say(a))          # no merits, no dates, no money
    assert not [p for p in say(a) if p.startswith("anchor_")]


def test_without_a_threat_there_is_no_crisis_and_no_minutes(engine):
    a = engine.assess(case(signals=["strong_anger"]))
    assert a.strategy.id != "safety_crisis_protocol"
    assert not a.escalation.immediate and a.escalation.within_minutes is None


# ---------------------------------------------------------------- §2 money the law owes

def test_food_below_standard_multiple_is_an_entitlement_not_an_excessive_demand(engine):
    food = case(industry="ecommerce", category="product_quality", channel="online", price=80,
                food_below_standard=True, amount_in_dispute=80, demand={"type": "compensation", "amount": 1080})
    facts = case_facts(Case.model_validate(food))
    assert facts["derived"]["statutory_entitlement"] == 1080.0     # 80 refund + max(800, 0, 1000)
    a = engine.assess(food)
    assert "excessive_demand" not in a.findings and "statutory_multiple_owed" in a.findings
    assert "deny_statutory_multiple" in ids(a.taboos)
    assert "anchor_statutory_entitlement" in say(a) and "anchor_entitlement_ceiling" not in say(a)
    assert a.profile.expectation_gap.entitlement_amount == 1080.0 and not a.profile.expectation_gap.above_entitlement


def test_a_sum_asked_for_without_a_price_against_it_is_not_an_excessive_demand(engine):
    """Reading "按保额赔偿12万" as a demand above the loss would bargain down what the policy owes."""
    owed = engine.assess(case(category="claim_denial", narrative="客户车辆追尾后全损，要求保险公司按保额赔偿12万元，对定损金额有异议。"))
    assert "excessive_compensation" not in [s.signal for s in owed.signals.from_narrative]
    assert "excessive_demand" not in owed.findings
    gap = engine.assess(case(industry="ecommerce", category="product_quality", channel="online",
                             narrative="客户称网购的399元羊毛衫起球，要求商家赔偿1万元。"))
    assert "excessive_compensation" in [s.signal for s in gap.signals.from_narrative]


def test_mis_sold_ppi_premiums_back_with_interest_is_the_set_redress_not_an_excess(engine):
    """The regulator set PPI redress (premiums plus simple interest): asking for it is neither an
    excessive demand nor a demand not owed, and its interest is no disputed fee."""
    a = engine.assess(case(jurisdiction="UK", industry="banking", channel="letter", category="misleading_sales",
                           narrative="I was mis-sold PPI with my loan in 2006. I want all the premiums I paid "
                                     "refunded with 8% interest, as the FCA rules say."))
    read = [s.signal for s in a.signals.from_narrative]
    assert "measure_set_by_precedent" in read and "fee_dispute" not in read
    assert not {"excessive_demand", "demand_not_owed"} & set(a.findings)


@pytest.mark.parametrize("price,expected", [(100, 600.0), (1000, 4000.0)])
def test_seller_fraud_owes_the_refund_plus_three_times_at_least_500(price, expected):
    c = Case.model_validate(case(industry="ecommerce", category="misleading_sales", price=price,
                                 fraud_by_seller=True))
    assert case_facts(c)["derived"]["statutory_entitlement"] == expected


def test_planted_or_swapped_goods_earn_no_multiple(engine):
    c = case(industry="services", category="product_quality", channel="visit", price=200, food_below_standard=True,
             goods_tampered=True, amount_in_dispute=200, demand={"type": "compensation", "amount": 2200})
    assert case_facts(Case.model_validate(c))["derived"]["statutory_entitlement"] is None
    a = engine.assess(c)
    assert "statutory_multiple_owed" not in a.findings and "excessive_demand" in a.findings
    assert "CPL-REG-ART-49" in ids(a.legal_bases)


def test_the_settlement_strategy_never_discounts_the_entitlement(engine):
    steps = " ".join(s.en for s in engine.ruleset.knowledge.strategies["capped_settlement"].steps)
    assert "65%" not in steps and "in full" in steps
    a = engine.assess(case(category="surrender_refund", entitlement_amount=30000,
                           demand={"type": "full_refund", "amount": 60000}))
    assert "bargain_over_entitlement" in ids(a.taboos)


def test_no_settlement_bargaining_with_an_extortionist(engine):
    a = engine.assess(case(industry="ecommerce", category="product_quality", channel="email",
                           entitlement_amount=100, demand={"type": "compensation", "amount": 5000},
                           signals=["settle_privately_or_report", "threatens_media"]))
    assert a.strategy.id == "extortion_response"
    assert "capped_settlement" not in ids(a.strategy.also)
    # 'pay or I report you' (a lawful route) is no extortion, and no bargaining either
    b = engine.assess(case(industry="ecommerce", category="product_quality", channel="email",
                           entitlement_amount=100, demand={"type": "compensation", "amount": 5000},
                           signals=["settle_privately_or_report"]))
    assert b.strategy.id != "extortion_response" and "police" not in ids(b.channels)
    assert b.strategy.id != "capped_settlement" and "capped_settlement" not in ids(b.strategy.also)


# ---------------------------------------------------------------- §3 the right clocks

def test_the_refusal_notice_runs_from_the_decision_and_shows_overdue_days(engine):
    a = engine.assess(case(events={"claim_decided_on": "2025-05-20", "papers_complete_on": "2025-05-01"}),
                      as_of=dt.date(2025, 6, 10))
    assert a.as_of == dt.date(2025, 6, 10)
    actions = {x.id: x for x in a.escalation.actions}
    notice = actions["ins_refusal_notice_3d"]
    assert notice.kind == "duty" and notice.start_event == "events.claim_decided_on"
    assert notice.due == dt.date(2025, 5, 23) and notice.status == "overdue" and notice.overdue_days == 18
    assert notice.step is not None and notice.legal_basis == "INS-ART-24"
    assert actions["ins_claim_decision_30d"].status == "done"
    # the 3-day duty never becomes the complaint-answer date
    assert a.escalation.respond_by == dt.date(2025, 6, 17) and a.escalation.deadline.id == "cbirc_standard_15d"


def test_a_duty_without_its_start_date_is_listed_as_not_started(engine):
    a = engine.assess(case(category="surrender_refund"))
    refund = {x.id: x for x in a.escalation.actions}["ins_surrender_refund_30d"]
    assert refund.status == "not_started" and refund.due is None


def test_respond_by_overdue_and_days_open_reconciled(engine):
    a = engine.assess(case(history={"days_open": 5}), as_of=dt.date(2025, 6, 27))
    assert a.escalation.overdue_days == 10 and a.escalation.days_open == 25
    assert a.escalation.days_open_note is not None            # 5 recorded, 25 by the dates
    quiet = engine.assess(case(history={"days_open": 25}))    # no as_of: received + days_open
    assert quiet.as_of == dt.date(2025, 6, 27) and quiet.escalation.days_open_note is None


@pytest.mark.parametrize("jurisdiction,industry,days", [("UK", "banking", 56), ("US", "banking", 15),
                                                        ("CN", "insurance", 15)])
def test_respond_by_follows_the_jurisdictions_answer_clock(engine, jurisdiction, industry, days):
    a = engine.assess(case(jurisdiction=jurisdiction, industry=industry, category="fees_charges"))
    assert a.escalation.respond_by == dt.date(2025, 6, 2) + dt.timedelta(days=days)


@pytest.mark.parametrize("jurisdiction,industry,days_open,overrun", [
    ("CN", "insurance", 15, False), ("CN", "insurance", 16, True),
    ("UK", "banking", 20, False), ("UK", "banking", 56, False), ("UK", "banking", 57, True),
    ("US", "banking", 16, True), ("CN", "securities", 40, False)])
def test_clock_overrun_is_judged_on_the_cases_own_answer_clock(engine, jurisdiction, industry, days_open, overrun):
    # A UK complaint three weeks old is within the FCA's eight weeks: not late on the Chinese 15 days.
    a = engine.assess(case(jurisdiction=jurisdiction, industry=industry, category="fees_charges",
                           history={"days_open": days_open}))
    assert ("clock_overrun" in a.findings) is overrun


@pytest.mark.parametrize("jurisdiction,sensitive", [("CN", True), ("UK", False), ("US", False)])
def test_early_march_is_a_sensitive_period_only_in_china(engine, jurisdiction, sensitive):
    # The Two Sessions and the 15 March consumer-rights gala are China's: a UK complaint of 3 March that
    # mentions the ombudsman is not escalated to level 3 for "a sensitive period plus a regulator".
    a = engine.assess(case(jurisdiction=jurisdiction, industry="banking", category="fees_charges",
                           received="2025-03-03", signals=["mentions_regulator"]))
    assert ("sensitive_timing" in a.findings) is sensitive
    assert (a.escalation.level >= 3) is sensitive


def test_securities_firms_do_not_get_the_banking_insurance_clock(engine):
    a = engine.assess(case(industry="securities", category="fees_charges"))
    assert "cbirc_standard_15d" not in ids(a.escalation.actions)


def test_cli_as_of_fixes_the_assessment_date(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("id: C\nreceived: 2025-06-02\nindustry: insurance\nchannel: hotline\ncategory: claim_denial\n"
                    "events: {claim_decided_on: 2025-05-20}\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["assess", str(path), "--format", "json", "--as-of", "2025-06-10"])
    assert res.exit_code == 0, res.output
    assert '"as_of": "2025-06-10"' in res.stdout and '"overdue_days": 18' in res.stdout


def test_a_rule_test_file_may_fix_as_of(engine, tmp_path):
    from riskengine.testing.ruletest import run_test
    path = tmp_path / "t.yaml"
    path.write_text("as_of: 2025-06-10\ncase: {id: C, received: 2025-06-02, industry: insurance, channel: hotline,"
                    " category: claim_denial, events: {claim_decided_on: 2025-05-20}}\n"
                    "expect: {as_of: '2025-06-10', escalation.actions: {contains: [ins_refusal_notice_3d]}}\n",
                    encoding="utf-8")
    result = run_test(engine, path)
    assert result.passed, result.failures or result.error


# ---------------------------------------------------------------- §4 escalation by the rules

@pytest.mark.parametrize("over,level", [
    ({"signals": ["threatens_self_harm"]}, 4),                                             # safety
    ({"channel": "visit", "group_size": 25, "signals": ["visit_in_person"]}, 4),          # 20+ in person
    ({"group_size": 3, "signals": ["media_involved", "group_gathering"]}, 4),             # media already in
    ({"regulator_major_case": True}, 4),                                                   # regulator-flagged
    ({"complainant": {"represented_by": "third_party_agent"},
      "signals": ["template_letter", "contact_phone_changed", "threatens_media"]}, 3),     # agent's threat
    ({"complainant": {"emotion": "hostile", "represented_by": "self"}}, 2),
    ({"category": "service_attitude", "industry": "ecommerce"}, 1),
])
def test_each_escalation_level_has_its_entry_conditions(engine, over, level):
    a = engine.assess(case(**over))
    assert a.escalation.level == level, (a.escalation.level, a.escalation.rules)


def test_a_critical_score_alone_is_only_a_hint_below_level_4(engine):
    assert engine.ruleset.knowledge.scoring.level_escalation["critical"] == 3
    a = engine.assess(case(amount_in_dispute=2_000_000, complainant={"emotion": "hostile", "age": 80},
                           history={"prior_complaints": 5, "days_open": 90, "offers_rejected": 3},
                           signals=["strong_anger", "insults_staff", "threatens_lawsuit", "threatens_media",
                                    "petition_threat", "mentions_regulator"]))
    assert a.escalation.level <= 3 or a.escalation.rules, "level 4 must come from a crisis rule"


# ---------------------------------------------------------------- §5 several protocols

def test_a_group_in_the_hall_keeps_the_group_steps_with_the_press_present(engine):
    a = engine.assess(case(industry="banking", channel="visit", category="other", group_size=30,
                           signals=["visit_in_person", "group_gathering", "media_involved"]))
    assert a.strategy.id == "group_complaint_protocol"
    assert any("five representatives" in s.en for s in a.strategy.steps)
    media = {r.id: r for r in a.strategy.also}["media_crisis_protocol"]
    assert media.key_steps and all(step in a.strategy.steps for step in media.key_steps)
    assert len(a.strategy.step_from) == len(a.strategy.steps)


# ---------------------------------------------------------------- §6 who is speaking

def test_the_family_of_a_customer_who_cannot_sign_is_not_asked_for_that_signature(engine):
    a = engine.assess(case(complainant={"represented_by": "relative"}, checks={"cannot_sign": True}))
    assert "demand_signature_from_incapacitated" in ids(a.taboos)
    assert "negotiate_without_original_poa" not in ids(a.taboos)
    assert say(a)[0] == "opening_family_cannot_sign"


def test_a_guardian_is_a_speaker_of_its_own(engine):
    a = engine.assess(case(complainant={"represented_by": "guardian"}))
    assert "opening_family_cannot_sign" in say(a) and "CBIRC-2020-3-ART-14" in ids(a.legal_bases)


def test_a_lawyer_is_answered_in_writing_through_the_lawyer(engine):
    a = engine.assess(case(complainant={"represented_by": "lawyer"}))
    assert "bypass_lawyer" in ids(a.taboos) and "closing_lawyer_in_writing" in say(a)


def test_agent_questions_are_not_put_to_a_lawyer_or_a_relative(engine):
    for rep in ("lawyer", "relative"):
        a = engine.assess(case(complainant={"represented_by": rep}, signals=["third_party_speaks"]))
        assert "q_agent_who_is_helping" not in say(a) and "q_agent_direct_contact" not in say(a)


def test_papers_already_supplied_are_never_asked_for_again(engine):
    a = engine.assess(case(checks={"documents_supplied": True}))
    assert "request_documents_already_held" in ids(a.taboos)
    assert "anchor_one_time_document_list" not in say(a)


def test_bereavement_opens_with_condolences(engine):
    a = engine.assess(case(complainant={"represented_by": "relative", "vulnerable": ["bereaved"]}))
    assert say(a)[0] == "opening_condolence"
    assert "negotiate_without_original_poa" not in ids(a.taboos)


# ---------------------------------------------------------------- §7 the law in force, for the sector

def test_citations_follow_the_version_in_force_on_the_case_dates(engine):
    old = engine.assess(case(industry="ecommerce", category="product_quality", channel="visit", received="2012-05-01",
                             product="香肠", signals=["demands_punitive_damages"]))
    cited = ids(old.legal_bases)
    assert "FSL-2009-ART-96" in cited and "FSL-ART-148" not in cited and "CPL-ART-55" not in cited
    assert {"FSL-ART-148", "CPL-ART-55"} <= set(ids(old.legal_bases_skipped))
    new = engine.assess(case(industry="ecommerce", category="product_quality", channel="visit", product="香肠",
                             signals=["demands_punitive_damages"]))
    assert "FSL-ART-148" in ids(new.legal_bases) and "FSL-2009-ART-96" not in ids(new.legal_bases)


def test_the_banking_insurance_complaint_order_is_not_cited_for_securities(engine):
    basis = engine.ruleset.knowledge.legal_bases["CBIRC-2020-3-ART-18"]
    facts = case_facts(Case.model_validate(case(industry="securities", category="fees_charges")))
    assert in_force(basis, facts) == "other_sector"
    a = engine.assess(case(industry="securities", category="fees_charges"))
    assert not [b for b in ids(a.legal_bases) if b.startswith("CBIRC-2020")]


def test_a_contract_sold_under_old_rules_may_cite_them(engine):
    basis = engine.ruleset.knowledge.legal_bases["CPL-1993-ART-49"]
    sold = case_facts(Case.model_validate(case(events={"contract_sold_on": "2013-05-01"})))
    assert in_force(basis, sold) is None
    assert in_force(basis, case_facts(Case.model_validate(case()))) == "no_longer_in_force"


# ---------------------------------------------------------------- §8 phrases that fit the person

def test_closings_follow_the_channel(engine):
    phone = engine.assess(case(complainant={"age": 80, "represented_by": "self"}))
    visit = engine.assess(case(channel="visit", complainant={"age": 80, "represented_by": "self"}))
    assert "closing_phone_recap" in say(phone) and "closing_plain_recap" not in say(phone)
    assert "closing_plain_recap" in say(visit)


def test_the_slow_opening_is_for_the_elderly(engine):
    young = engine.assess(case(complainant={"vulnerable": ["low_income"], "age": 35, "represented_by": "self"}))
    old = engine.assess(case(complainant={"age": 80, "represented_by": "self"}))
    assert "opening_plain_words" not in say(young) and "opening_plain_words" in say(old)


def test_no_dragged_on_on_day_two_and_no_fee_question_for_interest(engine):
    k = engine.ruleset.knowledge.phrases
    from riskengine.language.tree import evaluate
    early = case_facts(Case.model_validate(case(history={"days_open": 2, "prior_complaints": 0})))
    late = case_facts(Case.model_validate(case(history={"days_open": 40})))
    assert not evaluate(k["q_repeat_settled"].when, early, frozenset(), set())
    assert evaluate(k["q_repeat_settled"].when, late, frozenset(), set())
    interest = case_facts(Case.model_validate(case(industry="banking", category="fees_charges",
                                                   product="定期存款利息")))
    assert not evaluate(k["q_fee_detail"].when, interest, frozenset(), set())


# ---------------------------------------------------------------- §9 ask what decides the case

def test_a_claim_asks_first_for_what_decides_it(engine):
    a = engine.assess(case())
    first = [m.fact for m in a.missing_facts[:4]]
    assert first == ["events.papers_complete_on", "events.refusal_notice_sent_on",
                     "checks.questionnaire_asked_condition", "events.contract_sold_on"]


def test_a_sale_asks_for_the_recording_and_the_risk_assessment(engine):
    a = engine.assess(case(industry="banking", category="misleading_sales"))
    first = [m.fact for m in a.missing_facts[:3]]
    assert first == ["checks.sales_recording", "checks.risk_assessment_done", "complainant.age"]


def test_agent_and_media_questions_only_where_something_points_there(engine):
    plain = engine.assess(case(category="service_attitude"))
    facts = [m.fact for m in plain.missing_facts]
    assert not [f for f in facts if f.startswith("signal:") and f[7:] in engine.ruleset.knowledge.agent_signs]
    assert "signal:media_involved" not in facts


def test_safety_questions_only_where_the_persons_state_or_presence_points_there(engine):
    def asked(**over):
        return {m.fact for m in engine.assess(case(category="service_attitude", **over)).missing_facts}
    calm = asked(complainant={"emotion": "calm", "represented_by": "self"})
    assert not calm & {"signal:threatens_self_harm", "signal:threatens_violence"}
    assert "signal:threatens_self_harm" in asked(complainant={"emotion": "hostile", "represented_by": "self"})
    assert "signal:threatens_self_harm" in asked(complainant={"emotion": "calm", "represented_by": "self"},
                                                 signals=["despair_hopeless"])
    assert "signal:threatens_violence" in asked(complainant={"emotion": "calm", "represented_by": "self"},
                                                channel="visit")


# ---------------------------------------------------------------- both engines agree on the new rules

@pytest.mark.parametrize("over", [
    {"signals": ["threatens_self_harm"], "complainant": {"vulnerable": ["bereaved"], "represented_by": "relative"}},
    {"industry": "ecommerce", "category": "product_quality", "price": 50, "food_below_standard": True,
     "demand": {"type": "compensation", "amount": 1050}},
    {"channel": "visit", "group_size": 30, "signals": ["visit_in_person", "media_involved"]},
    {"complainant": {"represented_by": "lawyer"}, "checks": {"documents_supplied": True}},
])
def test_experta_and_the_compiled_path_agree_on_issue_14_cases(engine, over):
    data = case(**over)
    from test_differential import comparable
    slow = engine.assess(data, engine="experta", missing_facts=False)
    fast = engine.assess(data, engine="compiled", missing_facts=False)
    assert comparable(slow) == comparable(fast)


# ---------------------------------------------------------------- §2 a measure a court or regulator set is the entitlement

def _investor(narrative: str, **over) -> dict:
    return case(industry="securities", channel="letter", category="misleading_sales", amount_in_dispute=42000,
                demand={"type": "compensation", "amount": 42000}, narrative=narrative, **over)


def test_a_claim_on_a_demonstration_judgments_measure_is_not_an_excessive_demand(engine):
    """sec03: a sum on the measure a court's demonstration judgment set for like cases was read as excessive."""
    a = engine.assess(_investor("我的交易时间与示范判决认定的原告相同，请按照示范判决确定的计算方法赔偿我4.2万元，否则我就起诉。"))
    assert "measure_set_by_precedent" in [s.signal for s in a.signals.from_narrative]
    assert "excessive_demand" not in a.findings


def test_a_claim_beyond_the_demonstration_judgments_measure_is_still_excessive(engine):
    a = engine.assess(_investor("示范判决算出来的太少，我要在示范判决的基础上再加一倍，赔偿我4.2万元精神损失。"))
    assert "measure_set_by_precedent" not in [s.signal for s in a.signals.from_narrative]
    assert "excessive_demand" in a.findings


def test_a_demand_within_the_recorded_entitlement_is_not_excessive_whatever_the_words(engine):
    """The excessive-compensation words (精神损失, a sum in 万) do not make a demand excessive when the
    recorded entitlement covers it: excessive means beyond what the law owes."""
    words = "要求赔偿误工费和精神损失共2万元。"
    within = engine.assess(case(industry="services", category="product_quality", entitlement_amount=20000,
                                demand={"type": "compensation", "amount": 20000}, narrative=words))
    assert "excessive_demand" not in within.findings
    beyond = engine.assess(case(industry="services", category="product_quality", narrative=words,
                                demand={"type": "compensation", "amount": 20000}))
    assert "excessive_demand" in beyond.findings          # entitlement unknown: the words still count


# ---------------------------------------------------------------- §2 + §7 statutory multiples in the version in force

@pytest.mark.parametrize("sold,fraud,food,price,want", [
    ("2016-05-01", True, None, 100.0, 600.0),      # CPL 55: refund + max(3x, 500)
    ("2012-05-01", True, None, 100.0, 200.0),      # CPL 1993 Art 49: refund + 1x, no minimum
    ("2016-05-01", None, True, 12.0, 1012.0),      # FSL 148: refund + max(10x, 1,000)
    ("2012-05-01", None, True, 12.0, 132.0),       # FSL 2009 Art 96: refund + 10x, no minimum
    ("2008-05-01", None, True, 12.0, None),        # before the Food Safety Law: no multiple
])
def test_the_statutory_multiple_is_the_one_in_force_on_the_day_of_the_sale(sold, fraud, food, price, want):
    c = Case.model_validate(case(industry="ecommerce", category="product_quality", received="2016-06-01",
                                 price=price, fraud_by_seller=fraud, food_below_standard=food,
                                 events={"contract_sold_on": sold}))
    assert case_facts(c)["derived"]["statutory_entitlement"] == want


def test_seller_fraud_before_2014_cites_the_1993_law_not_article_55(engine):
    a = engine.assess(case(industry="ecommerce", category="misleading_sales", received="2012-03-02",
                           price=20900, fraud_by_seller=True))
    bases = ids(a.legal_bases)
    assert "CPL-1993-ART-49" in bases and "CPL-ART-55" not in bases


def test_the_cfpb_is_offered_only_from_the_day_it_opened(engine):
    data = case(jurisdiction="US", industry="banking", category="debt_collection", signals=["debt_collection_harassment"])
    before = engine.assess({**data, "received": "2000-03-14"})
    assert "us_cfpb" not in ids(before.channels)
    after = engine.assess({**data, "received": "2024-03-14"})
    assert "us_cfpb" in ids(after.channels)


# ---------------------------------------------------------------- harm audit: taboos that must be there

def test_a_big_demand_pressed_with_a_threat_is_never_answered_by_threatening_the_claimant(engine):
    a = engine.assess(case(industry="ecommerce", category="product_quality", entitlement_amount=3999,
                           amount_in_dispute=3999, demand={"type": "compensation", "amount": 40000},
                           signals=["threatens_media"]))
    assert "excessive_demand" in a.findings
    assert "threaten_complainant" in ids(a.taboos)


def test_an_agent_who_forbids_contact_is_not_obeyed(engine):
    a = engine.assess(case(category="surrender_refund", complainant={"represented_by": "third_party_agent"},
                           signals=["third_party_speaks", "told_not_to_contact_insurer", "full_premium_refund_demand"]))
    assert a.agent.suspected
    assert "refuse_direct_contact" in ids(a.taboos)


def test_a_refusal_resting_on_the_customers_gross_negligence_is_not_argued_at_the_customer(engine):
    a = engine.assess(case(jurisdiction="UK", industry="banking", category="other", channel="letter",
                           narrative="The bank refused reimbursement, saying he ignored two warnings, "
                                     "which it calls gross negligence."))
    assert "argue_or_blame_customer" in ids(a.taboos)


@pytest.mark.parametrize("represented_by", ["guardian", "relative"])
def test_the_family_of_a_customer_who_cannot_sign_is_never_asked_for_his_power_of_attorney(engine, represented_by):
    """TABOO-NO-ORIGINAL-POA told the handler not to negotiate without the customer's original signed
    authority as soon as the family showed any authority paper — from a customer who cannot sign."""
    a = engine.assess(case(complainant={"represented_by": represented_by}, checks={"cannot_sign": True},
                           signals=["third_party_speaks", "third_party_power_of_attorney", "claim_denied"]))
    taboos = ids(a.taboos)
    assert "demand_signature_from_incapacitated" in taboos
    assert "negotiate_without_original_poa" not in taboos
    assert "opening_third_party_verify" not in say(a)


def test_a_closed_providers_prepaid_fees_cite_the_prepaid_refund_rule_whatever_the_category(engine):
    """LEGAL-PREPAID-SERVICES needed category surrender_refund; a closure recorded as a service failure lost CPL 53."""
    a = engine.assess(case(industry="services", category="service_process", channel="visit",
                           product="一对一课外辅导预付课时", narrative="培训机构关门，家长要求退还剩余课时费。"))
    assert "CPL-ART-53" in ids(a.legal_bases)


def test_a_lawyers_formal_letter_is_not_an_agent_and_gets_no_agent_questions(engine):
    """Template wording, cited articles, a signed authority and 'contact us, not our client' are a lawyer's
    normal practice: the agent score crossed the line on them and the lawyer was asked about 'fees'."""
    a = engine.assess(case(channel="letter", complainant={"represented_by": "lawyer"},
                           signals=["lawyer_letter", "cites_many_articles", "demands_written_reply", "claim_denied",
                                    "third_party_power_of_attorney", "template_letter", "told_not_to_contact_insurer"]))
    assert not a.agent.suspected and "suspected_agent" not in a.findings
    assert not [p for p in say(a) if p.startswith("q_agent_")]
    assert "closing_lawyer_in_writing" in say(a)


def test_a_relative_routing_the_refund_to_a_third_party_account_is_still_checked_as_an_agent(engine):
    a = engine.assess(case(category="surrender_refund", complainant={"represented_by": "relative"},
                           signals=["refund_to_third_party_account", "agent_fee_share"]))
    assert a.agent.suspected


def test_no_fee_question_for_an_interest_dispute_told_in_the_narrative(engine):
    interest = engine.assess(case(industry="banking", category="fees_charges", product="信用卡",
                                  narrative="客户认为信用卡逾期后的罚息和复利算得太高，年化超过了约定。"))
    assert "q_fee_detail" not in say(interest)
    fee = engine.assess(case(industry="banking", category="fees_charges", product="信用卡",
                             narrative="客户说没激活的卡被扣了年费。"))
    assert "q_fee_detail" in say(fee)


def test_a_third_partys_direct_claim_under_a_liability_policy_cites_insurance_law_65(engine):
    """INS-ART-65 was in the knowledge but no rule cited it: the injured third party was sent back to the driver."""
    a = engine.assess(case(product="商业第三者责任保险", channel="visit", signals=["claim_denied", "passed_around"],
                           narrative="受害人拿着调解书来要求直接赔付，柜台让她去找司机。"))
    assert "INS-ART-65" in ids(a.legal_bases)
    assert "shift_responsibility" in ids(a.taboos)


# ---------------------------------------------------------------- §7 every basis in the knowledge is cited where it applies

@pytest.mark.parametrize("basis,over", [
    ("UK-FOS", dict(jurisdiction="UK", industry="banking", category="fees_charges", received="2025-06-02")),
    ("CSRC-12386", dict(industry="securities", category="fees_charges", channel="regulator_referral")),
    ("AMR-2018-ART-19", dict(industry="banking", category="misleading_sales", narrative="客户经理说这个理财稳赚不赔、保本。")),
    ("SEC-ART-93", dict(industry="securities", category="misleading_sales", narrative="上市公司虚假陈述，投资者要求赔偿。")),
    ("US-REGF-1006-6", dict(jurisdiction="US", industry="banking", category="debt_collection",
                            signals=["debt_collection_harassment"])),
    ("FSL-2009-ART-28", dict(industry="ecommerce", category="product_quality", received="2012-06-02", price=12,
                             food_below_standard=True)),
    ("CIVIL-ART-188", dict(events={"loss_on": "2022-01-10"})),
    ("SPC-2019-254-ART-76", dict(industry="banking", category="misleading_sales", signals=["alleges_mis_selling"],
                                 complainant={"represented_by": "self", "age": 70})),
])
def test_a_basis_once_never_cited_is_cited_where_it_applies(engine, basis, over):
    assert basis in ids(engine.assess(case(**over)).legal_bases)


def test_every_legal_basis_in_the_knowledge_is_cited_by_some_rule_channel_strategy_or_taboo(engine):
    k = engine.ruleset.knowledge
    cited = {b for r in engine.ruleset.rules for b in r.then.legal_bases}
    cited |= {b for c in k.channels.values() for b in c.legal_bases}
    cited |= {b for s in k.strategies.values() for b in s.legal_bases}
    cited |= {b for t in k.taboos.values() for b in t.legal_bases}
    cited |= {d.legal_basis for d in k.deadlines.values() if getattr(d, "legal_basis", None)}
    assert set(k.legal_bases) - cited == set()


# ---------------------------------------------------------------- §4 a threat to post is not a post

def test_a_threat_to_post_online_is_media_risk_but_not_already_public(engine):
    threat = engine.assess(case(received="2026-03-10", industry="ecommerce", category="product_quality",
                                narrative="三天内不给我退款，我就拍视频发抖音，让大家都看看你们的服务。"))
    posted = engine.assess(case(received="2026-03-10", industry="ecommerce", category="product_quality",
                                narrative="我昨天已经把视频发到抖音上了，你们看着办。"))
    assert "media_risk" in threat.findings and "media_exposure" not in threat.findings
    assert "media_exposure" in posted.findings
    assert threat.escalation.level < 4      # in the 15 March season too: the threat is not rewarded


def test_lawful_heads_of_damage_for_an_injury_are_not_an_excessive_demand(engine):
    injury = engine.assess(case(industry="ecommerce", category="product_quality",
                                narrative="高压锅锅盖崩开，我手臂烫伤住院一周，要求商家赔偿医药费、误工费和营养费。"))
    delay = engine.assess(case(industry="ecommerce", category="product_quality",
                               narrative="快递晚到半天，我要你们赔我精神损失费五千块。"))
    assert "excessive_demand" not in injury.findings
    assert "excessive_demand" in delay.findings
