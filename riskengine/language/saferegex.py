"""Staff-written regular expressions, run in linear time (google-re2).

Compliance staff write the patterns of the ``matches`` operator and of the narrative scanner. Python's
``re`` backtracks: ``(a|a)*b``, ``(x+)+`` or ``.*.*.*.*=`` can take hours on a short text, and no
syntactic guard catches every such pattern. RE2 runs every pattern it accepts in time linear in the
text, so patterns are compiled with RE2 and never run by ``re``.

RE2 lacks look-around and back-references. Narrative patterns use two look-around idioms, which are
kept, run exactly as ``re`` would run them, and still in linear time per candidate:

- look-behinds at the start of a branch, ``(?<!被)冒用`` (fixed width, as ``re`` requires): the core is
  searched with RE2 and a match whose start fails the look-behind is dropped, the search resuming one
  character later (what ``re`` itself does);
- look-aheads at the end of a branch: ``(?=X)`` is matched as ``X`` after the core; ``(?!X)``, where
  X is a fixed sequence of characters or character classes (``\\d``, ``[a-z]``, `` general``), becomes
  the equivalent "end of text, or any text that does not begin with X", matched after the core. The
  reported match is the core alone.

Any other look-around, back-references (``\\1``, ``(?P=name)``), atomic groups and possessive
quantifiers are refused with the reason and a fix. Patterns of the ``matches`` operator take no
look-around at all. Differences from ``re`` in what is accepted: ``\\d``, ``\\w``, ``\\s`` and ``\\b``
are ASCII-only in RE2 (narratives are NFKC-normalised, so full-width digits are ASCII by then).
"""
from __future__ import annotations

import re

try:
    import re2 as _re2
except ImportError:  # pragma: no cover - google-re2 is a core dependency
    _re2 = None

try:  # the parser behind re.compile (re._parser since 3.11): used to read look-around bodies only
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_UNANCHORED = _re2._Anchor.UNANCHORED if _re2 is not None else None
_BOTH = _re2._Anchor.ANCHOR_BOTH if _re2 is not None else None

MAX_PATTERN_LENGTH = 500
_MAX_CLASS_CHARS = 300


class PatternError(ValueError):
    """Why a pattern is refused, and the fix."""

    def __init__(self, message: str, unsafe: bool = True):
        super().__init__(message)
        self.unsafe = unsafe


def _options(ignorecase: bool):
    opts = _re2.Options()
    opts.log_errors = False          # RE2 would print its own message on stderr
    opts.case_sensitive = not ignorecase
    opts.max_mem = 8 << 20           # a pattern needing more automaton memory than this is refused
    return opts


def _re2_compile(source: str, ignorecase: bool):
    try:
        return _re2.compile(source, _options(ignorecase))
    except Exception as exc:  # re2.error; its message is bytes
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"not a valid pattern for the linear-time engine: {reason}", unsafe=False) from None


# -- reading the pattern's top level ------------------------------------------------------------------
def _outside(source: str, start: int = 0):
    """(index, character, depth) of each character from ``start`` that is neither escaped nor inside a
    class, with ``depth`` the number of groups open just after it."""
    depth, i, in_class = 0, start, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if source[i + 1:i + 2] == "^":
                i += 1
            if source[i + 1:i + 2] == "]":
                i += 1
        else:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            yield i, ch, depth
        i += 1


def _split_top(source: str) -> list[str]:
    """The top-level branches of ``a|b|c`` (escapes, classes and groups respected)."""
    out, start = [], 0
    for i, ch, depth in _outside(source):
        if ch == "|" and depth == 0:
            out.append(source[start:i])
            start = i + 1
    out.append(source[start:])
    return out


def _group_end(source: str, start: int) -> int:
    """The index just after the group that opens at ``start``, or -1."""
    for i, ch, depth in _outside(source, start):
        if ch == ")" and depth == 0:
            return i + 1
    return -1


_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
_LOOKAROUND = re.compile(r"\(\?(<=|<!|=|!)")
_BACKREF = re.compile(r"\\(?:[1-9]|g<)|\(\?P=")
_ATOMIC = re.compile(r"\(\?>|[*+?}]\+")


