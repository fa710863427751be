"""Find signals in the handler's narrative with the patterns of the knowledge files.

Text is normalised first (NFKC: full-width to half-width; case folded; runs of whitespace made one
space). A match preceded, in the same clause, by a negation ("没有找媒体", "did not contact the
media") does not raise the signal. Found signals are reported with the span that matched and kept
apart from the signals the handler declared, so the handler can confirm or reject them.

Speed: the knowledge holds well over a thousand patterns, and running each regular expression over
every narrative would cost milliseconds per case. Each pattern is parsed once for the literal texts
any match must contain, as clauses that must all hold (``(好几|几|多|数)个月`` needs ``个月`` and one of
好几/几/多/数; ``full (premium )?refund`` needs ``full`` and `` refund``). One pass of a literal automaton
(:class:`~riskengine.reading.lexicon.LiteralSets`) finds which literals and concept terms occur in a
narrative, and only patterns whose every clause is met are run. Patterns are compiled on first use.
The result is exactly what running every pattern would give (tests/test_narrative_prefilter.py checks it).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from riskengine.reading.clauses import MARKER_IDS, Doc, default_markers
from riskengine.contracts.knowledge import DEFAULT_MODALITIES, AgentSign, Concept, Indicator, Reading, Salience
from riskengine.language.saferegex import LinearPattern, Utf8Text
from riskengine.language.tree import ConditionSyntaxError, check_pattern_safety, compile_safe_regex
from riskengine.reading.amounts import LARGE_YUAN, large_amounts
from riskengine.reading.lexicon import BoundLexicon, Lexicon, LiteralSets, TermCover, to_simplified
from riskengine.reading.lexicon import lexicon_tables as _lexicon_tables

try:  # the parser behind re.compile (re._parser since 3.11)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]
try:
    from _sre import unicode_iscased as _iscased  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    def _iscased(cp: int) -> bool:
        ch = chr(cp)
        return ch.lower() != ch or ch.upper() != ch

AMOUNT_SIGNAL = "large_amount"   # also raised by a parsed sum of money at or above LARGE_YUAN (amounts.py)
AMOUNT_LABEL = f"amount: {LARGE_YUAN:,} yuan or its equivalent or more"
MAX_NARRATIVE_SCAN = 20_000  # characters; longer narratives are scanned up to here

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, case folded, each run of white space one space; a line break that ends a line of a transcript
    or a list of notes ("Them: …\nMe: …", "客户：…\n坐席：…") stays one newline, which ends a sentence
    for the reader. A line break inside prose wrapped by hand (a line that ends with a comma, or a word
    going on in lower case on the next line) and one after a sentence's own end stays a space."""
    # str.split() splits at exactly the characters re's \s matches (Py_UNICODE_ISSPACE), and casefold
    # makes no white space: the same as _WS.sub(" ", ...).casefold().strip(), in a third of the time.
    text = unicodedata.normalize("NFKC", text)
    if not _LINE_BREAK.search(text):
        return " ".join(text.split()).casefold()
    out: list[str] = []
    blank = False
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            blank = bool(out)
            continue
        if out:
            out.append(_line_join(out[-1], line, blank))
        out.append(line)
        blank = False
    return "".join(out).casefold()


_LINE_BREAK = re.compile(r"\S[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*\S")
_LINE_ENDED = re.compile(r"[。！？!?；;….][\"'”’」』)）\]】]*$")    # the line's sentence already ended
_LINE_GOES_ON = re.compile(r"[,，、]$")                                 # a wrapped line ends mid-sentence
# A line that opens with a speaker or a record's label, a time, a date, a bullet or a number: a new line of
# a transcript or a list ("Them: …", "14:05 客户：…", "2026-10-12 …", "- …", "1. …", "【…】").
_LINE_LABEL = re.compile(r"(?:[^\s:：,，。.]{1,12}(?: [^\s:：,，。.]{1,12}){0,2}\s?[:：]|\d{1,4}[-/.:年月]\d|"
                         r"[-*•·>#(（\[【「“\"]|\d{1,2}[.)、])")


def _line_join(before: str, line: str, blank: bool) -> str:
    """What stands between two lines: a space where the sentence already ended or goes on, else a newline."""
    if _LINE_ENDED.search(before):
        return " "
    if not blank and not _LINE_LABEL.match(line) and (
            _LINE_GOES_ON.search(before) or (line[0].islower() and before[-1].isascii() and before[-1].isalnum())):
        return " "
    return "\n"


_ESCAPE_OR_TEXT = re.compile(r"\\.|[^\\]+", re.DOTALL)


def normalise_pattern(pattern: str) -> str:
    """As :func:`normalise`, but escapes keep their case: folding ``\\S`` or ``\\D`` would change their meaning."""
    text = to_simplified(_WS.sub(" ", unicodedata.normalize("NFKC", pattern)).strip())
    return _ESCAPE_OR_TEXT.sub(lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).casefold(), text)


