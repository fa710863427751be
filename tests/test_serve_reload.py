"""Hot reload of the served ruleset: gated by load, validation, compilation and the ruleset's own rule
tests; swapped atomically under load; a refused ruleset keeps the last good one serving, also across a
restart (the snapshot in --state-dir)."""
from __future__ import annotations

import signal
from pathlib import Path
import threading
import time

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from riskengine.serve import ServeConfig, create_app  # noqa: E402

from serve_helpers import MINI_CASE, break_rules, mini_copy, set_routine_strategy  # noqa: E402


def _config(root, **kw) -> ServeConfig:
    return ServeConfig(rules=str(root / "rules"), knowledge=str(root / "knowledge"), tests=str(root / "tests"),
                       load_in_background=False, **kw)


def test_reload_under_load_swaps_valid_versions_and_refuses_a_broken_one(tmp_path):
    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    app = create_app(_config(root))
    answers: list[tuple[int, str | None, str | None]] = []
    stop = threading.Event()

    def client_loop(c):
        while not stop.is_set():
            r = c.post("/v1/assess", json=MINI_CASE)
            body = r.json()
            answers.append((r.status_code, body.get("version"), (body.get("strategy") or {}).get("id")))

    with TestClient(app) as c:
        v1 = c.get("/readyz").json()["version"]
        senders = [threading.Thread(target=client_loop, args=(c,)) for _ in range(4)]
        for t in senders:
            t.start()
        try:
            time.sleep(0.3)
            set_routine_strategy(root, "settlement")
            ok = c.post("/v1/admin/reload")
            assert ok.status_code == 200, ok.text
            v2 = ok.json()["version"]
            time.sleep(0.3)
            break_rules(root)
            refused = c.post("/v1/admin/reload")
            time.sleep(0.3)
        finally:
            stop.set()
            for t in senders:
                t.join()
        status = c.get("/v1/status").json()
        metrics = c.get("/metrics").text
    assert v1 != v2
    assert answers and all(code == 200 for code, _, _ in answers)
    by_version = {v1: "routine", v2: "settlement"}
    assert all(by_version[version] == strategy for _, version, strategy in answers)   # each answer is whole
    assert {v for _, v, _ in answers} == {v1, v2}
    assert answers[-1][1] == v2                                       # the old good one keeps serving
    body = refused.json()
    assert refused.status_code == 422 and body["type"].endswith("reload-failed")
    assert v2 in body["detail"] and any("broken.yaml" in e["message"] and e["code"] == "RE001"
                                        for e in body["errors"])
    assert status["ready"] and status["version"] == v2
    assert status["last_reload"]["result"] == "failure" and status["last_reload"]["step"] == "load"
    assert 'riskengine_reloads_total{result="failure"} 1.0' in metrics
    assert 'riskengine_reloads_total{result="success"} 2.0' in metrics


def test_a_ruleset_that_fails_its_rule_tests_is_refused(tmp_path):
    root = mini_copy(tmp_path / "rs", expect_strategy="routine")
    with TestClient(create_app(_config(root))) as c:
        v1 = c.get("/readyz").json()["version"]
        set_routine_strategy(root, "settlement")             # valid rules, but the shipped test expects routine
        r = c.post("/v1/admin/reload")
        assert r.status_code == 422 and "test failed" in r.json()["detail"]
        assert any("routine.yaml" in e["message"] for e in r.json()["errors"])
        assert c.post("/v1/assess", json=MINI_CASE).json()["strategy"]["id"] == "routine"
        assert c.get("/v1/status").json()["version"] == v1


def test_the_last_good_ruleset_survives_a_restart_with_broken_files(tmp_path):
    root = mini_copy(tmp_path / "rs")
    state = tmp_path / "state"
    with TestClient(create_app(_config(root, state_dir=str(state)))) as c:
        good = c.get("/readyz").json()["version"]
    break_rules(root)
    with TestClient(create_app(_config(root, state_dir=str(state)))) as c:
        assert c.get("/readyz").json()["version"] == good
        status = c.get("/v1/status").json()
        assert status["source"] == "snapshot" and status["last_reload"]["result"] == "failure"
        assert c.post("/v1/assess", json=MINI_CASE).json()["version"] == good
    with TestClient(create_app(_config(root))) as c:             # without a snapshot: not ready, and says why
        assert c.get("/readyz").status_code == 503
        assert "broken.yaml" in c.get("/v1/status").json()["last_reload"]["error"]


def test_polling_reloads_when_the_rule_files_change(tmp_path):
    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    with TestClient(create_app(_config(root, watch=0.05))) as c:
        set_routine_strategy(root, "settlement")
        end = time.monotonic() + 10
        while c.post("/v1/assess", json=MINI_CASE).json()["strategy"]["id"] != "settlement":
            assert time.monotonic() < end, "the change was not picked up by polling"
            time.sleep(0.05)
        assert c.get("/v1/status").json()["last_reload"]["trigger"] == "watch"


