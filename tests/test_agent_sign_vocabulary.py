"""Regressions of issue 13 (vocabulary round of branch gen): the eleven agent signs are raised from the
many ways an expert hears the same fact (handler's notes and the complainant's words, zh and UK/US
English), and the generic words of that vocabulary do not raise them on their own. Sentences written
for this file; none comes from a corpus."""
from __future__ import annotations

import pytest


def raised(engine, text: str) -> set[str]:
    return {h.signal for h in engine.scanner.scan(text)}


@pytest.mark.parametrize("text, sign", [
    ("他在事成后拿走了退款的三七分里的三成，说是辛苦费。", "agent_fee_share"),
    ("The claims firm took a quarter of whatever I got back as their cut.", "agent_fee_share"),
    ("客户在中介陪同下到另一家银行新开了一张借记卡，用来收退保款。", "new_sim_or_bank_card"),
    ("The man from the debt relief company took me to get a new SIM so their calls would reach me there.",
     "new_sim_or_bank_card"),
    ("退保申请上的收款卡号是对方提供的账户，并非投保人名下。", "refund_to_third_party_account"),
    ("The payout was to go to the nominated account the claims company gave the insurer.",
     "refund_to_third_party_account"),
    ("我发现保单上的预留手机号被人偷偷改绑成了陌生号码。", "contact_phone_changed"),
    ("维权公司的人跑到我岳母家门口堵人，还给我单位领导打电话。", "agent_harasses_relatives"),
    ("身份证和工资卡被退保公司的人收走了，说办完才还。", "deposit_or_documents_held"),
    ("回访时投保人一头雾水，说不清投诉内容，称从未投诉。", "customer_unaware_of_complaint"),
    ("来信称业务员没跟他说过免责条款，但调取的回访录音中客户亲口回答了已知悉。", "fabricated_sales_flaws"),
    ("要求监管部门严厉处罚这家公司，并把处理结果登报让大家都知道。", "demands_regulator_publish"),
])
def test_the_same_fact_said_another_way_raises_the_sign(engine, text, sign):
    assert sign in raised(engine, text)


@pytest.mark.parametrize("text, sign", [
    # a verb, not a deposit paid to an agent
    ("The debt settlement company said the money would be deposited once the creditor agreed.",
     "deposit_or_documents_held"),
    # the insurer's own staff are not the agent's side
    ("保险公司的人天天给我老婆打电话推销新产品，很烦。", "agent_harasses_relatives"),
    # an ordinary transfer between one's own accounts
    ("I moved the funds from another account into my checking account last week.",
     "refund_to_third_party_account"),
    # an idiom, not a customer unaware of a complaint in his name
    ("The late fee was news to me, nobody mentioned it when I opened the card.", "customer_unaware_of_complaint"),
    # the customer's own change of number
    ("客户本人持身份证到柜台，将联系电话变更为自己的新号码。", "contact_phone_changed"),
    # exposure online is not asking the regulator to publish its findings
    ("要求商家赔两千元，不然就向12315举报，再发视频到网上曝光。", "demands_regulator_publish"),
    # a flaw the firm upheld is not a fabricated one
    ("客户称签名是业务员代签的，经笔迹鉴定确非本人笔迹，我司已致歉并全额退保。", "fabricated_sales_flaws"),
])
def test_a_generic_word_of_the_vocabulary_does_not_raise_the_sign(engine, text, sign):
    assert sign not in raised(engine, text)


def test_a_longer_term_does_not_hide_the_attorney_general_from_not_a_lawyer(engine):
    # 'the attorney general' once sat in regulator_extra and hid not_a_lawyer's 'attorney general'
    assert "lawyer_letter" not in raised(engine, "If this is not fixed I will report you to the attorney general.")


@pytest.mark.parametrize("text", [
    "客户的老母亲持公证委托书来柜台为她办理退保。",
    "客户女儿学校的老师说，是她女儿拿着委托书来的。",
])
def test_a_longer_term_does_not_hide_that_a_relative_acts(engine, text):
    # relative words of harassment ('老母亲', '女儿学校') once hid kin_person from the power-of-attorney reading
    assert "third_party_power_of_attorney" not in raised(engine, text)
