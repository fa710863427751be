"""Catastrophic-backtracking patterns: Python's re against the linear-time engine (riskengine.language.saferegex).

    python3 -m uv run python bench/hostile_patterns.py

Run by hand; never asserted in tests. re is given short texts (it doubles its time per extra character
on the first two patterns); RE2 is given 100,000 characters.
"""
from __future__ import annotations

import re
import time

from riskengine.language.saferegex import compile_linear

PATTERNS = ["(a|a)*b", "(a+)+$", ".*.*.*.*.*.*=", "(x+x+)+y"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    for pattern in PATTERNS:
        py = re.compile(pattern)
        linear = compile_linear(pattern, ignorecase=False)
        tail = "!" if "$" in pattern else ""
        short = {n: timed(lambda n=n: py.search(("x" if "x" in pattern else "a") * n + tail)) for n in (18, 20, 22)}
        big = ("x" if "x" in pattern else "a") * 100_000 + tail
        linear_s = timed(lambda: linear.search(big))
        print(f"{pattern:18} re: " + ", ".join(f"{n} chars {s * 1000:,.0f} ms" for n, s in short.items())
              + f" | RE2: 100,000 chars {linear_s * 1000:,.1f} ms")


if __name__ == "__main__":
    main()
