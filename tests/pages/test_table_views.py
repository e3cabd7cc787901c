"""The main page's charts and views on tables (iris: 4 features, 3 classes; wine: 13 features, 3
classes), in AppTest: a slice through the two features chosen, the classes by name, the Inputs
view, and no view that asks the course's own question."""

import json

import pandas as pd
import pytest

import nnreg
from nnreg import charts, dashboard

from apptest import open_page

SLICE = "slice through {} and {}, other features at their training means"


def boundaries(page) -> list[dict]:
    """The models' boundaries' specs: the charts that carry a probability image."""
    return [json.loads(chart.proto.spec) for chart in page.get("vega_lite_chart")
            if any(dataset.name == charts.IMAGE_DATASET for dataset in chart.proto.datasets)]


def chart_data(chart) -> pd.DataFrame:
    """Every row a chart carries, its named datasets' and its inline ones'."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    frames = [convert_arrow_bytes_to_pandas_df(dataset.data.data) for dataset in chart.proto.datasets]
    return pd.concat(frames, ignore_index=True)


def _first_model(name):
    dataset = nnreg.load_dataset(name)
    return dataset, nnreg.train(dataset, dashboard.model_settings(nnreg.specs.parse_specs(
        [nnreg.specs.DEFAULT_SPECS[0]]), {**dashboard.default_values(), "num_iterations": 300})["No regularization"])


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_a_table_s_boundaries_are_a_slice_through_the_features_its_first_model_weighs_most(name):
    page = open_page(data=name)
    dataset, first = _first_model(name)
    across, up = (dataset.feature_names[j] for j in charts.default_pair(first, dataset))
    assert [box.value for box in page.selectbox if box.label in ("Feature across", "Feature up")] == [across, up]
    drawn = boundaries(page)
    assert len(drawn) == 3
    for spec in drawn:
        assert " ".join(spec["title"]["text"]) == SLICE.format(across, up)
        points = spec["layer"][-1]["encoding"]
        assert (points["x"]["title"], points["y"]["title"]) == (across, up)
        assert points["fill"]["scale"]["range"] == list(nnreg.report.palette.class_colors(3))
    # The tabs: Inputs, and not the dropout-runs view, which asks the course's question.
    assert [tab.label for tab in page.tabs] == [view for view in dashboard.VIEWS if view != "Dropout runs"]


def test_choosing_other_features_redraws_every_boundary_on_their_slice():
    page = open_page(data="iris")
    page.selectbox(key=next(box.key for box in page.selectbox if box.label == "Feature across")).select(
        "sepal width (cm)").run()
    assert not page.exception
    up = next(box for box in page.selectbox if box.label == "Feature up")
    assert "sepal width (cm)" not in up.options
    page.selectbox(key=up.key).select("sepal length (cm)").run()
    for spec in boundaries(page):
        assert " ".join(spec["title"]["text"]) == SLICE.format("sepal width (cm)", "sepal length (cm)")


OPENINGS = {"Weight decay": "Follow ‖W‖ while training", "The network": "Compare the links' thickness",
            "Inputs": "Read which features each model listens to: No regularization weighs ",
            "Learning curves": "Look at the space between the train and test curves",
            "Training replay": "Drag the slider", "Hidden units": "Look for the units marked dead",
            "Sensitivity": "Look at how far a nudge of one part in 10¹² carries each model",
            "The data alone": "The field alone, before any model", "The math": "Look at L2's factor"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["iris", "wine"])
@pytest.mark.parametrize("view", OPENINGS)
def test_every_view_of_a_table_opens_with_what_to_notice(name, view):
    page = open_page(data=name, view=view)
    tab = next(tab for tab in page.tabs if tab.label == view)
    assert tab.markdown[0].value.startswith(OPENINGS[view])
    text = " ".join(element.value for element in [*tab.markdown, *tab.caption])
    # No sentence of a table's view speaks of the course's labels.
    assert "label 1" not in text and "label 0" not in text and "French" not in text


def test_a_table_s_math_shows_softmax_and_its_network_names_features_and_classes():
    page = open_page(data="iris", view="The math")
    tab = next(tab for tab in page.tabs if tab.label == "The math")
    assert tab.markdown[1].value.startswith("**Softmax output.** With 3 classes (setosa, versicolor and virginica)")
    assert any(r"\sum_{k=1}^{K}" in latex.value for latex in tab.get("latex"))
    page = open_page(data="iris", view="The network")
    iris = nnreg.load_dataset("iris")
    for network in page.get("vega_lite_chart")[-3:]:
        frame = chart_data(network)
        labels = frame.dropna(subset=["label"])
        labels = labels[labels["label"] != ""]
        assert set(labels["label"]) == {*iris.feature_names, *iris.class_names}


def test_the_football_page_keeps_its_views_and_has_no_feature_choice():
    page = open_page()
    assert [tab.label for tab in page.tabs] == list(dashboard.VIEWS)
    assert not [box for box in page.selectbox if box.label.startswith("Feature")]
    for spec in boundaries(page):
        assert "title" not in spec
        assert spec["layer"][-1]["encoding"]["fill"]["scale"] == {"domain": [0, 1], "range": ["#dc2626", "#1d4ed8"]}


def test_a_link_to_the_dropout_runs_on_a_table_opens_the_page_without_that_view():
    page = open_page(data="wine", view="Dropout runs")
    assert "Dropout runs" not in [tab.label for tab in page.tabs]
    assert len(boundaries(page)) == 3
    # Said, not silent: which view the link asked for, and which one opens instead.
    assert [info.value for info in page.info if "Dropout runs" in info.value] == [
        "The link opens “Dropout runs”, a view of the course's kind of data (features x1 and x2, "
        "labels 0 and 1), which wine is not; the page opens “Weight decay” instead."]
