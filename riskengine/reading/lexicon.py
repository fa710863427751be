"""Concept lexicons (knowledge/concepts.yaml): find every occurrence of a concept's terms in a text.

Terms are plain text, so finding them is linear in the text: one pass of a literal automaton
(:class:`LiteralSets`) tells which terms (with their English inflected forms) occur, and ``str.find``
locates only those (:meth:`Lexicon.find_present`; :meth:`Lexicon.find`, word by word, gives the same and
is kept as the reference). English terms match whole words only ("sue" never inside "issue"). Chinese text in traditional characters is read through a
character table (one character for one, so spans stay those of the normalised text).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import operator
import re
from riskengine.contracts.knowledge import Concept

try:
    import re2 as _re2
except ImportError:  # pragma: no cover - google-re2 is a core dependency
    _re2 = None

_concat = operator.add


class Occurrence:
    """One term of one concept found at [start, end) (a plain slotted class: millions are made)."""
    __slots__ = ("concept", "start", "end", "english")

    def __init__(self, concept: str, start: int, end: int, english: bool):
        self.concept = concept
        self.start = start
        self.end = end
        self.english = english

    def __repr__(self) -> str:
        return f"Occurrence({self.concept!r}, {self.start}, {self.end}, {self.english})"


def english_forms(term: str) -> frozenset[str]:
    """A term and its regular inflections: the first word as a verb (threaten → threatened,
    threatening; sue → sued, suing; file → filing), the last as a noun (lawyer → lawyers; agency →
    agencies). A term starting with ``=`` is taken as written."""
    if term.startswith("="):
        return frozenset({term[1:]})
    words = term.split(" ")
    out = {term}
    for i in {0, len(words) - 1}:
        for form in _word_forms(words[i]):
            out.add(" ".join(words[:i] + [form] + words[i + 1:]))
    if len(words) > 2 and words[1] in _VERB_OBJECT_START:
        # both at once in a verb phrase (a verb, then its object or particle: "film the expiry date" →
        # "filmed the expiry dates"); not in a name ("state attorney general" has no "states attorney generals")
        plurals = _plural_forms(words[-1])
        for form in _verb_forms(words[0]):
            for last in plurals:
                out.add(" ".join([form] + words[1:-1] + [last]))
    return frozenset(out)


_VERB_OBJECT_START = frozenset({"the", "a", "an", "my", "your", "our", "their", "his", "her", "its", "it", "them",
                                "me", "us", "him", "you", "to", "up", "down", "out", "off", "on", "in", "into",
                                "over", "back", "for", "with", "about", "all", "this", "that", "these", "those",
                                "every", "some", "any", "no", "at", "from", "through", "away", "around"})


def _verb_forms(w: str) -> set[str]:
    """The inflected forms of a verb (film → films, filmed, filming; file → filed, filing; carry →
    carries, carried), without the uninflected one."""
    if len(w) < 3 or not w.isalpha():
        return set()
    if w.endswith("e"):
        forms = {w + "s", w + "d", w[:-1] + "ing"}
    elif w.endswith("y") and w[-2] not in _VOWELS:
        forms = {w[:-1] + "ies", w[:-1] + "ied", w + "ing"}
    else:
        forms = {w + ("es" if w[-1] in "sxzh" else "s"), w + "ed", w + "ing"}
    if len(w) <= 4 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS and w[-3] not in _VOWELS:
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}     # stop → stopped
    return forms


def _plural_forms(w: str) -> set[str]:
    """The plural of a noun as :func:`_word_forms` spells it (lawyer → lawyers; agency → agencies)."""
    if len(w) < 3 or not w.isalpha():
        return set()
    forms = {w + "s", w + "es"} if w[-1] in "sxzh" else {w + "s"}
    if w.endswith("y") and w[-2] not in _VOWELS:
        forms = {w[:-1] + "ies"}
    return forms


_VOWELS = set("aeiou")


def _word_forms(w: str) -> set[str]:
    if len(w) < 3 or not w.isalpha():
        return {w}
    forms = {w, w + "s", w + "es", w + "ed", w + "ing"}
    if w.endswith("e"):
        forms |= {w + "d", w[:-1] + "ing"}
    if w.endswith("y") and w[-2] not in _VOWELS:
        forms |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) <= 4 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS and w[-3] not in _VOWELS:
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}     # stop → stopped, sue is not doubled
    return forms


def expand(concepts: dict[str, Concept]) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Concept id -> its (term, english) pairs, with included concepts' terms and English forms,
    normalised as narratives are. Include cycles are ignored here (validation reports them)."""
    from riskengine.reading.narrative import normalise

    out: dict[str, tuple[tuple[str, bool], ...]] = {}

    def terms_of(cid: str, seen: frozenset[str]) -> set[tuple[str, bool]]:
        concept = concepts.get(cid)
        if concept is None or cid in seen:
            return set()
        found: set[tuple[str, bool]] = set()
        for t in concept.zh:
            t = normalise(t)
            if t:
                found.add((to_simplified(t), False))
        for t in concept.en:
            # marker_ words match exactly as written ("not" must not read "notes" or "noted" as a negation)
            forms = {normalise(t).removeprefix("=")} if cid.startswith("marker_") else english_forms(normalise(t))
            for form in forms:
                if form:
                    found.add((form, True))
        for inc in concept.include:
            found |= terms_of(inc, seen | {cid})
        return found

    for cid in concepts:
        out[cid] = tuple(sorted(terms_of(cid, frozenset())))
    return out


