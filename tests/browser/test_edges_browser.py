"""The edges a visitor reaches in minutes, in a real browser (headless Chromium through
Playwright) against ``streamlit run app.py``: values typed into every number and text field of
both pages, a link over the compute budget, a tab closed while models train, and a server told to
stop while it trains."""

import signal
import time
from pathlib import Path

import pytest

from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
IDLE = "document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"
# Within the budget (8 seeds × 4 models × 70,000 iterations: 75 course models) and long enough
# to be still training seconds after the page opened: about 15 s on two cores.
HEAVY = "n_seeds=8&l2_dropout=true&num_iterations=70000&seed={seed}"

# (field label, typed text, what the message must say about the value).  Each must end in a
# warning naming the value and what is allowed, the field back at the value the models use.
MAIN_PAGE_CASES = [
    ("Hidden layer sizes", "20, 0", "20, 0 was not used"),
    ("Hidden layer sizes", "600", "600 was not used"),
    ("Hidden layer sizes", "1 1 1 1 1 1 1 1 1 1 1", "got 11 layers"),
    ("Hidden layer sizes", "20,,3", "20,,3 was not used"),
    ("Hidden layer sizes", "twenty", "twenty was not used"),
    ("Hidden layer sizes", "", "an empty field was not used"),
    ("Hidden layer sizes", "-3", "-3 was not used"),
    ("Hidden layer sizes", "2.5", "2.5 was not used"),
    ("Hidden layer sizes", "20;3", "20;3 was not used"),
    ("Learning rate α", "0", "0 was not used"),
    ("Learning rate α", "-1", "-1 was not used"),
    ("Learning rate α", "1000", "1000 was not used"),
    ("Learning rate α", "1e9", "1e9 was not used"),
    ("Learning rate α", "", "an empty field was not used"),
    ("Iterations", "0", "0 was not used"),
    ("Iterations", "50", "50 was not used"),
    ("Iterations", "1000000", "1000000 was not used"),
    ("Iterations", "-5", "-5 was not used"),
    ("Iterations", "", "an empty field was not used"),
    ("Init seed", "-1", "-1 was not used"),
    ("Init seed", "5000000000", "5000000000 was not used"),
    ("Init seed", "", "an empty field was not used"),
    ("Number of seeds", "0", "0 was not used"),
    ("Number of seeds", "101", "101 was not used"),
    ("Number of seeds", "", "an empty field was not used"),
]

# The Sweep page's form: typed, then "Run sweep"; each ends in an error naming the value.
SWEEP_PAGE_CASES = [
    ("λ values", "0, -1", "got -1"),
    ("λ values", "x", "got 'x'"),
    ("λ values", "", "needs at least one value"),
    ("keep_prob values", "0", "got 0"),
    ("keep_prob values", "1.5", "got 1.5"),
    ("Hidden layer sizes", "20,,3", "got '20,,3'"),
    ("Hidden layer sizes", "0", "got '0'"),
    ("Seeds", "0", "Seeds must be a whole number from 1 to 100, got 0"),
    ("Seeds", "500", "got 500"),
    ("Seeds", "", "got ''"),
    ("Iterations", "10", "Iterations must be a whole number from 100 to 100,000, got 10"),
    ("Iterations", "", "got ''"),
    ("Learning rate", "0", "Learning rate must be a number from 0.001 to 100, got 0"),
    ("Learning rate", "", "got ''"),
]


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    with browser.StreamlitServer(ARTIFACTS / "streamlit-edges.log") as running:
        yield running


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (USER_HZ = 100)


def _type(page, label: str, text: str):
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    return box


