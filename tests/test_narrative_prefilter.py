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
        if hasattr(scanner, "_reading_gates"):     # which readings each concept found lets run
            ref._reading_gates = scanner._reading_gates
        if hasattr(scanner, "_reading_needs"):     # which concepts a text is read for
            ref._reading_needs, ref._always_read = scanner._reading_needs, scanner._always_read
        if hasattr(scanner, "_salience"):      # signals dropped when the narrative is about something else
            ref._salience = scanner._salience
        if hasattr(scanner, "_pattern_not_with"):   # concepts that reject a pattern hit in its sentence
            ref._pattern_not_with = scanner._pattern_not_with
        ref._yields = scanner._yields     # signals whose hit in its sentence replaces a signal's
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


# -- who acts, read lazily ----------------------------------------------------------------------------
from riskengine.reading.clauses import FIRST_PERSON, NOT_A_PERSON, Doc  # noqa: E402


class _EagerDoc(Doc):
    """Doc as it was before its answers were kept: the four actor concepts looked up for every question,
    ``inside_longer`` walked every time, a pronoun's antecedent searched over every sentence from the start."""

    def actor_of(self, start, end):
        s0, s1 = self.sentence(start)
        return self.actor(start, end, s0, s1)

    def modality_of(self, start, end):
        s0, s1 = self.sentence(start)
        return self.modality(start, end, s0, s1)

    def inside_longer(self, o):
        return self._inside_longer(o)

    def _actors_in(self, lo, hi):
        out = []
        for cid in ("actor_complainant", "actor_firm", "actor_third_party", "actor_pronoun"):
            out.extend((o.start, o.end, cid) for o in self.markers(cid, lo, hi)
                       if o.end <= hi and (cid == "actor_pronoun" or not self.inside_longer(o) or self._then_verb(o)))
        out.sort()
        return out

    def _antecedent(self, pos, word):
        word = re.split("['’]", word, maxsplit=1)[0]      # "they're" stands for "they"
        teller = self._teller(pos, word)
        if teller is not None:
            return self._antecedent(teller, word)
        person = word in ("he", "she")
        kinds = ("actor_firm", "actor_third_party") if word in ("they", "them", "their", "对方") else \
            ("actor_firm", "actor_third_party", "actor_complainant")
        third_person_note = person and not any(self.text[o.start:o.end] in FIRST_PERSON
                                               for o in self.markers("actor_complainant", 0, pos))
        best = (-1, "actor_complainant" if word == "他们" or third_person_note else
                self._other_side() if word == "对方" else "actor_firm")
        for cid in kinds:
            for o in reversed(self.markers(cid, 0, pos)):
                named = self.text[o.start:o.end]
                if (cid == "actor_complainant" and named in FIRST_PERSON) or (person and named in NOT_A_PERSON):
                    continue
                if cid == "actor_firm" and self.inside_longer(o):
                    continue
                if o.start > best[0]:
                    best = (o.start, cid)
                break
        if best[1] == "actor_firm" and self.text.startswith("agent", best[0]):
            return self._agent_side(best[0])
        return best[1]


def eager_scan(scanner: NarrativeScanner, narrative: str):
    """The scan before who acts was read lazily: every match that could beat the signal's hit so far
    and every span of every reading classified in full (actor and modality) before it is accepted."""
    from riskengine.reading.amounts import large_amounts
    from riskengine.reading.lexicon import BoundLexicon, to_simplified
    from riskengine.reading.narrative import (AMOUNT_LABEL, AMOUNT_SIGNAL, MAX_NARRATIVE_SCAN, NarrativeHit, _read,
                                              _in_sentence, _word_matches, fold_ascii, refers_to)
    text = to_simplified(normalise(narrative[:MAX_NARRATIVE_SCAN]))
    folded = fold_ascii(text)
    hits, terms = scanner.presence(folded)
    doc = _EagerDoc(text, scanner.lexicon.find_present(folded, terms), BoundLexicon(scanner.marker_lexicon, folded),
                    folded)
    found = {}

    def offer(hit):
        best = found.get(hit.signal)
        if best is None or (hit.start, hit.pattern) < (best.start, best.pattern):
            found[hit.signal] = hit

    for m in scanner.candidates(folded, hits=hits):
        policy = scanner._policies[m.signal]
        for start, end in (_word_matches(m.regex, folded) if m.english
                           else (match.span() for match in m.regex.finditer(folded))):
            best = found.get(m.signal)
            if best is not None and (start, m.pattern) >= (best.start, best.pattern):
                break
            how = doc.classify(start, end)
            if policy.accepts(how.actor, how.modality, how.against):
                veto = scanner._pattern_not_with.get(m.signal)
                if veto and _in_sentence(doc, veto, start):
                    continue
                offer(NarrativeHit(m.signal, text[start:end], start, end, m.pattern, how.sentence, (), how.actor,
                                   how.modality))
                break
    policy = scanner._policies.get(AMOUNT_SIGNAL)
    if policy is not None:
        for start, end, _value in large_amounts(text):
            best = found.get(AMOUNT_SIGNAL)
            if best is not None and (start, AMOUNT_LABEL) >= (best.start, best.pattern):
                break
            how = doc.classify(start, end)
            if policy.accepts(how.actor, how.modality, how.against):
                offer(NarrativeHit(AMOUNT_SIGNAL, text[start:end], start, end, AMOUNT_LABEL, how.sentence, (),
                                   how.actor, how.modality))
                break
    for signal, reading, policy, label in scanner._readings:
        for start, end, concepts, spans in _read(reading, doc):
            how = doc.classify(start, end)
            if how.modality != "negated" and any(doc.negated_at(p, spans) for p, _e in spans if p > start):
                continue
            if not policy.accepts(how.actor, how.modality, how.against):
                continue
            if reading.refers is not None and not refers_to(doc, reading.refers, start):
                continue
            offer(NarrativeHit(signal, text[start:end], start, end, label, how.sentence, concepts, how.actor,
                               how.modality))
            break
    for signal in scanner.settle(doc, {signal: hit.start for signal, hit in found.items()}):
        del found[signal]
    return sorted(found.values(), key=lambda h: (h.start, h.signal))


