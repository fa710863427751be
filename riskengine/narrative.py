"""Find signals in the handler's narrative with the patterns of the knowledge files.

Text is normalised first (NFKC: full-width to half-width; case folded; runs of whitespace made one
space). A match preceded, in the same clause, by a negation ("没有找媒体", "did not contact the
media") does not raise the signal. Found signals are reported with the span that matched and kept
apart from the signals the handler declared, so the handler can confirm or reject them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .knowledge import AgentSign, Indicator
from .language import compile_safe_regex

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


@dataclass(frozen=True)
class NarrativeHit:
    signal: str
    text: str
    start: int
    end: int
    pattern: str


@dataclass(frozen=True)
class _Matcher:
    signal: str
    pattern: str
    regex: re.Pattern
    english: bool


class NarrativeScanner:
    def __init__(self, entries: list[Indicator | AgentSign]):
        self._matchers: list[_Matcher] = []
        for entry in entries:
            for lang in ("zh", "en"):
                for pattern in getattr(entry.patterns, lang):
                    self._matchers.append(_Matcher(entry.id, pattern, _compile(pattern, lang == "en"), lang == "en"))

    def scan(self, narrative: str) -> list[NarrativeHit]:
        """The first un-negated match of each signal, ordered by position then signal id."""
        text = normalise(narrative[:MAX_NARRATIVE_SCAN])
        found: dict[str, NarrativeHit] = {}
        for m in self._matchers:
            for match in m.regex.finditer(text):
                if _negated(text, match.start(), m.english):
                    continue
                hit = NarrativeHit(m.signal, match.group(0), match.start(), match.end(), m.pattern)
                best = found.get(m.signal)
                if best is None or (hit.start, hit.pattern) < (best.start, best.pattern):
                    found[m.signal] = hit
                break
        return sorted(found.values(), key=lambda h: (h.start, h.signal))


def _compile(pattern: str, english: bool) -> re.Pattern:
    regex = compile_safe_regex(normalise(pattern))
    if english:
        # Whole words only: "sue" must not fire inside "issue".
        regex = re.compile(r"(?<![a-z0-9])(?:" + regex.pattern + r")(?![a-z0-9])", re.IGNORECASE)
    return regex


def _negated(text: str, start: int, english: bool) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    before = text[clause_start:start]
    if english:
        words = before.split()[-EN_WINDOW:]
        return bool(_EN_NEGATION.search(" ".join(words)))
    return bool(_ZH_NEGATION.search(before[-ZH_WINDOW:]))
