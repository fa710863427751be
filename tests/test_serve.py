"""The HTTP decision service (riskengine serve) through FastAPI's test client: every endpoint, every
error status, API-key scopes and the problem+json shape."""
from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from riskengine.io.casefile import read_case_file  # noqa: E402
from riskengine.io.decision_log import decision_record  # noqa: E402
from riskengine.serve import ServeConfig, create_app  # noqa: E402
from riskengine.serve.auth import KeyStore  # noqa: E402

from conftest import ROOT  # noqa: E402
from serve_helpers import MINI, MINI_CASE, wait_ready  # noqa: E402

EXAMPLE = ROOT / "examples" / "claim_denial_excessive_demand.yaml"
ASSESS_TOKEN = "assess-token-0123456789"
ADMIN_TOKEN = "admin-token-0123456789"
KEYS = f"{ASSESS_TOKEN}:assess\n{ADMIN_TOKEN}:admin,assess  # the operator\n"


def _raw(path) -> dict:
    return json.loads(json.dumps(read_case_file(path), default=str))


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ServeConfig(load_in_background=False)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def case():
    return _raw(EXAMPLE)


def assert_problem(r, status: int, kind: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["type"] == f"urn:riskengine:problem:{kind}" and body["status"] == status
    assert body["instance"].endswith(r.headers["x-request-id"])
    assert "Traceback" not in r.text and 'File "' not in r.text
    for item in body["errors"]:
        assert {"pointer", "code", "message", "hint"} <= set(item)
    return body


# -- decisions --------------------------------------------------------------------------------------
def test_assess_answers_the_cli_json_plus_decision_id_and_version(client, case, engine):
    r = client.post("/v1/assess?missing_facts=true&engine=experta", json=case)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    cli = json.loads(engine.assess(engine.parse_case(case), engine="experta").to_json())
    assert {k: v for k, v in body.items() if k not in ("decision_id", "version", "summary")} == cli
    assert body["version"] == engine.version == body["ruleset"]["version"]
    assert len(body["decision_id"]) == 36


def test_assess_defaults_to_compiled_without_missing_facts_and_summary_in_the_language(client, case):
    zh = client.post("/v1/assess", json=case).json()
    en = client.post("/v1/assess?lang=en", json=case).json()
    assert zh["engine"] == "compiled" and zh["missing_facts"] == []
    assert zh["summary"].startswith("风险") and en["summary"].startswith("risk ")
    assert zh["decision_id"] != en["decision_id"]


def test_explain_levels_none_and_full(client, case):
    none = client.post("/v1/assess?explain=none", json=case).json()
    summary = client.post("/v1/assess", json=case).json()
    full = client.post("/v1/assess?explain=full", json=case).json()
    assert none["explanation"] == [] and summary["explanation"]
    assert "traces" not in summary and full["traces"]
    assert full["traces"][0]["because"][0]["rule"] in {s["rule"] for s in summary["explanation"]}


def test_assess_batch_streams_lines_in_order_and_a_bad_line_answers_alone(client, case):
    lines = [json.dumps({**case, "id": "B-1"}), "{not json", json.dumps({**case, "id": "B-3", "industy": "x"}),
             "", json.dumps({**case, "id": "B-5"})]
    r = client.post("/v1/assess/batch", content="\n".join(lines) + "\n",
                    headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 5]
    assert out[0]["case_id"] == "B-1" and out[3]["case_id"] == "B-5" and out[0]["version"]
    assert out[1]["error"]["status"] == 400 and out[1]["error"]["errors"][0]["code"] == "RE203"
    assert out[1]["case_id"] is None and "at line 2 column 2" in out[1]["error"]["detail"]   # the body's line
    assert out[2]["case_id"] == "B-3" and out[2]["error"]["errors"][0]["hint"] == "did you mean 'industry'?"


def test_a_bug_met_by_one_batch_record_loses_none_of_the_others(monkeypatch, client, case):
    from riskengine.serve import decide
    real = decide.assess
    monkeypatch.setattr(decide, "assess", lambda loaded, raw, **k: 1 / 0 if raw["id"] == "X" else
                        real(loaded, raw, **k))
    body = "\n".join(json.dumps({**case, "id": i}) for i in ("A", "X", "C"))
    out = [json.loads(x) for x in client.post("/v1/assess/batch", content=body,
                                               headers={"content-type": "application/x-ndjson"}).text.splitlines()]
    assert [o.get("case_id") for o in out] == ["A", "X", "C"]
    assert out[1]["error"]["status"] == 500 and "ZeroDivision" not in json.dumps(out[1])


def test_assess_batch_is_bounded_in_records(case):
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False, max_batch_lines=2))
    with TestClient(app) as c:
        body = "\n".join(json.dumps({**MINI_CASE, "id": f"C{i}"}) for i in range(4))
        out = [json.loads(x) for x in c.post("/v1/assess/batch", content=body,
                                             headers={"content-type": "application/jsonl"}).text.splitlines()]
    assert [o.get("case_id") for o in out[:2]] == ["C0", "C1"]
    assert out[2]["line"] == 3 and out[2]["error"]["status"] == 413 and len(out) == 3


