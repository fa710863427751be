"""Read case files: YAML or JSON (one case), JSON Lines (one case per line)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import yaml

from riskengine.errors import CaseError
from riskengine.load.yaml_source import MAX_FILE_BYTES, YamlSourceError, parse_yaml

MAX_CASE_FILE_BYTES = MAX_FILE_BYTES
MAX_LINE_BYTES = MAX_CASE_FILE_BYTES   # one line of JSON Lines holds one case


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows; write a finite number")


def loads_strict(text: str | bytes):
    """``json.loads`` without the NaN, Infinity and -Infinity that Python accepts but JSON does not."""
    return json.loads(text, parse_constant=_refuse_constant)


def _json_value_error(exc: ValueError) -> str:
    if "digits" in str(exc):
        return "a number has more digits than allowed (at most 4300)"
    return str(exc)


MAX_JSON_DEPTH = 32   # a case is three levels deep; deeper input is refused before it travels to a worker


def too_deep(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels (iterative: no recursion)."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return False


def read_case_file(path: str | Path) -> dict[str, Any]:
    """One case from a .yaml/.yml/.json file, as a raw dict (validated later by the engine)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:   # read at most one byte over the limit: a device or a pipe never ends
            raw = fh.read(MAX_CASE_FILE_BYTES + 1)
        if len(raw) > MAX_CASE_FILE_BYTES:
            raise CaseError(f"file is larger than {MAX_CASE_FILE_BYTES} bytes", str(p), "RE203")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"cannot read case file: {exc}", str(p), "RE203") from None
    if p.suffix == ".json":
        try:
            data = loads_strict(text)
        except json.JSONDecodeError as exc:
            raise CaseError(f"invalid JSON: {exc.msg}", f"{p}:{exc.lineno}:{exc.colno}", "RE203") from None
        except RecursionError:
            raise CaseError("JSON nesting is too deep", str(p), "RE203") from None
        except ValueError as exc:
            raise CaseError(f"invalid JSON: {_json_value_error(exc)}", str(p), "RE203") from None
    else:
        try:
            data = parse_yaml(text, str(p)).data
        except YamlSourceError as exc:
            pr = exc.problem
            raise CaseError(pr.message, f"{pr.file}:{pr.line}:{pr.column}", "RE203") from None
    if not isinstance(data, dict):
        raise CaseError("a case file must hold one mapping of fields (id, received, industry, ...)", str(p), "RE203")
    if too_deep(data):
        raise CaseError(f"nested more than {MAX_JSON_DEPTH} levels deep; a case needs three", str(p), "RE014")
    return data


def _openings(line: str | bytes) -> int:
    """How many ``{`` and ``[`` the line holds: every level of nesting opens with one of them (those inside
    strings only add to the count), so a line with at most ``MAX_JSON_DEPTH`` of them cannot be too deep
    and its parsed value need not be walked."""
    if isinstance(line, bytes):
        return line.count(b"{") + line.count(b"[")
    return line.count("{") + line.count("[")


def parse_json_line(line: str | bytes, location: str) -> dict | CaseError:
    """One JSON object from one line of untrusted input, or the error for it (with the column where the
    JSON breaks). Never raises, so one bad line never stops the lines after it."""
    try:
        data = loads_strict(line)
    except json.JSONDecodeError as exc:
        return CaseError(f"invalid JSON: {exc.msg}", f"{location}:{exc.colno}", "RE203")
    except RecursionError:
        return CaseError("JSON nesting is too deep", location, "RE203")
    except ValueError as exc:
        return CaseError(f"invalid JSON: {_json_value_error(exc)}", location, "RE203")
    if not isinstance(data, dict):
        return CaseError("each line must be one JSON object", location, "RE203")
    if _openings(line) > MAX_JSON_DEPTH and too_deep(data):
        return CaseError(f"nested more than {MAX_JSON_DEPTH} levels deep; a case needs three", location, "RE014")
    return data


def iter_lines(fh) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a JSON Lines file opened in binary mode. Lines end at ``\n`` only: a
    lone ``\r`` is whitespace inside a JSON line, where text mode would cut the line in two. Bytes
    that are not UTF-8 are replaced; a byte-order mark at the start is dropped. A line longer than
    ``MAX_LINE_BYTES`` comes as ``None``, read past in pieces, never held whole."""
    lineno = 0
    while raw := fh.readline(MAX_LINE_BYTES + 1):
        lineno += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(MAX_LINE_BYTES + 1)
            yield lineno, None
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield lineno, raw.decode("utf-8", "replace")


def json_lines(fh, shown: str) -> Iterator[tuple[int, dict | CaseError]]:
    """(line number, JSON object or the error for that line) for each non-blank line of a JSON Lines
    file opened in binary mode; a bad line never stops the others."""
    for lineno, line in iter_lines(fh):
        if line is None:
            yield lineno, CaseError(f"line is longer than {MAX_LINE_BYTES} bytes", f"{shown}:{lineno}", "RE203")
        elif line.strip():
            yield lineno, parse_json_line(line, f"{shown}:{lineno}")


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict | CaseError]]:
    """(line number, raw case or the error for that line) of a JSON Lines file of cases."""
    with open(path, "rb") as fh:
        yield from json_lines(fh, str(path))


def dump_case_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