def _key(term: str) -> str:
    from riskengine.reading.narrative import _key_bigram
    return term if len(term) == 1 else _key_bigram(term)


_TOKEN = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


def concepts_digest(concepts: dict[str, Concept]) -> str:
    """A digest of the concepts a lexicon is made of (ids in order, terms, includes): tables made of
    other concepts are never used."""
    data = [[cid, list(c.zh), list(c.en), list(c.include)] for cid, c in concepts.items()]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8",
                                                                                       "surrogatepass")).hexdigest()


def _indexes(terms: dict[str, tuple[tuple[str, bool], ...]]) -> tuple:
    """The look-up structures of :meth:`Lexicon.find`: (index of the other terms by key, one-word
    terms by word, longer word terms by their first two words, the index's keys, the first words)."""
    index: dict[str, dict[tuple[str, bool], list[str]]] = {}
    words: dict[str, dict[tuple[str, ...], list[tuple[str, bool]]]] = {}
    for cid, cterms in terms.items():
        for term, english in cterms:
            toks = tuple(term.split(" "))
            if term.isascii() and all(_TOKEN.fullmatch(t) for t in toks):
                words.setdefault(toks[0], {}).setdefault(toks, []).append((cid, english))
            else:
                index.setdefault(_key(term), {}).setdefault((term, english), []).append(cid)
    by_key = {k: tuple((t, e, tuple(c)) for (t, e), c in sorted(v.items())) for k, v in index.items()}
    # one-word terms by their word; longer ones by their first two words
    one: dict = {}
    pairs: dict = {}
    for first, entries in words.items():
        for toks, owners in sorted(entries.items()):
            if len(toks) == 1:
                one[first] = tuple(owners)
            else:
                pairs.setdefault(toks[:2], []).append((toks, tuple(owners)))
    pairs = {k: tuple(v) for k, v in pairs.items()}
    # look-up sets built once (intersecting with a dict's keys would copy them on every call)
    return by_key, one, pairs, frozenset(by_key), frozenset(one) | frozenset(k[0] for k in pairs)


def _build_tables(concepts: dict[str, Concept]) -> tuple[dict, tuple]:
    """(:func:`lexicon_tables` of ``concepts``, the :func:`_indexes` it was made from)."""
    terms = expand(concepts)
    indexes = _indexes(terms)
    by_key, one, pairs = indexes[:3]
    # Every term once, for :meth:`Lexicon.find_present`: (text, kind, owners) with kind 0 = located with
    # str.find (whole words when English), 1 = a one-word token term, 2 = a term of several tokens.
    table: dict[str, list] = {}
    for entries in by_key.values():
        for term, english, cids in entries:
            table.setdefault(term, [0, []])[1].extend((cid, english) for cid in cids)
    for word, owners in one.items():
        table.setdefault(word, [1, []])[1].extend(owners)
    for entries in pairs.values():
        for toks, owners in entries:
            table.setdefault(" ".join(toks), [2, []])[1].extend(owners)
    strings = sorted(table)
    # Flat strings, not nested lists: a warm start checks them with a few passes in C and decodes only
    # the owners of the terms a narrative holds (tens of thousands of small lists cost ~0.15 s).
    kinds = "".join(str(table[t][0]) for t in strings)
    owners = [",".join(f"{cid}:{int(e)}" for cid, e in table[t][1]) for t in strings]
    codes = {cid: "\n".join(("1" if e else "0") + t for t, e in pairs_) for cid, pairs_ in terms.items()}
    return {"format": 2, "digest": concepts_digest(concepts), "check": _checksum(strings, kinds, owners, codes),
            "terms": codes, "strings": strings, "kinds": kinds, "owners": owners}, indexes