def test_explain_why_and_why_not(client, case):
    why = client.post("/v1/explain", json=case).json()
    assert why["why"] and why["text"][0].endswith(":") and why["why_not"] is None
    r = client.post("/v1/explain?why_not=STRAT-CAPPED-SETTLEMENT", json=case).json()
    assert r["why_not"]["rule"] == "STRAT-CAPPED-SETTLEMENT" and r["text"][0].startswith("STRAT-CAPPED-SETTLEMENT")
    bad = assert_problem(client.post("/v1/explain?why_not=STRAT-CAPED-SETTLEMENT", json=case), 422,
                         "invalid-parameter")
    assert bad["errors"][0]["parameter"] == "why_not"
    assert bad["errors"][0]["hint"] == "did you mean 'STRAT-CAPPED-SETTLEMENT'?"


def test_missing_facts_lists_questions_by_impact(client, case, engine):
    r = client.post("/v1/missing-facts", json=case).json()
    expected = engine.assess(engine.parse_case(case)).missing_facts
    assert [m["fact"] for m in r["missing_facts"]] == [m.fact for m in expected] and expected
    impacts = [m["impact"] for m in r["missing_facts"]]
    assert impacts == sorted(impacts, reverse=True)


# -- errors ------------------------------------------------------------------------------------------
def test_invalid_case_points_at_each_field_with_the_cli_codes_and_hints(client, case):
    body = assert_problem(client.post("/v1/assess", json={**case, "industy": "x", "channel": "fax"}), 422,
                          "invalid-case")
    by_pointer = {e["pointer"]: e for e in body["errors"]}
    assert by_pointer["/industy"]["hint"] == "did you mean 'industry'?" and by_pointer["/industy"]["code"] == "RE201"
    assert "/channel" in by_pointer
    unknown = assert_problem(client.post("/v1/assess", json={**case, "signals": ["template_leter"]}), 422,
                             "invalid-case")
    assert unknown["errors"] == [{"pointer": "/signals/0", "code": "RE202", "name": "case-unknown-signal",
                                  "message": "signals[0]: unknown signal 'template_leter'",
                                  "hint": "did you mean 'template_letter'?"}]
    assert unknown["detail"] == "signals[0]: unknown signal 'template_leter' (did you mean 'template_letter'?)"


def test_malformed_json_is_400_and_wrong_media_type_415(client, case):
    body = assert_problem(client.post("/v1/assess", content=b'{"id": ', headers={"content-type": "application/json"}),
                          400, "malformed-json")
    assert body["errors"][0]["code"] == "RE203"
    assert_problem(client.post("/v1/assess", content=json.dumps(case), headers={"content-type": "text/plain"}),
                   415, "unsupported-media-type")
    assert_problem(client.post("/v1/assess/batch", json=case), 415, "unsupported-media-type")
    assert_problem(client.post("/v1/assess", json=[case]), 422, "invalid-case")