def _actor_texts(scanner: NarrativeScanner) -> list[str]:
    """Generated texts heavy in actor words, pronouns, objects and several sentences."""
    rng = random.Random(21)
    samples = [s for m in scanner._matchers if (s := sample_pattern(m.pattern, rng, english=m.english))]
    people = ["我", "客户", "银行", "催收员", "中介", "维权公司", "对方", "他们", "他", "the bank", "they", "he",
              "she", "i", "we", "the collector", "a claims company", "me", "us", "my wife", "公司", "退保公司",
              "the customer said he", "威胁我说", "told me", "at the branch", "到网点", "。", ". ", "，", ", ",
              "没有", "不会", "如果", "希望", "担心", "已经", "will ", "did not ", "要"]
    texts = []
    for _ in range(500):
        parts = [rng.choice(samples) if rng.random() < 0.45 else rng.choice(people) for _ in range(rng.randint(2, 18))]
        texts.append(rng.choice(["", " "]).join(parts))
    return texts


def test_reading_who_acts_lazily_gives_the_hits_of_classifying_every_match(shipped):
    """Actor only where a signal limits its actors and for the hits kept, answers kept per span and per
    sentence, antecedents read backwards, readings stopped once they cannot win: the same hits (actor and
    modality included) as classifying every match in full."""
    scanner, _rs = shipped
    texts = _annotated_texts() + _actor_texts(scanner) + _texts(scanner, 300, seed=13)
    hits = 0
    for text in texts:
        got = scanner.scan(text)
        assert got == eager_scan(scanner, text), text
        hits += len(got)
    assert hits > 2000


def test_reading_only_the_concepts_a_possible_reading_uses_gives_the_hits_of_reading_every_concept(shipped, monkeypatch):
    """A text is read for the concepts of the readings that can hold in it, and a word's longer terms
    are found among the terms present (TermCover), not among every concept's occurrences: the same hits
    as locating every concept and looking for longer terms in all of them."""
    from riskengine.reading import narrative

    scanner, _rs = shipped
    texts = _annotated_texts() + _actor_texts(scanner) + _texts(scanner, 300, seed=17)
    lazy = [scanner.scan(text) for text in texts]
    every = frozenset(scanner.lexicon.terms)
    monkeypatch.setattr(scanner, "needed", lambda terms: (every, list(terms)))
    monkeypatch.setattr(narrative, "TermCover", lambda *args: None)
    read_fewer = 0
    for text, got in zip(texts, lazy):
        assert got == scanner.scan(text), text
    for text in texts[:400]:
        folded = narrative.fold_ascii(narrative.to_simplified(normalise(text)))
        terms = scanner.presence(folded)[1]
        read_fewer += len(NarrativeScanner.needed(scanner, terms)[1]) < len(terms)
    assert read_fewer > 200          # the reading does skip concepts (else this test guards nothing)


