"""A pronoun's contraction ("they're", "she'll") names who acts as the pronoun does: a claims company that
"they're threatening to take me to court" stands for is not the complainant threatening to sue."""
from __future__ import annotations

import pytest

from riskengine.engine import load_engine


@pytest.fixture(scope="module")
def scanner():
    return load_engine().scanner


def _signals(scanner, text: str) -> set[str]:
    return {h.signal for h in scanner.scan(text)}


def test_a_third_party_threat_told_with_they_re_is_not_the_complainants_lawsuit(scanner):
    text = ("I signed up with a claims company and then realised I didn't need them. Their terms say I have to pay 30% "
            "of your offer even if I cancel, and they're threatening to take me to small claims court if I deal "
            "with you myself.")
    assert "threatens_lawsuit" not in _signals(scanner, text)
    # the same threat made by the complainant still counts
    assert "threatens_lawsuit" in _signals(scanner, "If you do not refund me by Friday I'm taking you to small "
                                                    "claims court.")
