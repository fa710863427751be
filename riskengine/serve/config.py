"""The settings of one service instance (from the command line, or from the environment for workers)."""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

ENV = "RISKENGINE_SERVE_CONFIG"     # how `serve --workers N` hands the settings to each worker process


@dataclass(frozen=True)
class ServeConfig:
    rules: str | None = None            # None: the shipped rules
    knowledge: str | None = None        # None: the shipped knowledge
    tests: str | None = None            # rule tests to pass before a ruleset serves; None: the default below
    state_dir: str | None = None        # where the last good ruleset is kept; None: no snapshot
    log: str | None = None              # decision records (JSON Lines, masked); None: none written
    keys_file: str | None = None        # API keys with scopes; also $RISKENGINE_API_KEYS
    watch: float = 0.0                  # seconds between polls of the rule folders; 0: no polling
    max_body: int = 1_048_576           # bytes of one request body (413 above)
    max_batch_body: int = 16 * 1_048_576
    max_batch_lines: int = 10_000
    timeout: float = 30.0               # seconds a request may compute (503 after)
    load_in_background: bool = True     # ready later (503 until then) rather than listening later
    workers: int = 1
    threads: int = 2                    # threads per process that compute answers
    # After each ruleset swap: collect once, then gc.freeze() what is alive (the ruleset, the framework,
    # the modules), so that the collector's full passes no longer walk it. Process-wide, so only for a
    # process that is the service (the `serve` command); off for an app embedded elsewhere or in tests.
    freeze_heap: bool = False

    def tests_dir(self) -> Path | None:
        """The rule tests that gate a ruleset: --tests, else tests/cases beside the shipped rules when the
        shipped rules are served (a development checkout), else none."""
        if self.tests:
            return Path(self.tests)
        if self.rules is None:
            from riskengine.load.loader import default_dir
            candidate = default_dir("rules").parent / "tests" / "cases"
            return candidate if candidate.is_dir() else None
        return None

    def to_env(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_env(cls) -> "ServeConfig":
        raw = os.environ.get(ENV)
        return cls(**json.loads(raw)) if raw else cls()