def fold_ascii(text: str) -> str:
    """Normalised text with the few characters case-insensitive matching equates with an ASCII letter
    replaced by that letter (one for one, so positions stay). Patterns then match exactly, which lets
    re search for their literal prefix: several times faster than IGNORECASE on English text."""
    if not text.isascii():
        for odd, plain in _ASCII_FOLD:
            if odd in text:
                text = text.replace(odd, plain)
    return text


@dataclass(frozen=True)
class NarrativeHit:
    signal: str
    text: str
    start: int
    end: int
    pattern: str
    sentence: int = 0                    # 1-based sentence of the start
    concepts: tuple[str, ...] = ()       # the concepts a reading matched (empty for a pattern)
    actor: str = ""                      # complainant | third_party | firm
    modality: str = ""                   # asserted | past | future | conditional | negated | hoped | feared


class _Matcher:
    """One pattern of one signal; the regular expression is compiled the first time it is needed."""
    __slots__ = ("signal", "pattern", "english", "_regex")

    def __init__(self, signal: str, pattern: str, english: bool):
        self.signal = signal
        self.pattern = pattern
        self.english = english
        self._regex: re.Pattern | None = None

    @property
    def regex(self) -> re.Pattern:
        if self._regex is None:
            self._regex = _compile(self.pattern, self.english)
        return self._regex


def literal_table(entries: list[Indicator | AgentSign]) -> dict[str, list[list[str]] | None]:
    """Each pattern's required literals as plain data: a list of clauses, each a list of strings one
    of which every match contains (all clauses hold for every match), the most selective clause first;
    None when the pattern has none and always runs. The loader keeps the table in its cache, so a warm
    start need not parse a thousand patterns again."""
    table: dict[str, list[list[str]] | None] = {}
    for entry in entries:
        for lang in ("zh", "en"):
            for pattern in getattr(entry.patterns, lang):
                if pattern not in table:
                    table[pattern] = _clause_table(_parse(pattern))
    return table


def _split_concepts(concepts: dict[str, Concept] | None) -> tuple[dict[str, Concept], dict[str, Concept]]:
    """(the reading concepts, the actor and modality markers): knowledge/concepts.yaml over the
    default markers of :data:`riskengine.reading.clauses.MARKERS`."""
    every = {**default_markers(), **(concepts or {})}
    return ({k: v for k, v in every.items() if k not in MARKER_IDS}, {k: v for k, v in every.items() if k in MARKER_IDS})


def lexicon_tables(concepts: dict[str, Concept] | None) -> dict:
    """The scanner's two concept lexicons as plain data (:func:`riskengine.reading.lexicon.lexicon_tables`):
    the loader keeps them in its cache, so a warm start need not expand and index every term again."""
    reading, marking = _split_concepts(concepts)
    return {"concepts": _lexicon_tables(reading), "markers": _lexicon_tables(marking)}


def _clause_table(parsed) -> list[list[str]] | None:
    clauses = _required_clauses(parsed)
    if not clauses:
        return None
    unique = sorted({frozenset(c) for c in clauses}, key=lambda c: (_selectivity(c), sorted(c)))
    # The first clause always; the others only when they are selective enough to be worth a look-up
    # (" ", "s" or "the" occur in nearly every text and would only slow the literal pass down).
    return [sorted(c) for k, c in enumerate(unique) if k == 0 or -_selectivity(c)[0] >= _MIN_EXTRA_WEIGHT]


def _valid_clauses(value) -> bool:
    return type(value) is list and bool(value) and all(
        type(c) is list and c and all(type(x) is str and x for x in c) for c in value)


@dataclass(frozen=True)
class _Policy:
    """Which actors and modalities a signal (or one of its readings) counts."""
    actors: frozenset[str] | None
    modalities: frozenset[str]

    def accepts(self, actor: str, modality: str, against: bool = False) -> bool:
        """A signal limited to the complainant's side never counts what is done TO the complainant
        (a collector's "we will sue you", an agent's "we will expose you")."""
        if self.actors is not None and (actor not in self.actors or (against and "complainant" in self.actors)):
            return False
        return modality in self.modalities

    def accepts_span(self, doc: Doc, start: int, end: int) -> bool:
        """:meth:`accepts` for a span of ``doc``, the cheaper modality first: who acts (the costly
        part) is read only when not every actor counts."""
        modality = doc.modality_of(start, end)
        if modality not in self.modalities:
            return False
        if self.actors is None:
            return True
        actor, against = doc.actor_of(start, end)
        return self.accepts(actor, modality, against)


def _policy(entry, reading: Reading | None = None) -> _Policy:
    actors = reading.actors if reading is not None and reading.actors is not None else entry.actors
    modalities = reading.modalities if reading is not None and reading.modalities is not None else entry.modalities
    return _Policy(None if actors is None else frozenset(actors),
                   frozenset(DEFAULT_MODALITIES if modalities is None else modalities))


