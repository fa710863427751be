"""A long-running process (the service) reloads its rules many times: nothing may keep old rulesets
alive, and no cache may grow with each reload."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

from riskengine import load_engine

from conftest import MINI, base_case


def _reload_and_assess(n: int) -> list[weakref.ref]:
    refs = []
    for i in range(n):
        engine = load_engine(MINI / "rules", MINI / "knowledge")
        engine.assess(base_case(id=f"R-{i}", signals=["threatens_media"]), engine="compiled", missing_facts=False)
        engine.assess(base_case(id=f"R-{i}", signals=["threatens_media"]), engine="experta", missing_facts=False)
        refs.append(weakref.ref(engine.ruleset))
        del engine
    return refs


def test_fifty_reloads_keep_no_old_ruleset_alive():
    refs = _reload_and_assess(50)
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert not alive, f"{len(alive)} of 50 reloaded rulesets are still referenced"


def test_fifty_reloads_keep_memory_flat():
    _reload_and_assess(5)   # warm: imports, pydantic validators, first caches
    gc.collect()
    tracemalloc.start()
    try:
        _reload_and_assess(10)
        gc.collect()
        after_10, _ = tracemalloc.get_traced_memory()
        _reload_and_assess(40)
        gc.collect()
        after_50, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Forty more reloads may not cost more than a small fraction of one ruleset (~1 MB for the mini one).
    assert after_50 - after_10 < 200_000, f"memory grew by {after_50 - after_10} bytes over 40 reloads"


def test_fifty_reloads_keep_experta_check_caches_flat():
    from experta.matchers.rete.check import FeatureCheck, WhereCheck
    _reload_and_assess(2)
    sizes = len(FeatureCheck._instances), len(WhereCheck._instances)
    _reload_and_assess(50)
    assert (len(FeatureCheck._instances), len(WhereCheck._instances)) == sizes
