"""The Sensitivity view (nnreg.dashboard.views.sensitivity_view) opened headless: each model's run
from the nudged start trained once, compared, and refused over the page's budget."""

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from nnreg import limits
from nnreg.dashboard import LESSONS, cache
from nnreg.sensitivity import NUDGE, VERDICTS

from apptest import open_page


@pytest.fixture
def trainings(monkeypatch):
    """The nudges of every train_many call the page's caches make."""
    nudges = []
    train_many = cache.train_many

    def counted(dataset, runs, **options):
        nudges.append(options.get("nudge", 0.0))
        return train_many(dataset, runs, **options)

    monkeypatch.setattr(cache, "train_many", counted)
    return nudges


def tab_of(page):
    return next(tab for tab in page.tabs if tab.label == "Sensitivity")


def test_the_view_compares_each_model_with_its_nudged_run_and_a_rerun_trains_nothing(trainings):
    page = open_page(view="Sensitivity", seed="11")
    tab = tab_of(page)
    assert not page.error
    table = tab.table[0].value
    assert list(table["Model"]) == ["No regularization", "L2", "Dropout"]
    assert set(table["Verdict"]) <= set(VERDICTS)
    notice = tab.markdown[0].value
    for _, row in table.iterrows():
        assert f"{row['Model']}'s" in notice and notice.count(f": {row['Verdict']}") >= 1
    # The models' own cache trained them first; the nudged ones, once, in a cache of their own.
    assert trainings.count(NUDGE) == 1
    trained = len(trainings)
    page.run()
    assert not page.exception and len(trainings) == trained
    assert tab_of(page).table[0].value.equals(table)


def test_the_view_says_so_instead_of_training_over_the_budget(monkeypatch, trainings):
    # 300 iterations of three course models are 0.03 course models: the page fits, twice that does not.
    monkeypatch.setattr(limits, "BUDGET", 0.05)
    page = open_page(view="Sensitivity", seed="12")
    tab = tab_of(page)
    assert tab.error[0].value.startswith("This view would train too much: it trains each model again, twice the "
                                         "work, and 6 models of 20, 3 hidden units on 211 training points")
    assert not tab.table and NUDGE not in trainings


@pytest.mark.slow
def test_the_nudge_lesson_shows_no_regularization_chaotic_and_l2_stable():
    lesson = LESSONS[[lesson.name for lesson in LESSONS].index("a nudge of 10⁻¹²")]
    page = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "frame.py"), default_timeout=180)
    page.query_params.update(parse_qs(lesson.query()))
    page.run()
    assert not page.exception and not page.error
    table = tab_of(page).table[0].value
    assert list(table["Verdict"]) == ["chaotic", "stable"]
    assert table.loc[0, "Labels changed (train)"] != "0 of 211"
