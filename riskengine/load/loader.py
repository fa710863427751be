"""Load rules/ and knowledge/ into a validated :class:`Ruleset`, collecting every problem before reporting.

``load_ruleset()`` with no arguments loads the shipped defaults (inside the installed package, or the
repository's top-level folders in a development checkout).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from riskengine.errors import Problem, RulesetError, did_you_mean, shown
from riskengine.contracts.knowledge import KINDS, Scoring
from riskengine.language.tree import ConditionSyntaxError, UnsafePatternError
from riskengine.contracts.rule import Rule
from riskengine.contracts.ruleset import Knowledge, Ruleset, Source
from riskengine.load.yaml_source import Located, YamlSourceError, parse_yaml

_PACKAGE = Path(__file__).resolve().parent.parent   # the riskengine package


def default_dir(name: str) -> Path:
    """The shipped ``rules``/``knowledge``/``examples`` folder: in the wheel, else the repository top level."""
    for candidate in (_PACKAGE / "_defaults" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no shipped '{name}' folder found beside the riskengine package")


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(path: Path, shown: str, problems: list[Problem]) -> tuple[Located | None, bytes]:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, 0, 0, "RE002", f"cannot read file: {exc}", "save it as UTF-8 text"))
        return None, b""
    try:
        return parse_yaml(text, shown), raw
    except YamlSourceError as exc:
        problems.append(exc.problem)
        return None, raw


def _schema_problems(src: Located, base: tuple, exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = base + tuple(err["loc"])
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ConditionSyntaxError):
            code = "RE013" if isinstance(ctx_error, UnsafePatternError) else "RE012"
            out.append(src.problem(base + _condition_root(err["loc"]) + ctx_error.path, code, str(ctx_error)))
            continue
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            parent = _model_at(model, err["loc"][:-1])
            fields = list(parent.model_fields) if parent else []
            hint = did_you_mean(key, fields) or (f"allowed keys: {', '.join(fields)}" if fields else "")
            out.append(src.problem(loc, "RE011", f"unknown key '{shown(key)}'", hint))
            continue
        field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or "entry"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "is required but missing"
        out.append(src.problem(loc, "RE010", f"{field}: {msg}", _schema_hint(err)))
    return out


def _condition_root(loc: tuple) -> tuple:
    # pydantic reports a condition error at the field that holds it ('when', 'eligible_when', ...).
    return tuple(p for p in loc if isinstance(p, (str, int)))[:1]


def _schema_hint(err: dict) -> str:
    if err["type"] == "literal_error":
        return "use one of the values listed"
    if err["type"] in ("int_parsing", "int_type", "float_parsing"):
        return "write a plain number"
    if err["type"] == "string_pattern_mismatch":
        return "ids use letters, digits, _ and -, and start with a letter"
    return ""


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        ann = current.model_fields[part].annotation
        current = _unwrap(ann)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(ann: Any) -> Any:
    from typing import get_args
    for arg in (ann, *get_args(ann)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return ann


def _entries(src: Located, kind: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    data = src.data
    if not isinstance(data, dict) or list(data) != [kind]:
        got = shown(", ".join(map(str, data))) if isinstance(data, dict) else type(data).__name__
        problems.append(src.problem((), "RE003", f"expected one top-level key '{kind}:' holding a list, got {got}",
                                    f"start the file with '{kind}:' and list the entries under it"))
        return []
    items = data[kind]
    if not isinstance(items, list):
        problems.append(src.problem((kind,), "RE003", f"'{kind}' must hold a list of entries (lines starting '- ')"))
        return []
    return list(enumerate(items))


class ReadLog:
    """What a load read, in order: each file (relative and displayed path) and each entry's validated
    model with where it stood. It is what a cache needs to rebuild the ruleset without parsing YAML or
    validating again (load/cached_loader.py); the loader itself only writes it."""
    __slots__ = ("files", "entries")

    def __init__(self) -> None:
        self.files: list[list[str]] = []
        self.entries: list[list] = []   # [file index, kind, index, line, column, model]

    def file(self, rel: str, shown: str) -> int:
        self.files.append([rel, shown])
        return len(self.files) - 1


def _read_folder(folder: Path, label: str, root: Path, problems: list[Problem], digests: dict[str, str],
                 record: ReadLog):
    """(path, displayed path, parsed file, index in ``record``) of each YAML file of ``folder`` that parses; every file,
    parsed or not, is digested as ``label/<relative path>`` and recorded (its faults go to ``problems``)."""
    for path in _yaml_files(folder):
        shown = _shown(path, root)
        src, raw = _read(path, shown, problems)
        rel = f"{label}/{path.relative_to(folder).as_posix()}"
        digests[rel] = hashlib.sha256(raw).hexdigest()
        fidx = record.file(rel, shown)
        if src is not None:
            yield path, shown, src, fidx


def load_knowledge(folder: Path, root: Path, problems: list[Problem], digests: dict[str, str],
                   sources: dict[str, Source], located: dict, record: ReadLog) -> Knowledge:
    knowledge = Knowledge()
    known_kinds = set(KINDS) | {"scoring"}
    for path, shown, src, fidx in _read_folder(folder, "knowledge", root, problems, digests, record):
        kind = _kind_of(src, path)
        if kind not in known_kinds:
            problems.append(src.problem((), "RE003", f"unknown knowledge kind '{kind}'",
                                        did_you_mean(kind, known_kinds) or f"use one of {', '.join(sorted(known_kinds))}"))
            continue
        if kind == "scoring":
            raw_scoring = (src.data or {}).get("scoring")
            try:
                knowledge.scoring = Scoring.model_validate(raw_scoring)
                record.entries.append([fidx, "scoring", None, None, None, knowledge.scoring])
            except ValidationError as exc:
                problems.extend(_schema_problems(src, ("scoring",), exc, Scoring))
            continue
        model = KINDS[kind]
        target: dict = getattr(knowledge, kind)
        for i, item in _entries(src, kind, problems):
            try:
                entry = model.model_validate(item)
            except ValidationError as exc:
                problems.extend(_schema_problems(src, (kind, i), exc, model))
                continue
            key = getattr(entry, "id", None) or getattr(entry, "level")
            line, col = src.where((kind, i))
            if key in target:
                first = sources[f"{kind}:{key}"]
                problems.append(src.problem((kind, i), "RE020", f"duplicate {kind} id '{key}'",
                                            f"first defined at {first}"))
                continue
            target[key] = entry
            sources[f"{kind}:{key}"] = Source(shown, line)
            located[f"{kind}:{key}"] = (src, (kind, i))
            record.entries.append([fidx, kind, i, line, col, entry])
    if knowledge.scoring is None:
        problems.append(Problem(_shown(folder, root), 0, 0, "RE003", "no scoring.yaml with thresholds found",
                                "add knowledge/scoring.yaml (see docs/policy.md)"))
    return knowledge


def _kind_of(src: Located, path: Path) -> str:
    if isinstance(src.data, dict) and len(src.data) == 1:
        return str(next(iter(src.data)))
    return path.stem


def load_rules(folder: Path, root: Path, problems: list[Problem], digests: dict[str, str],
               sources: dict[str, Source], located: dict, record: ReadLog) -> list[Rule]:
    rules: list[Rule] = []
    for _path, shown, src, fidx in _read_folder(folder, "rules", root, problems, digests, record):
        for i, item in _entries(src, "rules", problems):
            try:
                rule = Rule.model_validate(item)
            except ValidationError as exc:
                problems.extend(_schema_problems(src, ("rules", i), exc, Rule))
                continue
            line, col = src.where(("rules", i))
            if rule.id in sources:
                problems.append(src.problem(("rules", i), "RE020", f"duplicate rule id '{rule.id}'",
                                            f"first defined at {sources[rule.id]}"))
                continue
            sources[rule.id] = Source(shown, line)
            located[rule.id] = (src, ("rules", i))
            rules.append(rule)
            record.entries.append([fidx, "rules", i, line, col, rule])
    return rules


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def ruleset_dirs(rules_dir: str | Path | None, knowledge_dir: str | Path | None) -> tuple[Path, Path]:
    """The folders to load (the shipped ones by default); a missing folder is an RE002 error."""
    rules_path = Path(rules_dir) if rules_dir else default_dir("rules")
    knowledge_path = Path(knowledge_dir) if knowledge_dir else default_dir("knowledge")
    for folder, label in ((rules_path, "rules"), (knowledge_path, "knowledge")):
        if not folder.is_dir():
            raise RulesetError([Problem(str(folder), 0, 0, "RE002", f"{label} folder does not exist")])
    return rules_path, knowledge_path


def read_ruleset(rules_path: Path, knowledge_path: Path, root: Path, *, strict: bool = True
                 ) -> tuple[Ruleset, ReadLog]:
    """Read, parse and validate every file: the full load, with no cache. Raises :class:`RulesetError`
    listing every error when ``strict`` (warnings, and errors when not strict, are kept on the ruleset)."""
    from riskengine.load.checks import validate_ruleset

    problems: list[Problem] = []
    digests: dict[str, str] = {}
    sources: dict[str, Source] = {}
    located: dict = {}
    record = ReadLog()
    knowledge = load_knowledge(knowledge_path, root, problems, digests, sources, located, record)
    rules = load_rules(rules_path, root, problems, digests, sources, located, record)
    ruleset = Ruleset(knowledge=knowledge, rules=rules, sources=sources, file_digests=digests, located=located)
    if not any(p.severity == "error" for p in problems):
        problems.extend(validate_ruleset(ruleset))
    ruleset.problems = sorted(problems)
    if strict and any(p.severity == "error" for p in problems):
        raise RulesetError(problems)
    return ruleset, record


def load_ruleset(rules_dir: str | Path | None = None, knowledge_dir: str | Path | None = None,
                 *, strict: bool = True) -> Ruleset:
    """Load and validate, through the validated-ruleset cache (see :mod:`riskengine.load.cached_loader`)."""
    from riskengine.load.cached_loader import load_ruleset as cached
    return cached(rules_dir, knowledge_dir, strict=strict)