def test_too_large_bodies_are_413_by_header_and_by_count(case):
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False, max_body=2048))
    with TestClient(app) as c:
        big = json.dumps({**MINI_CASE, "narrative": "x" * 4000})
        assert_problem(c.post("/v1/assess", content=big, headers={"content-type": "application/json"}), 413,
                       "too-large")

        def chunks():                      # no Content-Length: counted as it arrives
            yield big[:1500].encode()
            yield big[1500:].encode()
        assert_problem(c.post("/v1/assess", content=chunks(), headers={"content-type": "application/json"}), 413,
                       "too-large")


def test_bad_query_parameter_and_unknown_route_are_problems(client, case):
    body = assert_problem(client.post("/v1/assess?engine=fast", json=case), 400, "invalid-parameter")
    assert body["errors"][0]["parameter"] == "engine"
    assert_problem(client.get("/v1/nothing"), 404, "not-found")
    assert_problem(client.get("/v1/assess"), 405, "method-not-allowed")


def test_assess_answers_its_query_as_the_documented_route_declares_it(client, case):
    """POST /v1/assess is answered by a direct route in front of the FastAPI route that /openapi.json
    describes: the query both accept must be the same (names, defaults, allowed values)."""
    from riskengine.serve.routes_decide import _AssessQuery
    declared = {p["name"]: p["schema"] for p in client.get("/openapi.json").json()["paths"]["/v1/assess"]["post"]
                ["parameters"] if p["in"] == "query"}
    accepted = _AssessQuery.model_json_schema()["properties"]
    assert set(declared) == set(accepted)
    for name, schema in declared.items():
        assert schema.get("default") == accepted[name].get("default"), name
        assert schema.get("enum") == accepted[name].get("enum"), name
        assert schema.get("type") == accepted[name].get("type"), name
    for bad in ("explain=all", "lang=fr", "missing_facts=maybe"):
        body = assert_problem(client.post(f"/v1/assess?{bad}", json=case), 400, "invalid-parameter")
        assert body["errors"][0]["parameter"] == bad.split("=")[0]
    plain = client.post("/v1/assess", json=case).json()
    r = client.post("/v1/assess?lang=en&missing_facts=yes&explain=none&unknown=1", json=case)
    assert r.status_code == 200 and r.headers["content-language"] == "en"
    assert r.json()["explanation"] == [] and plain["explanation"]
    assert r.json()["missing_facts"] and not plain["missing_facts"]


def test_slow_computation_is_answered_503_timeout(monkeypatch):
    from riskengine.serve import decide
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False, timeout=0.05))
    real = decide.assess
    monkeypatch.setattr(decide, "assess", lambda *a, **k: (time.sleep(0.3), real(*a, **k))[1])
    with TestClient(app) as c:        # missing facts are computed in the thread pool, where the timeout applies
        assert_problem(c.post("/v1/assess?missing_facts=true", json=MINI_CASE), 503, "timeout")
        assert c.post("/v1/assess", json=MINI_CASE).status_code == 200   # small and plain: on the event loop


def test_unexpected_error_is_a_500_problem_without_a_trace(monkeypatch, client, case):
    from riskengine.serve import decide
    monkeypatch.setattr(decide, "assess", lambda *a, **k: 1 / 0)
    body = assert_problem(client.post("/v1/assess", json=case), 500, "internal-error")
    assert "ZeroDivision" not in json.dumps(body)


# -- catalog -----------------------------------------------------------------------------------------
def test_knowledge_lists_and_shows_entries_with_their_source(client, engine):
    taboos = client.get("/v1/knowledge/taboos").json()
    assert [e["id"] for e in taboos["entries"]] == sorted(engine.ruleset.knowledge.taboos)
    first = taboos["entries"][0]
    one = client.get(f"/v1/knowledge/taboos/{first['id']}").json()
    assert one == first and one["source"].startswith("knowledge/")
    assert client.get("/v1/knowledge/escalation/1").json()["entry"]["level"] == 1
    miss = assert_problem(client.get("/v1/knowledge/taboo"), 404, "not-found")
    assert miss["errors"][0]["hint"] == "did you mean 'taboos'?"
    assert_problem(client.get(f"/v1/knowledge/taboos/{first['id']}x"), 404, "not-found")


