"""Quality floors of the narrative reader on the annotated corpus (tests/narratives/*.yaml).

Each floor is what the reader measured on the corpus when the floor was set, less a small margin:
a change that makes the reader worse on a signal fails here (look at `riskengine eval tests/narratives`
for the misses and false hits). Skipped only when the corpus folder is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.eval_corpus import evaluate, load_corpus

CORPUS = Path(__file__).resolve().parent / "narratives"

# signal: (precision floor, recall floor), measured with `riskengine eval tests/narratives`.
FLOORS: dict[str, tuple[float, float]] = {
}


@pytest.fixture(scope="module")
def report(engine):
    if not CORPUS.is_dir():
        pytest.skip("tests/narratives/ is absent")
    items, problems = load_corpus(CORPUS, engine.ruleset.knowledge.signals)
    assert not problems, "\n".join(map(str, problems[:10]))
    return evaluate(engine.scanner, items)


@pytest.mark.parametrize("signal", sorted(FLOORS))
def test_signal_meets_its_floor(report, signal):
    precision_floor, recall_floor = FLOORS[signal]
    score = report.scores.get(signal)
    assert score is not None and score.support, f"{signal}: no annotated item shows it any more"
    assert (score.precision or 0.0) >= precision_floor, \
        f"{signal}: precision {score.precision:.3f} < {precision_floor} (fp={score.fp})"
    assert score.recall >= recall_floor, f"{signal}: recall {score.recall:.3f} < {recall_floor} (fn={score.fn})"


def test_no_action_of_the_firm_is_read_as_the_complainants_threat(report):
    """A collector's or agent's threat against the complainant never raises the complainant's threats."""
    wrong = [f for f in report.false_hits
             if f["signal"] in ("threatens_lawsuit", "threatens_media", "threatens_violence") and f["actor"] == "firm"]
    assert not wrong, wrong[:3]