def _strip_lookarounds(branch: str) -> tuple[list[tuple[bool, str]], str, list[tuple[bool, str]]]:
    """(leading look-behinds, core, trailing look-aheads); each look-around as (negative, body)."""
    behind: list[tuple[bool, str]] = []
    while branch.startswith(("(?<!", "(?<=")):
        end = _group_end(branch, 0)
        if end < 0:
            break
        behind.append((branch[3] == "!", branch[4:end - 1]))
        branch = branch[end:]
    ahead: list[tuple[bool, str]] = []
    while branch.endswith(")"):
        # find the group that closes at the end
        found = -1
        for m in _LOOKAROUND.finditer(branch):
            if m.group(1) in ("=", "!") and _group_end(branch, m.start()) == len(branch):
                found = m.start()
        if found < 0 or (found > 0 and branch[found - 1] == "\\" and not branch[:found].endswith("\\\\")):
            break
        ahead.insert(0, (branch[found + 2] == "!", branch[found + 3:-1]))
        branch = branch[:found]
    return behind, branch, ahead


def _char_sets(body: str) -> list[frozenset[str]] | None:
    """A look-ahead body as a sequence of character sets (``\\d``, ``[a-z]``, literal characters), or
    None when it is anything else (repeats, groups, alternatives, negated classes, ``.``)."""
    try:
        parsed = _sre_parse.parse(body)
    except re.error:
        return None
    c = _sre_parse
    sets = []
    for op, av in parsed:
        if op is c.LITERAL:
            sets.append(frozenset(chr(av)))
        elif op is c.IN:
            chars: set[str] = set()
            for iop, iav in av:
                if iop is c.LITERAL:
                    chars.add(chr(iav))
                elif iop is c.RANGE and iav[1] - iav[0] <= _MAX_CLASS_CHARS:
                    chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
                elif iop is c.CATEGORY and iav is c.CATEGORY_DIGIT:
                    chars.update("0123456789")
                elif iop is c.CATEGORY and iav is c.CATEGORY_WORD:
                    chars.update("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
                elif iop is c.CATEGORY and iav is c.CATEGORY_SPACE:
                    chars.update(" \t\n\r\f\v")
                else:
                    return None
            sets.append(frozenset(chars))
        else:
            return None
    return sets if sets else None


def _cls(chars) -> str:
    return "[" + "".join("\\" + ch if ch in "\\]^-[" else ch for ch in sorted(chars)) + "]"


def _not_followed_by(bodies: list[list[frozenset[str]]]) -> str:
    """A consuming regex that matches exactly the texts (from here) that begin with none of ``bodies``
    (each a sequence of character sets): end of text, or a first character that starts none of them,
    or one that starts some of them followed by text that begins with none of their rests."""
    firsts: set[str] = set().union(*(b[0] for b in bodies))
    parts = ["$"]
    if firsts:
        parts.append("[^" + _cls(firsts)[1:])
    groups: dict[frozenset[int], set[str]] = {}
    for ch in firsts:
        alive = frozenset(i for i, b in enumerate(bodies) if ch in b[0])
        groups.setdefault(alive, set()).add(ch)
    for alive, chars in sorted(groups.items(), key=lambda kv: sorted(kv[1])):
        rests = [bodies[i][1:] for i in sorted(alive)]
        if any(not r for r in rests):
            continue   # one of the forbidden texts is complete here: no way through
        parts.append(_cls(chars) + _not_followed_by(rests))
    return "(?:" + "|".join(parts) + ")"


class Utf8Text:
    """A text with its UTF-8 bytes, for running many patterns over one text (:meth:`LinearPattern.spans`).
    RE2 reads bytes: re2's ``search`` on a ``str`` encodes the whole text and converts the offsets in
    Python on every call, which costs several times the search itself on a narrative."""
    __slots__ = ("text", "data", "_ascii")

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode("utf-8")       # UnicodeEncodeError on a lone surrogate: the caller's to handle
        self._ascii = len(self.data) == len(text)

    def to_bytes(self, pos: int) -> int:
        return pos if self._ascii else _re2._re2.CharLenToBytes(self.data, 0, pos)

    def to_chars(self, offset: int) -> int:
        return offset if self._ascii else _re2._re2.BytesToCharLen(self.data, 0, offset)


class _Branch:
    __slots__ = ("regex", "behind", "wrapped", "_raw")

    def __init__(self, regex, behind, wrapped: bool):
        self.regex = regex
        self.behind = behind        # [(negative, compiled body, width)]
        self.wrapped = wrapped      # the core is group 1
        self._raw = regex._regexp   # the RE2 object behind re2's wrapper: searches bytes directly

    def _behind_ok(self, text: str, start: int) -> bool:
        for negative, body, width in self.behind:
            hit = start >= width and body.fullmatch(text, start - width, start) is not None
            if hit == negative:
                return False
        return True

    def _behind_ok_utf8(self, u: Utf8Text, start: int) -> bool:
        for negative, body, width in self.behind:
            hit = start >= width and body._regexp.Match(_BOTH, u.data, u.to_bytes(start - width),
                                                        u.to_bytes(start))[0][0] >= 0
            if hit == negative:
                return False
        return True

    def search_utf8(self, u: Utf8Text, pos: int) -> tuple[int, int] | None:
        """:meth:`search` over ``u.text``, on its bytes."""
        end = len(u.text)
        data = u.data
        size = len(data)
        while pos <= end:
            spans = self._raw.Match(_UNANCHORED, data, u.to_bytes(pos), size)
            if spans[0][0] < 0:
                return None
            s, e = spans[1] if self.wrapped else spans[0]
            start = u.to_chars(s)
            if not self.behind or self._behind_ok_utf8(u, start):
                return start, (e if u._ascii else u.to_chars(e))
            pos = start + 1
        return None

    def search(self, text: str, pos: int):
        end = len(text)
        while pos <= end:
            m = self.regex.search(text, pos)
            if m is None:
                return None
            span = m.span(1) if self.wrapped else m.span()
            if not self.behind or self._behind_ok(text, span[0]):
                return span
            pos = span[0] + 1
        return None


class LinearMatch:
    """The part of ``re.Match`` the engine uses."""
    __slots__ = ("string", "_start", "_end")

    def __init__(self, string: str, start: int, end: int):
        self.string, self._start, self._end = string, start, end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, n: int = 0) -> str:
        if n:
            raise IndexError("only the whole match is kept")
        return self.string[self._start:self._end]