def lexicon_tables(concepts: dict[str, Concept]) -> dict:
    """A :class:`Lexicon` of ``concepts`` as plain data (strings, lists of strings, one object): what
    ``Lexicon(concepts, tables=...)`` needs to skip expanding and indexing the terms."""
    return _build_tables(concepts)[0]


def _checksum(strings: list[str], kinds: str, owners: list[str], terms: dict[str, str]) -> str:
    """A checksum of the tables' content, written with them: damage anywhere in them (a flag, an owner,
    a term) is found by one hash pass in C instead of a check of every entry in Python."""
    h = hashlib.blake2b(digest_size=16)
    for part in ("\0".join(strings), kinds, "\0".join(owners), "\0".join(k + "\1" + v for k, v in terms.items())):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\2")
    return h.hexdigest()


def _decode_owners(text: str) -> tuple[tuple[str, bool], ...]:
    return tuple((cid, flag == "1") for cid, _, flag in (o.rpartition(":") for o in text.split(",")))


def _from_tables(tables, concepts: dict[str, Concept] | None):
    """(term strings, kinds, encoded owners, encoded terms by concept) from :func:`lexicon_tables` data;
    None when the data is malformed or (``concepts`` given) made of other concepts. Types, order and
    the checksum are checked over every entry, in passes that run in C: damaged tables are never half used."""
    try:
        if type(tables) is not dict or tables.get("format") != 2:
            return None
        if concepts is not None and tables.get("digest") != concepts_digest(concepts):
            return None
        strings, kinds, owners, terms = tables["strings"], tables["kinds"], tables["owners"], tables["terms"]
        if not (type(strings) is list and type(owners) is list and type(kinds) is str and type(terms) is dict
                and len(strings) == len(owners) == len(kinds)):
            return None
        if set(map(type, strings)) - {str} or set(map(type, owners)) - {str} or set(map(type, terms.values())) - {str}:
            return None
        if not all(strings) or not all(map(operator.lt, strings, itertools.islice(strings, 1, None))):
            return None                                    # each term once, sorted, none empty
        if kinds.strip("012") or tables.get("check") != _checksum(strings, kinds, owners, terms):
            return None
        return tuple(strings), kinds, owners, terms
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