def reading_label(reading: Reading) -> str:
    parts = []
    if reading.all:
        parts.append("all(" + ", ".join(reading.all) + ")")
    if reading.any:
        parts.append("any(" + ", ".join(reading.any) + ")")
    within = reading.within
    parts.append(f"within {within}" if isinstance(within, str) else f"within {within}")
    if reading.ordered:
        parts.append("ordered")
    if reading.not_with:
        parts.append("not with(" + ", ".join(reading.not_with) + ")"
                     + (f" in {reading.not_within}" if reading.not_within else ""))
    if reading.refers is not None:
        parts.append("refers to(" + ", ".join(reading.refers.to) + ")")
    return "read: " + " ".join(parts)


class NarrativeScanner:
    def __init__(self, entries: list[Indicator | AgentSign], literals: dict[str, list[str] | None] | None = None,
                 concepts: dict[str, Concept] | None = None, *, prefilter: bool = True,
                 lexicons: dict | None = None, checked: bool = False):
        """``literals``: a :func:`literal_table` of (some of) these patterns, computed earlier.
        ``concepts``: knowledge/concepts.yaml; the actor and modality markers not defined there come
        from :data:`riskengine.reading.clauses.MARKERS`. ``lexicons``: :func:`lexicon_tables` of these
        concepts, computed earlier (tables of other concepts are ignored). ``prefilter=False`` runs
        every pattern (for tests). ``checked``: the patterns come from a loaded ruleset, whose checks
        refused unsafe ones; otherwise each is checked here (refused now, not mid-batch)."""
        self._known_literals = literals or {}
        self._use_prefilter = prefilter
        self._matchers: list[_Matcher] = []
        self._policies: dict[str, _Policy] = {}
        self._pattern_not_with: dict[str, tuple[str, ...]] = {}   # signal -> concepts that veto its pattern hits
        self._readings: list[tuple[str, Reading, _Policy, str]] = []
        self._salience: dict[str, Salience] = {}
        self._yields: dict[str, tuple[str, ...]] = {}     # signal -> signals whose hit in its sentence replaces it
        for entry in entries:
            self._policies[entry.id] = _policy(entry)
            if entry.patterns.not_with:
                self._pattern_not_with[entry.id] = entry.patterns.not_with
            if getattr(entry, "salience", None) is not None:
                self._salience[entry.id] = entry.salience
            if entry.yields_to:
                self._yields[entry.id] = entry.yields_to
            for lang in ("zh", "en"):
                for pattern in getattr(entry.patterns, lang):
                    if not checked:
                        check_pattern_safety(normalise_pattern(pattern))
                    self._matchers.append(_Matcher(entry.id, pattern, lang == "en"))
            for reading in getattr(entry, "read", ()):
                self._readings.append((entry.id, reading, _policy(entry, reading), reading_label(reading)))
        # concept -> the readings that can hold only where it occurs (the first of ``all``, any of ``any``)
        gates: dict[str, list[int]] = {}
        for i, (_sid, r, _p, _l) in enumerate(self._readings):
            for cid in (r.all[:1] or r.any):
                gates.setdefault(cid, []).append(i)
        self._reading_gates = {cid: tuple(v) for cid, v in gates.items()}
        # What a text must read of the lexicon: the concepts of the readings that can hold in it (each
        # reading's lexicon concepts, with what it needs present), and those read whatever the readings.
        self._reading_needs = tuple(_ReadingNeeds(r) for _sid, r, _p, _l in self._readings)
        always = {"agent_role", "acting_for"}             # whose "agent" it is (Doc._agent_side)
        for entry in entries:
            always.update(entry.patterns.not_with)
            salience = getattr(entry, "salience", None)
            if salience is not None:
                always.update(salience.topic, salience.demand, salience.rivals)
        self._always_read = frozenset(always - MARKER_IDS)
        reading, marking = _split_concepts(concepts)
        lexicons = lexicons if type(lexicons) is dict else {}
        self.lexicon = Lexicon(reading, tables=lexicons.get("concepts"))
        self.marker_lexicon = Lexicon(marking, tables=lexicons.get("markers"))
        # Built on the first narrative (parsing every pattern costs ~60 ms; many runs never scan one).
        # Two threads racing here build the same index twice, harmlessly.
        self._index: tuple | None = None
        self._set: LiteralSets | None = None   # pattern literals and concept terms, one pass

    def _prefilter(self) -> tuple:
        """The literal index: (literals, matchers keyed by each literal of their first clause, the
        other clauses of each matcher as sets of literal numbers, matchers that always run).

        A matcher runs on a text only when every one of its clauses (see :func:`literal_table`) has a
        literal in the text. Which literals occur is found in one pass over the text by an RE2 set of
        all of them (a literal automaton, as Aho-Corasick), whatever the number of patterns.
        """
        if self._index is None:
            always: list[int] = []
            clauses_of: list[list[list[str]] | None] = []
            known = self._known_literals
            literal_ids: dict[str, int] = {}
            for m in self._matchers:
                clauses = known.get(m.pattern)
                if not _valid_clauses(clauses):
                    clauses = _clause_table(_parse(m.pattern))
                clauses_of.append(clauses)
                for clause in clauses or ():
                    for lit in clause:
                        literal_ids.setdefault(lit, 0)
            literals = tuple(sorted(literal_ids))
            literal_ids = {lit: k for k, lit in enumerate(literals)}
            by_literal: list[list[int]] = [[] for _ in literals]
            rest: list[tuple[frozenset[int], ...]] = []
            for i, clauses in enumerate(clauses_of):
                if clauses is None:
                    always.append(i)
                    rest.append(())
                    continue
                for lit in clauses[0]:
                    by_literal[literal_ids[lit]].append(i)
                rest.append(tuple(frozenset(literal_ids[x] for x in c) for c in clauses[1:]))
            self._index = (literals, tuple(tuple(u) for u in by_literal), tuple(rest), tuple(always))
        return self._index

    def _literal_set(self) -> LiteralSets:
        """The :class:`LiteralSets` of every string looked for in a whole text: the index's pattern
        literals, then the terms of the concept lexicon (the marker lexicon is read by sentence)."""
        if self._set is None:
            self._set = LiteralSets((*self._prefilter()[0], *self.lexicon.term_strings))
        return self._set

    def presence(self, folded: str) -> tuple[frozenset[int], list[int] | frozenset[int]]:
        """Which strings occur in ``folded``, in one pass: (numbers of the index's pattern literals,
        numbers of the concept lexicon's terms)."""
        n_lit = len(self._prefilter()[0])
        raw = self._literal_set().match(folded)
        if raw is None:
            return (frozenset(k for k, lit in enumerate(self._prefilter()[0]) if lit in folded),
                    frozenset(k for k, term in enumerate(self.lexicon.term_strings) if term in folded))
        raw.sort()        # literals are numbered first, then terms: two slices, split in C
        cut = bisect.bisect_left(raw, n_lit)
        return frozenset(raw[:cut]), list(map(n_lit.__rsub__, raw[cut:]))

    def prepare(self) -> None:
        """Build now what the first narrative would build: the literal index and the literal automata
        (a batch does it once before forking its workers)."""
        self._prefilter()
        self._literal_set().build()
        self.marker_lexicon.prepare()

    def literal_hits(self, folded: str) -> frozenset[int]:
        """The numbers of the index's literals that occur in ``folded``."""
        return self.presence(folded)[0]

    def candidates(self, folded: str, grams: set[str] | None = None, hits: frozenset[int] | None = None) -> list[_Matcher]:
        """The matchers that can match ``folded`` (normalised, then :func:`fold_ascii`), in knowledge order."""
        if not self._use_prefilter:
            return list(self._matchers)
        _literals, by_literal, rest, always = self._prefilter()
        if hits is None:
            hits = self.literal_hits(folded)
        chosen = set(always)
        for k in hits:
            chosen.update(by_literal[k])
        matchers = self._matchers
        out = []
        for i in sorted(chosen):
            for clause in rest[i]:       # most matchers have no further clause
                if hits.isdisjoint(clause):
                    break
            else:
                out.append(matchers[i])
        return out

    def scan(self, narrative: str) -> list[NarrativeHit]:
        """The first match of each signal that its actors and modalities accept, ordered by position
        then signal id. A signal's patterns and readings compete: the earliest accepted hit wins."""
        text = to_simplified(normalise(narrative[:MAX_NARRATIVE_SCAN]))
        folded = fold_ascii(text)
        hits, terms = self.presence(folded) if self._use_prefilter else (None, self.lexicon.present(folded))
        needed, read = self.needed(terms)
        doc = Doc(text, self.lexicon.find_present(folded, read, only=needed), BoundLexicon(self.marker_lexicon, folded),
                  folded, TermCover(self.lexicon, folded, terms))
        # signal -> (start, end, pattern, concepts) of its best hit so far. Who acts and how it is said
        # (the costly part) is read only when it decides whether a match counts, and for the hits kept.
        found: dict[str, tuple[int, int, str, tuple[str, ...]]] = {}

        def offer(signal: str, start: int, end: int, pattern: str, concepts: tuple[str, ...] = ()) -> None:
            best = found.get(signal)
            if best is None or (start, pattern) < (best[0], best[2]):
                found[signal] = (start, end, pattern, concepts)

        # Matches come in text order: once one cannot beat the signal's hit so far, no later one can.
        utf8 = _utf8(folded)
        for m in self.candidates(folded, hits=hits):
            policy = self._policies[m.signal]
            for start, end in _pattern_spans(m, folded, utf8):
                best = found.get(m.signal)
                if best is not None and (start, m.pattern) >= (best[0], best[2]):
                    break
                if policy.accepts_span(doc, start, end):
                    veto = self._pattern_not_with.get(m.signal)
                    if veto and _in_sentence(doc, veto, start):
                        continue
                    offer(m.signal, start, end, m.pattern)
                    break
        policy = self._policies.get(AMOUNT_SIGNAL)
        if policy is not None:
            for start, end, _value in large_amounts(text):
                best = found.get(AMOUNT_SIGNAL)
                if best is not None and (start, AMOUNT_LABEL) >= (best[0], best[2]):
                    break
                if policy.accepts_span(doc, start, end):
                    offer(AMOUNT_SIGNAL, start, end, AMOUNT_LABEL)
                    break
        occ = doc.occ
        readings = self._readings
        gated = self._reading_gates
        todo: set[int] = set()
        for cid in occ:
            todo.update(gated.get(cid, ()))
        for i in sorted(todo):
            signal, reading, policy, label = readings[i]
            for start, end, concepts, spans in _read(reading, doc):
                best = found.get(signal)
                # Every later span lies in the window of this span's anchor or a later one: once that
                # window starts where it cannot beat the hit so far, nothing this reading finds can.
                if best is not None and (_window_start(doc, reading.within, spans[0][0]), label) >= (best[0], best[2]):
                    break
                if doc.modality_of(start, end) != "negated" and any(doc.negated_at(p, spans) for p, _e in spans if p > start):
                    continue     # "尚未向监管部门投诉": a negation inside the span reaches a later concept
                if not policy.accepts_span(doc, start, end):
                    continue
                if reading.refers is not None and not refers_to(doc, reading.refers, start):
                    continue
                offer(signal, start, end, label, concepts)
                break
        for signal in self.settle(doc, {signal: hit[0] for signal, hit in found.items()}):
            del found[signal]
        out = []
        for signal, (start, end, pattern, concepts) in found.items():
            actor, _against = doc.actor_of(start, end)
            out.append(NarrativeHit(signal, text[start:end], start, end, pattern, doc.sentence_index(start) + 1,
                                    concepts, actor, doc.modality_of(start, end)))
        return sorted(out, key=lambda h: (h.start, h.signal))

    def needed(self, terms) -> tuple[frozenset[str], list[int]]:
        """(the concepts a text must be read for, the numbers of the ``terms`` present that are theirs).

        A text holds ~200 term occurrences of which readings use a fifth: a reading can hold only
        where every concept of its ``all`` (and one of its ``any``) has a term present, so only the
        concepts of such readings are located, with those every text needs (vetoes of patterns,
        salience, whose agent). Which words lie inside longer terms is judged by a :class:`TermCover`
        of every term present, so this changes no hit."""
        concepts_of = self.lexicon.concepts_of
        owned = [(k, concepts_of(k)) for k in terms]
        possible: set[str] = set()
        for _k, cids in owned:
            possible |= cids
        needed = set(self._always_read)
        needs, gated = self._reading_needs, self._reading_gates
        for cid in possible:
            for i in gated.get(cid, ()):
                n = needs[i]
                if n.concepts <= needed:
                    continue
                if possible.issuperset(n.all) and (n.any is None or not possible.isdisjoint(n.any)):
                    needed |= n.concepts
        return frozenset(needed), [k for k, cids in owned if not needed.isdisjoint(cids)]

    def settle(self, doc: Doc, starts: dict[str, int]) -> set[str]:
        """The signals whose hit (starting at ``starts[signal]``) does not stand once all are known: a
        side issue the narrative is not about (``salience``), or words that a more specific sign in the
        same sentence reads (``yields_to``, judged against every hit found, before any is dropped)."""
        dropped = {signal for signal, salience in self._salience.items()
                   if signal in starts and not salient(doc, salience, starts[signal])}
        for signal, others in self._yields.items():
            if signal in starts:
                k = doc.sentence_index(starts[signal])
                if any(o in starts and doc.sentence_index(starts[o]) == k for o in others):
                    dropped.add(signal)
        return dropped


