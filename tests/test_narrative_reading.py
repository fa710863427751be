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
    got = {h.signal for h in engine.scanner.scan(text)}
    assert present <= got and not (absent & got), got


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