class Lexicon:
    """The terms of every concept, indexed for :meth:`find`.

    Terms written in letters and digits are looked up word by word (the text is split into words once;
    a term's first word is a dictionary key), so English reading costs one look-up per word however
    many terms there are. Other terms (Chinese, "%") are indexed by one of their two-character
    substrings and located with ``str.find``.

    ``tables``: what :func:`lexicon_tables` made of these same concepts earlier (plain data: the
    ruleset cache keeps it, so a warm start does not expand and index every term again). Tables that
    are malformed or were made of other concepts (their digest differs) are ignored."""

    def __init__(self, concepts: dict[str, Concept], *, tables: dict | None = None):
        loaded = _from_tables(tables, concepts) if tables is not None else None
        if loaded is None:
            tables, indexes = _build_tables(concepts)
            loaded = _from_tables(tables, None)
            self._indexes = indexes
        else:
            self._indexes = None       # built on the first :meth:`find` (the reference reader)
        self.term_strings, self._kinds, self._owner_codes, self._term_codes = loaded
        self._owners: dict[int, tuple[tuple[str, bool], ...]] = {}    # decoded on first use, per term
        self._concepts: dict[int, frozenset[str]] = {}                 # the same, as a set of concept ids
        self._sets: LiteralSets | None = None      # built on first use

    @functools.cached_property
    def terms(self) -> dict[str, tuple[tuple[str, bool], ...]]:
        """Concept id -> its (term, english) pairs (:func:`expand`)."""
        return {cid: tuple((t[1:], t[0] == "1") for t in code.split("\n")) if code else ()
                for cid, code in self._term_codes.items()}

    @functools.cached_property
    def _one_word(self) -> frozenset[str]:
        return frozenset(itertools.compress(self.term_strings, map("1".__eq__, self._kinds)))

    def _owners_of(self, k: int) -> tuple[tuple[str, bool], ...]:
        owners = self._owners.get(k)
        if owners is None:
            owners = self._owners[k] = _decode_owners(self._owner_codes[k])
        return owners

    def concepts_of(self, k: int) -> frozenset[str]:
        """The concepts term number ``k`` belongs to."""
        cids = self._concepts.get(k)
        if cids is None:
            cids = self._concepts[k] = frozenset(cid for cid, _english in self._owners_of(k))
        return cids

    def __contains__(self, cid: str) -> bool:
        return cid in self._term_codes

    def _index_for_find(self) -> tuple:
        if self._indexes is None:
            self._indexes = _indexes(self.terms)
        return self._indexes

    def find(self, text: str, grams: set[str] | None = None, offset: int = 0) -> dict[str, list[Occurrence]]:
        """Every occurrence of every concept in ``text`` (normalised, simplified), by concept, in order;
        positions are shifted by ``offset`` (``text`` may be a slice of the narrative)."""
        if grams is None:
            grams = set(map(_concat, text, text[1:]))
        found: dict[str, dict[tuple[int, int], Occurrence]] = {}
        index, words_of, pairs_of, index_keys, first_words = self._index_for_find()
        keys = (grams & index_keys) | (set(text) & index_keys)
        find = text.find
        n = len(text)
        for key in keys:
            for term, english, cids in index[key]:
                size = len(term)
                start = find(term)
                while start >= 0:
                    end = start + size
                    if not english or ((start == 0 or not _is_word_char(text[start - 1]))
                                       and (end == n or not _is_word_char(text[end]))):
                        for cid in cids:
                            found.setdefault(cid, {})[(start, end)] = Occurrence(cid, start + offset, end + offset, english)
                    start = find(term, start + 1)
        if words_of or pairs_of:
            words, pairs = words_of, pairs_of
            # Only tokens that start a term (or a possessive of one) need a look; the others are skipped
            # without building anything. A pair's later words are read where the previous one ends.
            firsts = first_words
            match_at = _TOKEN.match
            for m in _TOKEN.finditer(text):
                word = m.group()
                if word not in firsts and not (word.endswith(("'s", "’s")) and word[:-2] in words):
                    continue
                start, end = m.span()
                owners = words.get(word)
                if owners is None and word.endswith(("'s", "’s")):
                    owners = words.get(word[:-2])      # "the collector's lawyer": the collector
                    if owners is not None:
                        for cid, english in owners:
                            found.setdefault(cid, {})[(start, end - 2)] = Occurrence(cid, start + offset,
                                                                                     end - 2 + offset, english)
                        owners = None
                if owners is not None:
                    for cid, english in owners:
                        found.setdefault(cid, {})[(start, end)] = Occurrence(cid, start + offset, end + offset, english)
                if not pairs or end >= n or text[end] != " ":
                    continue
                nxt = match_at(text, end + 1)
                if nxt is None:
                    continue
                for toks, owners in pairs.get((word, nxt.group()), ()):
                    stop = nxt.end()
                    ok = True
                    for j in range(2, len(toks)):
                        if stop >= n or text[stop] != " ":
                            ok = False
                            break
                        later = match_at(text, stop + 1)
                        if later is None or later.group() != toks[j]:
                            ok = False
                            break
                        stop = later.end()
                    if not ok:
                        continue
                    for cid, english in owners:
                        found.setdefault(cid, {})[(start, stop)] = Occurrence(cid, start + offset, stop + offset, english)
        return {cid: [occ[k] for k in sorted(occ)] for cid, occ in found.items()}


    def find_present(self, text: str, present, lo: int = 0, hi: int | None = None, *,
                     only: frozenset[str] | None = None) -> dict[str, list[Occurrence]]:
        """:meth:`find` over ``text[lo:hi]`` (positions in ``text``), given the numbers (in
        :attr:`term_strings`) of the terms that occur in ``text``: one ``str.find`` per term present,
        instead of a look at every word. Gives what ``find(text[lo:hi], offset=lo)`` gives: words and
        tokens are cut at ``lo`` and ``hi`` as at the ends of a text. ``only``: the concepts wanted
        (the others' occurrences are left out)."""
        if hi is None:
            hi = len(text)
        found: dict[str, dict[tuple[int, int], Occurrence]] = {}
        find = text.find
        strings, kinds, owners_of = self.term_strings, self._kinds, self._owners_of
        tok, joiners = _TOKEN_CHARS, _JOINERS
        for k in present:
            term, kind, owners = strings[k], kinds[k], owners_of(k)
            if only is not None:
                owners = tuple(o for o in owners if o[0] in only)
            start = find(term, lo, hi)
            size = len(term)
            while start >= 0:
                end = start + size
                if kind == "0":
                    whole = None
                    for cid, english in owners:
                        if english:            # English terms only as whole words
                            if whole is None:
                                whole = ((start == lo or text[start - 1] not in _WORD_CHARS)
                                         and (end == hi or text[end] not in _WORD_CHARS))
                            if not whole:
                                continue
                        found.setdefault(cid, {})[(start, end)] = Occurrence(cid, start, end, english)
                # _token_start and _token_end, written out (this runs for every place a term occurs); occurs_at
                # asks the same of one place
                elif start == lo or not (text[start - 1] in tok or (text[start - 1] in joiners and start - 2 >= lo
                                                                      and text[start - 2] in tok)):
                    if end == hi or not (text[end] in tok or (text[end] in joiners and end + 1 < hi
                                                              and text[end + 1] in tok)):
                        for cid, english in owners:
                            found.setdefault(cid, {})[(start, end)] = Occurrence(cid, start, end, english)
                    elif (kind == "1" and text[end:end + 2] in _POSSESSIVE and end + 2 <= hi
                          and _token_end(text, end + 2, hi) and text[start:end + 2] not in self._one_word):
                        for cid, english in owners:    # "the collector's lawyer": the collector
                            found.setdefault(cid, {})[(start, end)] = Occurrence(cid, start, end, english)
                start = find(term, start + 1, hi)
        return {cid: [occ[key] for key in sorted(occ)] if len(occ) > 1 else list(occ.values())
                for cid, occ in found.items()}

    def occurs_at(self, text: str, k: int, start: int) -> bool:
        """Whether :meth:`find_present` over the whole of ``text`` reports term number ``k`` at
        ``start`` for some owner (the term's text being there): English owners want a whole word, token
        terms token edges (or a possessive, "the collector's lawyer")."""
        term, kind = self.term_strings[k], self._kinds[k]
        end, n = start + len(term), len(text)
        if kind == "0":
            return not all(english for _cid, english in self._owners_of(k)) or _whole_word(text, start, end)
        if not _token_start(text, start, 0):
            return False
        return _token_end(text, end, n) or (kind == "1" and text[end:end + 2] in _POSSESSIVE and end + 2 <= n
                                             and _token_end(text, end + 2, n) and text[start:end + 2] not in self._one_word)

    def prepare(self) -> None:
        """Build the literal automata of :meth:`present` now (see :meth:`LiteralSets.build`)."""
        if self._sets is None:
            self._sets = LiteralSets(self.term_strings)
        self._sets.build()

    def present(self, text: str) -> frozenset[int] | list[int]:
        """The numbers of the terms that occur in ``text``: one pass of an RE2 set of the terms (see
        :class:`LiteralSets`), or one look-up per term when that cannot run."""
        if self._sets is None:
            self._sets = LiteralSets(self.term_strings)
        found = self._sets.match(text)
        if found is None:
            return frozenset(k for k, term in enumerate(self.term_strings) if term in text)
        return found