class _ReadingNeeds:
    """A reading's lexicon concepts (``concepts``), those that must all be present (``all``), and those
    of which one must be (``any``; None when a marker word can stand in, or there is no ``any``).
    Marker words are read per sentence, not from the lexicon: they never keep a reading out."""
    __slots__ = ("concepts", "all", "any")

    def __init__(self, reading: Reading):
        used = [*reading.all, *reading.any, *reading.not_with]
        if reading.refers is not None:
            used += [*reading.refers.to, *reading.refers.not_]
        self.concepts = frozenset(used) - MARKER_IDS
        self.all = frozenset(reading.all) - MARKER_IDS
        self.any = (frozenset(reading.any) if reading.any and MARKER_IDS.isdisjoint(reading.any) else None)


def _window_start(doc: Doc, within, pos: int) -> int:
    """Where the window of a reading anchored at ``pos`` starts (as :func:`_read` takes it); it does
    not decrease as ``pos`` grows."""
    return (doc.clause(pos)[0] if within == "clause" else doc.nearby(pos)[0] if within == "nearby"
            else doc.sentence(pos)[0])


def refers_to(doc: Doc, refers, start: int) -> bool:
    """Whether the person named last before ``start`` (in its sentence or ``refers.back`` sentences
    before) is one of ``refers.to`` rather than one of ``refers.not_``: "陪同男子……。客户已转给他三千元"
    (the companion), not "客户的儿子……。客户转给他三千元" (the son). A term inside a longer term of
    another concept does not count ("公司" inside "维权公司")."""
    k = doc.sentence_index(start)
    lo = doc.sentence_start(k - refers.back)
    best: tuple[int, bool] | None = None
    for accept, cids in ((True, refers.to), (False, refers.not_)):
        for cid in cids:
            for o in doc.markers(cid, lo, start):
                if o.end > start or doc.inside_longer(o):
                    continue
                if best is None or o.start > best[0] or (o.start == best[0] and not accept):
                    best = (o.start, accept)
    return best is not None and best[1]


