"""The narrative scanner's speed-ups change nothing: same hits as running every pattern, each compiled
as it was before them (English ones with a leading look-behind for the word start)."""
from __future__ import annotations

import random
import re
import unicodedata

import pytest

from riskengine.testing.generate import sample_pattern
from riskengine.contracts.knowledge import Indicator
from riskengine.language.tree import compile_safe_regex
from riskengine.load.cached_loader import load_ruleset
from riskengine.reading.narrative import (_ASCII_FOLD, NarrativeScanner, _clause_table, _parse, _required_clauses,
                                         _required_literals, normalise)


_REFERENCE: dict[int, NarrativeScanner] = {}


def reference_compile(pattern: str, english: bool) -> re.Pattern:
    # Python's re runs the reference, with ASCII classes (\b, \d, \w) as the linear-time engine has them.
    regex = compile_safe_regex(normalise(pattern), lookaround=True)
    if english:
        return re.compile(r"(?<![a-z0-9])(?:" + regex.pattern + r")(?![a-z0-9])", re.IGNORECASE | re.ASCII)
    return re.compile(regex.pattern, re.IGNORECASE | re.ASCII)


def reference_scan(scanner: NarrativeScanner, narrative: str):
    """The scanner before the prefilter: every pattern over the whole text, each compiled as it was
    before the speed-ups (English ones with a leading look-behind for the word start, IGNORECASE).
    Actor, modality and readings are the same code in both (they are not what this test guards)."""
    if id(scanner) not in _REFERENCE:
        ref = NarrativeScanner([], prefilter=False)
        ref._matchers = [type(m)(m.signal, m.pattern, m.english) for m in scanner._matchers]
        for m in ref._matchers:
            m._regex = reference_compile(m.pattern, m.english)
        ref._policies = scanner._policies
        ref._readings = scanner._readings
        if hasattr(scanner, "_salience"):      # signals dropped when the narrative is about something else
            ref._salience = scanner._salience
        if hasattr(scanner, "_pattern_not_with"):   # concepts that reject a pattern hit in its sentence
            ref._pattern_not_with = scanner._pattern_not_with
        ref.lexicon = scanner.lexicon
        ref.marker_lexicon = scanner.marker_lexicon   # negation, hope, condition: read the same way
        _REFERENCE[id(scanner)] = ref
    return _REFERENCE[id(scanner)].scan(narrative)


@pytest.fixture(scope="module")
def shipped():
    rs = load_ruleset(strict=False)
    scanner = NarrativeScanner(list(rs.knowledge.signals.values()), concepts=rs.knowledge.concepts)
    yield scanner, rs
    _REFERENCE.pop(id(scanner), None)


