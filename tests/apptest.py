"""The main page opened headless from a link, for the AppTest files in tests/pages."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# Models trained for 300 iterations unless a test asks for more: the page as it is, quickly.
FAST = {"num_iterations": "300"}


def open_page(**params) -> AppTest:
    """The page opened from a link with these query parameters (300 iterations unless given)."""
    page = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=120)
    page.query_params.update({**FAST, **params})
    page.run()
    assert not page.exception, page.exception
    return page
