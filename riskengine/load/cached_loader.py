"""The loader with the validated-ruleset cache wrapped around it: ``load_ruleset`` is a cache lookup,
then, on a miss, the full load of :func:`riskengine.load.loader.read_ruleset`, whose result is stored.

The cache (:mod:`riskengine.load.cache`) holds data, never code. A hit re-reads and re-hashes every file,
skips YAML parsing, the cross-reference checks and validation: each entry is stored as the fields of the
model the full load validated (:mod:`riskengine.load.model_codec`), checked at store time to come back
identical, and built back directly, so rules, knowledge, sources, warnings and ``version`` are those of a
full load. The body's SHA-256 in the file's header guards against damage; the models are not validated
again (a cache file is written only by riskengine, in the user's own 0700 directory). Any fault of the cache
(missing, corrupt, foreign, unwritable) is logged to ``riskengine.load.cache`` and ends in the full load.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from riskengine.contracts.knowledge import KINDS, Scoring
from riskengine.contracts.rule import Rule
from riskengine.contracts.ruleset import Knowledge, Ruleset, Source
from riskengine.errors import Problem
from riskengine.load import cache as rulecache, model_codec
from riskengine.load.cache import log
from riskengine.load.loader import ReadLog, _shown, _yaml_files, read_ruleset, ruleset_dirs
from riskengine.load.yaml_source import Located, parse_yaml


def load_ruleset(rules_dir: str | Path | None = None, knowledge_dir: str | Path | None = None,
                 *, strict: bool = True) -> Ruleset:
    """Load and validate (the shipped rules and knowledge by default). Raises :class:`RulesetError`
    listing every error; warnings are kept on the ruleset. A ruleset that loaded without errors is
    remembered; loading the same bytes again reads it from the cache."""
    rules_path, knowledge_path = ruleset_dirs(rules_dir, knowledge_dir)
    root = Path.cwd().resolve()
    use_cache = rulecache.enabled()
    if use_cache:
        cached = _load_cached(knowledge_path, rules_path, root)
        if cached is not None:
            return cached
    ruleset, read = read_ruleset(rules_path, knowledge_path, root, strict=strict)
    if use_cache and not any(p.severity == "error" for p in ruleset.problems):
        from riskengine.reading.narrative import lexicon_tables, literal_table
        ruleset.pattern_literals = literal_table(list(ruleset.knowledge.signals.values()))
        ruleset.lexicon_tables = lexicon_tables(ruleset.knowledge.concepts)
        _store_cached(ruleset, read)
    return ruleset


def _scan(knowledge_path: Path, rules_path: Path, root: Path) -> list[tuple[str, Path, str, str]]:
    """(relative path, path, displayed path, sha256 of bytes) of every file, in the order a load reads them."""
    out = []
    for folder, label in ((knowledge_path, "knowledge"), (rules_path, "rules")):
        for path in _yaml_files(folder):
            out.append((f"{label}/{path.relative_to(folder).as_posix()}", path, _shown(path, root),
                        hashlib.sha256(path.read_bytes()).hexdigest()))
    return out


def _store_cached(ruleset: Ruleset, record: ReadLog) -> None:
    try:
        files = [(rel, shown, ruleset.file_digests[rel]) for rel, shown in record.files]
        if len(files) != len(ruleset.file_digests):
            return
        problems = [[p.file, p.line, p.column, p.code, p.message, p.hint, p.severity] for p in ruleset.problems]
        # model_codec.encode refuses whatever it could not build back; what it builds back must be the
        # very models of this load (types, set fields and all), else nothing is stored
        entries = [entry[:5] + [model_codec.encode(entry[5])] for entry in record.entries]
        back = json.loads(json.dumps(entries, ensure_ascii=False, allow_nan=False))
        if not all(model_codec.same(model_codec.decode(b[5]), e[5]) for b, e in zip(back, record.entries)):
            log.debug("not stored: the models do not come back the same from their data")
            return
        rulecache.store(rulecache.ruleset_key(files), {"files": record.files, "entries": entries,
                                                        "problems": problems,
                                                        "pattern_literals": ruleset.pattern_literals,
                                                        "lexicon_tables": ruleset.lexicon_tables}, check=False)
    except Exception as exc:       # the cache is an optimisation: never let it break a load
        log.debug("not stored: %s", exc, exc_info=True)


_PROBLEM_TYPES = (str, int, int, str, str, str, str)


def _load_cached(knowledge_path: Path, rules_path: Path, root: Path) -> Ruleset | None:
    """The ruleset from the cache when every file is byte-for-byte the one it was built from, else None."""
    try:
        scan = _scan(knowledge_path, rules_path, root)
        payload = rulecache.load(rulecache.ruleset_key([(rel, shown, digest) for rel, _, shown, digest in scan]))
        if payload is None:
            return None
        files = payload["files"]
        if [tuple(f) for f in files] != [(rel, shown) for rel, _, shown, _ in scan]:
            return None
        knowledge = Knowledge()
        rules: list[Rule] = []
        sources: dict[str, Source] = {}
        where: dict[str, tuple] = {}
        for fidx, kind, i, line, col, data in payload["entries"]:
            model = model_codec.decode(data)
            if kind == "scoring":
                if type(model) is not Scoring:
                    return None
                knowledge.scoring = model
                continue
            if kind == "rules":
                if type(model) is not Rule:
                    return None
                key = model.id
                rules.append(model)
            else:
                if type(model) is not KINDS[kind]:
                    return None
                entry_key = getattr(model, "id", None) or getattr(model, "level")
                getattr(knowledge, kind)[entry_key] = model
                key = f"{kind}:{entry_key}"
            if (not all(type(v) is int for v in (fidx, i, line, col)) or not 0 <= fidx < len(files)
                    or key in sources):
                return None
            sources[key] = Source(files[fidx][1], line)
            where[key] = (fidx, kind, i, line, col)
        if knowledge.scoring is None:
            return None
        problems = []
        for p in payload["problems"]:
            if len(p) != len(_PROBLEM_TYPES) or not all(type(v) is t for v, t in zip(p, _PROBLEM_TYPES)):
                return None
            problems.append(Problem(*p))
        if any(p.severity == "error" for p in problems):
            return None
        literals = payload["pattern_literals"]
        from riskengine.reading.narrative import _valid_clauses
        if not isinstance(literals, dict) or not all(type(k) is str and (v is None or _valid_clauses(v))
                                                     for k, v in literals.items()):
            return None
        # The lexicon tables are checked where they are used (the scanner rebuilds what does not fit).
        lexicons = payload.get("lexicon_tables")
        digests = {rel: digest for rel, _, _, digest in scan}
        return Ruleset(knowledge=knowledge, rules=rules, sources=sources, file_digests=digests,
                       problems=sorted(problems), located=rulecache.LazyLocated(build=lambda: _relocate(scan, where)),
                       pattern_literals=literals, lexicon_tables=lexicons if isinstance(lexicons, dict) else {})
    except Exception as exc:       # missing, corrupt or foreign cache content: do the full load
        log.debug("unusable cache entry, full load: %s", exc, exc_info=True)
        return None


def _relocate(scan: list[tuple[str, Path, str, str]], where: dict[str, tuple]) -> dict:
    """``Ruleset.located`` for a cached ruleset: re-parse each file (if still the same bytes) for its marks."""
    parsed: dict[int, Located | None] = {}
    located: dict = {}
    for key, (fidx, kind, i, line, col) in where.items():
        if fidx not in parsed:
            _, path, shown, digest = scan[fidx]
            try:
                raw = path.read_bytes()
                parsed[fidx] = parse_yaml(raw.decode("utf-8"), shown) \
                    if hashlib.sha256(raw).hexdigest() == digest else None
            except Exception as exc:
                log.debug("cannot re-read %s for its marks: %s", shown, exc)
                parsed[fidx] = None
        src = parsed[fidx] or Located(None, {(kind, i): (line, col)}, scan[fidx][2])
        located[key] = (src, (kind, i))
    return located
