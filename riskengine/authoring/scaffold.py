"""Ruleset folders for editors: write the schemas, put the modeline on every YAML file, start a new folder.

A ruleset folder holds ``rules/``, ``knowledge/``, optionally ``examples/`` (cases) and ``tests/cases/``
(rule tests), and ``schemas/`` generated from the folder's own ruleset. The first line of every YAML file
names its schema for the YAML language server (``# yaml-language-server: $schema=../schemas/...``); the
rest of the file is left byte for byte as it was.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from riskengine.load.cached_loader import load_ruleset
from riskengine.load.loader import default_dir
from riskengine.authoring.schema import dumps, knowledge_schema_for, modeline, schema_files, schema_for, with_modeline

STAMPED = ("rules", "knowledge", "examples", "tests/cases")


def yaml_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for sub in STAMPED:
        folder = root / sub
        if folder.is_dir():
            out.extend(sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
    return out


def expected_modeline(root: Path, path: Path) -> str | None:
    """The modeline ``path`` (inside ``root``) should start with, or None when no schema fits it."""
    rel = path.relative_to(root).as_posix()
    target = schema_for(rel)
    if rel.startswith("knowledge/"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None    # the loader reports it; a file that does not parse gets no modeline
        target = knowledge_schema_for(data, path.stem)
    return modeline(rel, target) if target else None


def stamp(root: Path) -> list[Path]:
    """Give every YAML file under ``root`` the right first line; returns the files changed."""
    changed = []
    for path in yaml_files(root):
        line = expected_modeline(root, path)
        if line is None:
            continue
        text = path.read_bytes().decode("utf-8")
        new = with_modeline(text, line)
        if new != text:
            path.write_bytes(new.encode("utf-8"))
            changed.append(path)
    return changed


def write_schemas(root: Path, rules: Path | None = None, knowledge: Path | None = None) -> list[Path]:
    """Generate ``root/schemas`` from the ruleset in ``root`` (or the given folders); returns files written."""
    rs = load_ruleset(rules or root / "rules", knowledge or root / "knowledge", strict=False)
    written = []
    for rel, doc in schema_files(rs).items():
        path = root / "schemas" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dumps(doc)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


VSCODE_EXTENSIONS = '{\n  "recommendations": ["redhat.vscode-yaml"]\n}\n'


def init(dest: Path, rules: Path | None = None, knowledge: Path | None = None) -> list[Path]:
    """A new ruleset folder: a copy of the given (default: shipped) rules and knowledge (and the shipped example cases),
    its schemas, the modeline on every file and the editor's YAML extension recommended."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty; choose a new folder (or use --refresh)")
    sources = {"rules": rules or default_dir("rules"), "knowledge": knowledge or default_dir("knowledge")}
    if rules is None and knowledge is None:     # the example cases fit the shipped ruleset only
        try:
            sources["examples"] = default_dir("examples")
        except FileNotFoundError:
            pass
    for name, src in sources.items():
        for path in sorted(p for p in Path(src).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
            target = dest / name / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    (dest / "tests" / "cases").mkdir(parents=True, exist_ok=True)
    (dest / ".vscode").mkdir(exist_ok=True)
    (dest / ".vscode" / "extensions.json").write_text(VSCODE_EXTENSIONS, encoding="utf-8")
    stamp(dest)
    write_schemas(dest)
    return sorted(p for p in dest.rglob("*") if p.is_file())


def refresh(root: Path) -> tuple[list[Path], list[Path]]:
    """Regenerate ``root/schemas`` and restamp every file: (schemas written, files stamped)."""
    stamped = stamp(root)
    return write_schemas(root), stamped
