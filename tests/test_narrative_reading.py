"""Reading narratives like an expert: concepts composed within a clause, sentence or distance; who acts;
how it is said (negated, hoped, conditional); both registers; and the checks on the lexicons."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.contracts.knowledge import Concept, Indicator
from riskengine.reading.lexicon import english_forms, to_simplified
from riskengine.reading.narrative import NarrativeScanner



def concept(cid, zh=(), en=(), include=()):
    return Concept(id=cid, name={"zh": cid, "en": cid}, zh=zh, en=en, include=include)


def signal(sid, read, **kw):
    return Indicator(id=sid, dimension="space", points=1, name={"zh": sid, "en": sid}, read=read, **kw)


CONCEPTS = {c.id: c for c in (
    concept("intent", ["要", "会", "将", "扬言"], ["will", "threaten"]),
    concept("media", ["媒体", "记者"], ["media", "reporter"]),
    concept("lawsuit", ["起诉", "打官司"], ["sue", "lawsuit"]),
    concept("agent", ["维权公司", "中介"], ["claims company"]),
    concept("fee", ["服务费", "手续费"], ["fee"]),
    concept("bank_word", ["银行"], ["bank"]),
)}
SCANNER = NarrativeScanner([
    signal("threatens_media", [{"all": ["intent", "media"], "within": 6}], actors=["complainant", "third_party"]),
    signal("threatens_lawsuit", [{"any": ["lawsuit"]}], actors=["complainant", "third_party"]),
    signal("agent_fee_share", [{"all": ["agent", "fee"], "within": "sentence"}]),
    signal("fee_dispute", [{"any": ["fee"], "within": "sentence", "not_with": ["agent"]}]),
    signal("ordered_only", [{"all": ["bank_word", "fee"], "ordered": True}]),
], concepts=CONCEPTS)


def found(text):
    return {h.signal for h in SCANNER.scan(text)}


def test_all_of_concepts_must_fall_within_the_distance():
    assert found("我要找媒体") == {"threatens_media"}
    assert found("我要去北京上海广州深圳找媒体") == set()              # "要" is 12 characters from "媒体"
    assert found("I will go to the media") == {"threatens_media"}
    assert found("I will first write several long letters and then the media") == set()


def test_clause_and_sentence_scopes():
    assert found("维权公司收了三千元服务费") == {"agent_fee_share"}
    assert found("维权公司来过。客户另付了手续费") == {"fee_dispute"}   # another sentence: the bank's fee
    assert "fee_dispute" not in found("客户称付给中介的服务费太高")      # not_with: an agent's fee is no fee dispute


def test_ordered_reading_needs_the_listed_order():
    assert "ordered_only" in found("银行的手续费")
    assert "ordered_only" not in found("手续费由银行定")


def test_negation_covers_a_list():
    assert found("I never contacted the media, a reporter or threatened to sue anyone") == set()
    assert found("我没有找媒体、记者，也没有去起诉") == set()
    assert found("没有人回复，我要找媒体") == {"threatens_media"}        # the negation is in another clause


def test_hope_and_fear_are_not_threats():
    assert found("希望银行不要起诉我") == set()
    assert found("I hope they will not sue me") == set()
    assert found("客户担心被起诉") == set()


def test_conditional_threat_by_the_complainant_counts():
    hits = {h.signal: h for h in SCANNER.scan("如果不解决，我就去起诉")}
    assert hits["threatens_lawsuit"].modality == "conditional"
    assert hits["threatens_lawsuit"].actor == "complainant"
    hits = {h.signal: h for h in SCANNER.scan("I will sue them unless they refund me")}
    assert hits["threatens_lawsuit"].modality == "conditional"


def test_a_collectors_threat_is_not_the_complainants():
    assert found("The collector threatened to sue me") == set()
    assert found("催收员威胁我说要起诉") == set()
    assert found("客户称银行要起诉他") == set()
    assert found("我要起诉你们银行") == {"threatens_lawsuit"}


def test_who_acts_after_an_ultimatums_otherwise_is_who_made_the_demand(engine):
    # the party told to act ("公司直接赔钱") is not who goes to court; a firm's or collector's ultimatum stays theirs
    assert "threatens_lawsuit" in signals(engine, "股民要求公司直接赔钱，否则就去法院告。")
    assert "threatens_lawsuit" in signals(engine, "客户要求银行马上退款，不然就去法院起诉。")
    # the sector's own word for the customer (股民, 买家, 车主 …) is the complainant, the sentence's first subject
    assert "threatens_lawsuit" in signals(engine, "股民来电说，证监会已经认定公司年报造假，要求公司直接赔钱，否则就去法院告。")
    assert "threatens_lawsuit" not in signals(engine, "银行要求我马上还钱，否则就起诉我。")
    assert "threatens_lawsuit" not in signals(engine, "催收员让我今天必须还清，不然就去法院告我。")


def test_a_condition_told_two_clauses_later_does_not_make_earlier_acts_conditional(engine):
    text = "他们天天打电话到我们厂里找车间主任，说我欠他们钱，还说要是不给钱就上门。"
    assert read_span(engine, text, "打电话")[1] != "conditional"       # the calls happened
    assert read_span(engine, text, "上门")[1] == "conditional"          # the visit is threatened on a condition
    assert read_span(engine, "我会去法院起诉你们，如果周五前还不退款的话。", "起诉")[1] == "conditional"
    assert read_span(engine, "I will sue them unless they refund me.", "sue")[1] == "conditional"


def test_a_negation_inside_quoted_words_ends_with_the_quote(engine):
    text = "买家去年以“标签未标注致敏原”获赔800元，今年3月又购买同一款饼干。"
    assert read_span(engine, text, "获赔")[1] != "negated"
    text = "Eleven letters came, all saying 'the risks were never explained to me', all asking for every premium back."
    assert read_span(engine, text, "asking")[1] != "negated"
    # quoted words that open and close before the negation leave it whole
    assert read_span(engine, "那个“顾问”说他没有收过钱。", "收过")[1] == "negated"


def test_a_handlers_finding_that_a_thing_is_not_the_case_negates_it(engine):
    # 不涉及 / 不属于 / 不存在 are how a handler rules a thing out: "不涉及盗刷" is no unauthorised transaction
    text = "客户承认是自己下单消费，只是不满意商品质量，要求退还货款，不涉及盗刷。"
    assert "unauthorized_transaction" not in signals(engine, text)
    assert read_span(engine, "经核实本案不属于盗刷。", "盗刷")[1] == "negated"
    assert read_span(engine, "客户称存在盗刷。", "盗刷")[1] != "negated"


def test_a_second_instruction_after_and_to_is_not_under_the_first_ones_negation(engine):
    # "told me not to A and to B": B is told, not forbidden
    text = "The debt relief company said I must not reply to any letters from my lender and to forward everything to them."
    assert read_span(engine, text, "reply")[1] == "negated"
    assert read_span(engine, text, "forward")[1] != "negated"
    # a list under one "not" stays negated
    assert read_span(engine, "They did not call or write to me.", "write")[1] == "negated"


def test_a_mark_inside_a_dodged_spelling_ends_no_sentence():
    # agents spell around platform filters ("l!fe p0licy", "pr?mium"); a "!" between letters is part of the word
    from riskengine.reading.clauses import _SENTENCE_END
    assert not _SENTENCE_END.search("ur old l!fe p0licy can get all ur pr?miums back")
    assert [m.end() for m in _SENTENCE_END.finditer("no way! i want it back? now")] == [7, 23]


def test_handler_notes_and_first_person_words_are_both_read():
    hit = SCANNER.scan("客户称如不退款将找记者曝光。")[0]
    assert (hit.signal, hit.actor) == ("threatens_media", "complainant")
    hit = SCANNER.scan("我会找媒体")[0]
    assert (hit.signal, hit.actor, hit.modality) == ("threatens_media", "complainant", "future")


def test_english_inflections_and_traditional_characters():
    assert {"threatened", "threatening", "threatens"} <= english_forms("threaten")
    assert {"sued", "suing", "sues"} <= english_forms("sue")
    assert english_forms("=press") == {"press"}
    assert found("I threatened to call the reporters") == {"threatens_media"}
    assert to_simplified("媒體記者") == "媒体记者"
    assert found("我要找媒體") == {"threatens_media"}
    assert found("there is an issue with my account") == set()        # "sue" inside "issue"


def test_each_hit_explains_itself():
    hit = next(h for h in SCANNER.scan("账户被冻结了。我要找媒体！") if h.signal == "threatens_media")
    assert (hit.sentence, hit.concepts, hit.actor, hit.modality) == (2, ("intent", "media"), "complainant", "future")
    assert hit.text == "要找媒体" and hit.pattern.startswith("read: all(intent, media)")


# -- the shipped knowledge on the cases issue 13 describes --------------------------------------------
@pytest.mark.parametrize("text, present, absent", [
    ("一男子在大厅拿着一瓶百草枯，说不赔钱就当场喝下去", {"threatens_self_harm"}, set()),
    ("客户希望银行不要起诉他", set(), {"threatens_lawsuit"}),
    ("The collector said they will sue me if I do not pay by Friday", {"debt_collection_harassment"},
     {"threatens_lawsuit"}),
    ("I will go to the press if this is not fixed", {"threatens_media"}, set()),
    ("A claims management company is acting for the customer", {"third_party_speaks"}, set()),
    ("I have never contacted the media or a lawyer about this", set(), {"threatens_media", "lawyer_letter"}),
    ("客户称已付给维权公司退回金额30%的服务费", {"agent_fee_share"}, {"fee_dispute"}),
    ("保单联系电话被改成中介的号码", {"contact_phone_changed"}, set()),
    ("中介让客户不要接保险公司的电话", {"told_not_to_contact_insurer"}, set()),
    ("来函为模板格式，与多名客户的投诉信内容雷同", {"template_letter", "batch_same_wording"}, set()),
    ("银行收取了高额手续费", {"fee_dispute"}, {"agent_fee_share"}),
    # a time still ahead after the act makes it a plan, not a post that exists
    ("I'm posting this on TikTok tonight with the recordings", {"threatens_online_post"}, {"social_media_post"}),
    ("I posted this on TikTok last night", {"social_media_post"}, {"threatens_online_post"}),
    # 客服 qualifying a noun ("和客服的聊天记录") is not who posts
    ("客户称如果周五前不退款，就把和客服的聊天记录发到小红书上", {"threatens_online_post"}, {"social_media_post"}),
    # a rhetorical question affirms what its 不是/isn't seems to deny; a plain denial still denies
    ("这不是欺诈是什么？", {"alleges_fraud"}, set()),
    ("Isn't that a scam?", {"alleges_fraud"}, set()),
    ("客户明确表示不认为公司欺骗了他。", set(), {"alleges_fraud"}),
    # English regex stems are whole words: the endings are written out
    ("The collector kept harassing me at work", {"debt_collection_harassment"}, set()),
])
def test_shipped_knowledge_reads_issue_13_examples(engine, text, present, absent):
    got = signals(engine, text)
    assert present <= got and not (absent & got), got


def _modality(engine, text, sid):
    return {h.modality for h in engine.scanner.scan(text) if h.signal == sid}


@pytest.mark.parametrize("text, sid, modality", [
    ("I'll post it online", "threatens_online_post", "future"),
    ("she'll sue", "threatens_lawsuit", "future"),
    ("I’ll sue you", "threatens_lawsuit", "future"),
    ("he'd go to the papers", "threatens_media", "conditional"),
    ("I'm contacting my MP", "petition_threat", "future"),
    ("we're going to the press", "threatens_media", "future"),
    ("I'd already filed a lawsuit", "court_filed", "past"),     # 'd before a participle is had
])
def test_contracted_will_and_would_read_as_future_or_conditional(engine, text, sid, modality):
    assert _modality(engine, text, sid) == {modality}


@pytest.mark.parametrize("text, sid, modality", [
    # in the complainant's reported words: a handler's bare record of a regulator complaint is no mention
    ("客户称三度向金管会申诉", "mentions_regulator", "asserted"),
    ("客户说向证监会举报", "mentions_regulator", "asserted"),
    ("客户已向银保监会投诉", "regulator_letter_sent", "past"),
    ("客户说没过几天就去消保委投诉", "mentions_regulator", "asserted"),
    ("我会向消委会投诉", "mentions_regulator", "future"),           # a 会 of its own is still will
])
def test_a_modality_marker_inside_a_named_body_or_idiom_does_not_count(engine, text, sid, modality):
    assert _modality(engine, text, sid) == {modality}


def test_mei_wan_and_mei_guo_ji_tian_negate_nothing(engine):
    assert "threatens_lawsuit" in signals(engine, "这事没完我一定起诉你们")
    assert "threatens_lawsuit" not in signals(engine, "我没有起诉你们")


@pytest.mark.parametrize("text", [
    "Caller was upset and denied any plan to harm himself.",
    "The caller denied having thoughts of suicide.",
    "客户否认有轻生念头，情绪平稳",
    "客户否认有自杀想法",
])
def test_denied_thoughts_of_self_harm_are_negated(engine, text):
    assert "threatens_self_harm" not in signals(engine, text)


@pytest.mark.parametrize("text, sid", [
    ("The bank denied my refund and I will kill myself", "threatens_self_harm"),
    ("The bank denied the unauthorized charges.", "unauthorized_transaction"),
    ("客户情绪激动，扬言要跳楼", "threatens_self_harm"),
])
def test_a_denial_of_something_else_does_not_negate(engine, text, sid):
    assert sid in signals(engine, text)


# -- validation of lexicons ---------------------------------------------------------------------------
def test_unknown_concept_is_an_error_with_location_and_suggestion(knowledge_copy):
    path = knowledge_copy / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- any: [lawsuit]", "- any: [lawsiut]", 1),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0
    line = next(x for x in result.output.splitlines() if "RE108" in x)
    assert "indicators.yaml:" in line and "unknown concept 'lawsiut'" in line and "lawsuit" in line
    assert line.split("indicators.yaml:")[1].split(":")[0].isdigit()


def test_unused_concept_is_a_warning(knowledge_copy):
    path = knowledge_copy / "concepts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: never_used\n    name: {zh: 无, en: none}\n"
                    "    zh: [无用词]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code == 0, result.output
    assert "RW306" in result.output and "never_used" in result.output


def test_an_english_pattern_ending_in_a_space_is_a_warning_with_its_place(knowledge_copy):
    # a match must end at a word's end, so "aged (\d\d), " could never match "aged 82, retired"
    path = knowledge_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "en: ['no response',"
    assert anchor in text
    path.write_text(text.replace(anchor, "en: ['aged (\\d\\d), ', 'no response',", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "RW307" in x)
    assert "indicators.yaml:" in line and "aged" in line and line.split("indicators.yaml:")[1].split(":")[0].isdigit()


def test_concepts_that_include_each_other_are_an_error(knowledge_copy):
    path = knowledge_copy / "concepts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: loop_a\n    name: {zh: a, en: a}\n"
                    "    include: [loop_b]\n  - id: loop_b\n    name: {zh: b, en: b}\n    include: [loop_a]\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0 and "RE109" in result.output


# -- riskengine eval ----------------------------------------------------------------------------------
CORPUS = """items:
  - id: zh-t-1
    lang: zh
    register: complainant
    text: 再不处理我就找媒体曝光。
    signals: [threatens_media]
  - id: en-t-1
    lang: en
    register: handler
    text: Customer hopes the bank will not sue her.
    signals: []
    hard_negatives: [threatens_lawsuit]
  - id: en-t-2
    lang: en
    register: complainant
    text: I am so angry.
    signals: [threatens_lawsuit]