class LinearPattern:
    """A compiled staff-written pattern: ``search``, ``finditer`` and ``pattern`` (its source) as in
    ``re``, run by RE2. Picklable (it is recompiled from its source)."""

    def __init__(self, pattern: str, ignorecase: bool = True, lookaround: bool = False,
                 word_end: str | None = None):
        self.pattern = pattern
        self._args = (pattern, ignorecase, lookaround, word_end)
        check_syntax(pattern, lookaround)
        branches = _split_top(pattern)
        plain = not _LOOKAROUND.search(pattern) and word_end is None
        if plain:
            self._branches = [_Branch(_re2_compile(pattern, ignorecase), [], False)]
            return
        self._branches = []
        flags = _GLOBAL_FLAGS.match(pattern)   # (?i) at the start governs every branch
        if flags:
            branches = _split_top(pattern[flags.end():])
        prefix = flags.group(0) if flags else ""
        for branch in branches:
            behind_raw, core, ahead_raw = _strip_lookarounds(branch)
            if prefix and ("i" in prefix and ahead_raw):
                raise PatternError("a pattern that starts with (?i) may not end with a look-ahead; "
                                   "drop the (?i): narratives are matched case-insensitively already")
            core = prefix + core
            behind_raw = [(negative, prefix + body) for negative, body in behind_raw]
            if _LOOKAROUND.search(core):
                raise PatternError(
                    "look-around (?=, (?!, (?<=, (?<!) is allowed only at the start (look-behind) or the end "
                    "(look-ahead) of a pattern or of one of its top-level | alternatives; move it there or "
                    "write the alternatives out")
            behind = []
            for negative, body in behind_raw:
                try:
                    lo, hi = _sre_parse.parse(body).getwidth()
                except re.error as exc:
                    raise PatternError(f"look-behind ({body}) is not valid: {exc}", unsafe=False) from None
                if lo != hi:
                    raise PatternError(f"look-behind ({body}) must have a fixed width; split it into "
                                       "several look-behinds, one per width")
                behind.append((negative, _re2_compile(body, ignorecase), lo))
            positives = [body for negative, body in ahead_raw if not negative]
            negatives = []
            for negative, body in ahead_raw:
                if negative:
                    sets = _char_sets(body)
                    if sets is None:
                        raise PatternError(
                            f"a negative look-ahead (?!{body}) must be a fixed text or character classes such as "
                            "\\d or [a-z] (no repeats, groups or alternatives); write the cases out instead")
                    negatives.append(sets)
            if word_end is not None:
                negatives.append([frozenset(word_end)])
            if positives and negatives:
                raise PatternError("a pattern may end with look-aheads of one kind only, (?=...) or (?!...)")
            trail = "".join(f"(?:{p})" for p in positives)
            if negatives:
                trail = _not_followed_by(negatives)
            wrapped = bool(trail)
            source = f"({core}){trail}" if wrapped else core
            self._branches.append(_Branch(_re2_compile(source, ignorecase), behind, wrapped))

    def __reduce__(self):
        return (LinearPattern, self._args)

    def __eq__(self, other: object) -> bool:   # as re.Pattern: the same source and options are equal
        return isinstance(other, LinearPattern) and other._args == self._args

    def __hash__(self) -> int:
        return hash(self._args)

    def __repr__(self) -> str:
        return f"LinearPattern({self.pattern!r})"

    def search(self, text: str, pos: int = 0) -> LinearMatch | None:
        best = None
        for branch in self._branches:   # the leftmost start wins; at the same start, the earlier branch
            span = branch.search(text, pos)
            if span is not None and (best is None or span[0] < best[0]):
                best = span
        return None if best is None else LinearMatch(text, best[0], best[1])

    def search_utf8(self, u: Utf8Text, pos: int = 0) -> tuple[int, int] | None:
        """The span of :meth:`search` over ``u.text``, found on its bytes (see :class:`Utf8Text`)."""
        best = None
        for branch in self._branches:
            span = branch.search_utf8(u, pos)
            if span is not None and (best is None or span[0] < best[0]):
                best = span
        return best

    def spans(self, u: Utf8Text, pos: int = 0):
        """The spans of :meth:`finditer` over ``u.text``, found on its bytes."""
        end = len(u.text)
        while pos <= end:
            span = self.search_utf8(u, pos)
            if span is None:
                return
            yield span
            pos = span[1] if span[1] > span[0] else span[0] + 1

    def finditer(self, text: str, pos: int = 0):
        end = len(text)
        while pos <= end:
            m = self.search(text, pos)
            if m is None:
                return
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


def check_syntax(pattern: str, lookaround: bool) -> None:
    """Refuse what RE2 cannot run, with the fix; the look-around idioms only where ``lookaround``."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern is {len(pattern)} characters; the limit is {MAX_PATTERN_LENGTH}")
    if _BACKREF.search(pattern):
        raise PatternError("back-references (\\1, (?P=name)) are not supported; write the repeated text out")
    if _ATOMIC.search(pattern):
        raise PatternError("atomic groups (?>...) and possessive quantifiers (*+, ++, ?+) are not supported; "
                           "drop the extra + or the ?>")
    if not lookaround and _LOOKAROUND.search(pattern):
        raise PatternError("look-around (?=, (?!, (?<=, (?<!) is not supported in `matches`; use a "
                           "separate condition (e.g. `not: {field: ..., matches: ...}`) instead")


def compile_linear(pattern: str, ignorecase: bool = True, lookaround: bool = False,
                   word_end: str | None = None) -> LinearPattern:
    if _re2 is None:  # pragma: no cover
        raise PatternError("the google-re2 package is not installed", unsafe=False)
    return LinearPattern(pattern, ignorecase, lookaround, word_end)
