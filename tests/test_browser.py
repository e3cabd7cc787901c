"""The dashboard in a real browser: `streamlit run app.py` with the default settings, opened in
headless Chromium through Playwright.  Saves a full-page screenshot to test-artifacts/."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
LOG = ARTIFACTS / "streamlit.log"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Generous: the first load trains the three course models at 30,000 iterations each.
RENDER_TIMEOUT_MS = 180_000

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian: apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with code {server.returncode}; see {LOG}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server_url():
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    with open(LOG, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _rendered_charts(page, selector: str) -> int:
    """Charts under ``selector`` that Vega has drawn (a canvas or svg exists inside)."""
    return page.locator(f"{selector} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").count()


def test_the_default_page_renders_completely(server_url):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(server_url)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                   timeout=RENDER_TIMEOUT_MS)
            # The script is done; Vega draws asynchronously after it, so wait for the last chart.
            page.wait_for_function(
                "document.querySelectorAll(\"[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)\").length >= 10",
                timeout=30_000)
            for name in ("none", "l2", "dropout"):
                assert _rendered_charts(page, f".st-key-boundary_{name}") == 1, name
            assert _rendered_charts(page, ".st-key-weight_charts") == 3
            assert page.locator(".st-key-accuracy_table [data-testid='stDataFrame']").count() == 1
            for title in ("No regularization", "L2", "Dropout"):
                assert page.get_by_role("heading", name=title, exact=True).count() == 1, title
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.locator("[data-testid='stAlertContentError']").count() == 0
            # Streamlit scrolls inside its main area, so grow the viewport to the content to capture it all.
            height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
            page.set_viewport_size({"width": 1600, "height": height})
            page.wait_for_timeout(1000)
            page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 0