def test_rules_show_one_rule(client):
    r = client.get("/v1/rules/STRAT-CAPPED-SETTLEMENT").json()
    assert r["id"] == "STRAT-CAPPED-SETTLEMENT" and r["source"].startswith("rules/") and r["entry"]["when"]
    body = assert_problem(client.get("/v1/rules/STRAT-CAPPED"), 404, "not-found")
    assert "did you mean" in body["errors"][0]["hint"]


def test_schemas_are_the_case_and_assessment_contracts(client):
    case = client.get("/v1/schemas/case.json").json()
    assert {"id", "received", "industry", "signals"} <= set(case["properties"])
    assessment = client.get("/v1/schemas/assessment.json").json()
    assert {"decision_id", "version", "risk", "explanation"} <= set(assessment["properties"])
    doc = client.get("/openapi.json").json()
    assert doc["paths"]["/v1/assess"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Case"}
    assert "Case" in doc["components"]["schemas"] and "ProblemDetails" in doc["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_validate_reports_the_same_problems_as_the_cli(client):
    good = (MINI / "rules" / "mini.yaml").read_text(encoding="utf-8")
    knowledge = {f"knowledge/{p.name}": p.read_text(encoding="utf-8") for p in (MINI / "knowledge").glob("*.yaml")}
    ok = client.post("/v1/validate", json={"files": {"rules/mini.yaml": good, **knowledge}}).json()
    assert ok["ok"] and ok["errors"] == 0 and ok["counts"]["rules"] > 0
    bad = good.replace("signal: threatens_media", "signal: threatens_medai", 1)
    r = client.post("/v1/validate", json={"files": {"rules/mini.yaml": bad, **knowledge}}).json()
    assert not r["ok"] and r["version"] is None
    problem = next(p for p in r["problems"] if p["code"] == "RE101")
    assert problem["file"] == "rules/mini.yaml" and problem["line"] > 0 and "threatens_media" in problem["hint"]
    assert problem["text"].startswith(f"rules/mini.yaml:{problem['line']}:{problem['column']}: error RE101")
    body = assert_problem(client.post("/v1/validate", json={"files": {"../etc/passwd.yaml": "x"}}), 422,
                          "invalid-request")
    assert body["errors"][0]["pointer"] == "/files/..~1etc~1passwd.yaml"
    assert_problem(client.post("/v1/validate", json={"file": {}}), 422, "invalid-request")


# -- operations --------------------------------------------------------------------------------------
def test_health_status_and_metrics(client, case, engine):
    assert client.get("/healthz").json() == {"status": "ok", "version": None}
    assert client.get("/readyz").json() == {"status": "ready", "version": engine.version}
    status = client.get("/v1/status").json()
    assert status["ready"] and status["version"] == engine.version and status["source"] == "files"
    assert status["rules"] == len(engine.ruleset.rules) and status["tests_passed"] > 0
    assert status["last_reload"]["result"] == "success" and not status["auth"]
    level = client.post("/v1/assess", json=case).json()["risk"]["level"]
    text = client.get("/metrics").text
    assert f'riskengine_decisions_total{{engine="compiled",risk_level="{level}"}}' in text
    assert f'riskengine_ruleset_info{{source="files",version="{engine.version}"}} 1.0' in text
    assert 'riskengine_request_duration_seconds_bucket{le="0.05",method="POST",route="/v1/assess"}' in text
    assert 'riskengine_reloads_total{result="success"} 1.0' in text
    cpu = next(line for line in text.splitlines() if line.startswith("riskengine_assessment_cpu_seconds_total "))
    assert float(cpu.split()[1]) > 0


def test_readyz_is_503_until_the_ruleset_has_loaded_and_passed(monkeypatch):
    import threading

    from riskengine.serve import reload
    gate = threading.Event()
    real = reload.build
    monkeypatch.setattr(reload, "build", lambda *a, **k: (gate.wait(10), real(*a, **k))[1])
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge")))
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        assert_problem(c.get("/readyz"), 503, "not-ready")
        assert_problem(c.post("/v1/assess", json=MINI_CASE), 503, "not-ready")
        assert c.get("/v1/status").json()["last_reload"]["result"] == "pending"
        gate.set()
        wait_ready(c)
        assert c.post("/v1/assess", json=MINI_CASE).status_code == 200


# -- auth --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def guarded():
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False), keys=KeyStore.parse(KEYS, "test"))
    with TestClient(app) as c:
        yield c