class LiteralSets:
    """Which of many fixed strings occur in a text, in one pass: RE2 sets (literal automata, as
    Aho-Corasick) over the text's UTF-8 bytes. The strings written in ASCII are one set, run on every
    text; the others a second one, run only on texts that are not all ASCII (one set mixing both builds
    its automaton slower on English text). RE2 builds the automaton's states as texts need them, so
    the first few thousand texts a process reads cost more than later ones. Entry 0 of each set, the
    empty text, matches every text, which shows the set ran through (an automaton out of memory
    returns nothing).

    The automata are built when the texts asked about so far reach :attr:`BUILD_AFTER_CHARS`
    characters (or by :meth:`build`); until then each string is looked up in the text. Building them
    costs what looking up every string in a few thousand characters does (~0.23 s for the ~21,000
    concept terms and pattern literals, against ~7 ms for a 176-character narrative), so a process
    that reads one narrative (the command line) never pays for them."""
    __slots__ = ("_sets", "_strings", "_chars_looked_up", "_built")
    BUILD_AFTER_CHARS = 4_000

    def __init__(self, strings) -> None:
        self._strings = tuple(strings)
        self._sets: tuple | None = None
        self._built = False
        self._chars_looked_up = 0    # characters of text answered string by string (threads may race: harmless)

    def build(self) -> None:
        """Build the automata now (a batch does it before forking its workers)."""
        if self._built:
            return
        self._built = True
        strings = self._strings
        if _re2 is None:           # pragma: no cover - google-re2 is a core dependency
            return
        sets = []
        for ascii_part in (True, False):
            numbers = [-1] + [k for k, lit in enumerate(strings) if lit.isascii() == ascii_part]
            try:
                opts = _re2.Options()
                opts.log_errors = False
                opts.case_sensitive = True
                opts.literal = True
                # Bytes, not UTF-8 characters: a valid UTF-8 string occurs in a valid UTF-8 text exactly
                # where its bytes do, and the byte automaton builds its states several times faster.
                opts.encoding = _re2.Options.Encoding.LATIN1
                opts.max_mem = 64 << 20
                found = _re2._re2.Set(_re2._Anchor.UNANCHORED, opts)
                if (any(found.Add(strings[k].encode("utf-8") if k >= 0 else b"") != i
                        for i, k in enumerate(numbers)) or not found.Compile()):
                    return
            except Exception:      # pragma: no cover - no usable set: callers look strings up one by one
                return
            sets.append((found, tuple(numbers)))
        self._sets = tuple(sets)

    def match(self, text: str) -> list[int] | None:
        """The numbers (positions in ``strings``) of the strings in ``text``, in no order; None when
        the sets could not answer (then look each string up)."""
        if not self._built:
            if self._chars_looked_up + len(text) <= self.BUILD_AFTER_CHARS:
                self._chars_looked_up += len(text)
                return [k for k, string in enumerate(self._strings) if string in text]
            self.build()
        if self._sets is None:
            return None
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:    # a lone surrogate
            return None
        out: list[int] = []
        for literal_set, numbers in (self._sets if not text.isascii() else self._sets[:1]):
            found = literal_set.Match(data)
            if not found or 0 not in found:
                return None
            out.extend(map(numbers.__getitem__, found))     # in C: a text finds a hundred strings
            out.remove(-1)                                   # entry 0, the empty text
        return out


