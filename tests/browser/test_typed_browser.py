"""Every typed value either used exactly or refused with a message quoting it, in a real browser
(headless Chromium through Playwright) against ``streamlit run app.py``: the main page's sidebar
fields, its table of models and the Sweep page's form, case after case on one server and one page.

The catalog it runs is written to test-artifacts/typed-catalog.md (docs/measurements.md, "Typed
values", holds a copy)."""

import urllib.parse

import pytest

from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
IDLE = "document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"
USED, REFUSED = "used", "refused"
# Small models, so that each used value retrains in a moment: moons of 200 points, 200 iterations.
START = {"data": "moons", "n_points": "200", "num_iterations": "200"}

# The sidebar: (label, URL key, typed, outcome).  A used value stays in the field as typed (less
# the spaces around it) and in the link; a refused one is quoted in a warning saying what is
# allowed, and the field and the link go back to the value the models use.
SIDEBAR = [
    ("Init seed", "seed", "1e9", USED),
    ("Init seed", "seed", "1.5", REFUSED),
    ("Init seed", "seed", "0.0005", REFUSED),
    ("Init seed", "seed", "12345678901234567890", REFUSED),
    ("Init seed", "seed", "abc", REFUSED),
    ("Init seed", "seed", "", REFUSED),
    ("Init seed", "seed", "-1", REFUSED),
    ("Init seed", "seed", "0x10", REFUSED),
    ("Init seed", "seed", "1,5", REFUSED),
    ("Init seed", "seed", " 7 ", USED),
    ("Number of seeds", "n_seeds", "1e9", REFUSED),
    ("Number of seeds", "n_seeds", "1.5", REFUSED),
    ("Number of seeds", "n_seeds", "0", REFUSED),
    ("Number of seeds", "n_seeds", "2", USED),
    ("Number of seeds", "n_seeds", "1e0", USED),
    ("Iterations", "num_iterations", "1e9", REFUSED),
    ("Iterations", "num_iterations", "150.5", REFUSED),
    ("Iterations", "num_iterations", "inf", REFUSED),
    ("Iterations", "num_iterations", "nan", REFUSED),
    ("Iterations", "num_iterations", "3e2", USED),
    ("Learning rate α", "learning_rate", "0.0015", USED),
    ("Learning rate α", "learning_rate", "0.0005", REFUSED),
    ("Learning rate α", "learning_rate", "-0.3", REFUSED),
    ("Learning rate α", "learning_rate", "0,3", REFUSED),
    ("Learning rate α", "learning_rate", "", REFUSED),
    ("Learning rate α", "learning_rate", "1e-3", USED),
    ("Number of points", "n_points", "1e9", REFUSED),
    ("Number of points", "n_points", "240.5", REFUSED),
    ("Number of points", "n_points", "2.4e2", USED),
    ("Data seed", "data_seed", "-5", REFUSED),
    ("Data seed", "data_seed", "1e9", USED),
    ("Hidden layer sizes", "layers", "20, 1e9", REFUSED),
    ("Hidden layer sizes", "layers", "1.5", REFUSED),
    ("Hidden layer sizes", "layers", " 10 5 ", USED),
    ("Batch size", "batch_size", "0", REFUSED),
    ("Batch size", "batch_size", "2.5", REFUSED),
    ("Batch size", "batch_size", "all", REFUSED),
]

# The table of models (rows: No regularization, L2, Dropout): (row, column, typed, outcome, the words
# that show it: a used value in the model's title, a refused one in the warning).
# The columns' headers in the order nnreg/dashboard/widgets.models_editor shows them.
COLUMNS = ("name", "λ", "l1", "keep_prob", "decay", "stop early", "hidden layers", "activation", "optimizer", "α",
           "batch", "iterations", "standardize")
