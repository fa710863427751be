"""Guards the annotated narrative corpus (tests/narratives/, format in tests/narratives/zh_README.md):
every file parses, every item is well formed, and the Chinese items keep the coverage issue 13 asks for.

These are checks of the corpus as data; how well the engine reads it is measured by `riskengine eval`.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

NARRATIVES = Path(__file__).resolve().parent / "narratives"
LANGS = {"zh", "en"}
REGISTERS = {"handler", "complainant"}
ITEM_KEYS = {"id", "lang", "register", "text", "signals", "hard_negatives", "source", "note"}

# Coverage the Chinese items must keep (issue 13; the brief of the Chinese corpus).
ZH_MIN_ITEMS = 260
ZH_MIN_POSITIVES = 5        # per signal id
ZH_MIN_HARD_NEGATIVES = 3   # per signal id
ZH_MIN_NO_SIGNAL = 30       # plain complaints with `signals: []`, which test precision
# Signal ids that cannot be seen in Chinese text at all and so need no Chinese items. Empty today:
# every indicator and agent sign can be seen in a handler's note or a complainant's words.
ZH_NOT_IN_TEXT: frozenset[str] = frozenset()

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _corpus_files() -> list[Path]:
    return sorted(NARRATIVES.glob("*.yaml"))


def _load(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("items"), list), f"{path.name}: top level must be a mapping with an `items` list"
    return data["items"]


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, dict]]:
    """(file name, item) for every item of every corpus file."""
    return [(path.name, item) for path in _corpus_files() for item in _load(path)]


@pytest.fixture(scope="module")
def known_signals(engine) -> set[str]:
    return set(engine.ruleset.knowledge.signals)


@pytest.fixture(scope="module")
def zh_items(corpus) -> list[dict]:
    return [item for _, item in corpus if item.get("lang") == "zh"]


def test_every_corpus_file_parses_as_safe_yaml_with_an_items_list():
    files = _corpus_files()
    assert files, f"no corpus files in {NARRATIVES}"
    for path in files:
        try:
            _load(path)
        except yaml.YAMLError as exc:
            pytest.fail(f"{path.name}: not valid YAML: {exc}")


def test_items_are_well_formed(corpus):
    problems = []
    for name, item in corpus:
        where = f"{name}:{item.get('id', '?')}"
        if not isinstance(item, dict):
            problems.append(f"{where}: an item must be a mapping")
            continue
        unknown = set(item) - ITEM_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if item.get("lang") not in LANGS:
            problems.append(f"{where}: lang must be one of {sorted(LANGS)}, not {item.get('lang')!r}")
        elif not str(item.get("id", "")).startswith(item["lang"] + "-"):
            problems.append(f"{where}: id must start with '{item['lang']}-'")
        if item.get("register") not in REGISTERS:
            problems.append(f"{where}: register must be one of {sorted(REGISTERS)}, not {item.get('register')!r}")
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(f"{where}: text must be a non-empty string")
        elif item.get("lang") == "zh" and not _CJK.search(item["text"]):
            problems.append(f"{where}: a zh item's text has no Chinese characters")
        for key in ("signals", "hard_negatives"):
            value = item.get(key, [])
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                problems.append(f"{where}: {key} must be a list of signal ids")
            elif len(set(value)) != len(value):
                problems.append(f"{where}: {key} lists an id twice")
        if "signals" not in item:
            problems.append(f"{where}: signals is required (write [] for none)")
    assert not problems, "\n".join(problems)


def test_item_ids_are_unique_across_all_files(corpus):
    counts = Counter(item.get("id") for _, item in corpus)
    dupes = sorted(str(i) for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate item ids: {dupes}"


def test_every_annotated_signal_id_exists_in_the_knowledge(corpus, known_signals):
    unknown = [
        f"{name}:{item['id']}: {sid}"
        for name, item in corpus
        for sid in list(item.get("signals") or []) + list(item.get("hard_negatives") or [])
        if sid not in known_signals
    ]
    assert not unknown, "signal ids not in knowledge/indicators.yaml or knowledge/agent_signs.yaml:\n" + "\n".join(unknown)


def test_signals_and_hard_negatives_are_disjoint(corpus):
    clashes = [
        f"{name}:{item['id']}: {sorted(set(item['signals']) & set(item['hard_negatives']))}"
        for name, item in corpus
        if set(item.get("signals") or []) & set(item.get("hard_negatives") or [])
    ]
    assert not clashes, "an id cannot be both a signal and a hard negative of one item:\n" + "\n".join(clashes)


def test_chinese_items_are_enough_and_cover_both_registers(zh_items):
    assert len(zh_items) >= ZH_MIN_ITEMS, f"{len(zh_items)} Chinese items, want at least {ZH_MIN_ITEMS}"
    registers = Counter(item["register"] for item in zh_items)
    assert set(registers) == REGISTERS, f"Chinese items by register: {dict(registers)}"
    no_signal = sum(1 for item in zh_items if not item["signals"])
    assert no_signal >= ZH_MIN_NO_SIGNAL, f"{no_signal} Chinese items with signals: [], want at least {ZH_MIN_NO_SIGNAL}"


def test_every_signal_has_chinese_positives_and_hard_negatives(zh_items, known_signals):
    positives = Counter(sid for item in zh_items for sid in item["signals"])
    negatives = Counter(sid for item in zh_items for sid in item.get("hard_negatives") or [])
    short = [
        f"{sid}: {positives[sid]} positives (want {ZH_MIN_POSITIVES}), {negatives[sid]} hard negatives (want {ZH_MIN_HARD_NEGATIVES})"
        for sid in sorted(known_signals - ZH_NOT_IN_TEXT)
        if positives[sid] < ZH_MIN_POSITIVES or negatives[sid] < ZH_MIN_HARD_NEGATIVES
    ]
    assert not short, "Chinese coverage below the minimum:\n" + "\n".join(short)
