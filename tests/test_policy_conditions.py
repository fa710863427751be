"""The policy's compiled conditions (riskengine/decide/policy_conditions.py) against the condition trees
they were compiled from, on the golden cases and generated ones: channel eligibility and which answer
deadlines apply must be the same whichever way they are evaluated."""
import pickle

from riskengine.language.tree import evaluate
from riskengine.testing.generate import generate_cases
from riskengine.testing.ruletest import collect, load_test
from tests.conftest import ROOT


def _states(engine):
    golden = [load_test(p)[1] for p in collect([ROOT / "tests" / "cases"])]
    for data in golden + generate_cases(300, seed=23, knowledge=engine):
        state, _hits = engine.state(engine.parse_case(data))
        yield state, engine.fast.evaluate(state, matched=False)


def test_compiled_policy_conditions_equal_the_trees(engine):
    k = engine.ruleset.knowledge
    conditions = engine.ruleset.policy_conditions
    answer = [d for d in k.deadlines.values() if d.kind == "answer"]
    assert sum(len(items) for items in conditions.answer_deadlines.values()) == len(answer)
    for jurisdiction, items in conditions.answer_deadlines.items():   # by id: the order ties are broken in
        assert [d.id for d, _test in items] == sorted(d.id for d in answer if d.jurisdiction == jurisdiction)
    outcomes = {True: 0, False: 0}
    for state, ev in _states(engine):
        for cid, ch in k.channels.items():
            test = conditions.eligible[cid]
            assert (test is None) == (ch.eligible_when is None)
            if test is not None:
                want = evaluate(ch.eligible_when, state.facts, state.signals, ev.findings)
                assert bool(test(state.facts, state.signals, ev.findings)) == want, (cid, state.facts["id"])
                outcomes[want] += 1
        for items in conditions.answer_deadlines.values():
            for d, test in items:
                assert (test is None) == (d.applies_when is None)
                if test is not None:
                    want = evaluate(d.applies_when, state.facts, state.signals, ev.findings)
                    assert bool(test(state.facts, state.signals, ev.findings)) == want, (d.id, state.facts["id"])
                    outcomes[want] += 1
    assert outcomes[True] and outcomes[False]   # both answers were met, so the comparison meant something


def test_a_pickled_ruleset_compiles_its_own_conditions(engine):
    """Spawned pool workers get the ruleset pickled: the compiled closures stay behind."""
    rs = engine.ruleset
    assert rs.policy_conditions is rs.policy_conditions   # compiled once, then kept
    copy = pickle.loads(pickle.dumps(rs))
    assert "policy_conditions" not in copy.__dict__
    assert set(copy.policy_conditions.eligible) == set(rs.policy_conditions.eligible)
