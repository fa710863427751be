"""Sums of money in a normalised narrative: 3500元, 12.5万, ¥35,000, $12,000, £2,400, 三千五百元, 十几万.

Each amount is turned into an approximate yuan value at purchasing-power parity (the question asked is
"is this a large sum for a consumer?", not an exchange rate), so one threshold serves every currency. Percentages and bare numbers without a currency or 元/块/万 are not amounts (dates, phone numbers,
ages). The scan is one linear regular-expression pass plus a small parser per match.
"""
from __future__ import annotations

import re

# Yuan per unit of each currency at purchasing-power parity (OECD/World Bank PPP conversion factors,
# rounded: about 3.6 yuan, 0.67 pounds and 0.72 euros buy what one US dollar buys). A sum is "large"
# by what it means to a consumer where it is spent, so PPP, not the market rate, is the equivalent.
RATES = {"$": 3.6, "usd": 3.6, "dollars": 3.6, "dollar": 3.6, "美元": 3.6,
         "£": 5.4, "gbp": 5.4, "pounds": 5.4, "英镑": 5.4,
         "€": 5.0, "eur": 5.0, "euros": 5.0, "欧元": 5.0,
         "¥": 1.0, "rmb": 1.0, "cny": 1.0, "元": 1.0, "块": 1.0, "yuan": 1.0, "人民币": 1.0}
LARGE_YUAN = 10_000   # the threshold of indicators.yaml's large_amount question ("10,000 yuan or more")

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ZH_NUM = "[零〇一二两三四五六七八九十百千万亿几]+"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# The look-ahead names every character a match can start with (it changes no match): re then skips
# the other positions at once instead of trying each alternative there, about 2.5× faster.
_AMOUNT_SOURCE = (
    r"(?=[\d$£€¥ugerc零〇一二两三四五六七八九十百千万亿几])(?:"
    r"(?P<pre>\$|£|€|¥|\b(?:usd|gbp|eur|rmb|cny)) ?(?P<n1>" + _NUM + r")(?: ?(?P<m1>k\b|m\b|million\b|thousand\b|万|千))?"
    r"|(?P<n2>" + _NUM + r") ?(?P<m2>万|千|亿|k\b|thousand\b|million\b)? ?(?P<cur2>元|块|美元|英镑|欧元|人民币|"
    r"yuan\b|dollars?\b|pounds\b|euros\b|usd\b|gbp\b|rmb\b)"
    r"|(?P<n3>" + _NUM + r") ?(?P<m3>万|亿)"
    r"|(?P<z>" + _ZH_NUM + r")(?P<zcur>元|块|美元|英镑|欧元)"
    r"|(?P<z2>" + _ZH_NUM + r"万))")
_AMOUNT = re.compile(_AMOUNT_SOURCE)
# Only a currency code (usd, gbp, eur, rmb, cny) starts a match with a letter: a text without one is
# searched with the letters left out of the look-ahead, so e, r, c, u and g (every few characters of
# English text) are skipped like any other letter. The same matches, about twice as fast.
_CODES = ("usd", "gbp", "eur", "rmb", "cny")
_AMOUNT_NO_CODE = re.compile(_AMOUNT_SOURCE.replace("ugerc", "", 1))

_MULT = {"k": 1000, "thousand": 1000, "千": 1000, "万": 10_000, "m": 1_000_000, "million": 1_000_000,
         "亿": 100_000_000}


def zh_number(s: str) -> float | None:
    """三千五百 → 3500, 十二万 → 120000, 一万二 → 12000, 几十万 → 100000 (几 read as 1: a floor)."""
    total = 0.0
    section = 0.0
    digit = None
    last_unit = 1
    for ch in s:
        if ch in _ZH_DIGIT or ch == "几":
            digit = _ZH_DIGIT.get(ch, 1)
        elif ch in _ZH_UNIT:
            unit = _ZH_UNIT[ch]
            if unit >= 10_000:
                section = (section + (digit or 0)) or 1
                total = (total + section) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:
            return None
    if digit is not None:   # 一万二: the trailing digit counts in the next lower unit
        section += digit * (last_unit // 10 if last_unit >= 10 and total and not section else 1)
    value = total + section
    return value or None


# every match contains one of these (a currency or 万/亿): texts without any are skipped at once
_NEEDS = ("$", "£", "€", "¥", "元", "块", "万", "亿", "英镑", "usd", "gbp", "eur", "rmb", "cny", "yuan", "dollar", "pounds")


def amounts(text: str) -> list[tuple[int, int, float]]:
    """(start, end, approximate yuan) of each sum of money in ``text`` (normalised, lower case)."""
    out = []
    if not any(n in text for n in _NEEDS):
        return out
    regex = _AMOUNT if any(c in text for c in _CODES) else _AMOUNT_NO_CODE
    for m in regex.finditer(text):
        g = m.group
        if g("n1"):
            value = float(g("n1").replace(",", "")) * _MULT.get(g("m1") or "", 1) * RATES[g("pre")]
        elif g("n2"):
            value = float(g("n2").replace(",", "")) * _MULT.get(g("m2") or "", 1) * RATES.get(g("cur2"), 1.0)
        elif g("n3"):
            value = float(g("n3").replace(",", "")) * _MULT[g("m3")]
        elif g("z"):
            n = zh_number(g("z"))
            if n is None:
                continue
            value = n * RATES.get(g("zcur"), 1.0)
        else:
            n = zh_number(g("z2"))
            if n is None:
                continue
            value = n
        out.append((m.start(), m.end(), value))
    return out


def large_amounts(text: str, threshold: float = LARGE_YUAN) -> list[tuple[int, int, float]]:
    return [a for a in amounts(text) if a[2] >= threshold]
