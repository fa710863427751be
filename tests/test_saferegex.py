"""The linear-time pattern engine (riskengine/saferegex.py) finds exactly what Python's re finds, for the
look-around idioms it emulates, and refuses the rest with a fix."""
from __future__ import annotations

import random
import re

import pytest

from riskengine.language.saferegex import PatternError, Utf8Text, compile_linear

# Patterns over a small alphabet so that random texts hit every edge (start, end, overlaps, alternatives).
EXACT = [
    "ab", "a|b", "(?<!a)b", "(?<![ab])c", "(?<!ab)c+", "(?<=a)b", "(?<!a)(?<!c)b", "b(?!a)", "b(?![ac])",
    "b+(?!a)", "ab?(?!b)", "(?<!c)ab?(?!b)", "a(?!bc)", "(a|ab)(?!c)", "x|(?<!a)b(?!c)|c", "(?<=b)a+(?=c)",
    "a.{0,2}(?!a)", "(?<!ba)c", "b(?! a)", "(?i)ab|(?<!c)b",
]
ALPHABET = "abcx "


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 14))) for _ in range(n)]


@pytest.mark.parametrize("pattern", EXACT)
def test_look_around_idioms_match_exactly_what_re_matches(pattern):
    mine, ref = compile_linear(pattern, ignorecase=False, lookaround=True), re.compile(pattern, re.ASCII)
    for text in _texts(600, seed=len(pattern)):
        assert [m.span() for m in mine.finditer(text)] == [m.span() for m in ref.finditer(text)], text
        for pos in range(len(text) + 1):
            got, want = mine.search(text, pos), ref.search(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)


@pytest.mark.parametrize("alphabet", [ALPHABET, "a没c有 ", "é€c𝄞 "])
def test_searching_the_utf8_bytes_finds_what_searching_the_text_finds(alphabet):
    """Utf8Text: a narrative is encoded once and every pattern searched on its bytes; the spans are
    the same character offsets ``search`` and ``finditer`` give, also in texts of 2-, 3- and 4-byte
    characters (the offsets are converted) and from every start position."""
    table = str.maketrans(ALPHABET, alphabet)
    rng = random.Random(3)
    for pattern in EXACT + ["c?", "x*"]:
        source = pattern.translate(table) if not pattern.startswith("(?i)") else pattern
        mine = compile_linear(source, ignorecase=False, lookaround=True, word_end="a" if "(?" not in source else None)
        for text in _texts(150, seed=rng.randrange(1000)):
            text = text.translate(table)
            utf8 = Utf8Text(text)
            assert list(mine.spans(utf8)) == [m.span() for m in mine.finditer(text)], (source, text)
            for pos in range(len(text) + 1):
                got = mine.search(text, pos)
                assert mine.search_utf8(utf8, pos) == (got and got.span()), (source, text, pos)


@pytest.mark.parametrize("pattern", ["ab", "a|ab", "b(?!a)", "(?<!x)a b", "c(?! a)"])
def test_word_end_is_not_followed_by_a_letter_or_digit(pattern):
    mine = compile_linear(pattern, ignorecase=False, lookaround=True, word_end="abcx")
    ref = re.compile(f"(?:{pattern})(?![abcx])", re.ASCII)
    for text in _texts(600, seed=7):
        assert [m.span() for m in mine.finditer(text)] == [m.span() for m in ref.finditer(text)], text


@pytest.mark.parametrize("pattern, reason", [
    ("a(?=b)c", "look-around"), ("(?<!a+)b", "fixed width"), ("b(?!a+)", "fixed text"), (r"(a)\1", "back-ref"),
    ("(?>a)", "atomic"), ("a++", "possessive"), ("a{2000}", "linear-time engine"), ("(a", "linear-time engine"),
])
def test_what_the_engine_cannot_run_is_refused_with_the_reason(pattern, reason):
    with pytest.raises(PatternError) as err:
        compile_linear(pattern, lookaround=True)
    assert reason in str(err.value)


def test_a_compiled_pattern_survives_pickling_for_worker_processes():
    import pickle
    p = pickle.loads(pickle.dumps(compile_linear("(?<!x)ab(?!c)", lookaround=True)))
    assert p.search("xab ab").span() == (4, 6)
