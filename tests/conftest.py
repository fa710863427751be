from __future__ import annotations

from pathlib import Path

import pytest

from riskengine import load_engine

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture(autouse=True, scope="session")
def _ruleset_cache(tmp_path_factory):
    """The suite's ruleset cache lives in a temporary folder, never in the user's home (and its hits are
    exercised by every test that loads a ruleset twice)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("RISKENGINE_CACHE_DIR", str(tmp_path_factory.mktemp("rulecache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def mini_engine():
    return load_engine(MINI / "rules", MINI / "knowledge")


@pytest.fixture(scope="session")
def engine():
    return load_engine()


def base_case(**over) -> dict:
    case = {
        "id": "T-1", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
        "category": "claim_denial",
    }
    case.update(over)
    return case


@pytest.fixture
def make_case():
    return base_case
