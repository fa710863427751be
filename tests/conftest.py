from __future__ import annotations

import shutil
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


@pytest.fixture()
def knowledge_copy(tmp_path):
    """A copy of the shipped knowledge/ folder that a test may break."""
    dest = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", dest)
    return dest


# Rules that draw the strategy warnings: TIE-A and TIE-B recommend one strategy (a tie), and SHADOWED
# can only fire together with TIE-A, whose strategy outranks its own. SHADOWED's `then` is line 13 of
# a file that starts with `rules:` and these.
STRATEGY_WARNING_RULES = """\
  - id: TIE-A
    description: {zh: a, en: a}
    when: {field: industry, eq: banking}
    then: {strategy: care}
  - id: TIE-B
    description: {zh: b, en: b}
    when: {field: channel, eq: app}
    then: {strategy: care}
  - id: SHADOWED
    description: {zh: s, en: s}
    when: {all: [{field: industry, eq: banking}, {field: channel, eq: visit}]}
    then: {strategy: routine}
"""


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
