"""Every review-board case (tests/review_board, issue 14) passes with the shipped rules.

The set is the published-case benchmark an expert signed; once a case passes it must not fail again.
KNOWN_FAILURES lists a case that is allowed to fail, with the reason; all pass now,
and a listed case that starts passing must be taken off the list, so the count can only go up.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.testing.ruletest import collect, run_test

BOARD = Path(__file__).parent / "review_board"
FILES = collect([BOARD])

# file stem -> why it may still fail
KNOWN_FAILURES: dict[str, str] = {}


def test_the_board_is_all_there_and_the_known_failures_name_real_files():
    assert len(FILES) >= 67
    stems = {f.stem for f in FILES}
    assert set(KNOWN_FAILURES) <= stems, set(KNOWN_FAILURES) - stems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_review_board_case_passes(engine, path):
    result = run_test(engine, path)
    assert result.error is None, result.error
    if path.stem in KNOWN_FAILURES:
        assert result.failures, (f"{path.stem} passes now: take it off KNOWN_FAILURES "
                                 f"({KNOWN_FAILURES[path.stem]})")
        return
    assert result.failures == [], "\n".join(result.failures)
