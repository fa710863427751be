"""Scopes of a reading and the sentence split they rest on: `within: nearby` (a sentence and its neighbours),
and full stops of dotted abbreviations ("15 U.S.C. 1692g", "Mr. Li") that end no sentence."""
from __future__ import annotations

from riskengine.contracts.knowledge import Concept, Indicator
from riskengine.reading.clauses import Doc
from riskengine.reading.narrative import NarrativeScanner, normalise


def concept(cid, zh=(), en=()):
    return Concept(id=cid, name={"zh": cid, "en": cid}, zh=zh, en=en)


CONCEPTS = {c.id: c for c in (
    concept("claim", ["代签"], ["forged"]),
    concept("record", ["双录"], ["recording"]),
    concept("cite", [], ["u.s.c"]),
)}


def sign(sid, read):
    return Indicator(id=sid, dimension="space", points=1, name={"zh": sid, "en": sid}, read=read)


SCANNER = NarrativeScanner([
    sign("flaw_nearby", [{"all": ["claim", "record"], "within": "nearby"}]),
    sign("flaw_sentence", [{"all": ["claim", "record"], "within": "sentence"}]),
    sign("two_cites", [{"all": ["cite", "cite"], "within": "sentence"}]),
], concepts=CONCEPTS)


def found(text):
    return {h.signal for h in SCANNER.scan(text)}


def test_nearby_reaches_the_next_sentence_but_not_two_away():
    assert found("客户称代签。已调取双录。") == {"flaw_nearby"}
    assert found("Customer says the signature was forged. The recording shows her signing.") == {"flaw_nearby"}
    assert found("客户称代签。另有一事。已调取双录。") == set()
    assert found("客户称代签，已调取双录。") == {"flaw_nearby", "flaw_sentence"}


def test_dotted_abbreviations_end_no_sentence():
    doc = Doc(normalise("Under 15 U.S.C. 1692g and 15 U.S.C. 1692e. Next."), {})
    assert doc.sentence_index(doc.text.index("1692e")) == 0
    assert doc.sentence_index(doc.text.index("next")) == 1
    assert found("Pursuant to 15 U.S.C. 1681i and 15 U.S.C. 1681s-2.") == {"two_cites"}
    doc = Doc(normalise("Mr. Li called. He left."), {})
    assert doc.sentence_index(doc.text.index("called")) == 0 and doc.sentence_index(doc.text.index("he left")) == 1


def test_a_sentence_ending_in_no_still_ends():
    doc = Doc(normalise("They said no. I will complain again."), {})
    assert doc.sentence_index(doc.text.index("i will")) == 1