def salient(doc: Doc, salience: Salience, at: int) -> bool:
    """Whether the narrative is about the salience's topic (see :class:`Salience`); ``at`` is where
    the signal's hit starts, itself one mention. The topic concepts were found once over the whole
    text, so this only counts and compares sentence numbers."""
    if len(doc.text) < salience.short:
        return True
    occ = doc.occ
    mentions = [o for c in salience.topic for o in occ.get(c, ())]
    where = [doc.sentence_index(o.start) for o in mentions]
    if not any(o.start <= at < o.end for o in mentions):
        where.append(doc.sentence_index(at))      # the hit, when no topic term already counts it
    count = len(where)
    rival = max((len(occ.get(c, ())) for c in salience.rivals), default=0)
    if rival >= 2 and rival > salience.rival_ratio * count:
        return False        # another topic dominates: this one is a side issue (one mention never dominates)
    if count >= salience.mentions or min(where) < salience.lead:
        return True
    asks = {doc.sentence_index(o.start) for c in salience.demand for o in occ.get(c, ())}
    return not asks.isdisjoint(where)


def _read(reading: Reading, doc: Doc):
    """Spans where ``reading`` holds: (start, end, concepts matched), in text order."""
    occ = doc.occ
    every = reading.all + reading.any
    local = False
    if any(c in MARKER_IDS for c in every):   # rare: a reading of marker words
        occ = {**occ, **{c: doc.markers(c, 0, len(doc.text)) for c in every if c in MARKER_IDS}}
        occ = {c: v for c, v in occ.items() if v}
        local = True
    for c in reading.all:
        if c not in occ:
            return
    if reading.any:
        any_occ = sorted((o for c in reading.any for o in occ.get(c, ())), key=_span_key)
        if not any_occ:
            return
    # Each slot's occurrences in text order with their starts: the ones in an anchor's window are one
    # slice (bisect), and the nearest to the anchor is found without looking further than it can be.
    slots = [(occ[c], [o.start for o in occ[c]] if local else doc.starts(c)) for c in reading.all[1:]]
    if reading.any and reading.all:
        slots.append((any_occ, [o.start for o in any_occ]))
    anchors = occ[reading.all[0]] if reading.all else any_occ
    within = reading.within
    by_words = type(within) is int
    in_order = len(reading.all) - 1 if reading.ordered else 0   # slots before this one follow the order
    seen = set()
    for a in anchors:
        a_start = a.start
        lo, hi = (doc.clause(a_start) if within == "clause" else doc.nearby(a_start) if within == "nearby"
                  else doc.sentence(a_start))
        if a.end > hi:
            continue
        chosen = [a]
        for k, (options, starts) in enumerate(slots):
            best = None
            best_d = 0
            last_end = chosen[-1].end
            for i in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)):
                o = options[i]
                o_start = o.start
                if best is not None and o_start - a_start >= best_d:
                    break            # every later option starts further from the anchor
                o_end = o.end
                if o_end > hi:
                    continue
                clash = False
                for c in chosen:
                    if o_start < c.end and c.start < o_end:
                        clash = True
                        break
                if clash or (k < in_order and o_start < last_end):
                    continue
                if by_words:
                    g_lo, g_hi = (a.end, o_start) if a_start <= o_start else (o_end, a_start)
                    # a gap of no more characters than ``within`` has no more words either
                    if g_hi - g_lo > within and _gap(doc, a, o) > within:
                        continue
                d = o_start - a_start if o_start >= a_start else a_start - o_start
                if best is None or d < best_d:
                    best, best_d = o, d
            if best is None:
                break
            chosen.append(best)
        else:
            start = min(c.start for c in chosen)
            end = max(c.end for c in chosen)
            if (start, end) in seen:
                continue
            if reading.not_with:
                if reading.not_within is not None:
                    if _veto_in(doc, reading.not_with, *_stretch(doc, reading.not_within, start, end)):
                        continue
                elif _near_any(doc, reading, *(doc.sentence(a_start) if within == "clause" else (lo, hi)), start, end):
                    continue
            seen.add((start, end))
            yield start, end, tuple(c.concept for c in chosen), tuple((c.start, c.end) for c in chosen)