class TermCover:
    """The longer concept terms around a span of one text, without the occurrences of every concept:
    the terms that occur in the text (numbers from :meth:`Lexicon.present`) are tried at the places
    where they would cover the span. A text reads only the concepts its possible readings use
    (:meth:`NarrativeScanner.scan`), yet whether a word lies inside another concept's longer term
    ("公司" inside "维权公司") is judged against every concept, as when all were read."""
    __slots__ = ("lexicon", "text", "present", "_joined", "_starts", "_numbers")

    def __init__(self, lexicon: Lexicon, text: str, present):
        self.lexicon, self.text, self.present = lexicon, text, present
        self._joined: str | None = None      # built on the first question (many texts ask none)

    def spans(self, start: int, end: int):
        """(start, end) of each occurrence of a present term longer than ``text[start:end]`` that covers it."""
        lexicon, text = self.lexicon, self.text
        if self._joined is None:
            # the present terms in one string: where the word occurs inside a term is one str.find in C
            strings = lexicon.term_strings
            self._numbers = list(self.present)
            self._starts = list(itertools.accumulate((len(strings[k]) + 1 for k in self._numbers), initial=0))
            self._joined = "\0".join(strings[k] for k in self._numbers)
        joined, starts, numbers = self._joined, self._starts, self._numbers
        word = text[start:end]
        size = end - start
        at = joined.find(word)
        while at >= 0:
            j = bisect.bisect_right(starts, at) - 1
            k = numbers[j]
            length = starts[j + 1] - starts[j] - 1
            p = start - (at - starts[j])
            if length > size and p >= 0 and text.startswith(lexicon.term_strings[k], p) and lexicon.occurs_at(text, k, p):
                yield p, p + length
            at = joined.find(word, at + 1)


class BoundLexicon:
    """A lexicon bound to one text: ``find(text[lo:hi], offset=lo)`` answered by one set pass over
    the slice and :meth:`Lexicon.find_present` of the terms found, on the whole text (no word loop)."""
    __slots__ = ("lexicon", "text")

    def __init__(self, lexicon: Lexicon, text: str):
        self.lexicon, self.text = lexicon, text

    def find(self, text: str, grams=None, offset: int = 0) -> dict[str, list[Occurrence]]:
        # ``text`` is self.text[offset:offset + len(text)] (Doc reads sentences of the text it was given)
        return self.lexicon.find_present(self.text, self.lexicon.present(text), offset, offset + len(text))