ROW_MARKER, ROW_HEIGHT = 33, 35
TABLE = [
    (1, "λ", "1e9", REFUSED, "model 'L2:lambd=1e9': lambd must be a number from 0 to 1,000, got 1e9"),
    (1, "λ", "abc", REFUSED, "model 'L2:lambd=abc': lambd must be a number from 0 to 1,000, got 'abc'"),
    (1, "λ", "0.0015", USED, "L2 (λ = 0.0015)"),
    (1, "λ", "-1", REFUSED, "model 'L2:lambd=-1': lambd must be a number from 0 to 1,000, got -1"),
    (1, "λ", "inf", REFUSED, "model 'L2:lambd=inf': lambd must be a number from 0 to 1,000, got 'inf'"),
    (1, "λ", "0x10", REFUSED, "model 'L2:lambd=0x10': lambd must be a number from 0 to 1,000, got '0x10'"),
    (1, "λ", "1e-3", USED, "L2 (λ = 0.001)"),
    (2, "keep_prob", "0.01", REFUSED,
     "model 'Dropout:keep_prob=0.01': keep_prob must be a number from 0.05 to 1, got 0.01"),
    (2, "keep_prob", "0.5", USED, "Dropout (keep_prob = 0.5)"),
    # The cells as typed: λ is still "1e-3" there.
    (1, "iterations", "1e9", REFUSED,
     "model 'L2:lambd=1e-3,num_iterations=1e9': num_iterations must be a whole number from 100 to 100,000, got 1e9"),
    (1, "iterations", "1.5", REFUSED,
     "model 'L2:lambd=1e-3,num_iterations=1.5': num_iterations must be a whole number from 100 to 100,000, "
     "got '1.5'"),
    (1, "iterations", "2.5e2", USED, "L2 (λ = 0.001, iterations = 250)"),
]

# The Sweep page's form, submitted with one field changed: (label, typed, outcome, the words).
# Each differs from its field's default as text, so that the link holds it.
SWEEP_FIELDS = {"λ values": "0", "L1 values": "0.0", "keep_prob values": "1", "Seeds": "1e0", "Iterations": "1e2",
                "Learning rate": "0.0015", "Hidden layer sizes": "20 3"}
SWEEP_KEYS = {"λ values": "sweep_lambd", "L1 values": "sweep_l1", "keep_prob values": "sweep_keep_prob",
              "Seeds": "sweep_seeds", "Iterations": "sweep_iterations", "Learning rate": "sweep_learning_rate",
              "Hidden layer sizes": "sweep_hidden"}