def test_every_typed_value_the_page_refuses_is_named_and_the_field_shows_what_the_models_use(server):
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        outcomes = []
        for label, text, words in MAIN_PAGE_CASES:
            before = page.get_by_label(label, exact=True).input_value()
            box = _type(page, label, text)
            warning = page.locator("[data-testid='stAlertContentWarning']", has_text=f"{label}: ").filter(
                has_text=words)
            warning.wait_for(timeout=30_000)
            page.wait_for_function(IDLE, timeout=60_000)
            outcomes.append((label, text, box.input_value(), warning.inner_text()))
            exceptions = page.locator("[data-testid='stException']")
            assert exceptions.count() == 0, (label, text, exceptions.all_inner_texts())
            assert box.input_value() == before, (label, text)
            assert "must be" in warning.inner_text(), (label, text)
        # The page still works: a good value is taken and the models are trained with it.
        _type(page, "Hidden layer sizes", "10 5")
        page.wait_for_function("() => new URL(location.href).searchParams.get('layers') === '10 5'")
        # The link changes before the run starts: wait for the run that clears the last warning.
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stAlertContentWarning']\").length === 0",
                               timeout=60_000)
        page.wait_for_function(IDLE, timeout=60_000)
        assert page.locator(".st-key-accuracy_table [data-testid='stTable']").count() == 1
    assert len(outcomes) == len(MAIN_PAGE_CASES)


def test_every_typed_value_the_sweep_page_refuses_is_named(server):
    with browser.browser_page() as page:
        page.goto(f"{server.url}/sweep")
        page.get_by_role("button", name="Run sweep").wait_for(timeout=60_000)
        page.get_by_text("Network", exact=True).click()
        for label, text, words in SWEEP_PAGE_CASES:
            page.goto(f"{server.url}/sweep")
            page.get_by_role("button", name="Run sweep").wait_for(timeout=60_000)
            if label in ("Hidden layer sizes", "Learning rate"):
                page.get_by_text("Network", exact=True).click()
            page.get_by_label(label, exact=True).fill(text)
            page.get_by_role("button", name="Run sweep").click()
            error = page.locator("[data-testid='stAlertContentError']", has_text=words)
            error.wait_for(timeout=30_000)
            exceptions = page.locator("[data-testid='stException']")
            assert exceptions.count() == 0, (label, text, exceptions.all_inner_texts())
            assert page.get_by_text("Training the sweep").count() == 0, (label, text)


def test_a_link_over_the_budget_is_refused_in_seconds(server):
    link = "layers=" + ",".join(["500"] * 10) + "&num_iterations=100000&n_seeds=10&l2_dropout=true"
    with browser.browser_page() as page:
        start = time.monotonic()
        page.goto(f"{server.url}/?{link}")
        page.locator("[data-testid='stAlertContentError']", has_text="This page would train too much").wait_for(
            timeout=30_000)
        refused_in = time.monotonic() - start
        assert "Lower the number of seeds" in page.locator("[data-testid='stAlertContentError']").inner_text()
        exceptions = page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, exceptions.all_inner_texts()
    assert refused_in < 15


def test_a_tab_closed_while_models_train_leaves_the_server_idle(server):
    with browser.browser_page() as page:
        page.goto(f"{server.url}/?{HEAVY.format(seed=101)}")
        page.get_by_text("Training the models:").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        busy_from = _cpu_seconds(server.process.pid)
        page.wait_for_timeout(1000)
        busy = _cpu_seconds(server.process.pid) - busy_from
        page.close()
    # Streamlit notices the closed connection, the page's run ends at its next heartbeat, and the
    # models in training stop at their next iteration: give it two seconds, then listen for three.
    time.sleep(2)
    idle_from = _cpu_seconds(server.process.pid)
    time.sleep(3)
    idle = _cpu_seconds(server.process.pid) - idle_from
    print(f"server CPU: {busy:.2f} s in 1 s of training, {idle:.2f} s in 3 s after the tab closed")
    assert busy > 1.0  # it was training on both cores
    assert idle < 0.3


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_a_server_that_is_training(numba_cache_filled, signal_number):
    with browser.StreamlitServer(ARTIFACTS / "streamlit-signal.log") as server, browser.browser_page() as page:
        page.goto(f"{server.url}/?{HEAVY.format(seed=200 + signal_number)}")
        page.get_by_text("Training the models:").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        start = time.monotonic()
        server.process.send_signal(signal_number)
        server.process.wait(timeout=30)
        stopped_in = time.monotonic() - start
    print(f"server stopped {stopped_in:.2f} s after {signal.Signals(signal_number).name} while training")
    assert stopped_in < 10
