"""Measure the narrative reader on an annotated corpus (tests/narratives/*.yaml, docs/narrative.md).

Each item lists EVERY signal its text shows; the reader's prediction is the set of signals it raises
from the text alone. Per signal: precision, recall, F1 and support (items that show it), plus the
misses and false hits with the spans that caused them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from riskengine.errors import Problem, did_you_mean
from riskengine.load.yaml_source import MAX_FILE_BYTES, YamlSourceError, parse_yaml

ITEM_KEYS = {"id", "lang", "register", "text", "signals", "hard_negatives", "source", "note"}


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    register: str
    text: str
    signals: frozenset[str]
    hard_negatives: frozenset[str]
    where: str


@dataclass
class SignalScore:
    signal: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    items: int
    scores: dict[str, SignalScore]
    misses: list[dict] = field(default_factory=list)
    false_hits: list[dict] = field(default_factory=list)
    hard_negative_hits: int = 0
    hard_negatives: int = 0

    def to_json(self) -> dict:
        def r(x):
            return None if x is None else round(x, 4)
        return {
            "items": self.items,
            "hard_negatives": {"total": self.hard_negatives, "raised": self.hard_negative_hits},
            "signals": {s.signal: {"precision": r(s.precision), "recall": r(s.recall), "f1": r(s.f1),
                                   "support": s.support, "tp": s.tp, "fp": s.fp, "fn": s.fn}
                        for s in sorted(self.scores.values(), key=lambda s: s.signal)},
            "misses": self.misses,
            "false_hits": self.false_hits,
        }


def load_corpus(folder: str | Path, known_signals) -> tuple[list[Item], list[Problem]]:
    """Every item of every ``*.yaml`` under ``folder`` (sorted), with the problems found (one bad item
    never loses the others)."""
    folder = Path(folder)
    items: list[Item] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
        shown = path.as_posix()
        try:
            raw = path.read_bytes()
            if len(raw) > MAX_FILE_BYTES:
                problems.append(Problem(shown, 0, 0, "RE002", f"file is larger than {MAX_FILE_BYTES} bytes"))
                continue
            src = parse_yaml(raw.decode("utf-8-sig"), shown)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 0, 0, "RE002", f"cannot read file: {exc}"))
            continue
        except YamlSourceError as exc:
            problems.append(exc.problem)
            continue
        data = src.data
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            problems.append(src.problem((), "RE003", "expected a top-level 'items:' list"))
            continue
        for i, raw_item in enumerate(data["items"]):
            base = ("items", i)

            def bad(path: tuple, msg: str, hint: str = "") -> None:
                problems.append(src.problem(base + path, "RE010", msg, hint))

            if not isinstance(raw_item, dict):
                bad((), "an item must be a mapping with id, lang, register, text, signals")
                continue
            extra = sorted(set(map(str, raw_item)) - ITEM_KEYS)
            if extra:
                bad((extra[0],), f"unknown key '{extra[0]}'", did_you_mean(extra[0], ITEM_KEYS))
                continue
            iid, text = raw_item.get("id"), raw_item.get("text")
            if not isinstance(iid, str) or not iid:
                bad(("id",), "id: a non-empty text is required")
                continue
            if iid in seen:
                bad(("id",), f"duplicate item id '{iid}'", f"first at {seen[iid]}")
                continue
            if not isinstance(text, str) or not text.strip():
                bad(("text",), "text: a non-empty text is required")
                continue
            lang, register = raw_item.get("lang"), raw_item.get("register")
            if lang not in ("zh", "en"):
                bad(("lang",), "lang: zh or en")
                continue
            if register not in ("handler", "complainant"):
                bad(("register",), "register: handler or complainant")
                continue
            lists = {}
            ok = True
            for key in ("signals", "hard_negatives"):
                value = raw_item.get(key, [] if key == "hard_negatives" else None)
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    bad((key,), f"{key}: a list of signal ids is required")
                    ok = False
                    break
                for j, sid in enumerate(value):
                    if sid not in known_signals:
                        bad((key, j), f"unknown signal '{sid}'", did_you_mean(sid, known_signals))
                        ok = False
                lists[key] = frozenset(value)
            if not ok:
                continue
            both = sorted(lists["signals"] & lists["hard_negatives"])
            if both:
                bad(("hard_negatives",), f"'{both[0]}' is both a signal and a hard negative")
                continue
            line, col = src.where(base)
            where = f"{shown}:{line}:{col}"
            seen[iid] = where
            items.append(Item(iid, lang, register, text, lists["signals"], lists["hard_negatives"], where))
    return items, problems


def evaluate(scanner, items: list[Item], signals: list[str] | None = None) -> Report:
    """Score ``scanner`` on ``items`` (optionally only the signal ids in ``signals``)."""
    scores: dict[str, SignalScore] = {}
    report = Report(items=len(items), scores=scores)
    wanted = None if signals is None else set(signals)
    for item in items:
        hits = {h.signal: h for h in scanner.scan(item.text)}
        predicted = set(hits)
        gold = set(item.signals)
        if wanted is not None:
            predicted &= wanted
            gold &= wanted
        for sid in sorted(gold | predicted):   # a stable order: the report is byte-identical run to run
            s = scores.setdefault(sid, SignalScore(sid))
            if sid in gold and sid in predicted:
                s.tp += 1
            elif sid in predicted:
                s.fp += 1
                h = hits[sid]
                report.false_hits.append({"item": item.id, "where": item.where, "signal": sid, "span": h.text,
                                          "start": h.start, "end": h.end, "sentence": h.sentence,
                                          "actor": h.actor, "modality": h.modality, "by": h.pattern,
                                          "hard_negative": sid in item.hard_negatives})
            else:
                s.fn += 1
                report.misses.append({"item": item.id, "where": item.where, "signal": sid,
                                      "text": item.text.strip()[:160]})
        for sid in item.hard_negatives:
            if wanted is None or sid in wanted:
                report.hard_negatives += 1
                report.hard_negative_hits += sid in predicted
    for sid in sorted(wanted or ()):
        scores.setdefault(sid, SignalScore(sid))
    return report


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def render_text(report: Report, limit: int = 50) -> str:
    lines = [f"{report.items} items; hard negatives raised: {report.hard_negative_hits} of {report.hard_negatives}",
             "", f"{'signal':34} {'prec':>6} {'recall':>6} {'f1':>6} {'supp':>5} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for s in sorted(report.scores.values(), key=lambda s: s.signal):
        lines.append(f"{s.signal:34} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6} {s.support:>5} "
                     f"{s.tp:>4} {s.fp:>4} {s.fn:>4}")
    if report.misses:
        lines += ["", f"misses ({len(report.misses)}):"]
        for m in report.misses[:limit]:
            lines.append(f"  {m['signal']} — {m['item']} ({m['where']}): {m['text']!r}")
    if report.false_hits:
        lines += ["", f"false hits ({len(report.false_hits)}):"]
        for f in report.false_hits[:limit]:
            flag = " [hard negative]" if f["hard_negative"] else ""
            lines.append(f"  {f['signal']} — {f['item']}: “{f['span']}” @{f['start']}-{f['end']} sentence "
                         f"{f['sentence']}, {f['actor']}, {f['modality']}; {f['by']}{flag}")
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2, sort_keys=True)


def render_junit(report: Report, min_precision: float | None, min_recall: float | None) -> str:
    """One test case per signal; it fails when a floor given is not met."""
    cases = []
    failures = 0
    for s in sorted(report.scores.values(), key=lambda s: s.signal):
        problems = []
        if min_precision is not None and s.precision is not None and s.precision < min_precision:
            problems.append(f"precision {s.precision:.3f} < {min_precision}")
        if min_recall is not None and s.recall is not None and s.recall < min_recall:
            problems.append(f"recall {s.recall:.3f} < {min_recall}")
        body = (f"precision={_fmt(s.precision)} recall={_fmt(s.recall)} f1={_fmt(s.f1)} support={s.support} "
                f"tp={s.tp} fp={s.fp} fn={s.fn}")
        inner = f"<system-out>{escape(body)}</system-out>"
        if problems:
            failures += 1
            inner = f"<failure message={quoteattr('; '.join(problems))}/>" + inner
        cases.append(f'  <testcase classname="narrative" name={quoteattr(s.signal)}>{inner}</testcase>')
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<testsuite name="riskengine-eval" tests="{len(cases)}" failures="{failures}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


def below_floors(report: Report, min_precision: float | None, min_recall: float | None) -> list[str]:
    out = []
    for s in sorted(report.scores.values(), key=lambda s: s.signal):
        if min_precision is not None and s.precision is not None and s.precision < min_precision:
            out.append(f"{s.signal}: precision {s.precision:.3f} < {min_precision}")
        if min_recall is not None and s.recall is not None and s.recall < min_recall:
            out.append(f"{s.signal}: recall {s.recall:.3f} < {min_recall}")
    return out
