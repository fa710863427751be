"""Find signals in the handler's narrative with the patterns of the knowledge files.

Text is normalised first (NFKC: full-width to half-width; case folded; runs of whitespace made one
space). A match preceded, in the same clause, by a negation ("没有找媒体", "did not contact the
media") does not raise the signal. Found signals are reported with the span that matched and kept
apart from the signals the handler declared, so the handler can confirm or reject them.

Speed: the knowledge holds well over a thousand patterns, and running each regular expression over
every narrative would cost milliseconds per case. Each pattern is parsed once for the literal text
any match must contain (``(好几|几|多|数)个月`` needs ``个月``; ``full (premium )?refund`` needs
``full``); a narrative is indexed by its characters and two-character substrings, and only patterns
whose required literal occurs in it are run. Patterns are compiled on first use. The result is
exactly what running every pattern would give (tests/test_narrative_prefilter.py checks it).
"""
from __future__ import annotations

import bisect
import operator
import re
import unicodedata
from dataclasses import dataclass

from .knowledge import AgentSign, Indicator
from .language import ConditionSyntaxError, check_pattern_safety, compile_safe_regex

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

_concat = operator.add
MAX_NARRATIVE_SCAN = 20_000  # characters; longer narratives are scanned up to here

_WS = re.compile(r"\s+")
_CLAUSE_END = re.compile(r"[,.;:!?，。；：！？、\n]")
# Chinese negations sit right before the verb or object; English ones a few words before.
_ZH_NEGATION = re.compile(r"(没有|没|未曾|未|不会|不想|不打算|并未|从未|从没|无意|不曾|并没有|不是)")
_EN_NEGATION = re.compile(r"\b(not|no|never|didn't|don't|doesn't|won't|haven't|hasn't|wasn't|without|nor)\b")
ZH_WINDOW = 4   # characters before a Chinese match in which a negation counts
EN_WINDOW = 4   # words before an English match


def normalise(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).casefold().strip()


_ESCAPE_OR_TEXT = re.compile(r"\\.|[^\\]+", re.DOTALL)


def normalise_pattern(pattern: str) -> str:
    """As :func:`normalise`, but escapes keep their case: folding ``\\S`` or ``\\D`` would change their meaning."""
    text = _WS.sub(" ", unicodedata.normalize("NFKC", pattern)).strip()
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


def literal_table(entries: list[Indicator | AgentSign]) -> dict[str, list[str] | None]:
    """Each pattern's required literals (None: it has none and always runs), as plain data: the loader
    keeps the table in its cache, so a warm start need not parse a thousand patterns again."""
    table: dict[str, list[str] | None] = {}
    for entry in entries:
        for lang in ("zh", "en"):
            for pattern in getattr(entry.patterns, lang):
                if pattern not in table:
                    literals = _required_literals(_parse(pattern))
                    table[pattern] = None if literals is None else sorted(literals)
    return table


class NarrativeScanner:
    def __init__(self, entries: list[Indicator | AgentSign], literals: dict[str, list[str] | None] | None = None):
        """``literals``: a :func:`literal_table` of (some of) these patterns, computed earlier."""
        self._known_literals = literals or {}
        self._matchers: list[_Matcher] = []
        for entry in entries:
            for lang in ("zh", "en"):
                for pattern in getattr(entry.patterns, lang):
                    check_pattern_safety(normalise_pattern(pattern))   # refuse unsafe ones now, not mid-batch
                    self._matchers.append(_Matcher(entry.id, pattern, lang == "en"))
        # Built on the first narrative (parsing every pattern costs ~60 ms; many runs never scan one).
        # Two threads racing here build the same index twice, harmlessly.
        self._index: tuple | None = None

    def _prefilter(self) -> tuple[list[int], dict[str, list[int]], dict[str, list[int]], dict[str, list[str]]]:
        """Literal -> matchers needing it; matchers with no usable literal always run.

        One-character literals are looked up in the text's set of characters; longer ones by one of
        their two-character substrings in the text's set of those, then confirmed with ``in``.
        """
        if self._index is None:
            always: list[int] = []
            by_literal: dict[str, list[int]] = {}
            known = self._known_literals
            for i, m in enumerate(self._matchers):
                if m.pattern in known:
                    literals = known[m.pattern]
                else:
                    literals = _required_literals(_parse(m.pattern))
                if literals is None:
                    always.append(i)
                    continue
                for lit in sorted(literals):   # the same index whether parsed now or cached
                    by_literal.setdefault(lit, []).append(i)
            by_char: dict[str, list[int]] = {}
            by_bigram: dict[str, list[str]] = {}
            for lit, users in by_literal.items():
                if len(lit) == 1:
                    by_char[lit] = users
                else:
                    by_bigram.setdefault(_key_bigram(lit), []).append(lit)
            self._index = (always, by_literal, by_char, by_bigram)
        return self._index

    def candidates(self, folded: str) -> list[_Matcher]:
        """The matchers that can match ``folded`` (normalised, then :func:`fold_ascii`), in knowledge order."""
        always, by_literal, by_char, by_bigram = self._prefilter()
        chosen = set(always)
        for ch in by_char.keys() & set(folded):
            chosen.update(by_char[ch])
        for gram in by_bigram.keys() & set(map(_concat, folded, folded[1:])):
            for lit in by_bigram[gram]:
                if len(lit) == 2 or lit in folded:
                    chosen.update(by_literal[lit])
        return [self._matchers[i] for i in sorted(chosen)]

    def scan(self, narrative: str) -> list[NarrativeHit]:
        """The first un-negated match of each signal, ordered by position then signal id."""
        text = normalise(narrative[:MAX_NARRATIVE_SCAN])
        folded = fold_ascii(text)
        found: dict[str, NarrativeHit] = {}
        clauses: list[int] | None = None
        for m in self.candidates(folded):
            for match in (_word_matches(m.regex, folded) if m.english else m.regex.finditer(folded)):
                start, end = match.span()
                if clauses is None:
                    clauses = [c.end() for c in _CLAUSE_END.finditer(text)]
                if _negated(text, start, m.english, clauses):
                    continue
                hit = NarrativeHit(m.signal, text[start:end], start, end, m.pattern)
                best = found.get(m.signal)
                if best is None or (hit.start, hit.pattern) < (best.start, best.pattern):
                    found[m.signal] = hit
                break
        return sorted(found.values(), key=lambda h: (h.start, h.signal))


