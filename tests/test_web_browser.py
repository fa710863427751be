"""The handler's web page in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium; `.ci/run`
installs it). The service runs in this process on a free loopback port."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("RISKENGINE_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev group (uv sync)")
uvicorn = pytest.importorskip("uvicorn", reason="the serve extra is in the dev group (uv sync)")

from riskengine.serve.app import create_app  # noqa: E402
from riskengine.serve.config import ServeConfig  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    port = _free_port()
    gate = tmp_path_factory.mktemp("gate")       # one shipped rule test gates the ruleset (all of them: ~20 s)
    first = sorted((Path(__file__).parent / "cases").glob("*.yaml"))[0]
    (gate / first.name).write_bytes(first.read_bytes())
    app = create_app(ServeConfig(load_in_background=False, tests=str(gate)), handle_sighup=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    import httpx2 as httpx
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        raise AssertionError("the service did not become ready")
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _fill_case(page, base_url, narrative: str = "客户说理赔被拒，情绪很激动，说再不处理就去找记者曝光。") -> None:
    page.goto(base_url + "/?lang=zh")
    page.select_option("#f-industry", "insurance")
    page.select_option("#f-category", "claim_denial")
    page.select_option("#f-channel", "hotline")
    page.select_option("#f-complainant-emotion", "agitated")
    page.fill("#f-narrative", narrative)


def test_fill_and_submit_shows_every_section_in_order(page, base_url):
    _fill_case(page, base_url)
    page.fill("#signal-search", "媒体")             # the search box narrows the signal list
    visible = page.locator(".signal:not(.hidden)")
    assert 0 < visible.count() < page.locator(".signal").count()
    page.check("input[name=signals][value=threatens_media]")
    page.click("#submit")
    page.wait_for_selector("#risk-badge")
    for section in ("#risk", "#who", "#plan", "#script", "#never", "#channels"):
        assert page.locator(section).is_visible(), section
    ids = page.eval_on_selector_all("main section[id]", "els => els.map(e => e.id)")
    core = [i for i in ids if i in ("alerts", "risk", "who", "plan", "script", "never", "channels")]
    assert core == sorted(core, key=["alerts", "risk", "who", "plan", "script", "never", "channels"].index)
    assert page.locator("#risk svg.dims rect.bar").count() == 5
    assert page.locator("#plan .checklist input[type=checkbox]").count() >= 3
    assert page.locator("#script button.copy").first.is_visible()    # the script shows copy buttons with JS on


def test_a_why_opens_with_its_rules_and_facts(page, base_url):
    _fill_case(page, base_url)
    page.click("#submit")
    why = page.locator("#plan details.why").first
    rules = why.locator("ul.rules li").first
    assert not rules.is_visible()
    why.locator("summary").click()
    assert rules.is_visible()
    assert why.locator("code").first.inner_text().startswith("STRAT-")


def test_switch_language_keeps_the_case(page, base_url):
    _fill_case(page, base_url)
    page.click("#submit")
    zh_score = page.locator("#risk-badge .score").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("#risk-badge .score").inner_text() == zh_score
    assert page.locator("#plan h2").inner_text().startswith("Plan")


def test_answering_a_missing_fact_reassesses(page, base_url):
    _fill_case(page, base_url)
    page.click("#submit")
    # a yes/no question (a signal or a check) is answered by one click; a date question needs a date typed
    yes_no = page.locator("#missing form.answer:has(button[value=true])")
    first = yes_no.first if yes_no.count() else page.locator("#missing form.answer").first
    fact = first.get_attribute("data-fact")

    def state():
        return (page.locator("#risk-badge").inner_text(), page.locator("#who").inner_text(),
                page.locator("#plan h2").inner_text(), page.locator("#channels ol").inner_text(),
                page.eval_on_selector_all("#missing form.answer", "fs => fs.map(f => f.dataset.fact)"))
    before = state()
    if first.locator("button[value=true]").count():
        first.locator("button[value=true]").click()
    elif first.locator("input[name=answer_value]").count():   # a date or a number: type one
        first.locator("input[name=answer_value]").fill("2025-01-10" if fact.startswith("events.") else "1")
        first.locator("button[type=submit]").click()
    else:
        first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    after = state()
    assert after != before
    assert fact not in after[4]          # the answered question is not asked again


def test_a_bad_field_shows_its_error_beside_the_field(page, base_url):
    _fill_case(page, base_url)
    page.click("summary:has-text('更多字段')")
    page.fill("#f-group_size", "很多")
    page.click("#submit")
    error = page.locator(".field[data-field=group_size] .field-error")
    assert error.is_visible()
    assert "integer" in error.inner_text()
    assert page.locator("#f-group_size").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-narrative").input_value().startswith("客户说")   # what was typed is kept


def test_an_unknown_signal_in_a_pasted_case_gets_did_you_mean_beside_signals(page, base_url):
    page.goto(base_url + "/?lang=en")
    page.fill("#f-case_text", "id: X-1\nreceived: 2025-03-01\nindustry: insurance\nchannel: hotline\n"
                              "category: claim_denial\nsignals: [threatens_medai]\n")
    page.click("#submit")
    error = page.locator(".signals .field-error")
    assert "did you mean 'threatens_media'" in error.inner_text()


def test_a_narrative_holding_script_is_shown_as_text(page, base_url):
    _fill_case(page, base_url, narrative="客户留言：<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>")
    page.click("#submit")
    page.wait_for_selector("#narrative")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.locator("#narrative").inner_text()


def test_the_basic_assessment_works_with_javascript_off(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/?lang=en")
        page.fill("#f-case_text", (EXAMPLES / "group_media.yaml").read_text(encoding="utf-8"))
        page.click("#submit")
        page.wait_for_selector("#risk-badge")
        assert "critical" in page.locator("#risk-badge").inner_text()
        assert page.locator("#alerts .banner").count() >= 2
        assert page.locator("#script button.copy").first.is_hidden()   # copy needs JS: hidden without it
    finally:
        context.close()
