"""Regressions of issue 13 (agent signs of helper agents-b, threat vs done): the narrative reader
raises these signs from the composed concepts of knowledge/, and not from their look-alikes."""
from __future__ import annotations

import pytest


def raised(engine, text: str) -> set[str]:
    return {h.signal for h in engine.scanner.scan(text)}


@pytest.mark.parametrize("text", [
    "不赔偿我就去法院起诉，该走的程序我都会走。",
    "如果你们不按规定处理，我会向金融监管局投诉。",
    "If you don't refund me, I'll file a complaint with the CFPB and take you to small claims court.",
    "商家提出私下给我补偿200元，让我撤销投诉，我没同意。",
])
def test_a_lawful_threat_or_the_sellers_offer_is_not_settle_privately_or_report(engine, text):
    assert "settle_privately_or_report" not in raised(engine, text)


@pytest.mark.parametrize("text", [
    "给我两万块这事就算了，不然我就把视频发到网上。",
    "对方提出，只要我司私下补偿5000元，他就撤回已向监管局提交的投诉。",
    "赔钱就撤，不赔我就发到网上曝光。",
    "If you transfer me $3,000 I will delete my video and won't report your store.",
])
def test_money_for_silence_is_settle_privately_or_report(engine, text):
    assert "settle_privately_or_report" in raised(engine, text)


@pytest.mark.parametrize("text, done, threat", [
    ("客户告知已向区法院起诉，法院已立案，下月开庭。", "court_filed", "threatens_lawsuit"),
    ("该理赔纠纷已由法院受理，案件正在诉讼中。", "court_filed", "threatens_lawsuit"),
    ("客户称已把视频给了电视台的记者，记者昨天已经到他家采访过了。", "media_involved", "threatens_media"),
    ("客户称上个月已去北京上访过，今天又到网点要求解决。", "petition_filed", "petition_threat"),
])
def test_an_act_already_done_is_not_read_as_a_threat(engine, text, done, threat):
    found = raised(engine, text)
    assert done in found and threat not in found


def test_a_petition_made_and_a_new_one_threatened_are_both_read(engine):
    found = raised(engine, "我已经到信访办反映过两次了，这次要是还不解决，我还去。")
    assert "petition_threat" in found


@pytest.mark.parametrize("text, sign", [
    ("客户说上个月有个不认识的人打来电话，说可以帮他把交的钱全部要回来。", "approached_by_stranger"),
    ("A man I had never heard of rang me and said he could get my fees back if I signed up with his firm.",
     "approached_by_stranger"),
    ("本月收到十几位客户的投诉信，除姓名外一字不差。", "batch_same_wording"),
    ("风控发现投诉的5个买家账号登录IP完全一致。", "linked_accounts_same_ip"),
    ("该用户上月已就同款茶叶获赔，本月又下单同一商品，再次索赔。", "repeat_purchase_after_compensation"),
    ("I noticed the use-by date had passed, bought it anyway, and now I want compensation.", "knowingly_bought_defect"),
    ("该买家用三个小号分别下单，每个账号各申请一次赔付。", "multiple_accounts_orders"),
])
def test_agent_signs_are_read_from_their_concepts(engine, text, sign):
    assert sign in raised(engine, text)


@pytest.mark.parametrize("text, sign", [
    ("我司客服主动致电客户，告知其可申请退还多收的利息。", "approached_by_stranger"),
    ("已向客户提示：如有陌生人联系称能把保费都要回来，切勿轻信。", "approached_by_stranger"),
    ("商家明知是瑕疵品还当正品卖给我。", "knowingly_bought_defect"),
    ("有人盗用我的身份证在你们平台开了账户借了钱。", "false_identity"),
    ("I have several accounts with your bank, checking and savings, and the fee was charged on savings.",
     "multiple_accounts_orders"),
    ("我行客户经理经客户同意加了客户的微信。", "moved_to_private_chat"),
    ("核查后未发现关联账户，各投诉人的IP地址也各不相同。", "linked_accounts_same_ip"),
])
def test_look_alikes_of_agent_signs_are_not_read(engine, text, sign):
    assert sign not in raised(engine, text)


def test_notes_and_noted_are_not_negations(engine):
    # "not" once matched "notes" as an inflection and negated what followed
    assert "knowingly_bought_defect" in raised(
        engine, "Notes show the buyer bought the expired cosmetics to complain, having posted about it.")


def test_fenbie_is_not_a_negation(engine):
    # 分别下单: the 别 of 分别 is not "don't"
    assert "multiple_accounts_orders" in raised(engine, "第二次换了两个小号分别下单，收货后分别申请赔付。")