SWEEP = [
    ("keep_prob values", "1, 0.01", REFUSED, "keep_prob values: each value must be a number from 0.05 to 1, got 0.01"),
    ("λ values", "1e9", REFUSED, "λ values: each value must be a number from 0 to 1,000, got 1e9"),
    ("λ values", "0, abc", REFUSED, "λ values: each value must be a number from 0 to 1,000, got 'abc'"),
    ("Seeds", "1.5", REFUSED, "Seeds must be a whole number from 1 to 100, got '1.5'"),
    ("Seeds", "1e9", REFUSED, "Seeds must be a whole number from 1 to 100, got 1e9"),
    ("Seeds", "", REFUSED, "Seeds must be a whole number from 1 to 100, got ''"),
    ("Iterations", "12345678901234567890", REFUSED,
     "Iterations must be a whole number from 100 to 100,000, got 12345678901234567890"),
    ("Learning rate", "abc", REFUSED, "Learning rate must be a number from 0.001 to 100, got 'abc'"),
    ("Learning rate", "0.0005", REFUSED, "Learning rate must be a number from 0.001 to 100, got 0.0005"),
    ("Hidden layer sizes", "20, 1.5", REFUSED, "got '20, 1.5'"),
]


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    # No file watcher: a source file saved during the run must not reload modules under the page.
    with browser.StreamlitServer(ARTIFACTS / "streamlit-typed.log",
                                 env={"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}) as running:
        yield running


def _link_value(page, key):
    return page.evaluate(f"new URL(location.href).searchParams.get({key!r})")


def _idle(page):
    page.wait_for_function(IDLE, timeout=60_000)


def _message(alert) -> str:
    # An alert's inner text begins with its icon's name on a line of its own.
    return alert.inner_text().split("\n")[-1]


def _no_exception(page, case):
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, (case, exceptions.all_inner_texts())


def _sidebar_case(page, label, key, typed, outcome, used_text):
    """Type into a sidebar field; how it ended, and the text the models now use."""
    box = page.get_by_label(label, exact=True)
    box.fill(typed)
    box.press("Enter")
    shown = typed.strip()
    if outcome == USED:
        page.wait_for_function(f"new URL(location.href).searchParams.get({key!r}) === {shown!r}", timeout=60_000)
        page.wait_for_timeout(300)
        _idle(page)
        assert box.input_value() == shown, (label, typed)
        assert page.locator("[data-testid='stAlertContentWarning']", has_text=f"{label}: ").count() == 0
        return f"used: the field and the link hold `{shown}`", shown
    # The typed text shows as code: inner text has it without the backticks.
    quoted = f"{shown} was not used" if shown else "an empty field was not used"
    warning = page.locator("[data-testid='stAlertContentWarning']", has_text=f"{label}: {quoted}")
    warning.wait_for(timeout=60_000)
    _idle(page)
    text = _message(warning)
    assert " must be " in text and text.endswith("."), text
    assert box.input_value() == used_text, (label, typed, box.input_value())
    assert _link_value(page, key) in (used_text, None), (label, typed)
    return "refused: " + text.removeprefix(f"{label}: "), used_text


def _type_cell(page, row, column, text):
    """Type into a cell of the table of models: select the row's name, step right to the column (at
    1280 pixels the table scrolls sideways to it), then type."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + ROW_MARKER + 20, box["y"] + (row + 1.5) * ROW_HEIGHT)
    # The grid needs a moment between keys.
    for key in [*["ArrowRight"] * COLUMNS.index(column), *text, "Enter"]:
        page.wait_for_timeout(120)
        page.keyboard.press(key)


def test_every_typed_value_is_used_exactly_or_refused_quoting_it(server):
    catalog = []
    with browser.browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(f"{server.url}/?{urllib.parse.urlencode(START)}")
        browser.seconds_to_render(page)
        used = {label: page.get_by_label(label, exact=True).input_value() for label, *_ in SIDEBAR}
        for label, key, typed, outcome in SIDEBAR:
            ended, used[label] = _sidebar_case(page, label, key, typed, outcome, used[label])
            _no_exception(page, (label, typed))
            catalog.append(("main page, sidebar", label, typed, ended))
        # The data made with what the fields hold: 240 points from data seed 1e9.
        assert page.get_by_text("moons:n_points=240,noise=0.1,seed=1000000000").count() == 1

        page.get_by_text("Edit the models: change").click()
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        for row, column, typed, outcome, words in TABLE:
            _type_cell(page, row, column, typed)
            if outcome == USED:
                page.locator(".st-key-accuracy_table", has_text=words).wait_for(timeout=60_000)
                _idle(page)
                assert page.locator("[data-testid='stAlertContentWarning']", has_text="model '").count() == 0
                ended = f"used: the model is titled “{words}”"
            else:
                warning = page.locator("[data-testid='stAlertContentWarning']", has_text=words)
                warning.wait_for(timeout=60_000)
                _idle(page)
                assert "The other models are compared" in _message(warning)
                # The row is left out until it can be used: two models are compared.
                assert page.locator(".st-key-accuracy_table tbody tr").count() == 2
                ended = "refused: " + _message(warning)
            _no_exception(page, (column, typed))
            catalog.append((f"main page, models table, row {row + 1}", column, typed, ended))
        link = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["model"]
        assert link == ["No regularization", "L2:lambd=0.001,num_iterations=250", "Dropout:keep_prob=0.5"]

        page.goto(f"{server.url}/sweep")
        page.get_by_role("button", name="Run sweep").wait_for(timeout=60_000)
        page.get_by_text("Network", exact=True).click()
        for label, text in SWEEP_FIELDS.items():
            page.get_by_label(label, exact=True).fill(text)
        for label, typed, outcome, words in SWEEP:
            page.get_by_label(label, exact=True).fill(typed)
            page.get_by_role("button", name="Run sweep").click()
            error = page.locator("[data-testid='stAlertContentError']", has_text=words)
            error.wait_for(timeout=30_000)
            _idle(page)
            _no_exception(page, (label, typed))
            assert page.get_by_text("Training the sweep").count() == 0, (label, typed)
            catalog.append(("Sweep page", label, typed, "refused: " + _message(error)))
            page.get_by_label(label, exact=True).fill(SWEEP_FIELDS[label])
        # Every field used as typed: one model on the dev set and its retraining, 100 iterations, α = 0.0015.
        page.get_by_role("button", name="Run sweep").click()
        page.get_by_text("Chosen λ", exact=True).wait_for(timeout=120_000)
        _idle(page)
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
        assert {label: query[key] for label, key in SWEEP_KEYS.items()} == {
            label: [text] for label, text in SWEEP_FIELDS.items()}
        for label, text in SWEEP_FIELDS.items():
            catalog.append(("Sweep page", label, text, f"used: run with `{text}`, the link holds it"))

    assert len(catalog) >= 40
    lines = ["| # | Where | Field | Typed | How it ended |", "|---|---|---|---|---|"]
    for number, (where, field, typed, ended) in enumerate(catalog, start=1):
        cell = f"`{typed}`" if typed.strip() else "(empty)" if not typed else f"`{typed}` (spaces)"
        lines.append(f"| {number} | {where} | {field} | {cell} | {ended.replace('|', '/')} |")
    (ARTIFACTS / "typed-catalog.md").write_text("\n".join(lines) + "\n")
