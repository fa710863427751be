"""The entries of a ruleset folder as written (raw YAML, file, line), and rewriting a file entry by entry.

Rewriting keeps everything it can of the file as a person wrote it: the leading comment block and the
top-level key line, every entry that did not change (byte for byte, with the comments between entries),
and the comment lines that follow a changed or removed entry. Only a changed entry is written anew.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskengine.load.yaml_source import Located, YamlSourceError, parse_yaml


@dataclass
class SourceFile:
    label: str          # "rules/agent.yaml", "knowledge/channels.yaml"
    path: Path
    text: str
    kind: str           # the top-level key: "rules", "channels", "scoring" ...
    located: Located | None
    entries: list[Any] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)     # 1-based line of each entry

    @property
    def list_shaped(self) -> bool:
        return self.kind != "scoring"


def read_file(path: Path, label: str) -> SourceFile | None:
    """The file's entries, or None when it is not readable YAML of one top-level key (the loader says why)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse_source(text, label, path)


def parse_source(text: str, label: str, path: Path) -> SourceFile | None:
    try:
        located = parse_yaml(text, label)
    except YamlSourceError:
        return None
    data = located.data
    if not isinstance(data, dict) or len(data) != 1:
        return None
    kind = str(next(iter(data)))
    body = data[kind]
    src = SourceFile(label, path, text, kind, located)
    if kind == "scoring":
        src.entries = [body] if isinstance(body, dict) else []
    elif isinstance(body, list):
        src.entries = list(body)
        src.starts = [located.where((kind, i))[0] for i in range(len(body))]
    else:
        return None
    return src


def read_folder(rules_dir: Path, knowledge_dir: Path) -> list[SourceFile]:
    out = []
    for folder, label in ((knowledge_dir, "knowledge"), (rules_dir, "rules")):
        for path in sorted(p for p in Path(folder).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
            src = read_file(path, f"{label}/{path.relative_to(folder).as_posix()}")
            if src is not None:
                out.append(src)
    return out


# --------------------------------------------------------------------------------------- writing
class _Dumper(yaml.SafeDumper):
    """Lists inside mappings indented as in the shipped files (``key:\\n  - item``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    """A short list of plain values on one line (``[a, b]``), as people write them; others as blocks."""
    short = all(isinstance(i, (str, int, float, bool)) and "\n" not in str(i) for i in items) \
        and sum(len(str(i)) + 2 for i in items) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=short and bool(items))


_Dumper.add_representer(list, _list)


def dump_entry(raw: dict, indent: int) -> str:
    text = yaml.dump([raw], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, indent=2,
                     default_flow_style=False)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _trailing_comments(block: list[str]) -> list[str]:
    """The blank and comment-only lines that end an entry's block (they belong to what follows)."""
    i = len(block)
    while i > 0 and (not block[i - 1].strip() or block[i - 1].lstrip().startswith("#")):
        i -= 1
    return block[i:]


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def render_list_file(src: SourceFile, ops: dict[int, Any], adds: list[dict], kind: str) -> str:
    """The new text of a list-shaped file. ``ops``: entry index -> None (keep as written) or the new raw
    entry; an index absent from ``ops`` is removed; ``adds`` are appended in order."""
    lines = src.text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if not src.starts:
        return _fresh(lines, kind, adds)
    bounds = src.starts + [len(lines) + 1]
    blocks = [lines[bounds[i] - 1:bounds[i + 1] - 1] for i in range(len(src.starts))]
    indent = _indent_of(blocks[0][0]) if blocks[0] else 2
    spaced = any(len(b) > 1 and not b[-1].strip() for b in blocks[:-1])
    out = lines[:src.starts[0] - 1]
    for i, block in enumerate(blocks):
        if i not in ops:
            out.extend(_trailing_comments(block))
        elif ops[i] is None:
            out.extend(block)
        else:
            out.append(dump_entry(ops[i], indent))
            out.extend(_trailing_comments(block))
    for raw in adds:
        if spaced and out and out[-1].strip():
            out.append("\n")
        out.append(dump_entry(raw, indent))
    return "".join(out)


def _fresh(lines: list[str], kind: str, entries: list[dict]) -> str:
    """A file whose list was empty (``kind: []``) or new: its leading comments, then the entries."""
    header = []
    for line in lines:
        if line.startswith(f"{kind}:"):
            break
        header.append(line)
    body = f"{kind}:\n" + ("".join("\n" + dump_entry(e, 2) for e in entries) if entries else " []\n")
    return "".join(header) + body


_SCALAR_LINE = re.compile(r"^(\s*[\w\-]+:\s*)([^#\s][^#]*?)(\s*(#.*)?)$")


def render_scoring(src: SourceFile, new: dict) -> str:
    """Scoring is one mapping: changed numbers are replaced in place (keeping the comment after them)."""
    old = src.entries[0] if src.entries else {}
    lines = src.text.splitlines(keepends=True)

    def paths(d: dict, base: tuple = ()) -> dict[tuple, Any]:
        out = {}
        for k, v in d.items():
            out.update(paths(v, base + (k,)) if isinstance(v, dict) else {base + (k,): v})
        return out

    old_paths, new_paths = paths(old), paths(new)
    if set(old_paths) == set(new_paths) and src.located is not None:
        for p, v in new_paths.items():
            if old_paths[p] == v:
                continue
            line_no = src.located.marks.get(("scoring",) + p, (0, 0))[0]
            m = _SCALAR_LINE.match(lines[line_no - 1].rstrip("\n")) if line_no else None
            if not m:
                break
            lines[line_no - 1] = m.group(1) + yaml.safe_dump(v).split("\n")[0] + m.group(3) + "\n"
        else:
            return "".join(lines)
    header = []
    for line in lines:
        if line.startswith("scoring:"):
            break
        header.append(line)
    return "".join(header) + yaml.dump({"scoring": new}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                       default_flow_style=False)
