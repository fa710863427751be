"""Read YAML as data (``yaml.SafeLoader`` only) while remembering the line and column of every node.

Rule and knowledge files are written by people who are not programmers, so every later error has to
point back at the line they wrote. Anchors and aliases are refused: they are never needed in these
files and are the vector of "billion laughs" inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .errors import Problem

MAX_FILE_BYTES = 5_000_000
# libyaml's safe loader when PyYAML was built with it (about 10x faster); same safe semantics and marks.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Located:
    """Parsed data plus ``marks``: path tuple -> (line, column), both 1-based."""
    data: Any
    marks: dict[tuple, tuple[int, int]]
    file: str

    def where(self, path: tuple) -> tuple[int, int]:
        """The mark of the deepest recorded prefix of ``path``."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark:
                return mark
        return (1, 1)

    def problem(self, path: tuple, code: str, message: str, hint: str = "", severity: str = "error") -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, code, message, hint, severity)


class YamlSourceError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse_yaml(text: str, file: str) -> Located:
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise YamlSourceError(Problem(file, 1, 1, "RE002", f"file is larger than {MAX_FILE_BYTES} bytes"))
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {(): (1, 1)}, file)
        marks: dict[tuple, tuple[int, int]] = {}
        _walk(node, (), marks, set(), file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlSourceError(Problem(file, line, col, "RE001", f"YAML syntax: {what}",
                                      "check indentation, colons and quotes on this line")) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(Problem(file, 1, 1, "RE001", f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise YamlSourceError(Problem(file, 1, 1, "RE001", "YAML nesting is too deep",
                                      "these files never need more than a few levels")) from None
    finally:
        loader.dispose()
    return Located(data, marks, file)


def _walk(node: yaml.Node, path: tuple, marks: dict, seen: set, file: str) -> None:
    if id(node) in seen:
        raise YamlSourceError(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1, "RE001",
                                      "YAML anchors and aliases (&, *) are not allowed in these files",
                                      "write the value out in full"))
    seen.add(id(node))
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        keys: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            if key in keys:
                raise YamlSourceError(Problem(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                              "RE001", f"key '{key}' appears twice in the same mapping",
                                              "remove or merge one of them"))
            keys.add(key)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, path + (key,), marks, seen, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _walk(child, path + (i,), marks, seen, file)