def _compile(pattern: str, english: bool) -> re.Pattern:
    """Compiled to run over :func:`fold_ascii` text, case-sensitively (see there)."""
    source = normalise_pattern(pattern)
    # Whole words only in English: "sue" must not fire inside "issue". The word start is checked by
    # _word_matches, the word end by the compiled pattern (as if it ended with (?![a-z0-9])).
    return compile_safe_regex(source, flags=0, lookaround=True, word_end=_WORD_END if english else None)


_WORD_END = "abcdefghijklmnopqrstuvwxyz0123456789"


_WORD_CHAR = re.compile(r"[a-z0-9]")


def _word_matches(regex: re.Pattern, text: str):
    """``regex.finditer(text)`` as if the pattern began with ``(?<![a-z0-9])``: a match right after a
    letter or digit is skipped and the search resumes one character later, as re itself would."""
    pos = 0
    end = len(text)
    while pos <= end:
        match = regex.search(text, pos)
        if match is None:
            return
        start = match.start()
        if start and _WORD_CHAR.match(text, start - 1):
            pos = start + 1
            continue
        yield match
        pos = match.end() if match.end() > start else start + 1


def _parse(pattern: str):
    """Check and parse a pattern (as :func:`_compile` will compile it) without compiling it."""
    source = normalise_pattern(pattern)
    check_pattern_safety(source)
    try:
        return _sre_parse.parse(source, re.IGNORECASE)
    except re.error as exc:
        raise ConditionSyntaxError(f"pattern {source!r} is not a valid regular expression: {exc}") from None


def _negated(text: str, start: int, english: bool, clauses: list[int] | None = None) -> bool:
    """Whether a negation precedes ``start`` in its clause. ``clauses``: the end of every clause
    separator in ``text``, ascending (computed when not given)."""
    if clauses is None:
        clauses = [c.end() for c in _CLAUSE_END.finditer(text)]
    # The clause starts after the last separator that ends at or before ``start``.
    k = bisect.bisect_right(clauses, start)
    clause_start = clauses[k - 1] if k else 0
    before = text[clause_start:start]
    if english:
        words = before.split()[-EN_WINDOW:]
        return bool(_EN_NEGATION.search(" ".join(words)))
    return bool(_ZH_NEGATION.search(before[-ZH_WINDOW:]))


# -- required literals ------------------------------------------------------------------------------
# Patterns are matched case-insensitively against case-folded text. A literal may be required
# verbatim only if every character a case-insensitive match can meet in case-folded text is that
# character itself: uncased characters (CJK, digits, punctuation) and ASCII letters. Case folding
# leaves one character that re's IGNORECASE still equates with an ASCII letter (dotless ı ~ i); the
# text is folded with this table before the literal look-up (tests check the table exhaustively).
_ASCII_FOLD = (("ı", "i"), ("İ", "i"), ("K", "k"), ("ſ", "s"))
_MAX_ALTERNATIVES = 64

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


def _required_literals(items) -> frozenset[str] | None:
    """A set of strings at least one of which occurs in every match of the parsed pattern ``items``,
    or None when no such set was found."""
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
        sub = _item_literals(op, av)
        if sub is not None:
            options.append(sub)
    end_run()
    if not options:
        return None
    # The most selective option: the best worst literal, then the fewest alternatives.
    return max(options, key=lambda o: (min(_weight(s) for s in o), -len(o)))


def _item_literals(op, av) -> frozenset[str] | None:
    if op == _SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None
        return _required_literals(sub)
    if _ATOMIC is not None and op == _ATOMIC:
        return _required_literals(av)
    if op == _BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            sub = _required_literals(alt)
            if sub is None:
                return None
            union |= sub
            if len(union) > _MAX_ALTERNATIVES:
                return None
        return frozenset(union)
    if op in _REPEATS:
        low, _high, sub = av
        return _required_literals(sub) if low >= 1 else None
    if op == _IN:
        chars = set()
        for kind, value in av:
            if kind != _LITERAL:
                return None
            ch = _literal_char(value)
            if ch is None:
                return None
            chars.add(ch)
        return frozenset(chars) if 0 < len(chars) <= _MAX_ALTERNATIVES else None
    return None
