"""`yields_to:`: the same words read as a more specific sign take the general signal's place in their
sentence. The issue's misreading: an agent's fee ("按退款金额的30%付他们服务费") read as the customer disputing
the firm's fees."""
from __future__ import annotations

from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.contracts.knowledge import Concept, Indicator
from riskengine.reading.narrative import NarrativeScanner


def concept(cid, zh=(), en=()):
    return Concept(id=cid, name={"zh": cid, "en": cid}, zh=zh, en=en)


CONCEPTS = {c.id: c for c in (
    concept("fee", ["服务费"], ["service fee"]),
    concept("share", ["30%", "三成"], ["30%"]),
)}


def scanner(yields=("agent_fee_share",)):
    name = {"zh": "x", "en": "x"}
    fee = Indicator(id="fee_dispute", dimension="interest", points=1, name=name, read=[{"any": ["fee"]}],
                    yields_to=yields)
    agent = Indicator(id="agent_fee_share", dimension="interest", points=1, name=name,
                      read=[{"all": ["share", "fee"], "within": "sentence"}])
    return NarrativeScanner([fee, agent], concepts=CONCEPTS)


def found(text, **kw):
    return {h.signal for h in scanner(**kw).scan(text)}


def test_an_agents_share_in_the_same_sentence_takes_the_fee_disputes_place():
    assert found("他们要按退款的30%收服务费。") == {"agent_fee_share"}
    assert found("They take 30% of the refund as a service fee.") == {"agent_fee_share"}


def test_without_yields_to_both_are_read():
    assert found("他们要按退款的30%收服务费。", yields=()) == {"agent_fee_share", "fee_dispute"}


def test_a_fee_in_another_sentence_still_stands():
    assert found("银行多收了服务费。维权公司还要收三成服务费。") == {"agent_fee_share", "fee_dispute"}


def test_shipped_agent_fee_by_pronoun_is_not_a_fee_dispute(engine):
    text = "他们讲签了协议就不能反悔，要是我自己去跟保险公司和解，也要按退款金额的30%付他们服务费。"
    signals = {h.signal for h in engine.scanner.scan(text)}
    assert "agent_fee_share" in signals and "fee_dispute" not in signals


def test_shipped_firm_fee_dispute_is_still_read(engine):
    signals = {h.signal for h in engine.scanner.scan("你们银行每个月乱收账户管理费，我要求退还。")}
    assert "fee_dispute" in signals


def test_unknown_signal_in_yields_to_is_reported_with_its_place_and_a_suggestion(knowledge_copy):
    path = knowledge_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert "yields_to: [agent_fee_share]" in text
    path.write_text(text.replace("yields_to: [agent_fee_share]", "yields_to: [agent_fee_shares]", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0
    line = next(x for x in result.output.splitlines() if "RE101" in x)
    assert "indicators.yaml:" in line and "agent_fee_shares" in line and "'agent_fee_share'?" in line


def test_a_signal_cannot_yield_to_itself(knowledge_copy):
    path = knowledge_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("yields_to: [agent_fee_share]", "yields_to: [fee_dispute]", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0
    assert "cannot yield to itself" in result.output and "indicators.yaml:" in result.output
