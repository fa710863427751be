"""The English part of the annotated narrative corpus (tests/narratives/en_*.yaml, issue 13) is well formed
and covers every signal that can appear in English complaints.

Format: docs in /work/corpus-format.md, shared with the Chinese corpus and the narrative engine's `eval`.
Each item: id, lang, register, text, signals (exhaustive), optional hard_negatives and source.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from riskengine.reading.corpus_eval import ITEM_KEYS

NARRATIVES = Path(__file__).resolve().parent / "narratives"
EN_FILES = sorted(NARRATIVES.glob("en_*.yaml"))

ALLOWED_KEYS = ITEM_KEYS          # as `riskengine eval` reads them (a `note` records an annotation decision)
REQUIRED_KEYS = {"id", "lang", "register", "text", "signals"}
REGISTERS = {"handler", "complainant"}
LANGS = {"zh", "en"}
MAX_TEXT_CHARS = 700          # items are 1-5 sentences, so exhaustive annotation stays honest

MIN_ITEMS = 180
MIN_POSITIVES = 5
MIN_HARD_NEGATIVES = 3
MIN_NO_SIGNAL_ITEMS = 25
MIN_PER_REGISTER = 40

# Signals with no English items, and why. Everything else in the knowledge must meet the minimums.
NOT_IN_ENGLISH = {
    "sensitive_period": "a Chinese calendar sign (the Two Sessions, the 15 March gala); English complaints do not "
                        "show it",
}


def _load(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("items"), list), f"{path.name}: top level must be `items:` list"
    return data["items"]


@pytest.fixture(scope="module")
def signal_ids(engine) -> set[str]:
    return set(engine.ruleset.knowledge.signals)


@pytest.fixture(scope="module")
def en_items() -> list[tuple[str, dict]]:
    return [(path.name, item) for path in EN_FILES for item in _load(path)]


def item_problems(where: str, item, known: set[str], lang: str | None = "en") -> list[str]:
    """Everything wrong with one item, each as '<file>:<id>: <what>'."""
    if not isinstance(item, dict):
        return [f"{where}: an item must be a mapping, got {type(item).__name__}"]
    at = f"{where}:{item.get('id', '?')}"
    problems = []
    missing = REQUIRED_KEYS - item.keys()
    if missing:
        problems.append(f"{at}: missing {sorted(missing)}")
    unknown = item.keys() - ALLOWED_KEYS
    if unknown:
        problems.append(f"{at}: unknown keys {sorted(unknown)}")
    if item.get("lang") not in LANGS:
        problems.append(f"{at}: lang {item.get('lang')!r} is not one of {sorted(LANGS)}")
    elif lang and item["lang"] != lang:
        problems.append(f"{at}: lang {item['lang']!r} in a file for {lang!r}")
    if item.get("register") not in REGISTERS:
        problems.append(f"{at}: register {item.get('register')!r} is not one of {sorted(REGISTERS)}")
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.startswith(f"{item.get('lang')}-"):
        problems.append(f"{at}: id must be a string starting with the lang prefix ('{item.get('lang')}-')")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{at}: text is empty")
    elif len(text) > MAX_TEXT_CHARS:
        problems.append(f"{at}: text has {len(text)} characters, more than {MAX_TEXT_CHARS}")
    lists = {}
    for key in ("signals", "hard_negatives"):
        value = item.get(key, [] if key == "hard_negatives" else None)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{at}: {key} must be a list of signal ids")
            value = []
        for dup, n in Counter(value).items():
            if n > 1:
                problems.append(f"{at}: {key} lists {dup!r} {n} times")
        for sid in value:
            if sid not in known:
                problems.append(f"{at}: {key} has unknown signal id {sid!r}")
        lists[key] = set(value)
    both = lists["signals"] & lists["hard_negatives"]
    if both:
        problems.append(f"{at}: {sorted(both)} both in signals and hard_negatives")
    return problems


def coverage_problems(items: list[dict], known: set[str], excluded: dict[str, str]) -> list[str]:
    positives = Counter(s for item in items for s in item.get("signals") or [])
    negatives = Counter(s for item in items for s in item.get("hard_negatives") or [])
    problems = []
    for sid in sorted(known - excluded.keys()):
        if positives[sid] < MIN_POSITIVES:
            problems.append(f"{sid}: {positives[sid]} positives, fewer than {MIN_POSITIVES}")
        if negatives[sid] < MIN_HARD_NEGATIVES:
            problems.append(f"{sid}: {negatives[sid]} hard negatives, fewer than {MIN_HARD_NEGATIVES}")
    return problems


def test_english_files_exist_and_parse():
    assert EN_FILES, f"no en_*.yaml in {NARRATIVES}"
    for path in EN_FILES:
        items = _load(path)
        assert items, f"{path.name}: no items"


def test_every_english_item_is_well_formed(en_items, signal_ids):
    problems = [p for where, item in en_items for p in item_problems(where, item, signal_ids)]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_across_all_narrative_files():
    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(NARRATIVES.glob("*.yaml")):
        for item in _load(path):
            ident = item.get("id") if isinstance(item, dict) else None
            if ident in seen:
                clashes.append(f"{path.name}: id {ident!r} already used in {seen[ident]}")
            seen.setdefault(ident, path.name)
    assert not clashes, "\n".join(clashes)


def test_english_corpus_size_registers_and_no_signal_items(en_items):
    items = [item for _, item in en_items]
    assert len(items) >= MIN_ITEMS
    registers = Counter(item["register"] for item in items)
    for register in REGISTERS:
        assert registers[register] >= MIN_PER_REGISTER, f"only {registers[register]} {register} items"
    plain = sum(1 for item in items if not item["signals"])
    assert plain >= MIN_NO_SIGNAL_ITEMS, f"only {plain} items with signals: []"


def test_every_signal_has_english_positives_and_hard_negatives(en_items, signal_ids):
    problems = coverage_problems([item for _, item in en_items], signal_ids, NOT_IN_ENGLISH)
    assert not problems, "\n".join(problems)


def test_exclusions_name_real_signals_that_really_have_no_english_positives(en_items, signal_ids):
    """An exclusion must not hide a renamed id, nor outlive the day English items for it are written."""
    assert NOT_IN_ENGLISH.keys() <= signal_ids, sorted(NOT_IN_ENGLISH.keys() - signal_ids)
    positives = {s for _, item in en_items for s in item["signals"]}
    assert not positives & NOT_IN_ENGLISH.keys(), "now covered, drop from NOT_IN_ENGLISH: " + str(
        sorted(positives & NOT_IN_ENGLISH.keys()))


# The checks themselves catch what they are meant to catch.

def test_item_check_reports_overlap_unknown_id_bad_register_and_lang():
    known = {"threatens_lawsuit", "debt_collection_harassment"}
    bad = {"id": "en-x-1", "lang": "zh", "register": "customer", "text": "They threatened to sue me.",
           "signals": ["debt_collection_harassment", "threatens_lawsuit"], "hard_negatives": ["threatens_lawsuit",
           "no_such_signal"], "extra": 1}
    problems = "\n".join(item_problems("f.yaml", bad, known))
    assert "f.yaml:en-x-1" in problems
    assert "both in signals and hard_negatives" in problems
    assert "unknown signal id 'no_such_signal'" in problems
    assert "register 'customer'" in problems
    assert "lang 'zh' in a file for 'en'" in problems
    assert "unknown keys ['extra']" in problems
    good = {"id": "en-x-2", "lang": "en", "register": "handler", "text": "Collector called her employer.",
            "signals": ["debt_collection_harassment"], "hard_negatives": ["threatens_lawsuit"]}
    assert item_problems("f.yaml", good, known) == []


def test_coverage_check_counts_positives_and_hard_negatives_per_signal():
    known = {"a", "b", "skip"}
    items = [{"signals": ["a"], "hard_negatives": ["b"]}] * 5 + [{"signals": ["b"], "hard_negatives": ["a"]}] * 3
    problems = coverage_problems(items, known, {"skip": "not in English"})
    assert problems == ["b: 3 positives, fewer than 5"]
