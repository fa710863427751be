"""The last good ruleset, kept on disk so that it survives a restart when the rule folders are broken.

A snapshot is a copy of the exact rule, knowledge and rule-test files of a ruleset that served:
``STATE/snapshots/<version>/{rules,knowledge,tests}/`` and a pointer ``STATE/last-good.json`` replaced
atomically. A copy whose bytes no longer match the version that was loaded (a file edited while it was
copied) is not kept. Several workers may save the same version at once: each writes its own temporary
folder and the first rename wins.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

from .loading import Loaded

KEEP = 3        # snapshots kept besides the one the pointer names


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def save(state_dir: str | Path, loaded: Loaded) -> bool:
    """Keep ``loaded``'s files as the last good ruleset; False (nothing raised) when it cannot."""
    state = Path(state_dir)
    tmp: Path | None = None
    try:
        target = state / "snapshots" / loaded.version
        if not target.is_dir():
            (state / "snapshots").mkdir(parents=True, exist_ok=True)
            tmp = state / "snapshots" / f".{loaded.version}.{os.getpid()}.{os.urandom(4).hex()}"
            digests = {}
            for label, folder, suffixes in (("rules", loaded.rules_dir, (".yaml", ".yml")),
                                            ("knowledge", loaded.knowledge_dir, (".yaml", ".yml")),
                                            ("tests", loaded.tests_dir, (".yaml", ".yml", ".json"))):
                if folder is None:
                    continue
                for path in _files(Path(folder), suffixes):
                    rel = path.relative_to(folder).as_posix()
                    data = path.read_bytes()
                    dest = tmp / label / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data)
                    if label != "tests":
                        digests[f"{label}/{rel}"] = hashlib.sha256(data).hexdigest()
            if digests != loaded.engine.ruleset.file_digests:
                return False        # edited while copied: not the ruleset that passed
            try:
                os.rename(tmp, target)
                tmp = None
            except OSError:
                if not target.is_dir():
                    raise
        pointer = {"version": loaded.version, "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                   "tests": loaded.tests_dir is not None}
        part = state / f".last-good.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        part.write_text(json.dumps(pointer), encoding="utf-8")
        os.replace(part, state / "last-good.json")
        _prune(state / "snapshots", keep=loaded.version)
        return True
    except Exception:
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(folder: Path, keep: str) -> None:
    dirs = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in dirs[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def last_good(state_dir: str | Path) -> tuple[Path, Path, Path | None] | None:
    """(rules, knowledge, tests or None) of the last good snapshot, or None when there is none."""
    state = Path(state_dir)
    try:
        pointer = json.loads((state / "last-good.json").read_text(encoding="utf-8"))
        version = str(pointer["version"])
        if not version.isalnum():
            return None
        snap = state / "snapshots" / version
        if not (snap / "rules").is_dir() or not (snap / "knowledge").is_dir():
            return None
        return snap / "rules", snap / "knowledge", (snap / "tests") if pointer.get("tests") else None
    except Exception:
        return None
