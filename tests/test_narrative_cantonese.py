"""Cantonese written in its own characters (Hong Kong complaints) is read through the same concepts as
Mandarin: 冇/唔 negate, 佢 is a person, 搵/揾 is 找 (the characters are mapped one for one, so spans stay)."""
from __future__ import annotations

from riskengine.contracts.knowledge import Concept, Indicator
from riskengine.reading.lexicon import to_simplified
from riskengine.reading.narrative import NarrativeScanner


def _scanner() -> NarrativeScanner:
    concepts = {c.id: c for c in (
        Concept(id="seek", name={"zh": "找", "en": "seek"}, zh=["找"]),
        Concept(id="media", name={"zh": "媒体", "en": "media"}, zh=["传媒", "媒体", "记者"]),
    )}
    media = Indicator(id="threatens_media", dimension="space", points=1, name={"zh": "媒体", "en": "media"},
                      read=[{"all": ["seek", "media"], "within": 6}], actors=["complainant", "third_party"])
    return NarrativeScanner([media], concepts=concepts)


def test_cantonese_function_characters_read_as_their_mandarin_equivalents():
    assert to_simplified("佢冇搵傳媒，唔係咁嘅") == "他没找传媒，不系咁的"
    assert len(to_simplified("我哋喺度等咗好耐")) == len("我哋喺度等咗好耐")   # one for one: spans stay


def test_a_cantonese_negation_stops_a_threat_and_a_plain_one_still_counts():
    scanner = _scanner()
    assert [h.signal for h in scanner.scan("佢話要搵傳媒曝光。")] == ["threatens_media"]
    assert scanner.scan("佢冇話要搵傳媒，只係想快啲拎返錢。") == []
