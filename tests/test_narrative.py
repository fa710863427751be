"""Narrative signals: normalisation, negation, spans, whole English words."""
from __future__ import annotations

import pytest

from riskengine.contracts.knowledge import Indicator
from riskengine.reading.narrative import NarrativeScanner, normalise


def scanner(**patterns):
    entries = [Indicator(id=sid, dimension="space", points=1, name={"zh": sid, "en": sid},
                         patterns={"zh": zh, "en": en}) for sid, (zh, en) in patterns.items()]
    return NarrativeScanner(entries)


MEDIA = scanner(threatens_media=(["媒体", "曝光"], ["media", "reporter"]), threatens_lawsuit=([], ["sue"]))


def found(text):
    return {h.signal: h.text for h in MEDIA.scan(text)}


def test_normalise_full_width_case_and_space():
    assert normalise("ＭＥＤＩＡ　Ｎｅｗｓ　１２３７８") == "media news 12378"
    # a paragraph break ends a line that had no end of its own; a line after an ended sentence is joined
    assert normalise("ＭＥＤＩＡ　Ｎｅｗｓ\n\n１２３７８") == "media news\n12378"
    assert normalise("Ｎｅｗｓ.\n\n１２３７８") == "news. 12378"


def test_chinese_and_english_hits_with_spans():
    hits = MEDIA.scan("他说：我要找媒体！")
    assert [(h.signal, h.text, h.start, h.end) for h in hits] == [("threatens_media", "媒体", 6, 8)]
    assert found("I will call a REPORTER") == {"threatens_media": "reporter"}


def test_negation_does_not_raise_a_signal():
    assert found("我没有找媒体，只想要解释") == {}
    assert found("客户并未曝光此事") == {}
    assert found("I did not contact the media") == {}
    assert found("we never spoke to a reporter") == {}


def test_negation_in_another_clause_does_not_block():
    assert found("没有人回复，我要找媒体") == {"threatens_media": "媒体"}
    assert found("No one answered. I will go to the media") == {"threatens_media": "media"}
    assert found("如果不解决我就找媒体曝光") == {"threatens_media": "媒体"}


def test_english_keywords_match_whole_words_only():
    assert found("there is an issue with my account") == {}
    assert found("I will sue you") == {"threatens_lawsuit": "sue"}


def test_huge_hostile_input_is_bounded():
    text = "媒" * 200_000 + "体"
    assert MEDIA.scan(text) == []  # beyond the scan limit, and no catastrophic pattern is possible


def test_pattern_escapes_keep_their_case():
    """Patterns are case-folded to match folded text, but \\S, \\D, \\W, \\B keep their meaning."""
    from riskengine.reading.narrative import normalise_pattern
    assert normalise_pattern(r"ＣＦＰＢ\S+ \D  \W\B[A-Z]") == r"cfpb\S+ \D \W\B[a-z]"
    scanner = NarrativeScanner([Indicator(id=i, dimension="space", points=1, name={"zh": i, "en": i}, patterns=p)
                                for i, p in (("a", {"zh": [r"编号\S+号"], "en": []}), ("b", {"zh": [], "en": [r"ref \D\d"]}))])
    assert [h.text for h in scanner.scan("投诉编号AB-12号，REF X9")] == ["编号ab-12号", "ref x9"]
    assert scanner.scan("编号 号 ref 99") == []


@pytest.mark.parametrize("text, signal, expected", [
    ("the difficulty was that nobody answered", "serious_illness", False),   # "icu" inside a word
    ("父亲在ICU抢救", "serious_illness", True),
    ("上周投诉到了监管局", "regulator_letter_sent", True),
    ("我要投诉到银保监会", "regulator_letter_sent", False),                   # an intent, not done yet
    ("客户准备举报给监管局", "regulator_letter_sent", False),
])
def test_shipped_patterns_on_known_false_positives(engine, text, signal, expected):
    assert (signal in {h.signal for h in engine.scanner.scan(text)}) is expected