def _span_key(o) -> tuple[int, int]:
    return o.start, o.end


def _gap(doc: Doc, a, o) -> int:
    lo, hi = (a.end, o.start) if a.start <= o.start else (o.end, a.start)
    if hi <= lo:
        return 0
    return doc.words_between(lo, hi) if (a.english or o.english) else hi - lo


def _near_any(doc: Doc, reading: Reading, lo: int, hi: int, start: int, end: int) -> bool:
    within = reading.within
    for cid in reading.not_with:
        for o in (doc.markers(cid, lo, hi) if cid in MARKER_IDS else doc.occ.get(cid, ())):
            if o.start < lo or o.end > hi or doc.inside_longer(o):
                continue
            if isinstance(within, int):
                gap = (o.start - end) if o.start >= end else (start - o.end) if o.end <= start else 0
                if gap > within and not o.english:
                    continue
                if o.english and gap > 0 and doc.words_between(min(o.end, end), max(o.start, start)) > within:
                    continue
            return True
    return False


def _stretch(doc: Doc, unit: str, start: int, end: int) -> tuple[int, int]:
    """The clause(s), sentence(s) or nearby sentences a span ``start``–``end`` lies in (a reading's
    ``not_within``)."""
    last = max(start, end - 1)
    if unit == "clause":
        return doc.clause(start)[0], doc.clause(last)[1]
    if unit == "nearby":
        return doc.nearby(start)[0], doc.nearby(last)[1]
    return doc.sentence(start)[0], doc.sentence(last)[1]