_POSSESSIVE = ("'s", "’s")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_JOINERS = frozenset("'’-")


def _token_start(text: str, s: int, lo: int) -> bool:
    """Whether a token of :data:`_TOKEN` (as ``finditer`` over ``text[lo:]`` cuts them) starts at ``s``."""
    if s == lo:
        return True
    prev = text[s - 1]
    if prev in _TOKEN_CHARS:
        return False
    return not (prev in _JOINERS and s - 2 >= lo and text[s - 2] in _TOKEN_CHARS)


def _token_end(text: str, e: int, hi: int) -> bool:
    """Whether a token ends at ``e`` (``text[e - 1]`` being a token character) in ``text[:hi]``."""
    if e == hi:
        return True
    nxt = text[e]
    if nxt in _TOKEN_CHARS:
        return False
    return not (nxt in _JOINERS and e + 1 < hi and text[e + 1] in _TOKEN_CHARS)


def _find_all(text: str, term: str):
    i = text.find(term)
    while i >= 0:
        yield i
        i = text.find(term, i + 1)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")   # _is_word_char


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _whole_word(text: str, start: int, end: int) -> bool:
    return (start == 0 or not _is_word_char(text[start - 1])) and (end == len(text) or not _is_word_char(text[end]))


# -- traditional to simplified ----------------------------------------------------------------------
# Traditional to simplified, one character for one: OpenCC's character table (TSCharacters, its first
# choice where it offers several), then this hand list of the characters complaint narratives use most,
# which wins where the two differ. Phrase-level conversion is not needed: texts, concept terms and
# patterns all go through the same table, so they meet whichever character it picks.
_TRAD = ("訴诉 體体 險险 費费 師师 國国 銀银 監监 會会 報报 記记 錄录 電电 話话 號号 碼码 們们 說说 讓让 這这 為为 與与 對对 "
         "從从 來来 時时 後后 發发 給给 錢钱 賠赔 償偿 還还 開开 關关 門门 問问 題题 題题 處处 理理 務务 員员 業业 單单 據据 "
         "證证 件件 幫帮 沒没 有有 並并 無无 給给 絕绝 應应 該该 當当 辦办 齊齐 書书 寫写 讀读 聽听 見见 親亲 屬属 幣币 "
         "轉转 帳账 賬账 戶户 貸贷 款款 額额 數数 萬万 億亿 兩两 個个 東东 車车 馬马 鳥鸟 魚鱼 頭头 臉脸 風风 氣气 "
         "極极 憤愤 氣气 惱恼 壓压 絕绝 殺杀 藥药 農农 喝喝 樓楼 燒烧 刀刀 傷伤 毀毁 滅灭 死死 絡络 網网 視视 頻频 "
         "聞闻 導导 鬧闹 維维 權权 詢询 諮咨 顧顾 問问 介介 傭佣 費费 協协 議议 託托 約约 紹绍 揚扬 曝曝 觸触 係系 "
         "聯联 繫系 換换 卡卡 機机 構构 團团 夥伙 組组 織织 批批 範范 誤误 導导 騙骗 詐诈 盜盗 竊窃 洩泄 漏漏 "
         "擾扰 催催 收收 债债 債债 罵骂 脅胁 嚇吓 恐恐 訪访 彙汇 總总 紀纪 檢检 察察 訟讼 狀状 庭庭 審审 判判 "
         "律律 勞劳 認认 實实 現现 層层 級级 轄辖 區区 縣县 鄉乡 場场 廳厅 層层 衛卫 陽阳 態态 慮虑 憂忧 麼么 "
         "嗎吗 吶呐 啟启 動动 異异 常常 鎖锁 凍冻 結结 標标 簽签 願愿 雙双 録录 歲岁 齡龄 殘残 疾疾 癥症 醫医 療疗 "
         "診诊 斷断 險险 種种 類类 純纯 淨净 損损 失失 虧亏 剩剩 餘余 總总 計计 週周 幾几 經经 過过 讓让 遠远 "
         "邊边 裡里 裏里 條条 規规 則则 質质 檔档 憑凭 辯辩 護护 陳陈 述述 舉举 員员 負负 責责 擔担 保保 鑑鉴 "
         "鑒鉴 產产 貨货 買买 賣卖 價价 驗验 贈赠 運运 輸输 達达 遞递 郵邮 簡简 訊讯 廣广 告告 揭揭 黑黑 貓猫 "
         "違违 規规 紅红 願愿 勸劝 誘诱 錯错 誤误 準准 備备 覺觉 將将 儘尽 盡尽 纔才 幹干 亂乱 囑嘱 咐咐 職职 "
         "稱称 謂谓 陪陪 錄录 音音 攝摄 像像 貼贴 帖帖 據据 點点 擊击 鏈链 詞词 語语 罰罚 懲惩 罰罚 則则")


