"""The validated-ruleset cache: a hit is indistinguishable from a full load; anything else is a silent miss."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import pickle
import shutil
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner

from riskengine import Engine, load_ruleset
from riskengine.load import cache as rulecache, model_codec
from riskengine.io.casefile import read_case_file
from riskengine.cli.group import main
from riskengine.load.loader import default_dir
from tests.conftest import STRATEGY_WARNING_RULES

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))[:4]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own cache directory; nothing is ever written into the real home."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("RISKENGINE_CACHE_DIR", str(folder))
    monkeypatch.delenv("RISKENGINE_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def shipped(tmp_path) -> Path:
    """A copy of the shipped rules and knowledge that the test may edit."""
    tree = tmp_path / "shipped"
    shutil.copytree(default_dir("rules"), tree / "rules")
    shutil.copytree(default_dir("knowledge"), tree / "knowledge")
    return tree


@pytest.fixture
def mini(tmp_path) -> Path:
    tree = tmp_path / "mini"
    shutil.copytree(MINI, tree)
    return tree


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def is_hit(rs) -> bool:
    return isinstance(rs.located, rulecache.LazyLocated)


def assert_same_ruleset(a, b) -> None:
    assert a.version == b.version
    assert a.file_digests == b.file_digests
    assert a.rules == b.rules and [r.id for r in a.rules] == [r.id for r in b.rules]
    # built back without validation: the same classes, values and set fields all the way down
    assert model_codec.same(a.rules, b.rules)
    assert all(model_codec.same(getattr(a.knowledge, k.name), getattr(b.knowledge, k.name))
               for k in dataclasses.fields(a.knowledge))
    assert a.knowledge == b.knowledge
    for kind in ("taboos", "indicators", "agent_signs", "legal_bases", "channels", "strategies", "escalation",
                 "deadlines", "profiles", "phrases"):
        assert list(getattr(a.knowledge, kind)) == list(getattr(b.knowledge, kind)), kind   # same order too
    assert a.sources == b.sources and list(a.sources) == list(b.sources)
    assert a.problems == b.problems and [p.severity for p in a.problems] == [p.severity for p in b.problems]
    assert a.located == b.located       # rebuilt lazily on a hit: same marks, same entries
    assert a == b


def test_hit_gives_the_same_ruleset_and_byte_identical_assessments(cache):
    cold = load_ruleset()
    assert not is_hit(cold) and len(entries(cache)) == 1
    warm = load_ruleset()
    assert is_hit(warm)
    assert_same_ruleset(warm, cold)
    assert warm.knowledge.legal_bases and any(  # YAML dates come back as dates
        isinstance(v, datetime.date) for lb in warm.knowledge.legal_bases.values() for v in lb.model_dump().values())
    assert EXAMPLES
    for name in ("compiled", "experta"):
        cold_engine, warm_engine = Engine(cold, engine=name), Engine(warm, engine=name)
        for path in EXAMPLES:
            case = read_case_file(path)
            assert warm_engine.assess(case).model_dump_json() == cold_engine.assess(case).model_dump_json(), path


def test_warnings_and_their_locations_are_reproduced_exactly(mini, cache):
    (mini / "rules" / "extra.yaml").write_text("rules:\n" + STRATEGY_WARNING_RULES
                                               + "  - id: W\n"
                                                 "    description: {zh: w, en: w}\n"
                                                 "    when: {signal: threatens_media}\n"
                                                 "    then: {findings: [unused_finding]}\n", encoding="utf-8")
    args = ["validate", "--rules", str(mini / "rules"), "--knowledge", str(mini / "knowledge")]
    cold_cli = CliRunner().invoke(main, args)
    cold = load_ruleset(mini / "rules", mini / "knowledge")
    assert is_hit(cold)                 # the CLI run above stored it
    warm_cli = CliRunner().invoke(main, args)
    assert cold_cli.exit_code == warm_cli.exit_code == 0
    assert warm_cli.output == cold_cli.output and "RW301" in cold_cli.output and "RW304" in cold_cli.output
    warm = load_ruleset(mini / "rules", mini / "knowledge")
    shutil.rmtree(cache)
    full = load_ruleset(mini / "rules", mini / "knowledge")
    assert not is_hit(full) and full.problems
    assert_same_ruleset(warm, full)


def test_a_ruleset_with_errors_is_never_cached(mini, cache):
    (mini / "rules" / "extra.yaml").write_text("rules:\n  - id: X\n    when: {signal: nope}\n", encoding="utf-8")
    rs = load_ruleset(mini / "rules", mini / "knowledge", strict=False)
    assert any(p.severity == "error" for p in rs.problems)
    assert entries(cache) == []


def test_editing_a_rule_file_invalidates(mini, cache):
    rules, knowledge = mini / "rules", mini / "knowledge"
    before = load_ruleset(rules, knowledge)
    assert is_hit(load_ruleset(rules, knowledge))
    path = sorted(rules.glob("*.yaml"))[0]
    original = path.read_text(encoding="utf-8")
    rule = before.rules_by_id[next(r for r in before.sources if before.sources[r].file.endswith(path.name))]
    edited_text = original.replace(f"salience: {rule.salience}\n", f"salience: {rule.salience + 1}\n", 1) \
        if f"salience: {rule.salience}\n" in original else original + "\n# edited\n"
    path.write_text(edited_text, encoding="utf-8")
    edited = load_ruleset(rules, knowledge)
    assert not is_hit(edited)
    assert edited.version != before.version
    assert edited.file_digests != before.file_digests
    # a knowledge edit too, of the same length (digests, not sizes or times, decide)
    kpath = knowledge / "strategies.yaml"
    ktext = kpath.read_text(encoding="utf-8")
    strategy = next(iter(edited.knowledge.strategies.values()))
    changed = ktext.replace(f"precedence: {strategy.precedence}\n", f"precedence: {strategy.precedence + 1 if strategy.precedence % 10 != 9 else strategy.precedence - 1}\n", 1)
    assert len(changed) == len(ktext) and changed != ktext
    kpath.write_text(changed, encoding="utf-8")
    again = load_ruleset(rules, knowledge)
    assert not is_hit(again) and again.knowledge.strategies[strategy.id].precedence != strategy.precedence
    # reverting both serves the original entry again, equal to a full load
    path.write_text(original, encoding="utf-8")
    kpath.write_text(ktext, encoding="utf-8")
    reverted = load_ruleset(rules, knowledge)
    assert is_hit(reverted)
    assert_same_ruleset(reverted, before)


def test_adding_or_removing_a_file_invalidates(mini, cache):
    rules, knowledge = mini / "rules", mini / "knowledge"
    first = load_ruleset(rules, knowledge)
    (rules / "zz_more.yaml").write_text(
        "rules:\n  - id: MORE\n    description: {zh: m, en: m}\n    when: {signal: threatens_media}\n"
        "    then: {points: {time: 5}}\n", encoding="utf-8")
    more = load_ruleset(rules, knowledge)
    assert not is_hit(more) and "MORE" in more.rules_by_id and more.version != first.version
    (rules / "zz_more.yaml").unlink()
    assert is_hit(fewer := load_ruleset(rules, knowledge)) and fewer.version == first.version


def test_the_same_files_seen_from_another_directory_keep_their_paths(mini, tmp_path, monkeypatch):
    rules, knowledge = mini / "rules", mini / "knowledge"
    monkeypatch.chdir(tmp_path)
    here = load_ruleset(rules, knowledge)
    assert next(iter(here.sources.values())).file.startswith("mini/")
    monkeypatch.chdir(mini)
    there = load_ruleset(rules, knowledge)
    assert not is_hit(there)            # the displayed paths are part of the key
    assert next(iter(there.sources.values())).file.startswith(("rules/", "knowledge/"))
    assert is_hit(load_ruleset(rules, knowledge))
    monkeypatch.chdir(tmp_path)
    assert load_ruleset(rules, knowledge).sources == here.sources


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "body-edited", "header-only",
                                    "valid-but-wrong-shape", "unknown-model", "directory"])
def test_a_damaged_cache_file_falls_back_silently(mini, cache, capsys, caplog, damage):
    rules, knowledge = mini / "rules", mini / "knowledge"
    caplog.set_level("DEBUG", logger="riskengine.load.cache")
    full = load_ruleset(rules, knowledge)
    [path] = entries(cache)
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not json at all")
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "body-edited":
        path.write_bytes(head + b"\n" + body.replace(b'"salience"', b'"salienze"', 1))
    elif damage == "header-only":
        path.write_bytes(head)
    elif damage in ("valid-but-wrong-shape", "unknown-model"):   # well-formed, the right key, nonsense inside
        # (the models are not validated again on a hit: what the cache refuses is data its own encoder
        # could not have written, such as a rule without its required id or a class it does not know)
        payload = json.loads(body)
        if damage == "unknown-model":
            payload["entries"][-1][5][model_codec.TAG] = "os.system"
        else:
            del payload["entries"][-1][5]["id"]
        bad = json.dumps(payload).encode()
        header = json.loads(head)
        header.update(length=len(bad), sha256=hashlib.sha256(bad).hexdigest())
        path.write_bytes(json.dumps(header).encode() + b"\n" + bad)
    elif damage == "directory":
        path.unlink()
        path.mkdir()
    again = load_ruleset(rules, knowledge)
    assert not is_hit(again)
    assert_same_ruleset(again, full)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    if damage in ("garbage", "body-edited", "valid-but-wrong-shape", "unknown-model", "directory"):   # faults, not plain misses
        assert any(r.name == "riskengine.load.cache" for r in caplog.records), "the fault was not logged"
    if damage != "directory":
        assert is_hit(load_ruleset(rules, knowledge))   # the full load rewrote it


def test_a_cache_of_another_format_or_key_is_ignored(mini, cache, monkeypatch):
    rules, knowledge = mini / "rules", mini / "knowledge"
    load_ruleset(rules, knowledge)
    monkeypatch.setattr(rulecache, "FORMAT", rulecache.FORMAT + 1)
    monkeypatch.setattr(rulecache, "_ENV_FINGERPRINT", None)
    assert not is_hit(load_ruleset(rules, knowledge))
    assert len(entries(cache)) == 2
    monkeypatch.setattr(rulecache, "_ENV_FINGERPRINT", None)
    monkeypatch.setattr(rulecache, "_package_version", lambda: "99.0")
    assert not is_hit(load_ruleset(rules, knowledge))


def test_no_cache_env_writes_nothing(mini, cache, monkeypatch):
    monkeypatch.setenv("RISKENGINE_NO_CACHE", "1")
    rs = load_ruleset(mini / "rules", mini / "knowledge")
    assert not is_hit(load_ruleset(mini / "rules", mini / "knowledge"))
    assert not cache.exists()
    monkeypatch.delenv("RISKENGINE_NO_CACHE")
    load_ruleset(mini / "rules", mini / "knowledge")
    monkeypatch.setenv("RISKENGINE_NO_CACHE", "1")
    assert not is_hit(again := load_ruleset(mini / "rules", mini / "knowledge"))   # nor reads
    assert again == rs


def test_unwritable_cache_locations_fall_back_silently(mini, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("RISKENGINE_CACHE_DIR", str(blocker / "cache"))
    first = load_ruleset(mini / "rules", mini / "knowledge")
    second = load_ruleset(mini / "rules", mini / "knowledge")
    assert not is_hit(second) and second == first
    monkeypatch.delenv("RISKENGINE_CACHE_DIR")                # a home that cannot hold ~/.cache
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(blocker))
    assert load_ruleset(mini / "rules", mini / "knowledge") == first
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_ruleset(mini / "rules", mini / "knowledge") == first
    assert capsys.readouterr() == ("", "")


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKENGINE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rulecache.cache_dir() == tmp_path / "xdg" / "riskengine"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rulecache.cache_dir() == tmp_path / "home" / ".cache" / "riskengine"
    monkeypatch.setenv("RISKENGINE_CACHE_DIR", str(tmp_path / "explicit"))
    assert rulecache.cache_dir() == tmp_path / "explicit"


def test_old_entries_are_pruned(mini, cache, monkeypatch):
    monkeypatch.setattr(rulecache, "MAX_ENTRIES", 2)
    rules, knowledge = mini / "rules", mini / "knowledge"
    for n in range(4):
        (rules / "zz.yaml").write_text(
            f"rules:\n  - id: N{n}\n    description: {{zh: n, en: n}}\n    when: {{signal: threatens_media}}\n"
            "    then: {points: {time: 5}}\n", encoding="utf-8")
        load_ruleset(rules, knowledge)
    assert len(entries(cache)) == 2
    assert is_hit(load_ruleset(rules, knowledge))     # the newest is kept


def test_json_cannot_carry_it_so_nothing_is_written(cache):
    assert not rulecache.store("0" * 64, {"a": {1: "int key"}})
    assert not rulecache.store("0" * 64, {"a": float("nan")})
    assert entries(cache) == []


def test_dates_round_trip_exactly():
    tz = datetime.timezone(datetime.timedelta(hours=8))
    value = {"effective": datetime.date(2024, 7, 1), "list": [1, datetime.datetime(2024, 7, 1, 9, 30, tzinfo=tz)],
             "plain": "2024-07-01"}
    plain, patches = rulecache.encode(value)
    back = rulecache.decode(json.loads(json.dumps(plain)), patches)
    assert rulecache.same(back, value)
    assert type(back["plain"]) is str and type(back["effective"]) is datetime.date


def test_a_ruleset_from_the_cache_pickles(mini):
    load_ruleset(mini / "rules", mini / "knowledge")
    warm = load_ruleset(mini / "rules", mini / "knowledge")
    assert is_hit(warm)
    assert pickle.loads(pickle.dumps(warm)) == warm


def test_lazy_located_behaves_like_a_dict(mini):
    import copy
    import dataclasses
    cold = load_ruleset(mini / "rules", mini / "knowledge")
    warm = load_ruleset(mini / "rules", mini / "knowledge")
    assert is_hit(warm)
    assert copy.deepcopy(warm.located) == cold.located
    assert dataclasses.asdict(warm)["located"] == dataclasses.asdict(cold)["located"]
    rid = cold.rules[0].id
    src, path = warm.located[rid]
    assert (src.file, src.where(path)) == (cold.located[rid][0].file, cold.located[rid][0].where(path))
    assert sorted(warm.located) == sorted(cold.located) and len(warm.located) == len(cold.located)


def test_locations_survive_a_file_edited_after_a_cache_hit(mini):
    rules, knowledge = mini / "rules", mini / "knowledge"
    cold = load_ruleset(rules, knowledge)
    warm = load_ruleset(rules, knowledge)
    assert is_hit(warm)
    rid = cold.rules[0].id
    path = mini / "rules" / Path(cold.sources[rid].file).name
    path.write_text("# moved everything down a line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    src, where = warm.located[rid]              # the file is no longer the one loaded: the cached line is used
    assert src.where(where)[0] == cold.sources[rid].line == cold.located[rid][0].where(where)[0]
    assert src.problem(where + ("then",), "RW301", "x").line == cold.sources[rid].line


@pytest.mark.parametrize("value", [{1: "int key"}, {"a": {True: 1}}, {"s": {1, 2}}, {"b": b"bytes"}, (1, 2)])
def test_encode_refuses_what_json_cannot_give_back(value):
    with pytest.raises(TypeError):
        rulecache.encode(value)


def test_a_yaml_value_json_cannot_carry_is_cached_as_the_model_it_validated_to(mini, cache):
    # `!!set` is plain YAML the models accept for a tuple; the cache holds the validated tuple
    (mini / "rules" / "extra.yaml").write_text(
        "rules:\n  - id: S\n    description: {zh: s, en: s}\n    when: {signal: threatens_media}\n"
        "    then: {points: {time: 5}, taboos: !!set {?  ignore_emotions}}\n", encoding="utf-8")
    cold = load_ruleset(mini / "rules", mini / "knowledge")
    assert isinstance(cold.rules_by_id["S"].then.taboos, tuple)
    warm = load_ruleset(mini / "rules", mini / "knowledge")
    assert is_hit(warm)
    assert_same_ruleset(warm, cold)


class _Foreign(pydantic.BaseModel):
    x: int = 1


@pytest.mark.parametrize("value", [{1: "int key"}, {model_codec.TAG: "k.Text"}, {"s": {1, 2}}, b"bytes",
                                   _Foreign(), object()])
def test_the_model_codec_refuses_what_it_could_not_build_back(value):
    with pytest.raises(TypeError):
        model_codec.encode(value)


def test_the_model_codec_builds_back_models_dates_lists_and_patterns():
    from riskengine.contracts.rule import Rule
    rule = Rule.model_validate({"id": "R", "description": {"zh": "规", "en": "r"},
                                "when": {"all": [{"field": "complainant.name", "matches": "(?i)^li"},
                                                 {"not": {"signal": "threatens_media"}}]},
                                "then": {"points": {"time": 5}, "findings": ["x"]}})
    tz = datetime.timezone(datetime.timedelta(hours=8))
    value = {"rule": rule, "when": [datetime.date(2024, 7, 1), datetime.datetime(2024, 7, 1, 9, tzinfo=tz)],
             "t": (1, 2.5, None, True)}
    back = model_codec.decode(json.loads(json.dumps(model_codec.encode(value))))
    assert model_codec.same(back, value) and back == {**value, "rule": back["rule"]}
    assert back["rule"].then.model_fields_set == {"points", "findings"}      # defaults stay unset
    assert back["rule"].when.all[0].pattern.search("Li Lei") and not back["rule"].when.all[0].pattern.search("Wang")
    assert not model_codec.same(back["rule"], Rule.model_validate({**rule.model_dump(), "salience": 0}))


def test_narrative_literals_come_from_the_cache_and_equal_a_fresh_parse(cache):
    from riskengine.reading.narrative import NarrativeScanner, literal_table
    cold = load_ruleset()
    warm = load_ruleset()
    assert is_hit(warm)
    signals = list(warm.knowledge.signals.values())
    fresh = literal_table(signals)
    assert warm.pattern_literals == cold.pattern_literals == fresh and len(fresh) > 1000
    # A scanner given the table builds the same prefilter index as one that parses every pattern.
    assert NarrativeScanner(signals, warm.pattern_literals)._prefilter() == NarrativeScanner(signals)._prefilter()


def test_a_malformed_literal_table_is_a_miss(mini, cache):
    load_ruleset(mini / "rules", mini / "knowledge")
    (path,) = entries(cache)
    head, body = path.read_bytes().split(b"\n", 1)
    payload = json.loads(body)
    payload["pattern_literals"] = {"媒体": [""]}          # an empty literal would match everything
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    header = json.loads(head)
    header.update(length=len(body), sha256=hashlib.sha256(body).hexdigest())
    path.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)
    assert not is_hit(load_ruleset(mini / "rules", mini / "knowledge"))


def _lexicon_state(lexicon) -> tuple:
    return (lexicon.terms, lexicon.term_strings, lexicon._kinds, lexicon._owner_codes, lexicon._one_word,
            lexicon._index_for_find())


def test_concept_lexicons_come_from_the_cache_and_equal_a_fresh_build(cache):
    """A warm start reads the scanner's two lexicons from the cache instead of expanding and indexing
    every term again; what it reads is what a build from the concepts gives, and so are the hits."""
    from riskengine.reading.narrative import NarrativeScanner, lexicon_tables
    cold = load_ruleset()
    warm = load_ruleset()
    assert is_hit(warm)
    concepts = warm.knowledge.concepts
    assert warm.lexicon_tables == cold.lexicon_tables == json.loads(json.dumps(lexicon_tables(concepts)))
    signals = list(warm.knowledge.signals.values())
    cached = NarrativeScanner(signals, warm.pattern_literals, concepts, lexicons=warm.lexicon_tables)
    built = NarrativeScanner(signals, warm.pattern_literals, concepts)
    assert cached.lexicon._indexes is None           # taken from the tables, not built
    for a, b in ((cached.lexicon, built.lexicon), (cached.marker_lexicon, built.marker_lexicon)):
        assert _lexicon_state(a) == _lexicon_state(b)
    texts = ["客户称如果不退保就去银保监会投诉，还要找媒体曝光。", "The collector threatened to sue me. I did not file "
             "a complaint with the CFPB yet, but I will contact a lawyer."]
    assert all(cached.scan(t) == built.scan(t) for t in texts) and any(cached.scan(t) for t in texts)
    assert Engine(warm).scanner.lexicon._indexes is None   # the engine hands the tables on


def test_lexicon_tables_of_other_concepts_or_malformed_are_ignored(cache):
    """Tables made of other concepts (an edited concept in memory) or damaged ones are not used: the
    lexicon is built from the concepts, as without a cache."""
    from riskengine.reading.lexicon import Lexicon, lexicon_tables
    from riskengine.contracts.knowledge import Concept
    rs = load_ruleset()
    # forty concepts are enough to damage each part of the tables (the shipped hundreds only cost time)
    concepts = dict(list(rs.knowledge.concepts.items())[:40])
    tables = lexicon_tables(concepts)
    cid = next(iter(concepts))
    edited = {**concepts, cid: Concept(id=cid, name=concepts[cid].name, zh=["全新的词"], en=["brand new word"])}
    other = Lexicon(edited, tables=tables)
    assert other._indexes is not None and "全新的词" in other.term_strings   # rebuilt from the concepts
    damaged = json.loads(json.dumps(tables))
    damaged["kinds"] = "7" + damaged["kinds"][1:]          # no such kind
    unsorted = json.loads(json.dumps(tables))
    unsorted["strings"].reverse()
    not_bool = json.loads(json.dumps(tables))
    not_bool["owners"][-1] = not_bool["owners"][-1].rsplit(":", 1)[0] + ":yes"   # an English flag that is no 0 or 1
    empty_term = json.loads(json.dumps(tables))
    first = next(iter(empty_term["terms"]))
    empty_term["terms"][first] = "1\n" + empty_term["terms"][first]
    no_owners = json.loads(json.dumps(tables))
    no_owners["owners"][3] = ""
    short = json.loads(json.dumps(tables))
    short["owners"].pop()                                  # one term without its owners
    for bad in (damaged, unsorted, not_bool, empty_term, no_owners, short, {"format": 99}, {"format": 2, "digest": tables["digest"]}, [], None):
        lexicon = Lexicon(concepts, tables=bad)
        assert lexicon._indexes is not None or bad is None
        assert _lexicon_state(lexicon) == _lexicon_state(Lexicon(concepts))
