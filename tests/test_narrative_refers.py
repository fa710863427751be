"""Cross-sentence reference in a reading (`refers:`): a pronoun in the span ("转给他", "paid him") stands
for the person named last before it, in its sentence or a few sentences back. A fee paid to the companion
named in the previous sentence is an agent's fee; the same words after a relative was named are not."""
from __future__ import annotations


import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.contracts.knowledge import Concept, Indicator
from riskengine.reading.narrative import NarrativeScanner



def concept(cid, zh=(), en=()):
    return Concept(id=cid, name={"zh": cid, "en": cid}, zh=zh, en=en)


CONCEPTS = {c.id: c for c in (
    concept("companion", ["陪同男子", "该男子", "维权顾问"], ["case manager", "the adviser"]),
    concept("kin", ["儿子", "女儿"], ["son", "daughter"]),
    concept("paid_person", ["转给他", "付给他", "给了他"], ["=paid him", "=paid her"]),
)}


def scanner(back=2):
    sign = Indicator(id="agent_fee_share", dimension="interest", points=1, name={"zh": "x", "en": "x"},
                     read=[{"all": ["paid_person"], "refers": {"to": ["companion"], "not": ["kin"], "back": back}}])
    return NarrativeScanner([sign], concepts=CONCEPTS)


def found(text, back=2):
    return {h.signal for h in scanner(back).scan(text)}


def test_payment_to_the_companion_named_a_sentence_before_is_read():
    assert found("客户由一名陪同男子带来，全程由该男子说话。事后客户称已转给他三千元。") == {"agent_fee_share"}
    assert found("The customer came in with her case manager. She later said she had paid him £400.") == {"agent_fee_share"}


def test_payment_after_a_relative_was_named_last_is_not_read():
    assert found("陪同男子先走了。客户的儿子随后赶到，客户称已转给他三千元。") == set()
    assert found("The adviser left early. Her son arrived later and she said she had paid him £400.") == set()


def test_nobody_named_before_the_pronoun_reads_nothing():
    assert found("客户称已转给他三千元。") == set()


def test_reference_reaches_only_back_sentences():
    text = "陪同男子来过。客户去吃饭。客户回来了。客户说已转给他三千元。"
    assert found(text, back=3) == {"agent_fee_share"}
    assert found(text, back=1) == set()


def test_hit_names_the_reference_in_its_label():
    hit = scanner().scan("该男子全程说话。客户称已付给他两千元。")[0]
    assert "refers to(companion)" in hit.pattern


def test_unknown_concept_in_refers_is_reported_with_its_place(knowledge_copy):
    path = knowledge_copy / "agent_signs.yaml"
    text = path.read_text(encoding="utf-8")
    assert "refers:" in text and "agent_companion, actor_third_party]" in text
    path.write_text(text.replace("agent_companion, actor_third_party]", "agent_companoin, actor_third_party]", 1),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0
    line = next(x for x in result.output.splitlines() if "RE108" in x)
    assert "agent_signs.yaml:" in line and "agent_companoin" in line and "agent_companion" in line