@functools.cache
def _simplify_table() -> dict[int, str]:
    """Built once per process, on the first narrative (read-only afterwards)."""
    from importlib.resources import files

    table: dict[int, str] = {}
    try:
        source = files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):   # pragma: no cover - a core dependency
        source = ""
    for line in source.splitlines():
        trad, _, simplified = line.partition("\t")
        first = simplified.split(" ", 1)[0]
        if len(trad) == 1 and len(first) == 1 and first != trad:
            table[ord(trad)] = first
    table.update({ord(pair[0]): pair[1] for pair in _TRAD.split() if pair[0] != pair[1]})
    return table


def to_simplified(text: str) -> str:
    return text.translate(_simplify_table())


# -- validation -------------------------------------------------------------------------------------
def validate_concepts(rs, at) -> None:
    """Cross-checks of knowledge/concepts.yaml and the signals' readings (and the signals they yield to),
    reported through ``at(key, path, code, message, hint, severity)`` (file:line:column of the entry)."""
    from riskengine.reading.clauses import MARKER_IDS
    from riskengine.errors import did_you_mean

    k = rs.knowledge
    concepts = k.concepts
    used: set[str] = set()

    def check(key: str, path: tuple, cid: str) -> None:
        used.add(cid)
        if cid not in concepts:
            at(key, path, "RE108", f"unknown concept '{cid}'",
               did_you_mean(cid, concepts) or "concepts are the ids in knowledge/concepts.yaml")

    for kind, catalog in (("indicators", k.indicators), ("agent_signs", k.agent_signs)):
        for sid, entry in catalog.items():
            for j, cid in enumerate(entry.patterns.not_with):
                if cid not in MARKER_IDS:
                    check(f"{kind}:{sid}", ("patterns", "not_with", j), cid)
            for i, reading in enumerate(entry.read):
                for part in ("all", "any", "not_with"):
                    for j, cid in enumerate(getattr(reading, part)):
                        check(f"{kind}:{sid}", ("read", i, part, j), cid)
                if reading.refers is not None:
                    for part, attr in (("to", "to"), ("not", "not_")):
                        for j, cid in enumerate(getattr(reading.refers, attr)):
                            if cid not in MARKER_IDS:
                                check(f"{kind}:{sid}", ("read", i, "refers", part, j), cid)
            for j, other in enumerate(entry.yields_to):
                if other not in k.indicators and other not in k.agent_signs:
                    at(f"{kind}:{sid}", ("yields_to", j), "RE101", f"unknown signal '{other}'",
                       did_you_mean(other, [*k.indicators, *k.agent_signs]) or "signals are the ids of indicators "
                       "and agent signs")
            salience = getattr(entry, "salience", None)
            for part in ("topic", "demand", "rivals") if salience is not None else ():
                for j, cid in enumerate(getattr(salience, part)):
                    check(f"{kind}:{sid}", ("salience", part, j), cid)
    for cid, concept in concepts.items():
        for j, inc in enumerate(concept.include):
            check(f"concepts:{cid}", ("include", j), inc)
        if not concept.zh and not concept.en and not concept.include:
            at(f"concepts:{cid}", (), "RE110", f"concept '{cid}' has no terms", "list terms under zh: or en:")
        cycle = _include_cycle(concepts, cid)
        if cycle:
            at(f"concepts:{cid}", ("include",), "RE109", "concepts include each other: " + " -> ".join(cycle),
               "remove one include")
    for cid in concepts:
        if cid not in used and cid not in MARKER_IDS:
            at(f"concepts:{cid}", (), "RW306", f"concept '{cid}' is not used by any reading or include",
               "use it in a signal's `read:` or delete it", "warning")


def _include_cycle(concepts: dict[str, Concept], start: str) -> list[str] | None:
    stack = [(start, [start])]
    while stack:
        cid, path = stack.pop()
        for inc in concepts[cid].include if cid in concepts else ():
            if inc == start:
                return path + [inc]
            if inc not in path and len(path) < 50:
                stack.append((inc, path + [inc]))
    return None
