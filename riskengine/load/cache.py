"""A cache of validated rulesets, so that loading unchanged rule and knowledge files is cheap.

What is cached is *data*, never code: one JSON file per ruleset holding, in load order, every entry's
validated model as plain data (load/model_codec.py: its fields, with tags naming the contract classes),
the file and line it came from, and the warnings the validator found. A cache hit re-reads and re-hashes
every file, skips YAML parsing, the cross-reference checks of validate.py and validation, and builds the
same models back, so the rules, knowledge, sources, warnings and ``version`` are those of a full load.
The SHA-256 of the body in each file's header refuses a damaged or edited file.

The key is a SHA-256 over every file's relative path, displayed path and content digest, the
riskengine version, a fingerprint of the package's source files, the pydantic/PyYAML/Python versions
and :data:`FORMAT`: an edited file, an upgrade or a new format is always a miss. Only rulesets with no
errors are stored. ``Ruleset.located`` (YAML line/column marks, needed only for messages) is rebuilt
lazily by re-parsing a file the first time it is asked for.

Anything wrong with the cache (missing, corrupt, truncated, unwritable, read-only home) is ignored:
the caller does the normal full load. Location: ``$RISKENGINE_CACHE_DIR``, else
``$XDG_CACHE_HOME/riskengine``, else ``~/.cache/riskengine``; ``RISKENGINE_NO_CACHE=1`` disables it.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

FORMAT = 4                  # 4: entries are models' data (model_codec), not raw YAML values
MAX_ENTRIES = 16            # cache files kept per directory (least recently used are removed)
_NAME_LEN = 32              # hex characters of the key used as the file name

_PACKAGE = Path(__file__).resolve().parent.parent   # the riskengine package
# Every fault of the cache is survivable (the caller does a full load) and goes here, never to the user's
# screen: `logging.getLogger("riskengine.load.cache").setLevel(logging.DEBUG)` shows why a load missed.
log = logging.getLogger("riskengine.load.cache")


def enabled() -> bool:
    return os.environ.get("RISKENGINE_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path | None:
    """Where cache files live, or None when it cannot be determined (never raises)."""
    try:
        explicit = os.environ.get("RISKENGINE_CACHE_DIR")
        if explicit:
            return Path(explicit)
        xdg = os.environ.get("XDG_CACHE_HOME")
        if xdg and os.path.isabs(xdg):
            return Path(xdg) / "riskengine"
        return Path.home() / ".cache" / "riskengine"
    except Exception as exc:       # no home directory, odd environment
        log.debug("%s", exc, exc_info=True)
        return None


# --------------------------------------------------------------------------------------------- key
def _code_fingerprint() -> str:
    """Name, size and mtime of the package's modules. A development checkout keeps its version number while
    the code changes; taken at import, so a process that keeps running old code keeps the old fingerprint."""
    try:
        h = hashlib.sha256()
        for path in sorted(_PACKAGE.rglob("*.py")):   # every subpackage too
            st = path.stat()
            h.update(f"{path.relative_to(_PACKAGE).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return h.hexdigest()
    except Exception as exc:
        log.debug("%s", exc, exc_info=True)
        return "unknown-" + os.urandom(8).hex()     # never matches anything stored


_CODE_FINGERPRINT = _code_fingerprint()
_ENV_FINGERPRINT: str | None = None


def _package_version() -> str:
    try:
        from importlib.metadata import version
        return version("riskengine")
    except Exception as exc:
        log.debug("%s", exc, exc_info=True)
        return "unknown"


def _env_fingerprint() -> str:
    """Everything besides the files that could change what a load produces (computed once per process)."""
    global _ENV_FINGERPRINT
    if _ENV_FINGERPRINT is None:
        import pydantic
        import yaml
        h = hashlib.sha256()
        parts = [f"format={FORMAT}", f"riskengine={_package_version()}", f"code={_CODE_FINGERPRINT}",
                 f"pydantic={pydantic.VERSION}", f"pyyaml={yaml.__version__}",
                 f"libyaml={getattr(yaml, '__with_libyaml__', False)}", f"python={sys.version}"]
        for part in parts:
            h.update(part.encode() + b"\n")
        _ENV_FINGERPRINT = h.hexdigest()
    return _ENV_FINGERPRINT


def ruleset_key(files: list[tuple[str, str, str]]) -> str:
    """Key over (relative path, displayed path, sha256 of bytes) of every file, plus the environment."""
    h = hashlib.sha256(_env_fingerprint().encode())
    for rel, shown, digest in sorted(files):
        h.update(f"{rel}\0{shown}\0{digest}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# ------------------------------------------------------------------------------------------ read
def load(key: str) -> dict | None:
    """The payload stored under ``key``, or None (missing, corrupt, other key, other format)."""
    if not enabled():
        return None
    try:
        folder = cache_dir()
        if folder is None:
            return None
        path = folder / f"{key[:_NAME_LEN]}.json"
        data = path.read_bytes()
        head, sep, body = data.partition(b"\n")
        if not sep:
            return None
        header = json.loads(head)
        if (not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key
                or header.get("length") != len(body) or header.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        payload = json.loads(body)
        if not isinstance(payload, dict):
            return None
        try:
            os.utime(path)      # least recently *used* is what gets pruned
        except OSError:
            pass
        return payload
    except Exception as exc:
        log.debug("%s", exc, exc_info=True)
        return None


# ----------------------------------------------------------------------------------------- write
def store(key: str, payload: dict, *, check: bool = True) -> bool:
    """Write ``payload`` atomically under ``key``; False (and nothing raised) when it cannot be.

    With ``check``, the JSON is read back and must equal ``payload`` types included, else nothing is
    written (callers that built ``payload`` with :func:`encode` know it is exact and may skip this).
    """
    if not enabled():
        return False
    tmp: Path | None = None
    try:
        folder = cache_dir()
        if folder is None:
            return False
        body = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        if check and not same(json.loads(body), payload):
            return False            # something JSON cannot carry exactly: do not cache
        header = json.dumps({"format": FORMAT, "key": key, "length": len(body),
                             "sha256": hashlib.sha256(body).hexdigest()}).encode("ascii")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{key[:_NAME_LEN]}.json"
        tmp = folder / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + b"\n" + body)
        os.replace(tmp, folder / name)
        tmp = None
        _prune(folder)
        return True
    except Exception as exc:
        log.debug("%s", exc, exc_info=True)
        return False
    finally:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass


def _prune(folder: Path) -> None:
    entries = []
    for path in folder.glob("*.json"):
        stem = path.stem
        if len(stem) == _NAME_LEN and all(c in "0123456789abcdef" for c in stem):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                pass
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        try:
            path.unlink()
        except OSError:
            pass


def same(a: Any, b: Any) -> bool:
    """Equal *and* of the same types all the way down (1 vs 1.0 vs True, int keys turned into strings)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(type(k) is str and same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, datetime.date):     # date or datetime: also the same offset, not just the same instant
        return a == b and a.isoformat() == b.isoformat()
    return a == b