def _veto_in(doc: Doc, concepts: tuple[str, ...], lo: int, hi: int) -> bool:
    """Whether one of ``concepts`` occurs within [lo, hi), not inside a longer term of another concept."""
    for cid in concepts:
        if cid not in MARKER_IDS and cid not in doc.occ:
            continue
        for o in doc.markers(cid, lo, hi):
            if o.end <= hi and not doc.inside_longer(o):
                return True
    return False


def _in_sentence(doc: Doc, concepts: tuple[str, ...], at: int) -> bool:
    """Whether one of ``concepts`` occurs in the sentence of ``at`` (a pattern's ``not_with``), not
    inside a longer term of another concept."""
    lo, hi = doc.sentence(at)
    for cid in concepts:
        for o in doc.markers(cid, lo, hi):
            if o.end <= hi and not doc.inside_longer(o):
                return True
    return False


def _compile(pattern: str, english: bool) -> re.Pattern:
    """Compiled to run over :func:`fold_ascii` text, case-sensitively (see there)."""
    source = normalise_pattern(pattern)
    # Whole words only in English: "sue" must not fire inside "issue". The word start is checked by
    # _word_spans, the word end by the compiled pattern (as if it ended with (?![a-z0-9])).
    return compile_safe_regex(source, flags=0, lookaround=True, word_end=_WORD_END if english else None)


_WORD_END = "abcdefghijklmnopqrstuvwxyz0123456789"


_WORD_CHARS = frozenset(_WORD_END)


def _word_spans(search, text: str):
    """The spans ``search(pos)`` finds from each position on (``None``: no more), as if the pattern began
    with ``(?<![a-z0-9])``: a match right after a letter or digit is skipped and the search resumes one
    character later, as re itself would."""
    pos = 0
    end = len(text)
    while pos <= end:
        span = search(pos)
        if span is None:
            return
        start = span[0]
        if start and text[start - 1] in _WORD_CHARS:
            pos = start + 1
            continue
        yield span
        pos = span[1] if span[1] > start else start + 1


def _word_matches(regex, text: str):
    """The spans of ``regex``'s whole-word matches in ``text`` (see :func:`_word_spans`)."""
    def search(pos):
        match = regex.search(text, pos)
        return None if match is None else match.span()
    return _word_spans(search, text)


def _utf8(text: str) -> Utf8Text | None:
    try:
        return Utf8Text(text)
    except UnicodeEncodeError:     # a lone surrogate: searched as a str
        return None


def _pattern_spans(m: _Matcher, folded: str, utf8: Utf8Text | None):
    """The spans of ``m``'s matches in ``folded`` (whole words in English, see :func:`_word_spans`),
    searched on its UTF-8 bytes when it has them (any other regex, as tests give, through ``finditer``)."""
    regex = m.regex
    if utf8 is None or type(regex) is not LinearPattern:
        if m.english:
            yield from _word_matches(regex, folded)
        else:
            for match in regex.finditer(folded):
                yield match.span()
        return
    if not m.english:
        yield from regex.spans(utf8)
        return
    yield from _word_spans(lambda pos: regex.search_utf8(utf8, pos), folded)


