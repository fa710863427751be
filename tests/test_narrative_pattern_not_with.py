"""`patterns.not_with`: concepts that reject a signal's PATTERN hit when they occur in the hit's sentence
(as a reading's `not_with` does for a reading), and the check of those concept ids."""
from __future__ import annotations


import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.contracts.knowledge import AgentSign, Concept, Patterns
from riskengine.reading.narrative import NarrativeScanner



def concept(cid, zh=(), en=()):
    return Concept(id=cid, name={"zh": cid, "en": cid}, zh=zh, en=en)


def sign(sid, zh=(), en=(), not_with=(), read=()):
    return AgentSign(id=sid, group="ecommerce", weight=1, name={"zh": sid, "en": sid},
                     patterns={"zh": zh, "en": en, "not_with": not_with}, read=read)


CONCEPTS = {c.id: c for c in (
    concept("org", ["单位", "公司年会"], ["=for our office", "school"]),
    concept("agent_firm", ["维权单位"], []),          # a longer term that contains "单位"
    concept("stock_word", ["囤货"], ["stockpile"]),
)}
SCANNER = NarrativeScanner([
    sign("bulk", zh=[r"买了\d{3,}(件|盒)"], en=[r"bought \d{3,}"], not_with=["org"],
         read=[{"any": ["stock_word"]}]),
    sign("bulk_plain", zh=[r"买了\d{3,}(件|盒)"], en=[r"bought \d{3,}"]),
], concepts=CONCEPTS)


def found(text):
    return {h.signal for h in SCANNER.scan(text)}


def test_pattern_hit_is_rejected_when_a_not_with_concept_is_in_its_sentence():
    assert found("我买了300盒饼干") == {"bulk", "bulk_plain"}
    assert found("给单位买了300盒饼干") == {"bulk_plain"}             # before the hit
    assert found("我买了300盒饼干，发给公司年会") == {"bulk_plain"}      # after it, in another clause
    assert found("We bought 400 reams for our office.") == {"bulk_plain"}
    assert found("Our school bought 500 pencils") == {"bulk_plain"}


def test_not_with_in_another_sentence_does_not_reject_the_hit():
    assert found("我在单位上班。我买了300盒饼干") == {"bulk", "bulk_plain"}
    assert found("I work at a school. I bought 500 pencils") == {"bulk", "bulk_plain"}


def test_a_later_match_in_a_clean_sentence_still_raises_the_signal():
    hits = {h.signal: h for h in SCANNER.scan("单位买了300盒。后来我自己又买了400件")}
    assert hits["bulk"].text == "买了400件"
    assert hits["bulk_plain"].text == "买了300盒"


def test_not_with_term_inside_a_longer_term_of_another_concept_does_not_count():
    assert found("维权单位说我买了300盒也能赔") == {"bulk", "bulk_plain"}   # "单位" inside "维权单位"


def test_pattern_not_with_leaves_the_signals_readings_alone():
    assert found("单位让我囤货") == {"bulk"}          # a reading hit; readings have their own not_with


def test_patterns_not_with_defaults_to_nothing_and_unknown_keys_stay_errors():
    assert Patterns().not_with == ()
    with pytest.raises(ValueError):
        Patterns(zh=("x",), not_wiht=("org",))


# -- the shipped sign -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, present", [
    ("该买家一次下单买了三百盒同款面膜，收货后逐盒索赔。", True),
    ("公司年会抽奖用，一次买了三百盒面膜，其中十盒破损。", False),
    ("The buyer ordered 400 identical phone cases and claimed each was faulty.", True),
    ("We ordered 400 mugs as staff gifts for the company event and twenty arrived broken.", False),
    ("Our school purchased 250 calculators for the maths department; some do not switch on.", False),
])
def test_shipped_bulk_purchase_skips_an_organisation_buying_for_its_own_use(engine, text, present):
    got = {h.signal for h in engine.scanner.scan(text)}
    assert ("bulk_purchase_beyond_need" in got) is present, got


# -- validation -------------------------------------------------------------------------------------
def test_unknown_pattern_not_with_concept_is_an_error_with_location_and_suggestion(knowledge_copy):
    path = knowledge_copy / "agent_signs.yaml"
    text = path.read_text(encoding="utf-8")
    assert "not_with: [org_purchase" in text          # bulk_purchase_beyond_need's pattern-level not_with
    path.write_text(text.replace("not_with: [org_purchase", "not_with: [org_purchse", 1), encoding="utf-8")
    expected_line = next(i for i, x in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                         if "not_with: [org_purchse" in x)
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code != 0
    line = next(x for x in result.output.splitlines() if "RE108" in x)
    assert "unknown concept 'org_purchse'" in line and "org_purchase" in line      # did you mean
    assert f"agent_signs.yaml:{expected_line}:" in line


def test_a_concept_used_only_by_patterns_not_with_is_not_reported_unused(knowledge_copy):
    result = CliRunner().invoke(main, ["validate", "--knowledge", str(knowledge_copy)])
    assert result.exit_code == 0, result.output
    assert "org_purchase" not in result.output


# -- the shipped template_letter and full_refund_demand (issue 13: consistent meaning, general wording) ----------
@pytest.mark.parametrize("text, present", [
    ("这批申诉信除了投保人姓名和电话以外完全相同。", True),                                   # a form filled in per customer
    ("All five letters are identical apart from the names at the top.", True),
    ("She showed us her brother's letter; hers is the very same letter, word for word, as those of two other customers.", True),
    ("客户说投诉信是他侄子代写的，内容与他口述的一致。", False),                           # ghostwritten for one customer
    ("He says a friend wrote the complaint for him and he signed it.", False),
    ("I used the headings of a template I found online, but the facts are my own.", False),  # a template's headings only
])
def test_shipped_template_letter_means_form_text_for_several_complainants(engine, text, present):
    got = {h.signal for h in engine.scanner.scan(text)}
    assert ("template_letter" in got) is present, got


@pytest.mark.parametrize("text, present", [
    ("只要不全额退款，我就天天去你们门店。", True),                     # the demand as an ultimatum's condition
    ("不把保费如数退还，我就一直投诉下去。", True),
    ("I want all the premiums I paid refunded.", True),
    ("He insists on getting back the full price of the sofa.", True),
    ("The shop offered me a full refund, which I accepted.", False),   # the firm's offer
    ("They told me they would refund the entire amount next week.", False),   # the firm's plan, nothing asked
    ("银行说不全额退款，只能退一半。", False),                          # the firm's refusal, no ultimatum
])
def test_shipped_full_refund_demand_reads_the_demand_not_the_offer(engine, text, present):
    got = {h.signal for h in engine.scanner.scan(text)}
    assert ("full_refund_demand" in got) is present, got