# YAML values JSON has no type for (``effective: 2024-07-01`` is a date): written as ISO strings, with
# the paths where they sit listed beside the value, so that reading needs no per-object hook.
_DECODERS: dict[str, Callable[[str], Any]] = {"date": datetime.date.fromisoformat,
                                              "datetime": datetime.datetime.fromisoformat}


_SCALARS = (str, int, float, bool, type(None))


def encode(value: Any) -> tuple[Any, list]:
    """(JSON-ready copy of a YAML value, [[path, type name], ...] of the dates in it).

    Raises TypeError for anything JSON would not give back exactly (non-string keys, sets, bytes ...);
    ``json.dumps(..., allow_nan=False)`` refuses NaN and infinities.
    """
    patches: list = []

    def go(v: Any, path: list) -> Any:
        t = type(v)
        if t is dict:
            out = {}
            for k, x in v.items():
                if type(k) is not str:
                    raise TypeError(f"non-string key {k!r}")
                out[k] = go(x, path + [k])
            return out
        if t is list:
            return [go(x, path + [i]) for i, x in enumerate(v)]
        if t is datetime.datetime or t is datetime.date:
            patches.append([path, t.__name__])
            return v.isoformat()
        if t not in _SCALARS:
            raise TypeError(f"cannot store a {t.__name__}")
        return v
    return go(value, []), patches


def decode(value: Any, patches: list) -> Any:
    """Undo :func:`encode` (in place where it can)."""
    for path, kind in patches:
        convert = _DECODERS[kind]
        if not path:
            value = convert(value)
            continue
        node = value
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = convert(node[path[-1]])
    return value


# ---------------------------------------------------------------------------------- lazy located
class LazyLocated(dict):
    """``Ruleset.located`` for a ruleset read from the cache: filled by ``build()`` on first use."""

    def __init__(self, *args, build: Callable[[], dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)       # positional/keyword use is that of dict (copies, asdict)
        self._build: Callable[[], dict] | None = build

    def _fill(self) -> None:
        if self._build is not None:
            build, self._build = self._build, None
            dict.update(self, build())

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def __eq__(self, other) -> bool:
        self._fill()
        if isinstance(other, LazyLocated):
            other._fill()
        return dict.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = None     # type: ignore[assignment]

    def __repr__(self) -> str:
        self._fill()
        return dict.__repr__(self)

    def __reduce__(self):
        self._fill()
        return (dict, (dict(self.items()),))

    def get(self, key, default=None):
        self._fill()
        return dict.get(self, key, default)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def copy(self) -> dict:
        self._fill()
        return dict(dict.items(self))
