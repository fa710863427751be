"""The one reference to the ruleset that serves, and the ways to replace it.

``RulesetHolder.current`` is an immutable :class:`~riskengine.serve.loading.Loaded`; a reload builds a
new one completely (load → validate → compile → rule tests) beside it and then swaps the reference in
one assignment. Requests in flight keep the one they took. A reload that fails at any step changes
nothing but ``last_reload`` (the service stays ready on the last good ruleset). Reloads run one at a
time; triggers are ``POST /v1/admin/reload``, SIGHUP and, optionally, polling the folders for changes.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import threading
from pathlib import Path
from typing import Callable

from . import snapshot
from .config import ServeConfig
from .loading import LoadFailure, Loaded, build

log = logging.getLogger("riskengine.serve")


def _items(failure: LoadFailure | None) -> list[dict]:
    """The failure as problem items: each ruleset problem with its code and hint, else each reason."""
    from .problems import error_item, ruleset_problem_item
    if failure is None:
        return []
    if failure.problems:
        return [ruleset_problem_item(p) for p in failure.problems]
    return [error_item("", reason, "", None) for reason in failure.reasons]


class RulesetHolder:
    def __init__(self, config: ServeConfig, on_reload: Callable[[str, Loaded | None], None] | None = None):
        self.config = config
        self.current: Loaded | None = None
        self.last_reload: dict = {"result": "pending", "at": None, "trigger": "start", "version": None,
                                  "step": None, "error": None, "reasons": [], "errors": []}
        self._lock = threading.Lock()
        self._on_reload = on_reload or (lambda result, loaded: None)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        # The fingerprint of the files as they were just before the last build (start or any reload,
        # whatever its result): what the poller compares with. Taken before the files are read, so that
        # a change made while they are read, or before the poller's first look, is still a change.
        self.built_from: str | None = None

    @property
    def ready(self) -> bool:
        return self.current is not None

    # -- building -------------------------------------------------------------------------------
    def _build_live(self) -> Loaded:
        c = self.config
        if c.watch > 0:
            self.built_from = self.fingerprint()
        return build(c.rules, c.knowledge, c.tests_dir(), source="files")

    def _record(self, result: str, trigger: str, loaded: Loaded | None, failure: LoadFailure | None) -> dict:
        outcome = {"result": result, "at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                   "trigger": trigger, "version": loaded.version if loaded else None,
                   "step": failure.step if failure else None, "error": str(failure) if failure else None,
                   "reasons": list(failure.reasons) if failure else [], "errors": _items(failure)}
        self.last_reload = outcome
        self._on_reload(result, self.current)
        return outcome

    def _swap(self, loaded: Loaded) -> None:
        self.current = loaded                       # the one assignment that changes what serves
        if self.config.state_dir:
            snapshot.save(self.config.state_dir, loaded)
        self._settle()

    def _settle(self) -> None:
        """With ``freeze_heap``: one full collection (the replaced ruleset's cycles go), then freeze what
        is left. A full pass over a heap holding a ruleset takes 40–300 ms on a 2-core machine, with the
        GIL held, and the request path's garbage triggered one every ~250 requests: that pause was the
        service's p95/p99 (bench/README.md). Frozen, a full pass walks only what requests left behind.
        A replaced ruleset that a request in flight still held is frozen with the rest and let go at
        the next swap (unfreeze, collect)."""
        if self.config.freeze_heap:
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def start(self) -> dict:
        """The first load: the rule folders, or, when they fail, the last good snapshot."""
        with self._lock:
            try:
                loaded = self._build_live()
            except LoadFailure as failure:
                log.error("ruleset refused (%s)", failure)
                saved = snapshot.last_good(self.config.state_dir) if self.config.state_dir else None
                if saved is not None:
                    try:
                        self.current = build(*saved, source="snapshot")
                        self._settle()
                        log.warning("serving the last good ruleset %s from %s", self.current.version,
                                    self.config.state_dir)
                    except LoadFailure as again:
                        log.error("the last good snapshot is refused too (%s)", again)
                return self._record("failure", "start", None, failure)
            self._swap(loaded)
            return self._record("success", "start", loaded, None)

    def reload(self, trigger: str) -> dict:
        """Build from the rule folders and swap it in if every step passes; the outcome either way."""
        with self._lock:
            try:
                loaded = self._build_live()
            except LoadFailure as failure:
                log.error("reload (%s) refused, still serving %s: %s", trigger,
                          self.current.version if self.current else "nothing", failure)
                return self._record("failure", trigger, None, failure)
            self._swap(loaded)
            log.info("reload (%s): now serving %s", trigger, loaded.version)
            return self._record("success", trigger, loaded, None)

    # -- polling --------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """Path, size, mtime, ctime and inode of every file a reload would read (an editor that saves by
        renaming a new file over the old one changes the inode even within one mtime tick)."""
        h = hashlib.sha256()
        c = self.config
        from riskengine.load.loader import default_dir
        folders = [Path(c.rules) if c.rules else default_dir("rules"),
                   Path(c.knowledge) if c.knowledge else default_dir("knowledge")]
        tests = c.tests_dir()
        if tests is not None:
            folders.append(tests)
        for folder in folders:
            try:
                for p in sorted(folder.rglob("*")):
                    if p.is_file():
                        st = p.stat()
                        stamp = f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n"
                        h.update(stamp.encode("utf-8", "surrogatepass"))
            except OSError:
                h.update(f"{folder}\0missing\n".encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def watch(self, interval: float) -> None:
        """Poll the folders every ``interval`` seconds; reload when they differ from what the served
        ruleset was built from and then stay the same for one more interval (an editor saving several
        files).

        The comparison is with :attr:`built_from`, the fingerprint taken before the last build, not with
        the poller's own first look: that first look happens in this thread some time after the load
        (the thread has to be scheduled, the folders walked), and an edit made in between used to become
        the poller's baseline and was never reloaded."""
        def loop() -> None:
            pending = None
            while not self._stop.wait(interval):
                now = self.fingerprint()
                if now == self.built_from:
                    pending = None
                elif now != pending:
                    pending = now                   # changed: wait one more interval for it to settle
                else:
                    pending = None
                    self.reload("watch")            # sets built_from, whatever the result
        self._watcher = threading.Thread(target=loop, name="riskengine-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
