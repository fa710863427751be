"""Read YAML as data (``yaml.SafeLoader`` only) while remembering the line and column of every node.

Rule and knowledge files are written by people who are not programmers, so every later error has to
point back at the line they wrote. Anchors and aliases are refused: they are never needed in these
files and are the vector of "billion laughs" inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from riskengine.errors import Problem, shown

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 64          # nesting of mappings and lists; the shipped files need about a dozen
MAX_NODES = 200_000     # values in one file; the largest shipped file has about ten thousand
# libyaml's safe loader when PyYAML was built with it (about 10x faster); same safe semantics and marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader, with a located error (instead of a ValueError from deep inside PyYAML) for a
    scalar that looks like a date, an integer or a number but is not one: 2024-02-30, month 13, an
    integer of more digits than Python converts."""


def _checked(construct):
    def wrapper(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            what = {"timestamp": "date", "int": "integer", "float": "number"}.get(node.tag.rsplit(":", 1)[-1], "value")
            detail = "too many digits" if "digits" in str(exc) else str(exc)
            raise yaml.constructor.ConstructorError(
                None, None, f"'{shown(node.value, 40)}' is not a valid {what} ({detail})", node.start_mark) from None
    return wrapper


for _tag, _method in (("timestamp", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
                      ("int", yaml.constructor.SafeConstructor.construct_yaml_int),
                      ("float", yaml.constructor.SafeConstructor.construct_yaml_float)):
    _SafeLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _checked(_method))


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
    _count_nodes(text, file)
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {(): (1, 1)}, file)
        marks: dict[tuple, tuple[int, int]] = {}
        _walk(node, (), marks, set(), file, [0])
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSourceError(Problem(file, line, col, "RE001", str(exc.problem or "invalid value"),
                                      "write dates as YYYY-MM-DD with a real day and month, and numbers "
                                      "of at most a few digits")) from None
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


def _count_nodes(text: str, file: str) -> None:
    """Refuse a file of more than ``MAX_NODES`` values before building them (a 5 MB list of a million
    one-letter items would take a gigabyte as nodes). Only files with that many separators are scanned,
    as a stream of parser events that stops at the limit."""
    rough = sum(text.count(c) for c in ",\n-:[{")
    if rough < MAX_NODES // 2:
        return
    loader = _BaseLoader(text)
    nodes = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    mark = event.start_mark
                    raise YamlSourceError(Problem(file, mark.line + 1, mark.column + 1, "RE015",
                                                  f"more than {MAX_NODES:,} values in one file",
                                                  "no case, rule or knowledge file needs that many; split it"))
    except yaml.YAMLError:
        return   # the full parse reports it, with its location
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: tuple, marks: dict, seen: set, file: str, count: list) -> None:
    if len(path) > MAX_DEPTH:
        raise YamlSourceError(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1, "RE014",
                                      f"nested more than {MAX_DEPTH} levels deep",
                                      "these files never need more than a few levels"))
    count[0] += 1
    if count[0] > MAX_NODES:
        raise YamlSourceError(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1, "RE015",
                                      f"more than {MAX_NODES:,} values in one file", "split the file"))
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
                                              "RE001", f"key '{shown(key)}' appears twice in the same mapping",
                                              "remove or merge one of them"))
            keys.add(key)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, path + (key,), marks, seen, file, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _walk(child, path + (i,), marks, seen, file, count)