"""


def test_eval_reports_precision_recall_and_misses(tmp_path):
    (tmp_path / "c.yaml").write_text(CORPUS, encoding="utf-8")
    junit = tmp_path / "out.xml"
    result = CliRunner().invoke(main, ["eval", str(tmp_path), "--format", "json", "--junit", str(junit),
                                       "--min-recall", "0.9"])
    data = json.loads(result.stdout)
    assert data["items"] == 3
    assert data["signals"]["threatens_media"]["recall"] == 1.0
    assert data["signals"]["threatens_lawsuit"] == {"precision": None, "recall": 0.0, "f1": None, "support": 1,
                                                    "tp": 0, "fp": 0, "fn": 1}
    assert [m["item"] for m in data["misses"]] == ["en-t-2"]
    assert data["hard_negatives"] == {"total": 1, "raised": 0}
    assert result.exit_code == 1                                   # threatens_lawsuit recall below the floor
    assert 'name="threatens_lawsuit"><failure' in junit.read_text(encoding="utf-8")


def test_eval_names_a_bad_item_and_keeps_the_others(tmp_path):
    (tmp_path / "c.yaml").write_text(CORPUS.replace("signals: [threatens_media]", "signals: [threatens_medai]"),
                                     encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert "c.yaml:6:15:" in result.stderr and "unknown signal 'threatens_medai'" in result.stderr
    assert "2 items" in result.stdout


# -- salience: the complaint is ABOUT the topic, not a passing mention --------------------------------
SALIENT = NarrativeScanner([
    signal("fee_dispute", [{"any": ["fee"], "within": "sentence"}],
           salience={"topic": ["fee"], "lead": 2, "mentions": 3, "demand": ["ask"], "rivals": ["report"],
                     "rival_ratio": 1, "short": 200}),
], concepts={**CONCEPTS, "ask": concept("ask", ["要求退还"], ["=please refund", "=i want"]),
             "report": concept("report", ["征信"], ["credit report", "=bureau"])})
FILLER = "Nothing else happened that day. " * 6


def salient_fee(text):
    return "fee_dispute" in {h.signal for h in SALIENT.scan(text)}


def test_salience_a_passing_mention_late_in_a_long_narrative_does_not_count():
    assert not salient_fee("I moved house in the spring. " + FILLER + "There was once a fee on the old account.")


def test_salience_an_early_repeated_or_requested_topic_counts():
    assert salient_fee("They took a fee from my account. " + FILLER)                         # lead
    assert salient_fee("I moved house. " + FILLER + "A fee. Another fee. A third fee.")       # mentions
    assert salient_fee("I moved house. " + FILLER + "Please refund the fee they took.")      # the request


def test_salience_a_rival_topic_that_dominates_makes_it_a_side_issue():
    text = "My credit report is wrong. The bureau ignored me. " + FILLER + "The bureau says a fee was late."
    assert not salient_fee("A fee. " + text)       # even in the lead: three bureau/report mentions to two fees
    assert salient_fee("A fee. " + FILLER + "The bureau was told.")     # one rival mention never dominates


def test_salience_a_short_note_is_read_whole():
    assert salient_fee("Customer moved house. She says the bureau and the credit report are fine. A fee was charged.")


# -- issue 13, round 3: who does what, negation and time ------------------------------------------------
def read_span(engine, text, part):
    """(actor, modality) the shipped reader gives the first ``part`` of ``text``."""
    from riskengine.reading.clauses import Doc
    from riskengine.reading.lexicon import BoundLexicon
    from riskengine.reading.narrative import fold_ascii, normalise
    sc = engine.scanner
    norm = to_simplified(normalise(text))
    folded = fold_ascii(norm)
    _hits, terms = sc.presence(folded)
    doc = Doc(norm, sc.lexicon.find_present(folded, terms), BoundLexicon(sc.marker_lexicon, folded), folded)
    start = norm.index(part)
    return doc.actor_of(start, start + len(part))[0], doc.modality_of(start, start + len(part))


def signals(engine, text):
    return {h.signal for h in engine.scanner.scan(text)}


def test_an_unnamed_other_side_is_read_from_the_story(engine):
    # nobody named before 对方: the firm writing (我司) means the complainant, an agent named anywhere the agent
    assert read_span(engine, "对方在电话里提出，只要我司私下补偿5000元，他就撤回投诉", "提出")[0] == "complainant"
    assert read_span(engine, "客户说对方带他去营业厅办了新卡，这家退保公司还收了三千元", "带他去")[0] == "third_party"
    assert read_span(engine, "我在网上买了个手机，对方一直不发货", "不发货")[0] == "firm"
    # a clause that goes on (还, and) keeps the subject of the clause before it, not the narrator's
    assert "threatens_lawsuit" not in signals(engine, "我在网上买了个手机，对方一直不发货，还说要起诉")
    assert "threatens_lawsuit" not in signals(engine, "I bought a phone, the seller never shipped it, and threatened to sue")
    assert "threatens_lawsuit" in signals(engine, "客户称银行不退款，还扬言要起诉")       # the speaker goes on
    assert "threatens_lawsuit" in signals(engine, "客户来到网点，银行经理接待，扬言要起诉")
    # a person named (陌生人) is who 对方 stands for
    assert read_span(engine, "客户反映有陌生人打电话给她，对方说能把保费都要回来", "说能")[0] == "third_party"


def test_clause_scoped_not_with():
    scanner = NarrativeScanner([
        signal("fee_in_clause", [{"any": ["fee"], "not_with": ["agent"], "not_within": "clause"}]),
        signal("fee_in_sentence", [{"any": ["fee"], "not_with": ["agent"]}]),
    ], concepts=CONCEPTS)
    got = {h.signal for h in scanner.scan("中介收了服务费，银行另收手续费")}
    assert got == {"fee_in_clause"}          # the bank's fee is in a clause of its own
    assert {h.signal for h in scanner.scan("中介收了服务费")} == set()
    assert {h.signal for h in scanner.scan("the claims company kept a fee, and the bank took a fee")} == {"fee_in_clause"}
    assert {h.signal for h in scanner.scan("the claims company kept a fee")} == set()
    hit = next(h for h in scanner.scan("中介收了服务费，银行另收手续费"))
    assert hit.pattern.endswith("not with(agent) in clause")


@pytest.mark.parametrize("text, part", [
    ("我下礼拜就去法院起诉", "起诉"), ("我下个禮拜就去找媒体曝光", "曝光"), ("我下星期去起诉他们", "起诉"),
    ("过两天我就去法院起诉", "起诉"), ("回头我就发抖音曝光", "曝光"), ("我下周去法院起诉", "起诉"),
    ("I post the whole story on TikTok in a few days", "post"), ("Next week I file the lawsuit", "file"),
])
def test_a_time_ahead_anywhere_in_the_clause_marks_future(engine, text, part):
    assert read_span(engine, text, part)[1] == "future"


def test_a_time_ahead_does_not_override_a_past_marker(engine):
    assert read_span(engine, "上周我已经去法院起诉了", "起诉")[1] == "past"
    assert read_span(engine, "回头客很多", "很多")[1] == "asserted"


def test_a_denied_threat_offered_for_payment_is_a_threat(engine):
    assert "threatens_online_post" in signals(engine, "我不会发网上，只要你们赔我五万块")
    assert "threatens_online_post" in signals(engine, "I won't post anything online if you pay me back the full amount")
    assert read_span(engine, "我不会曝光，只要你们私了", "曝光")[1] == "conditional"
    assert read_span(engine, "I will not go to the media as long as you refund me", "go to the media")[1] == "conditional"
    # unwillingness or a modest "that is all I ask" settles; a past or would-have-been act is no offer
    assert "threatens_lawsuit" not in signals(engine, "客户表示不想打官司，只要把多扣的两百块退回来就行。")
    assert read_span(engine, "我不会起诉，只要求退款", "起诉")[1] == "negated"
    assert read_span(engine, "I wouldn't have gone to the press if they had answered", "gone to the press")[1] == "negated"
    assert read_span(engine, "I did not post it online if that is what you ask", "post it online")[1] == "negated"


@pytest.mark.parametrize("text", [
    "中介叫她不要接保险公司打来的电话", "业务员让她以后保险公司的电话都不要接", "对方让她不要回复保险公司",
    "客户称代理人叫她千万别接保险公司打来的电话", "The claims company told her not to answer calls from the insurer",
])
def test_told_not_to_contact_insurer_through_rang_and_jiao(engine, text):
    assert "told_not_to_contact_insurer" in signals(engine, text)


def test_english_phrase_inflects_its_first_and_last_word_together():
    forms = english_forms("film the expiry date")
    assert {"filmed the expiry dates", "filming the expiry dates", "filmed the expiry date", "film the expiry dates"} <= forms
    assert "called the agencies" in english_forms("call the agency")
    assert english_forms("=film the expiry date") == {"film the expiry date"}


def test_whose_agent_the_context_decides(engine):
    assert read_span(engine, "The claims agent said he will take them to court", "take them")[0] == "third_party"
    assert read_span(engine, "The insurance agent told me he would sue me", "told")[0] == "firm"
    assert read_span(engine, "The agent said the policy was fine", "said")[0] == "firm"
    # a story of a claims company: its agent acts for the customer
    assert read_span(engine, "I signed with a claims company. The agent said he would handle it", "said")[0] == "third_party"
    # "the agent" names the agent; a longer term adding only an article hides nothing
    assert "threatens_lawsuit" not in signals(
        engine, "When I said I wanted to talk to my insurer myself, the agent threatened to sue me for breach of contract.")


def test_an_if_clause_subject_is_not_who_acts_after_it(engine):
    assert read_span(engine, "If they do not refund me, my next stop is the press", "next stop")[0] == "complainant"
    assert "threatens_media" in signals(engine, "If they do not refund me, my next stop is the press")
    assert read_span(engine, "如果他们不退款，就去法院起诉", "起诉")[0] == "complainant"
    assert read_span(engine, "The collector said if I did not pay, a lawsuit would be filed", "lawsuit")[0] == "firm"


def test_a_demand_term_does_not_hide_the_speaker(engine):
    # "我要" (a demand concept's term) takes in 我: the 我 before an auxiliary still says who acts
    assert read_span(engine, "我去了银行，经理不理我，我要起诉", "起诉")[0] == "complainant"
    assert "threatens_lawsuit" in signals(engine, "我去了银行，经理不理我，我要起诉")


def test_what_a_received_letter_says_is_its_senders_act(engine):
    text = "I received a letter stating that my account is past due and will be referred to an attorney"
    assert read_span(engine, text, "attorney")[0] == "firm"
    assert "lawyer_letter" not in signals(engine, text)
    assert read_span(engine, "我收到一条短信，称逾期不还将移交律师起诉", "起诉")[0] == "firm"
    assert "threatens_lawsuit" not in signals(engine, "我收到一条短信，称逾期不还将移交律师起诉")
    # the complainant's own answer after it is still theirs
    assert "threatens_lawsuit" in signals(engine, "I received your letter and I will sue you")
    # the message's content inside the hit ("i received notice of a lawsuit"): the sender's suit
    assert "threatens_lawsuit" not in signals(engine, "In March I received notice of a lawsuit on behalf of Capital One.")


def test_he_after_telling_someone_is_the_teller(engine):
    # reported speech: "He told the agent he would …" — the second he is the teller, not the agent told
    text = "He told the agent he had been saving up his pills and would take the lot if the loan was not frozen."
    assert read_span(engine, text, "saving up")[0] == "complainant"
    assert "threatens_self_harm" in signals(engine, text)
    # someone named who tells: their he is theirs ("the insurance agent told me he would sue me")
    assert read_span(engine, "The insurance agent told me he would sue me", "told")[0] == "firm"


def test_a_negation_the_span_starts_with_is_its_own(engine):
    # "也不" ends in the 不 of "不想活了": the term carries its own negation, nothing denies it
    assert read_span(engine, "反正我也不想活了，你们看着办吧", "不想活了")[1] != "negated"
    assert "despair_hopeless" in signals(engine, "反正我也不想活了，你们看着办吧")
    # a marker that reaches over a span's first character without a negation in it still negates
    assert read_span(engine, "我不会起诉你们", "会起诉")[1] == "negated"
    assert "threatens_lawsuit" not in signals(engine, "我也不会去起诉")


def test_a_negation_ends_at_after(engine):
    # 后/之后/以后 ("after …") close what a negation before them denies: "得知确实没有后一口气买了一百袋"
    text = '买家问是不是没有SC编号，得知确实没有后一口气买了一百袋，到货就投诉'
    assert read_span(engine, text, "一口气")[1] == "asserted"
    assert "bulk_purchase_beyond_need" in signals(engine, text)
    assert read_span(engine, "我没有一口气买一百袋", "一口气")[1] == "negated"


def test_a_full_stop_before_a_closing_quote_ends_the_sentence(engine):
    # 'warning." She then bought…': the seller named in the quoted first sentence is not in the second
    text = ('Buyer messaged the seller before purchase: "your listing has no allergen warning." '
            'She then bought 25 units and filed a claim for compensation.')
    assert "bulk_purchase_beyond_need" in signals(engine, text)
    from riskengine.reading.clauses import Doc
    doc = Doc(text, {})
    assert doc.sentence(text.index("She"))[0] > text.index("warning")
    other = "mr. li said so."          # (the reader lower-cases the text first)
    assert Doc(other, {}).sentence(other.index("li"))[0] == 0      # an abbreviation still ends nothing


def test_the_person_an_english_verb_addresses_is_its_object(engine):
    # "called the agent 'a useless idiot'": the agent is spoken to, an article between; the caller insults
    text = 'He was shouting on the phone and called the agent "a useless idiot."'
    assert read_span(engine, text, "useless")[0] == "complainant"
    assert "insults_staff" in signals(engine, text)
    # the firm that acts is still the firm ("the agent called me a liar": the agent is the subject)
    assert read_span(engine, "Then the agent called me a liar", "liar")[0] == "firm"


def test_a_note_label_is_a_sentence_of_its_own(engine):
    # "客户经理回访记录：" names the writer's role; the firm word in it vetoes nothing in the story after it
    text = "客户经理回访记录：客户说上个月有人拉她进了个群，群主天天发能全额拿回的截图，然后单独加她好友聊。"
    from riskengine.reading.clauses import Doc
    doc = Doc(text, {})
    assert doc.sentence(text.index("客户说"))[0] == text.index("客户说")
    assert "moved_to_private_chat" in signals(engine, text)
    # an ordinary opening with a colon stays one sentence ("客户称：…")
    other = "客户称：如果不退款就去起诉"
    assert Doc(other, {}).sentence(other.index("如果"))[0] == 0


def test_a_contracted_pronoun_stands_for_what_its_pronoun_does(engine):
    # "they're threatening to take me to small claims court": they are the claims company, not the complainant
    text = ("I signed up with a claims company and then realised I didn't need them. Their terms say I have to pay "
            "30% of your offer even if I cancel, and they're threatening to take me to small claims court if I deal "
            "with you myself.")
    assert "threatens_lawsuit" not in signals(engine, text)
    # the complainant's own "I'm taking you to court" still counts
    assert "threatens_lawsuit" in signals(engine, "If you do not refund me by Friday I'm taking you to small claims "
                                                  "court.")


def test_an_intent_taken_back_later_in_its_sentence_does_not_count(engine):
    assert "threatens_media" not in signals(engine, '客户说"我本来想找电视台的，后来想想算了，还是相信你们能解决"。')
    assert "threatens_lawsuit" not in signals(engine, '客户说上次想去法院起诉，现在起诉就算了，太麻烦。')
    assert "threatens_media" not in signals(engine, "I was going to call the local paper but changed my mind.")
    # not let go ("不会就这么算了"), or dropped only for a price ("给我两万块这事就算了"), it still stands
    assert "threatens_media" in signals(engine, "你们不赔，我就去找电视台，这事不会就这么算了。")
    assert "large_amount" in signals(engine, "给我两万块这事就算了，不然我就把视频发到网上。")


def test_a_regulator_complaint_counts_in_the_complainants_words_not_the_handlers_record(engine):
    # the complainant's own or reported words: a regulator complaint made, threatened or planned
    assert "mentions_regulator" in signals(engine, "我已经打了两次12378，你们还是不处理。")
    assert "mentions_regulator" in signals(engine, "客户称上周已向金融监管局投诉，要求尽快退款。")
    assert "mentions_regulator" in signals(engine, "客户表示如果下周还不解决就去消协反映。")
    assert "mentions_regulator" in signals(engine, "I filed a complaint with the CFPB last month and nothing changed.")
    # a referral arrived, a count the handler keeps, a complaint filed in someone's name: channel facts
    assert "mentions_regulator" not in signals(engine, "本周收到监管转办件三件，诉求均为全额退保。")
    assert "mentions_regulator" not in signals(engine, "该投保人今年以来先后五次向金融监管局反映同一事项。")
    assert "mentions_regulator" not in signals(engine, "客户说不是她投诉的，有人以她的名义向监管反映。")
    assert "mentions_regulator" not in signals(engine, "Records show the customer has sent the same complaint to the "
                                                       "CFPB four times since March.")
    # the regulator acting on its own, or its route only asked about
    assert "mentions_regulator" not in signals(engine, "The regulator has fined this bank twice already.")
    assert "mentions_regulator" not in signals(engine, "How long do I have before I can go to the ombudsman? I'm not "
                                                       "planning to, I just want to know my options.")


# -- issue 13, reader8: the grammar of who and how, in general ------------------------------------------
def test_a_negation_of_a_noun_phrase_ends_where_a_new_subject_goes_on(engine):
    # "没有备案号" denies the 备案号; "我早查过了" is the customer's act, said as done
    assert read_span(engine, "没有备案号我早查过了", "查过")[1] == "asserted"
    assert read_span(engine, "没有备案号我亲自去市场监管局问过", "市场监管局")[1] != "negated"
    # a person after a verb or a preposition is its object: the negation still reaches on
    assert read_span(engine, "没有人告诉我早晚要交这笔钱", "交这笔钱")[1] == "negated"
    assert read_span(engine, "我没有跟银行说过要起诉", "起诉")[1] == "negated"


def test_a_staff_report_label_is_not_the_actor_of_the_customers_acts(engine):
    # "网点主任报：客户…": the reporter is staff; what follows the colon is the customer's
    text = "网点主任报：客户在大堂拍桌子，扬言要去法院起诉"
    assert read_span(engine, text, "扬言")[0] == "complainant"
    assert "threatens_lawsuit" in signals(engine, text)
    assert read_span(engine, "柜员反映：客户称，如果不退款，就去找媒体曝光", "找媒体")[0] == "complainant"
    assert read_span(engine, "Branch manager reports: customer shouted, threatened to sue the bank", "threatened")[0] \
        == "complainant"
    # a staff member's own words after the colon stay the staff member's ("客服说：我们会起诉你" is not split)
    from riskengine.reading.clauses import Doc
    other = "客服说：我们会起诉你"
    assert Doc(other, {}).sentence(other.index("我们"))[0] == 0


@pytest.mark.parametrize("text, sid, modality", [
    ("再唔赔我就去法院告你哋", "threatens_lawsuit", "conditional"),          # 再唔 = 再不: a condition
    ("我冇话过要入禀法院告你", "threatens_lawsuit", "negated"),             # 冇 = 没
    ("我唔会去搞咩传媒", "threatens_media", "negated"),                     # 唔会 = 不会
])
def test_cantonese_negation_reads_as_mandarin(engine, text, sid, modality):
    assert _modality(engine, text, sid) <= {modality}
    assert (sid in signals(engine, text)) == (modality != "negated")


def test_cantonese_plural_pronoun_is_the_other_side(engine):
    # 佢哋 = 他们: "佢哋话要告我" is the other side acting on the complainant
    assert "threatens_lawsuit" not in signals(engine, "佢哋话要入禀法院告我")


@pytest.mark.parametrize("text", [
    "客户很害怕，说最近整夜睡不着，已在吃安眠药。",
    "我晚上睡不着，吃安眠药都没用。",
    "客户称自从这件事以后整宿整宿睡不着，吃安眠药都不管用。",
    "I can't sleep and the doctor put me on sleeping pills.",
])
def test_sleeping_pills_taken_for_insomnia_are_no_threat_of_self_harm(engine, text):
    assert "threatens_self_harm" not in signals(engine, text)


@pytest.mark.parametrize("text", [
    "不赔钱我就吃安眠药", "安眠药我已经攒了一瓶，你们看着办吧。", "我买了一整瓶安眠药放在家里",
    "He said he would take all his sleeping pills if the house is repossessed",
])
def test_a_medicine_with_intent_is_a_threat_of_self_harm(engine, text):
    assert "threatens_self_harm" in signals(engine, text)


@pytest.mark.parametrize("text", [
    "这扣费扣得我想死的心都有了，哈哈", "气得我想死😂", "我真的想死。哈哈哈", "I could kill myself lol",
])
def test_hyperbole_followed_by_laughter_is_a_jest(engine, text):
    assert "threatens_self_harm" not in signals(engine, text)


def test_a_sneer_is_no_jest(engine):
    assert "threatens_lawsuit" in signals(engine, "我要去法院起诉你们，呵呵")
    assert "threatens_self_harm" in signals(engine, "我真的不想活了，你们满意了吧")


@pytest.mark.parametrize("text", [
    "客户说大不了跟银行同归于尽", "再不解决我就拉着你们经理一起同归于尽", "客户在柜台对柜员说要和银行同归于尽",
])
def test_perishing_together_is_the_speakers_threat_against_self_and_others(engine, text):
    got = signals(engine, text)
    assert {"threatens_self_harm", "threatens_violence"} <= got, got
    start = text.index("同归于尽")
    assert read_span(engine, text, "同归于尽")[0] == "complainant", start


def test_inside_the_other_sides_quoted_words_the_first_person_is_that_speaker(engine):
    # "我们律师…告你" quoted from the agent: the agent threatens the customer, not the customer the firm
    text = '客户转述对方原话："你要是敢自己跟保险公司谈，违约金一万，我们律师直接去法院告你。"客户说对方只找过她本人。'
    assert "threatens_lawsuit" not in signals(engine, text)
    assert read_span(engine, '催收员对我说："我们会起诉你"', "起诉")[0] == "firm"
    assert read_span(engine, 'The collector said "we will sue you if you do not pay"', "sue")[0] == "firm"
    # the complainant's own quoted words stay theirs, also when said to someone
    assert read_span(engine, '客户说："我要起诉你们"', "起诉")[0] == "complainant"
    assert read_span(engine, 'I told the agent "I will sue you"', "sue")[0] == "complainant"
    # someone named who does not say the quote is not its speaker ("买家私信客服：", a condition's subject)
    assert "threatens_online_post" in signals(
        engine, '买家私信客服："给我转1000块，这事就算了；不给，我明天就去市场监管局举报你们，还要发到网上。"')


def test_silence_offered_after_a_price_is_a_conditional_threat(engine):
    # the price first, the will-not after: "Pay … and I won't …", "转我三千，我就…也不去找记者"
    assert read_span(engine, "Refund me $500 now and I won't leave a one-star review on Google", "one-star review")[1] \
        == "conditional"
    assert read_span(engine, "私了吧，转我三千，我就撤销投诉，也不去找记者。", "找记者")[1] == "conditional"
    assert "threatens_media" in signals(engine, "私了吧，转我三千，我就撤销投诉，也不去找记者。")
    # no price demanded: a plain denial
    assert read_span(engine, "我已经付了钱，我也不去找记者了", "找记者")[1] == "negated"
    assert read_span(engine, "I paid the bill and I did not post anything online", "post anything online")[1] == "negated"


def test_a_denied_stopping_affirms_what_goes_on(engine):
    # "I haven't stopped crying": the crying goes on
    assert "crying_distress" in signals(engine, "I haven't stopped crying since your letter came.")
    assert "crying_distress" not in signals(engine, "I did not cry on the phone.")


def test_person_words_in_the_object_of_ba_are_not_who_acts(engine):
    text = "你们再不处理，我就把你们业务员怎么忽悠我的录个视频发抖音，让大家都看看。"
    assert read_span(engine, text, "发抖音") == ("complainant", "conditional")
    assert "threatens_online_post" in signals(engine, text)
    assert read_span(engine, "业务员把我的资料发到网上", "发到网上")[0] == "firm"     # the subject before 把 acts


def test_once_back_and_a_clause_that_goes_on_keep_what_lies_ahead(engine):
    assert read_span(engine, "客户表示回去就发朋友圈和抖音", "发朋友圈")[1] == "future"
    assert read_span(engine, "我明天就举报到市场监管局，顺便发到小红书上", "发到小红书")[1] == "future"
    assert read_span(engine, "我上周去了银行，顺便问了理财", "问了")[1] == "asserted"


def test_a_transcript_label_in_brackets_is_no_party_and_wo_jiu_names_the_speaker(engine):
    # "（在线客服对话）" labels the transcript: its 客服 is not who speaks after it; "我就…" names the customer
    text = "（在线客服对话）\n14:05 客户：你们再打一次电话，我就从楼顶下去，让你们满意"
    assert read_span(engine, text, "就从楼顶")[0] == "complainant"
    assert "threatens_self_harm" in signals(engine, text)
    # 再…就: once more, then what follows — a condition
    assert read_span(engine, "你们再打一次电话，我就从楼顶下去", "从楼顶下去")[1] == "conditional"
    assert read_span(engine, "我再三要求，他们就是不给", "不给")[1] != "conditional"
    # a 我 after 给 with 就 after it is the subject of what follows
    assert read_span(engine, "不给解决我就进京，别怪我没提醒你们", "进京")[0] == "complainant"


def test_a_contracted_new_subject_ends_an_english_negation(engine):
    # "if we don't fix this he'll go to the papers": the negation is the condition's, the threat stands
    assert read_span(engine, "Customer said if we don't fix this he'll \"go to the papers\".", "the papers")[1] \
        == "conditional"
    assert "threatens_media" in signals(engine, "Customer said if we don't fix this he'll \"go to the papers\".")
    # a denied saying still covers what was said
    assert "mentions_regulator" not in signals(
        engine, "Note: she hasn't said she'll go to the FCA herself; she asked us to pass the request on.")


def test_gao_at_a_regulator_is_a_complaint_not_a_suit(engine):
    assert "threatens_lawsuit" not in signals(engine, "老子明天就去证监局告你们")
    assert "mentions_regulator" in signals(engine, "客户称不赔钱我就去市监局告你们")
    assert "threatens_lawsuit" in signals(engine, "不赔钱我就去法院告你们")


def test_the_speaker_of_a_quote_is_named_whole_and_not_as_the_one_pointed_at(engine):
    # "那家维权公司的人原话：" names the agent firm (not 公司 alone); "指着柜员说：" points at the teller, the customer speaks
    text = '客户转述那家维权公司的人原话："你敢自己跟保险公司谈，我们就去法院告你违约。"'
    assert read_span(engine, text, "去法院")[0] == "third_party"
    assert "threatens_lawsuit" not in signals(engine, text)
    assert "insults_staff" in signals(engine, "客户指着柜员说：“你算什么东西，也配跟我讲规定？”")


@pytest.mark.parametrize("text, present", [
    ("客户说这半年一直失眠，每晚都要吃安眠药才睡得着。", False),
    ("安眠药我已经买了一整瓶放在抽屉里，你们再拖下去就别怪我。", True),
])
def test_a_medicine_taken_to_sleep_is_treatment_a_whole_dose_is_a_means(engine, text, present):
    assert ("threatens_self_harm" in signals(engine, text)) == present


def test_might_as_well_die_is_no_retraction_and_an_insult_said_of_staff_is_the_speakers(engine):
    # 逼死我算了: despair, not an intent taken back (本来想找记者，后来算了 still is)
    assert "despair_hopeless" in signals(engine, '客户在电话里反复念叨"活不下去了，你们逼死我算了"')
    assert "threatens_media" not in signals(engine, "本来想找记者，后来算了")
    # the staff as the subject of the insult: the speaker insults them; said of me by staff, it is not mine
    assert "insults_staff" in signals(engine, "你哋間公司啲職員真係冇教養，我打咗五次電話都冇人理")
    assert "insults_staff" not in signals(engine, "客服说我没素质")


@pytest.mark.parametrize("text, sid, modality", [
    ("他说不换就砸银行，随即举起凳子砸玻璃门。", "violence_on_site", "asserted"),
    ("他说不换就砸银行，随即举起凳子砸玻璃门。", "threatens_violence", "conditional"),
    ("客户被拒后随即说如果不赔就去起诉。", "threatens_lawsuit", "conditional"),
])
def test_a_condition_does_not_reach_an_act_that_followed_it(engine, text, sid, modality):
    # 随即/随后/接着 start the telling of what happened next; a condition after them still holds
    assert _modality(engine, text, sid) == {modality}


# -- issue 13, reader12: lines, initials, knowing verbs, generic person words ----------------------------
def test_a_line_break_in_a_transcript_ends_a_sentence(engine):
    from riskengine.reading.clauses import Doc
    from riskengine.reading.narrative import normalise
    # "Them: …\nMe: …": each line is a sentence; the collector's line says nothing of the complainant's
    text = normalise("Them: if you cancel we will sue you\nMe: fine")
    assert Doc(text, {}).sentence(text.index("me:"))[0] == text.index("me:")
    zh = normalise("客户：不赔钱\n坐席：好的，我记录一下")
    assert Doc(zh, {}).sentence(zh.index("坐席"))[0] == zh.index("坐席")
    # prose wrapped by hand, and a line after a sentence's own end, are joined by a space as before
    assert normalise("I called them and they\ntold me no") == "i called them and they told me no"
    assert normalise("已经退款。\n客户表示满意") == "已经退款。 客户表示满意"


def test_the_first_person_of_a_transcript_line_is_its_labelled_speaker(engine):
    # "对方：…我们就去法院起诉你": the other side threatens the complainant, who threatens in the next line
    text = "对方：你再闹，我们就去法院起诉你\n我：我要去找媒体曝光你们"
    assert read_span(engine, text, "起诉你")[0] in ("firm", "third_party")
    assert "threatens_lawsuit" not in signals(engine, text) and "threatens_media" in signals(engine, text)
    assert "threatens_lawsuit" not in signals(engine, "Them: we will sue you if you cancel\nMe: ok")
    assert read_span(engine, "客服说：我们会起诉你", "起诉")[0] == "firm"
    # a staff member's report of what the customer did keeps the customer as the actor
    assert "threatens_lawsuit" in signals(engine, "网点主任报：客户在大堂拍着柜台说，今天再不给解冻，他就去法院起诉。")
    assert "threatens_lawsuit" in signals(engine, "客户：不赔钱我就去法院起诉你们\n坐席：好的")


def test_an_initial_ends_no_sentence(engine):
    from riskengine.reading.clauses import Doc
    from riskengine.reading.narrative import normalise
    for text in ("Complaint from R. Delgado about a fee. He said he will sue.", "Mr. J. Smith called. He left."):
        norm = normalise(text)
        doc = Doc(norm, {})
        assert doc.sentence(norm.index("called" if "called" in norm else "about"))[0] == 0
        assert doc.sentence(norm.index("he "))[0] > 0        # the real full stop still ends the first sentence
    other = normalise("My wife and I. We left.")                # "I." is a pronoun, not an initial
    assert Doc(other, {}).sentence(other.index("we"))[0] > 0


def test_a_negated_verb_of_knowing_does_not_negate_what_it_asks_about(engine):
    assert read_span(engine, "I do not understand why the bank blocked my card", "blocked")[1] != "negated"
    assert read_span(engine, "我也不知道为什么银行冻结了我的卡", "冻结")[1] != "negated"
    assert read_span(engine, "我并不明白为什么你们要骗我", "骗我")[1] != "negated"
    assert "account_frozen" in signals(engine, "I do not understand why the bank blocked my card")
    # the negation of the act itself still denies it; a belief asked about is not a fact
    assert read_span(engine, "我没有起诉银行", "起诉")[1] == "negated"
    assert "forged_evidence" not in signals(engine, "I don't know why your team thinks the bank statement was edited.")


def test_a_generic_person_word_for_the_complainant_is_no_third_party(engine):
    # "一名男子要求柜员…被拒后大声辱骂": the man is the one who demands of the firm, the complainant
    text = "一名男子要求柜员为其办理退保，被拒后大声辱骂柜员。"
    got = signals(engine, text)
    assert "coerces_customer" not in got and "insults_staff" in got
    assert read_span(engine, "今日上午一名男子来到网点，称要退保，被拒后扬言要去法院起诉银行。", "去法院")[0] == "complainant"
    # a companion or an agent stays a third party
    assert read_span(engine, "客户王某由一名男子陪同来网点，该男子要求柜员全额退保，并威胁说不退就曝光。", "曝光")[0] \
        == "third_party"
    assert "coerces_customer" in signals(engine, "一名男子自称客户的顾问，要求柜员全额退保，被拒后威胁要曝光。")


@pytest.mark.parametrize("text, absent", [
    ("客户希望银行不要起诉他", "threatens_lawsuit"),                       # hoped the bank will not sue
    ("I hope the bank will not sue me over this", "threatens_lawsuit"),
    ("The collector threatened to sue me if I did not pay by Friday", "threatens_lawsuit"),   # not the consumer's
    ("催收员说再不还钱就去法院起诉我", "threatens_lawsuit"),
    ("I have never contacted the media or a lawyer or posted online", "threatens_media"),   # never X or Y
    ("我从来没有找过媒体或者律师", "threatens_media"),
])
def test_the_issues_own_examples_stay_right(engine, text, absent):
    assert absent not in signals(engine, text)


def test_an_english_first_person_opening_a_longer_term_still_acts(engine):
    # "…or I'll come down there and wreck the place": "i'll" opens a longer term; the manager named before is
    # spoken to, the speaker acts
    text = "Put your manager on or I'll come down there and wreck the place."
    assert read_span(engine, text, "wreck the place")[0] == "complainant"
    assert "threatens_violence" in signals(engine, text)


def test_a_dare_makes_the_act_a_threat_of_what_one_will_do(engine):
    # "你信不信我发到朋友圈": said as a dare, the post is still ahead
    text = "我都截图了，你信不信我发到朋友圈和业主群"
    assert read_span(engine, text, "发到朋友圈")[1] == "future"
    assert "threatens_online_post" in signals(engine, text)
    assert "threatens_online_post" not in signals(engine, "我上周已经发到朋友圈了")


def test_qingqiu_in_a_written_demand_is_the_demand_not_a_hope(engine):
    # "请求贵司…" is what the letter asks for, said outright; 希望 stays a hope
    assert read_span(engine, "请求贵司全额退还保费。", "全额退还")[1] == "asserted"
    assert read_span(engine, "我希望贵司全额退还保费。", "全额退还")[1] == "hoped"


@pytest.mark.parametrize("text, part", [
    ("我打电话过去，那边的人说：“我们会起诉你”", "起诉"),
    ("那边的人说：我们会起诉你", "起诉"),                 # a colon and no quote marks
    ("对方的人讲：我们下周就去法院告你", "法院告"),
    ('The people there said "we will sue you"', "sue"),
    ('The guy on the phone told me "we\'ll take you to court"', "court"),
])
def test_a_speaker_named_only_by_where_they_are_is_the_other_side(engine, text, part):
    assert read_span(engine, text, part)[0] == "firm"
    assert "threatens_lawsuit" not in signals(engine, text)


def test_a_complainants_own_colon_speech_stays_the_complainants(engine):
    assert read_span(engine, "客户说：我要起诉你们", "起诉")[0] == "complainant"


@pytest.mark.parametrize("text, part, modality", [
    ("我已向劳动仲裁委员会申请仲裁", "申请", "past"),          # the 会 of 委员会 is no "will"
    ("客户已向消费者权益保护委员会投诉", "投诉", "past"),
    ("业务员会上门找我", "上门", "future"),                   # a one-character 员 before 会: the salesman will
])
def test_the_hui_of_a_committee_is_no_will(engine, text, part, modality):
    assert read_span(engine, text, part)[1] == modality


@pytest.mark.parametrize("text, part, modality", [
    ("客户很不满，保单还没到期就被扣了手续费", "扣了", "asserted"),   # 还没…就: it happened too soon
    ("我不知道为什么，还没签字就扣了保费", "扣了", "asserted"),
    ("还不到期就扣款", "扣款", "asserted"),
    ("他们不等我说完就挂了电话", "挂了", "asserted"),
    ("不退钱我就去找媒体", "找媒体", "conditional"),           # a refusal, then what follows: a condition
    ("收不到钱我就去起诉", "起诉", "conditional"),
])
def test_not_yet_then_is_a_past_sequence_not_a_condition(engine, text, part, modality):
    assert read_span(engine, text, part)[1] == modality


def test_a_number_in_chinese_words_is_read_as_chinese(engine):
    # "向12315投诉": the number is no English word, so a 未 two clauses back does not reach it by a word count
    text = "客户要求按承诺退款499元，未提出其他金钱要求，表示若不退将向12315投诉。"
    assert read_span(engine, text, "12315")[1] == "conditional"
    assert "mentions_regulator" in signals(engine, text)
    assert read_span(engine, "I did not call 911", "911")[1] == "negated"     # in English words it stays English


def test_theres_opens_a_clause_a_negation_before_it_does_not_reach(engine):
    # "if I can't pay for her headstone there's no point me being here": the can't is the condition's own
    text = 'Said "if I can\'t pay for her headstone there\'s no point me being here".'
    assert read_span(engine, text, "no point")[1] == "conditional"
    assert read_span(engine, "I don't think there's any fraud here", "fraud")[1] == "negated"   # a thought denied


def test_de_hua_closes_a_condition_and_the_speaker_after_it_acts(engine):
    # "不给的话我明天就举报": 的话 ends the condition; 我 after it is the subject, not the object of 给
    text = "给我转5000块这事就算了，不给的话我明天就举报到市场监管局，顺便发到小红书上。"
    assert read_span(engine, text, "举报")[0] == "complainant"
    assert read_span(engine, text, "举报")[1] == "conditional"
    assert "threatens_online_post" in signals(engine, text)
    assert read_span(engine, "他说的话我都录下来了", "录下来")[1] != "conditional"     # 说的话: the words said


def test_a_list_put_first_is_what_the_speaker_after_it_acts_on(engine):
    # "银行、监管、法院我都找遍了": the bodies are fronted objects; 我 acts
    text = "银行、监管、法院我都找遍了，不知道还能找谁。"
    assert read_span(engine, text, "监管")[0] == "complainant"
    assert "mentions_regulator" in signals(engine, text)
    assert read_span(engine, "银行、保险公司都不管我", "不管")[0] == "firm"     # a list that is the subject