def test_keys_with_scopes(guarded):
    r = guarded.post("/v1/assess", json=MINI_CASE)
    assert_problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_problem(guarded.post("/v1/assess", json=MINI_CASE, headers={"Authorization": "Bearer wrong-token-xxxxxxx"}),
                   401, "unauthorized")
    assert guarded.post("/v1/assess", json=MINI_CASE, headers={"Authorization": f"Bearer {ASSESS_TOKEN}"}
                        ).status_code == 200
    assert guarded.post("/v1/assess", json=MINI_CASE, headers={"X-API-Key": ASSESS_TOKEN}).status_code == 200
    assert guarded.get("/v1/knowledge/taboos", headers={"X-API-Key": ASSESS_TOKEN}).status_code == 200
    assert_problem(guarded.get("/v1/status"), 401, "unauthorized")
    body = assert_problem(guarded.post("/v1/admin/reload", headers={"X-API-Key": ASSESS_TOKEN}), 403, "forbidden")
    assert ASSESS_TOKEN not in json.dumps(body)
    r = guarded.post("/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code == 200 and r.json()["result"] == "success"
    for open_path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/schemas/case.json"):
        assert guarded.get(open_path).status_code == 200


def test_key_file_errors_are_located():
    from riskengine.serve.auth import KeyConfigError
    with pytest.raises(KeyConfigError, match=r"keys:2: unknown scope root"):
        KeyStore.parse("a-long-enough-token-1:assess\na-long-enough-token-2:root\n", "keys")
    with pytest.raises(KeyConfigError, match="at least 16"):
        KeyStore.parse("short:assess", "keys")


# -- decision log ------------------------------------------------------------------------------------
def test_decision_log_is_the_cli_record_masked_and_never_holds_the_token(tmp_path, caplog, mini_engine):
    log = tmp_path / "decisions.jsonl"
    engine = mini_engine
    case = {**MINI_CASE, "narrative": "客户王女士来电，手机 13812345678，称要投诉到媒体。"}
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False, log=str(log)), keys=KeyStore.parse(KEYS, "t"))
    with caplog.at_level("DEBUG"), TestClient(app) as c:
        body = c.post("/v1/assess?missing_facts=true", json=case, headers={"X-API-Key": ASSESS_TOKEN}).json()
    records = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    record = records[0]
    assert record.pop("decision_id") == body["decision_id"]
    expected = decision_record(case, engine.assess(engine.parse_case(case), engine="compiled"))
    record.pop("timestamp"), expected.pop("timestamp")
    assert record == expected
    text = log.read_text(encoding="utf-8")
    assert "13812345678" not in text and "138****5678" in text
    assert ASSESS_TOKEN not in text and ASSESS_TOKEN not in caplog.text


def test_the_core_imports_no_web_framework():
    """The service is an extra: every core module (and the CLI, serve command included) imports without
    FastAPI, uvicorn, starlette or prometheus-client."""
    import subprocess
    import sys
    code = ("import pkgutil, importlib, sys, riskengine\n"
            "for m in pkgutil.iter_modules(riskengine.__path__):\n"
            "    if m.name != 'serve':\n"
            "        importlib.import_module('riskengine.' + m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
            "('fastapi', 'uvicorn', 'starlette', 'prometheus_client'))\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
