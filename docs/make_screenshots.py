"""Re-make docs/screen-*.png: the web page in Debian's Chromium (python3 -m uv run python docs/make_screenshots.py).
Chinese text needs a CJK font (apt-get install fonts-wqy-microhei)."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx2 as httpx
import uvicorn
from playwright.sync_api import sync_playwright

from riskengine.serve import ServeConfig, create_app

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ServeConfig(), handle_sighup=False), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    case = (ROOT / "examples" / "group_media.yaml").read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/?lang=zh")
        page.screenshot(path=str(ROOT / "docs" / "screen-form.png"))
        page.fill("#f-case_text", case)
        page.click("#submit")
        page.wait_for_selector("#risk-badge")
        page.screenshot(path=str(ROOT / "docs" / "screen-result.png"))
        page.locator("#plan details.why").first.locator("summary").click()
        page.locator("#plan").screenshot(path=str(ROOT / "docs" / "screen-why.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(url + "/?lang=en")
        phone.fill("#f-case_text", case)
        phone.click("#submit")
        phone.wait_for_selector("#risk-badge")
        phone.screenshot(path=str(ROOT / "docs" / "screen-phone-en.png"))
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
