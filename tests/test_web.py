"""The handler's web page without a browser: choices from the loaded knowledge, escaping, field errors,
the print view and JSON, keys, and nothing fetched from elsewhere."""
from __future__ import annotations

import html
import json
import re

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("jinja2")

from fastapi.testclient import TestClient  # noqa: E402

from riskengine.io.casefile import read_case_file  # noqa: E402
from riskengine.serve import ServeConfig, create_app  # noqa: E402
from riskengine.serve.auth import KeyStore  # noqa: E402

from conftest import ROOT  # noqa: E402
from serve_helpers import MINI  # noqa: E402

EXAMPLE = ROOT / "examples" / "group_media.yaml"
WEB = ROOT / "riskengine" / "serve"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    gate = tmp_path_factory.mktemp("gate")
    first = sorted((ROOT / "tests" / "cases").glob("*.yaml"))[0]
    (gate / first.name).write_bytes(first.read_bytes())
    with TestClient(create_app(ServeConfig(load_in_background=False, tests=str(gate)), handle_sighup=False)) as c:
        yield c


def test_form_choices_come_from_the_loaded_knowledge_in_both_languages(client, engine):
    signals = engine.ruleset.knowledge.signals
    signals = signals() if callable(signals) else signals
    for lang in ("zh", "en"):
        page = client.get(f"/?lang={lang}").text
        shown = set(re.findall(r'name="signals" value="([^"]+)"', page))
        assert shown == set(signals)
        some = sorted(signals)[0]
        assert signals[some].name.get(lang) in page
        assert '<label for="f-industry">' in page and 'value="third_party_agent"' in page
    assert "第三方代理" in client.get("/?lang=zh").text and "A paid agent" in client.get("/?lang=en").text


def test_case_text_is_escaped_everywhere(client):
    r = client.post("/assess", data={"lang": "zh", "id": "<b>x</b>", "industry": "insurance", "channel": "hotline",
                                     "category": "claim_denial", "narrative": "<script>alert(1)</script>要找媒体"})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<b>x</b>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_field_errors_sit_beside_their_fields_with_the_clis_words(client):
    r = client.post("/assess", data={"lang": "en", "case_text": "id: X\nreceived: 2025-01-02\nindustry: insurence\n"
                                     "channel: hotline\ncategory: claim_denial\nsignals: [threatens_medai]\n"
                                     "narativ: red\n"})
    assert r.status_code == 422
    assert re.search(r'id="err-industry"[^>]*>RE201 Input should be', r.text)
    assert "narativ: RE201 unknown field (did you mean &#39;narrative&#39;?)" in r.text
    r = client.post("/assess", data={"lang": "en", "case_text": "id: X\nreceived: 2025-01-02\nindustry: insurance\n"
                                     "channel: hotline\ncategory: claim_denial\nsignals: [threatens_medai]\n"})
    assert re.search(r"id=\"err-signals\"[^>]*>signals\[0\]: RE202 unknown signal 'threatens_medai' \(did you mean "
                     r"'threatens_media'\?\)", html.unescape(r.text))
    r = client.post("/assess", data={"lang": "en", "case_text": "id: [unclosed\n"})
    assert r.status_code == 422 and "line 1" in r.text


def test_json_view_is_the_assessment_and_print_view_is_the_report(client, engine):
    raw = json.loads(json.dumps(read_case_file(EXAMPLE), default=str))
    expected = engine.assess(engine.parse_case(raw), engine="compiled", missing_facts=True).to_json()
    posted = {"case_json": json.dumps(raw, ensure_ascii=False), "lang": "en"}
    r = client.post("/assess", data={**posted, "view": "json"})
    assert r.headers["content-type"].startswith("application/json") and r.text == expected
    r = client.post("/assess", data={**posted, "view": "print"})
    assert r.text.startswith("<!DOCTYPE html>") and "Complaint risk assessment — EX-2025-0104" in r.text


def test_an_uploaded_case_file_is_assessed(client):
    r = client.post("/assess", data={"lang": "en"},
                    files={"case_file": ("case.yaml", EXAMPLE.read_bytes(), "application/yaml")})
    assert r.status_code == 200 and 'id="risk-badge"' in r.text and "critical" in r.text


def test_answering_a_signal_question_adds_the_signal(client):
    raw = {"id": "Q-1", "received": "2025-03-01", "industry": "insurance", "channel": "hotline",
           "category": "claim_denial"}
    r = client.post("/assess", data={"case_json": json.dumps(raw), "lang": "en",
                                     "answer_fact": "signal:threatens_media", "answer_value": "true"})
    case_json = re.search(r'name="case_json" value="([^"]+)"', r.text).group(1)
    assert "threatens_media" in case_json.replace("&#34;", '"')


def test_nothing_is_fetched_from_elsewhere_and_static_files_are_served(client):
    page = client.get("/").text
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not re.match(r"(https?:)?//", ref), ref
    for name in ("screen.css", "screen.js"):
        assert client.get(f"/static/{name}").status_code == 200
    for path in list((WEB / "templates").glob("*.html")) + list((WEB / "static").glob("*")):
        assert not re.search(r"(src|href)=\"(https?:)?//", path.read_text(encoding="utf-8")), path


def test_the_page_needs_a_key_when_the_service_has_keys():
    app = create_app(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                                 load_in_background=False), keys=KeyStore.parse("tok-assess-1234567890:assess\n",
                                                                                 "test"), handle_sighup=False)
    with TestClient(app) as c:
        assert c.get("/").status_code == 401
        assert c.get("/", headers={"X-API-Key": "tok-assess-1234567890"}).status_code == 200