def test_polling_reloads_a_change_made_before_the_pollers_first_look(tmp_path):
    """The skipped-test bug: the poller took its baseline in its own thread, some time after the load, so an
    edit made in between (TestClient returns as soon as the lifespan started it) was the baseline and never
    reloaded. Here the edit lands after the load and before the poller starts, every time."""
    from riskengine.serve.reload import RulesetHolder

    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    holder = RulesetHolder(_config(root, watch=0.02))
    assert holder.start()["result"] == "success"
    first = holder.current.version
    set_routine_strategy(root, "settlement")
    holder.watch(0.02)
    try:
        end = time.monotonic() + 20
        while holder.last_reload["trigger"] != "watch":      # recorded after the swap
            assert time.monotonic() < end, "an edit made before the poller's first look was never reloaded"
            time.sleep(0.02)
        assert holder.last_reload["result"] == "success" and holder.current.version != first
        reloads = holder.last_reload["at"], holder.current.version
        time.sleep(0.2)                                  # ten more polls of unchanged files: no reload
        assert (holder.last_reload["at"], holder.current.version) == reloads
    finally:
        holder.stop()


def test_polling_does_not_retry_a_refused_ruleset_until_the_files_change_again(tmp_path):
    from riskengine.serve.reload import RulesetHolder

    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    outcomes: list[str] = []
    holder = RulesetHolder(_config(root, watch=0.02), on_reload=lambda result, _: outcomes.append(result))
    holder.start()
    good = holder.current.version
    holder.watch(0.02)
    try:
        break_rules(root)
        end = time.monotonic() + 20
        while outcomes[-1] != "failure":
            assert time.monotonic() < end, "the broken files were not tried"
            time.sleep(0.02)
        time.sleep(0.2)
        assert outcomes == ["success", "failure"] and holder.current.version == good
        (root / "rules" / "broken.yaml").unlink()
        set_routine_strategy(root, "settlement")
        while outcomes[-1] != "success":
            assert time.monotonic() < end, "the repaired files were not reloaded"
            time.sleep(0.02)
        assert holder.current.version != good
    finally:
        holder.stop()


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_serve_command_reloads_on_sighup(tmp_path):
    """The real command line and server: start, assess over a socket, edit, SIGHUP, see the new version."""
    import socket
    import subprocess
    import sys

    import httpx2 as httpx

    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "riskengine.cli", "serve", "--port", str(port),
                             "--rules", str(root / "rules"), "--knowledge", str(root / "knowledge"),
                             "--tests", str(root / "tests")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < end and proc.poll() is None, "the server did not become ready"
            time.sleep(0.1)
        assert httpx.post(url + "/v1/assess", json=MINI_CASE).json()["strategy"]["id"] == "routine"
        set_routine_strategy(root, "settlement")
        proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 30
        while httpx.post(url + "/v1/assess", json=MINI_CASE).json()["strategy"]["id"] != "settlement":
            assert time.monotonic() < end, "SIGHUP did not reload"
            time.sleep(0.1)
        assert httpx.get(url + "/v1/status").json()["last_reload"]["trigger"] == "SIGHUP"
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert proc.returncode in (0, -signal.SIGTERM), out      # uvicorn ends by re-raising the signal it got
    assert "Traceback" not in out and "now serving" in out


def test_the_serving_ruleset_is_frozen_out_of_full_collections_after_each_swap(tmp_path):
    """serve's freeze_heap: full GC passes over the ruleset were the service's p95/p99 pauses. Run in a
    process of its own, since gc.freeze() is process-wide."""
    import subprocess
    import sys
    import textwrap

    root = mini_copy(tmp_path / "rs", expect_strategy=["routine", "settlement"])
    script = textwrap.dedent(f"""
        import gc, weakref
        from riskengine.serve.reload import RulesetHolder
        from riskengine.serve import ServeConfig
        import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
        from serve_helpers import set_routine_strategy
        from pathlib import Path
        root = Path({str(root)!r})
        config = ServeConfig(rules=str(root / "rules"), knowledge=str(root / "knowledge"),
                             tests=str(root / "tests"), load_in_background=False, freeze_heap=True)
        holder = RulesetHolder(config)
        holder.start()
        young = lambda obj: any(o is obj for g in range(3) for o in gc.get_objects(g))
        first = holder.current
        assert gc.get_freeze_count() > 0 and not young(first.engine), "not frozen after the first load"
        gone = weakref.ref(first)
        del first
        set_routine_strategy(root, "settlement")
        assert holder.reload("test")["result"] == "success"
        assert not young(holder.current.engine), "the new ruleset is not frozen"
        assert gone() is None, "the replaced ruleset was kept"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