def _parse(pattern: str):
    """Check and parse a pattern (as :func:`_compile` will compile it) without compiling it."""
    source = normalise_pattern(pattern)
    check_pattern_safety(source)
    try:
        return _sre_parse.parse(source, re.IGNORECASE)
    except re.error as exc:
        raise ConditionSyntaxError(f"pattern {source!r} is not a valid regular expression: {exc}") from None


# -- required literals ------------------------------------------------------------------------------
# Patterns are matched case-insensitively against case-folded text. A literal may be required
# verbatim only if every character a case-insensitive match can meet in case-folded text is that
# character itself: uncased characters (CJK, digits, punctuation) and ASCII letters. Case folding
# leaves one character that re's IGNORECASE still equates with an ASCII letter (dotless ı ~ i); the
# text is folded with this table before the literal look-up (tests check the table exhaustively).
_ASCII_FOLD = (("ı", "i"), ("İ", "i"), ("K", "k"), ("ſ", "s"))
_MAX_ALTERNATIVES = 64
_MIN_EXTRA_WEIGHT = 3   # a further clause counts when its weakest literal has 3 letters or a CJK character

_C = _sre_parse  # opcodes live on the parser module (re._constants re-exported)
_LITERAL = _C.LITERAL
_IN = _C.IN
_BRANCH = _C.BRANCH
_SUBPATTERN = _C.SUBPATTERN
_REPEATS = tuple(op for op in (getattr(_C, "MAX_REPEAT", None), getattr(_C, "MIN_REPEAT", None),
                               getattr(_C, "POSSESSIVE_REPEAT", None)) if op is not None)
_ATOMIC = getattr(_C, "ATOMIC_GROUP", None)


def _literal_char(cp: int) -> str | None:
    ch = chr(cp)
    if ch.isascii():
        return ch.lower()
    if not _iscased(cp) and ch.lower() == ch and ch.upper() == ch:
        return ch
    return None


_STOPWORDS = frozenset("""a an and are as at be been but by for from had has have he her his i in is it its
me my no not of on or our she so that the their them then there they this to was we were what when which
who will with would you your""".split())


def _weight(lit: str) -> int:
    """How selective a literal is likely to be: a CJK character counts three, a letter one, spaces
    nothing, and a common English word alone one."""
    if lit.strip() in _STOPWORDS:
        return 1
    return sum(3 if ord(c) >= 0x2E80 else 1 for c in lit if c != " ")


def _key_bigram(lit: str) -> str:
    """The two characters of a literal to index it by: preferably no space, then CJK, then not a
    common English pair."""
    grams = [lit[i:i + 2] for i in range(len(lit) - 1)]
    return min(grams, key=lambda g: (" " in g, not any(ord(c) >= 0x2E80 for c in g), g in _COMMON_BIGRAMS))


_COMMON_BIGRAMS = frozenset("th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io "
                            "le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur".split())


def _selectivity(clause) -> tuple:
    """Sort key: the most selective clause first (the best worst literal, then the fewest alternatives)."""
    return (-min(_weight(s) for s in clause), len(clause))


def _required_literals(items) -> frozenset[str] | None:
    """A set of strings at least one of which occurs in every match of the parsed pattern ``items``
    (the most selective of :func:`_required_clauses`), or None when no such set was found."""
    clauses = _required_clauses(items)
    return min(clauses, key=_selectivity) if clauses else None


def _required_clauses(items) -> list[frozenset[str]]:
    """Sets of strings such that every match of the parsed pattern ``items`` contains at least one
    string of EACH set (a conjunction of disjunctions); empty when none was found."""
    options: list[frozenset[str]] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            options.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op == _LITERAL:
            ch = _literal_char(av)
            if ch is None:
                end_run()
            else:
                run.append(ch)
            continue
        end_run()
        options.extend(_item_literals(op, av))
    end_run()
    return options


def _item_literals(op, av) -> list[frozenset[str]]:
    """The clauses (see :func:`_required_clauses`) of one parsed item."""
    if op == _SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return []
        return _required_clauses(sub)
    if _ATOMIC is not None and op == _ATOMIC:
        return _required_clauses(av)
    if op == _BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            sub = _required_literals(alt)
            if sub is None:
                return []
            union |= sub
            if len(union) > _MAX_ALTERNATIVES:
                return []
        return [frozenset(union)]
    if op in _REPEATS:
        low, _high, sub = av
        return _required_clauses(sub) if low >= 1 else []
    if op == _IN:
        chars = set()
        for kind, value in av:
            if kind != _LITERAL:
                return []
            ch = _literal_char(value)
            if ch is None:
                return []
            chars.add(ch)
        return [frozenset(chars)] if 0 < len(chars) <= _MAX_ALTERNATIVES else []
    return []
