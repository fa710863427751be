"""The literal automata of the narrative reader are built only once enough text has been read; until
then every string is looked up one by one, and a scan finds exactly the same either way."""
from __future__ import annotations

from pathlib import Path

import yaml

from riskengine import Engine, load_ruleset
from riskengine.reading.lexicon import LiteralSets

ROOT = Path(__file__).resolve().parent.parent


def _narratives() -> list[str]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "narratives").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data.get("narrative"), str):                   # an example case
            out.append(data["narrative"])
        out += [item["text"] for item in data.get("items", ()) if isinstance(item.get("text"), str)]
    return out


def test_string_by_string_and_automata_find_the_same(monkeypatch):
    texts = _narratives()
    assert len(texts) > 50 and any(t.isascii() for t in texts) and not all(t.isascii() for t in texts)
    ruleset = load_ruleset()
    monkeypatch.setattr(LiteralSets, "BUILD_AFTER_CHARS", 0)
    built = Engine(ruleset).scanner
    with_automata = [built.scan(t) for t in texts]
    assert built._literal_set()._sets is not None
    monkeypatch.setattr(LiteralSets, "BUILD_AFTER_CHARS", 10**12)
    unbuilt = Engine(ruleset).scanner
    assert [unbuilt.scan(t) for t in texts] == with_automata
    assert not unbuilt._literal_set()._built and not unbuilt.marker_lexicon._sets._built
    assert sum(map(len, with_automata)) > 50


def test_the_automata_are_built_after_enough_text_or_when_asked():
    sets = LiteralSets(["fee", "收费", "x"])
    assert sorted(sets.match("a fee")) == [0] and not sets._built
    long = "收费 " * (LiteralSets.BUILD_AFTER_CHARS // 3 + 1)
    assert sorted(sets.match(long)) == [1] and sets._built and sets._sets is not None
    assert sorted(sets.match("x fee")) == [0, 2]
    eager = LiteralSets(["fee"])
    eager.build()
    assert eager._sets is not None and eager.match("fee") == [0]


def test_prepare_builds_every_automaton_before_a_batch_forks():
    scanner = Engine(load_ruleset()).scanner
    scanner.prepare()
    assert scanner._literal_set()._sets is not None and scanner.marker_lexicon._sets._sets is not None
