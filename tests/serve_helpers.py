"""Shared by the serve tests: a mini ruleset in a temporary folder that tests can edit, and waiting."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

MINI_CASE = {"id": "M-1", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
             "category": "claim_denial"}

ROUTINE = "    then:\n      strategy: routine\n"


def mini_copy(root: Path, expect_strategy: str | list[str] = "routine") -> Path:
    """rules/, knowledge/ and tests/ (one rule test on MINI_CASE) under ``root``."""
    shutil.copytree(MINI / "rules", root / "rules")
    shutil.copytree(MINI / "knowledge", root / "knowledge")
    (root / "tests").mkdir()
    want = expect_strategy if isinstance(expect_strategy, str) else "{in: [" + ", ".join(expect_strategy) + "]}"
    (root / "tests" / "routine.yaml").write_text(
        "name: a plain case gets the routine strategy\n"
        "case: {id: M-1, received: 2025-03-20, industry: insurance, channel: hotline, category: claim_denial}\n"
        f"expect:\n  strategy.id: {want}\n", encoding="utf-8")
    return root


def set_routine_strategy(root: Path, strategy: str) -> None:
    """Make the ROUTINE rule recommend ``strategy`` (a valid edit that changes the answer)."""
    path = root / "rules" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: ROUTINE")
    head, tail = text[:start], text[start:]
    old = tail[tail.index("      strategy: "):].split("\n", 1)[0]
    path.write_text(head + tail.replace(old, f"      strategy: {strategy}", 1), encoding="utf-8")


def break_rules(root: Path) -> None:
    (root / "rules" / "broken.yaml").write_text("rules:\n  - id: BROKEN\n    when: {field: [unclosed\n",
                                                encoding="utf-8")


def wait_ready(client, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError("the service did not become ready")
