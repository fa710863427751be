"""Sums of money in a narrative: written with digits, commas, 万/千, currency signs or Chinese numerals."""
import pytest

from riskengine.reading.amounts import amounts, large_amounts, zh_number
from riskengine.reading.narrative import normalise


@pytest.mark.parametrize("text, value", [
    ("三千五百", 3500), ("十二万", 120_000), ("一万二", 12_000), ("两万", 20_000), ("五千", 5000), ("几十万", 100_000),
])
def test_chinese_numerals_are_read_as_numbers(text, value):
    assert zh_number(text) == value


@pytest.mark.parametrize("text, yuan", [
    ("损失3500元", 3500), ("共计12.5万", 125_000), ("¥35,000", 35_000), ("lost $12,000", 43_200),
    ("£2,400 went", 12_960), ("三千五百元", 3500), ("$5k", 18_000), ("2万美元", 72_000),
])
def test_each_way_of_writing_a_sum_is_converted_to_yuan(text, yuan):
    assert [round(v) for _s, _e, v in amounts(normalise(text))] == [yuan]


@pytest.mark.parametrize("text", ["利率上调了20%", "my account ending 4521 was closed on 12/05/2024", "I am 82 years old",
                                  "投诉编号20240513001"])
def test_numbers_that_are_not_money_are_not_amounts(text):
    assert amounts(normalise(text)) == []


def test_only_sums_at_or_above_the_threshold_are_large():
    text = normalise("They charged me $35 twice, and the loan was $15,000.")
    assert [text[s:e] for s, e, _v in large_amounts(text)] == ["$15,000"]


def test_foreign_sums_are_weighed_by_what_they_buy():
    # at purchasing-power parity £1,800 is a little under 10,000 yuan, £2,000 a little over
    assert not large_amounts(normalise("about 1,800 pounds more"))
    assert large_amounts(normalise("about £2,000 more"))


def test_the_reader_raises_large_amount_from_a_parsed_sum_but_not_a_negated_one():
    from riskengine.contracts.knowledge import Indicator
    from riskengine.reading.narrative import AMOUNT_LABEL, NarrativeScanner

    scanner = NarrativeScanner([Indicator(id="large_amount", dimension="interest", points=1,
                                          name={"zh": "金额较大", "en": "Large amount"})])
    hits = scanner.scan("客户称理财亏了三万五千元，要求赔偿。")
    assert [(h.signal, h.text, h.pattern) for h in hits] == [("large_amount", "三万五千元", AMOUNT_LABEL)]
    assert scanner.scan("客户称并没有损失3万元，只是想问清楚。") == []
    assert scanner.scan("They charged me a $35 fee.") == []


def test_a_text_without_a_currency_code_gives_the_matches_of_the_full_pattern():
    """Texts with no usd/gbp/eur/rmb/cny are searched with a pattern whose look-ahead leaves out the
    letters: it finds exactly what the full pattern finds in them."""
    import random
    from riskengine.reading.amounts import _AMOUNT, _AMOUNT_NO_CODE, _CODES
    rng = random.Random(2)
    pieces = ["$", "£", "€", "¥", "1", "2", "0", "5", ",", ".", " ", "k", "m", "万", "千", "亿", "元", "块", "美元", "三",
              "十", "几", "两", "yuan", "dollars", "pounds", "euros", "thousand", "million", "e", "u", "g", "r", "c",
              "us", "eu", "gb", "rm", "cn", "d", "p", "b", "y", "x"]
    checked = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        if any(code in text for code in _CODES):
            continue
        assert [m.span() for m in _AMOUNT_NO_CODE.finditer(text)] == [m.span() for m in _AMOUNT.finditer(text)], text
        checked += 1
    assert checked > 3000