# -- readings: the windowed search against reading every occurrence ---------------------------------
def reference_read(reading, doc):
    """``_read`` as it was before it searched each anchor's window by bisect and stopped at the nearest
    option: every occurrence of every slot tried for every anchor."""
    from riskengine.reading.clauses import MARKER_IDS
    from riskengine.reading.narrative import _gap, _near_any, _stretch, _veto_in
    occ = doc.occ
    if any(c in MARKER_IDS for c in reading.all + reading.any):
        occ = {**occ, **{c: doc.markers(c, 0, len(doc.text)) for c in reading.all + reading.any if c in MARKER_IDS}}
        occ = {c: v for c, v in occ.items() if v}
    if any(c not in occ for c in reading.all):
        return
    any_occ = sorted((o for c in reading.any for o in occ.get(c, ())), key=lambda o: (o.start, o.end))
    if reading.any and not any_occ:
        return
    slots = [occ[c] for c in reading.all[1:]] + ([any_occ] if reading.any and reading.all else [])
    anchors = occ[reading.all[0]] if reading.all else any_occ
    within = reading.within
    seen = set()
    for a in anchors:
        lo, hi = (doc.clause(a.start) if within == "clause" else doc.nearby(a.start) if within == "nearby"
                  else doc.sentence(a.start))
        if a.end > hi:
            continue
        chosen = [a]
        ok = True
        for k, options in enumerate(slots):
            best = None
            for o in options:
                if o.start < lo or o.end > hi or any(o.start < c.end and c.start < o.end for c in chosen):
                    continue
                if reading.ordered and k < len(reading.all) - 1 and o.start < chosen[-1].end:
                    continue
                if isinstance(within, int) and _gap(doc, a, o) > within:
                    continue
                d = abs(o.start - a.start)
                if best is None or d < best[0]:
                    best = (d, o)
            if best is None:
                ok = False
                break
            chosen.append(best[1])
        if not ok:
            continue
        start = min(c.start for c in chosen)
        end = max(c.end for c in chosen)
        if reading.not_with and (
                _veto_in(doc, reading.not_with, *_stretch(doc, reading.not_within, start, end))
                if reading.not_within is not None else
                _near_any(doc, reading, *(doc.sentence(a.start) if within == "clause" else (lo, hi)), start, end)):
            continue
        if (start, end) in seen:
            continue
        seen.add((start, end))
        yield start, end, tuple(c.concept for c in chosen), tuple((c.start, c.end) for c in chosen)


def _concept_texts(scanner: NarrativeScanner, n: int, seed: int) -> list[str]:
    """Texts dense in the reading concepts' terms, in several sentences and clauses."""
    rng = random.Random(seed)
    terms = [t for pairs in scanner.lexicon.terms.values() for t, _e in pairs]
    glue = ["，", "。", " ", ", ", ". ", "没有", " did not ", " the ", "我", " i ", " they ", "\n", "、", " and "]
    return [rng.choice(["", " "]).join(rng.choice(terms) if rng.random() < 0.6 else rng.choice(glue)
                                       for _ in range(rng.randint(2, 40))) for _ in range(n)]


def test_reading_an_anchors_window_gives_what_trying_every_occurrence_gives(shipped):
    """Every reading over texts dense in its concepts: the same spans, in the same order, as the
    reference that tries every occurrence for every anchor; and the readings a text's concepts let
    run are all those that can hold in it."""
    from riskengine.reading.lexicon import BoundLexicon, to_simplified
    from riskengine.reading.narrative import _read, fold_ascii
    scanner, _rs = shipped
    spans = 0
    for text in _concept_texts(scanner, 400, seed=5) + _annotated_texts():
        text = to_simplified(normalise(text))
        folded = fold_ascii(text)
        _lits, terms = scanner.presence(folded)
        doc = Doc(text, scanner.lexicon.find_present(folded, terms), BoundLexicon(scanner.marker_lexicon, folded),
                  folded)
        gated = {i for cid in doc.occ for i in scanner._reading_gates.get(cid, ())}
        for i, (_signal, reading, _policy, _label) in enumerate(scanner._readings):
            got = list(_read(reading, doc))
            assert got == list(reference_read(reading, doc)), (text, reading)
            assert i in gated or not got, (text, reading)
            spans += len(got)
    assert spans > 2000


def test_sentence_and_clause_ends_are_those_of_the_look_ahead_patterns():
    """The end patterns start with a character class (so re skips to the next mark in C); they end
    sentences and clauses exactly where the earlier look-ahead-first patterns did."""
    import re
    from riskengine.reading.clauses import _AFTER_STOP, _CLAUSE_END, _SENTENCE_END
    stop = r"\." + _AFTER_STOP
    dodge = r"(?!(?<=[a-z0-9])[!?][a-z0-9])"     # "l!fe": a mark inside a dodged spelling ends nothing
    sentence = re.compile(r"(?=[。！？!?；;\n.…])(?:" + dodge + r"[。！？!?；;\n]+|" + stop + r"|…+)")
    clause = re.compile(r"(?=[。！？!?；;\n，,：:.…])(?:" + dodge + r"[。！？!?；;\n，,：:]+|" + stop + r"|…+)")
    rng = random.Random(4)
    pieces = ["。", "！", "？", "!", "?", "；", ";", "\n", ".", "…", "，", ",", "：", ":", " ", "a", "b", "mr", "mrs", "l!fe",
              "u.s.c", "e.g", "st", "客户", "1692g", "x"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts + _annotated_texts():
        assert [m.span() for m in _SENTENCE_END.finditer(text)] == [m.span() for m in sentence.finditer(text)], text
        assert [m.span() for m in _CLAUSE_END.finditer(text)] == [m.span() for m in clause.finditer(text)], text