def _texts(scanner: NarrativeScanner, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    samples = []
    for m in scanner._matchers:
        s = sample_pattern(m.pattern, rng, english=m.english)
        if s:
            samples.append(s)
    glue = ["，", "。", " ", "没有", "并未", " did not ", " never ", "; ", "客户说", " and ", "ı", "İ", "Ｍｅｄｉａ", "\n"]
    texts = []
    for _ in range(n):
        parts = [rng.choice(samples) if rng.random() < 0.7 else rng.choice(glue) for _ in range(rng.randint(1, 12))]
        text = "".join(parts)
        if rng.random() < 0.3:   # break a match: drop or change a character
            i = rng.randrange(len(text)) if text else 0
            text = text[:i] + rng.choice(["", "x", "的", " "]) + text[i + 1:]
        if rng.random() < 0.2:
            text = text.upper()
        texts.append(text)
    return texts


def test_prefilter_gives_the_same_hits_as_every_pattern(shipped):
    scanner, _rs = shipped
    texts = _texts(scanner, 400, seed=11)
    hits = 0
    for text in texts:
        got = scanner.scan(text)
        assert got == reference_scan(scanner, text), text
        hits += len(got)
    assert hits > 200   # the texts really exercise the patterns


def test_every_pattern_still_finds_its_own_samples(shipped):
    scanner, _rs = shipped
    rng = random.Random(3)
    for m in scanner._matchers:
        sample = sample_pattern(m.pattern, rng, english=m.english)
        if sample is None:
            continue
        text = f" {sample} "
        assert [h.signal for h in scanner.scan(text)] == [h.signal for h in reference_scan(scanner, text)]


def test_required_literals_examples():
    lits = lambda p: _required_literals(_parse(p))  # noqa: E731
    assert lits("(好几|几|多|数)个月") == {"个月"}
    assert lits("[保葆]费") == {"费"}
    assert lits(r"\d+") is None
    assert lits("(sue|lawsuit)") == {"sue", "lawsuit"}
    assert lits("a?b*") is None


def test_case_folded_text_has_no_other_character_matching_an_ascii_letter():
    """The fold table covers every character that casefold leaves and IGNORECASE equates with a-z."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    folded = dict(_ASCII_FOLD)
    odd = set()
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for ch in unicodedata.normalize("NFKC", chr(cp)).casefold():
            if not ch.isascii() and letter.fullmatch(ch):
                odd.add(ch)
    assert odd <= set(folded), odd - set(folded)


def test_scanner_built_directly_still_refuses_unsafe_patterns():
    from riskengine.language.tree import UnsafePatternError
    with pytest.raises(UnsafePatternError):
        NarrativeScanner([Indicator(id="x", dimension="space", points=1, name={"zh": "x", "en": "x"},
                                    patterns={"zh": [r"(a)\1"], "en": []})])   # RE2 has no back-references


def _annotated_texts() -> list[str]:
    import yaml
    from pathlib import Path
    folder = Path(__file__).parent / "narratives"
    return [item["text"] for path in sorted(folder.glob("*.yaml"))
            for item in yaml.safe_load(path.read_text("utf-8"))["items"]]


def test_prefilter_gives_the_same_hits_as_every_pattern_on_the_annotated_corpus(shipped):
    scanner, _rs = shipped
    texts = _annotated_texts()
    assert len(texts) > 400
    hits = 0
    for text in texts:
        got = scanner.scan(text)
        assert got == reference_scan(scanner, text), text
        hits += len(got)
    assert hits > 400


def test_literal_set_and_one_by_one_look_up_agree(shipped):
    """The RE2 set of literals finds exactly the literals ``in`` finds (the fall-back when no set can
    be built or a text cannot be encoded)."""
    scanner, _rs = shipped
    literals = scanner._prefilter()[0]
    assert scanner._literal_set()._sets is not None   # built: the fast path is the one measured
    for text in _texts(scanner, 300, seed=5) + _annotated_texts()[::7] + ["", " ", "\ud800我没有起诉"]:
        folded = normalise(text)
        one_by_one = frozenset(k for k, lit in enumerate(literals) if lit in folded)
        assert scanner.literal_hits(folded) == one_by_one, text


def test_a_pattern_runs_only_when_every_required_clause_is_in_the_text(shipped):
    scanner, _rs = shipped
    lits = lambda p: _required_clauses(_parse(p))  # noqa: E731
    assert lits("(late|delinquent) payments? .{0,30}(report|credit)") == [
        frozenset({"late", "delinquent"}), frozenset({" payment"}), frozenset({" "}), frozenset({"report", "credit"})]
    assert _clause_table(_parse("(late|delinquent) payments? .{0,30}(report|credit)")) == [
        [" payment"], ["credit", "report"], ["delinquent", "late"]]   # " " is too common to look up
    assert _clause_table(_parse(r"\d+")) is None
    # the prefilter keeps a pattern out when a later clause is missing, so fewer regexes run
    folded = normalise("my late payment was reported; 我要求退款")
    chosen = {m.pattern for m in scanner.candidates(folded)}
    first_only = []
    for m in scanner._matchers:
        table = _clause_table(_parse(m.pattern))
        if table and any(x in folded for x in table[0]):
            if all(any(x in folded for x in c) for c in table):
                assert m.pattern in chosen
            else:
                first_only.append(m.pattern)
    assert first_only and not chosen & set(first_only)


def _lexicon_view(occurrences: dict) -> dict:
    return {cid: [(o.concept, o.start, o.end, o.english) for o in occ] for cid, occ in occurrences.items()}


def test_lexicon_find_present_equals_the_word_by_word_find(shipped):
    """The scanner locates only the terms its one pass found (str.find, token edges checked in place);
    that gives what reading the text word by word gives, over the whole text and over each sentence
    (the marker lexicon reads sentence slices)."""
    from riskengine.reading.clauses import _SENTENCE_END
    scanner, _rs = shipped
    rng = random.Random(8)
    pieces = ["i", "the bank", "bank's", "collector's", "o'", "-", "'", "’s", "x-ray", "not", "never", "we",
              "fee", "fees", "late fee's", " ", "  ", ".", "!", "我", "没有", "威胁", "third-party", "the", "bank",
              "me", "sue", "issue", "'s", "don't", "i'm", "won't", "claims management company", "媒体", "曝光", "\n"]
    generated = ["".join(rng.choice(pieces) + rng.choice(["", " ", ""]) for _ in range(rng.randint(1, 16)))
                 for _ in range(1500)]
    checked = 0
    for text in generated + _annotated_texts() + _texts(scanner, 200, seed=9):
        folded = normalise(text)
        for lexicon in (scanner.lexicon, scanner.marker_lexicon):
            present = lexicon.present(folded)
            assert _lexicon_view(lexicon.find_present(folded, present)) == _lexicon_view(lexicon.find(folded)), text
            bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(folded)] + [len(folded)]
            for lo, hi in zip(bounds, bounds[1:]):
                assert (_lexicon_view(lexicon.find_present(folded, present, lo, hi))
                        == _lexicon_view(lexicon.find(folded[lo:hi], offset=lo))), (text, lo, hi)
            checked += bool(present)
    assert checked > 1000


def test_one_pass_presence_equals_looking_each_string_up(shipped):
    scanner, _rs = shipped
    for text in _texts(scanner, 200, seed=6) + _annotated_texts()[::5] + ["", "\ud800起诉"]:
        folded = normalise(text)
        lits, terms = scanner.presence(folded)
        assert lits == frozenset(k for k, lit in enumerate(scanner._prefilter()[0]) if lit in folded)
        assert sorted(terms) == [k for k, term in enumerate(scanner.lexicon.term_strings) if term in folded]
        marks = scanner.marker_lexicon
        assert sorted(marks.present(folded)) == [k for k, term in enumerate(marks.term_strings) if term in folded]
