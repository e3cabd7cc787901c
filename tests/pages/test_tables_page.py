"""Both pages on an analyst's table, run headless with Streamlit's AppTest: the bundled real tables
(iris, wine, breast cancer) and an uploaded CSV of named columns, text labels, a text feature and
a missing value.  Every number the page shows is recomputed here from models trained directly."""

import io

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import data
from test_app import ROOT, open_page, table

FAST = nnreg.Settings(num_iterations=300)
TABLES = ("iris", "wine", "breast_cancer")


def recall_mean(labels, predicted) -> float:
    """Balanced accuracy by hand: each class's share of its points labelled right, averaged."""
    return float(np.mean([np.mean(predicted[labels == code] == code) for code in np.unique(labels)]))


def captions(page) -> list[str]:
    return [caption.value for caption in page.caption]


def assert_table_is_the_models(page, dataset):
    """The table's accuracies, balanced accuracies and standardization are the course's three
    models trained directly on ``dataset``, and the baseline line is its majority class's."""
    shown = table(page)
    names = {"No regularization": FAST, "L2": FAST.replace(lambd=0.7), "Dropout": FAST.replace(keep_prob=0.86)}
    for name, settings in names.items():
        result = nnreg.train(dataset, settings)
        assert shown.loc[name, "Test accuracy"] == result.test_accuracy
        assert shown.loc[name, "Balanced test accuracy"] == pytest.approx(
            recall_mean(dataset.test_Y, result.predict(dataset.test_X)), abs=1e-15)
        assert shown.loc[name, "Standardized"] == "yes" and result.input_mean is not None
    counts = np.bincount(dataset.train_Y)
    majority = int(np.argmax(counts))
    share = np.mean(dataset.test_Y == majority)
    line = next(text for text in captions(page) if text.startswith("Majority-class baseline"))
    assert f"always answering {dataset.class_names[majority]} (" in line
    assert f"scores {100 * share:.1f}% test accuracy, and {100 / len(np.unique(dataset.test_Y)):.1f}% balanced" in line


@pytest.mark.parametrize("name", TABLES)
def test_a_bundled_table_trains_with_its_names_source_and_baseline(name):
    page = open_page(data=name)
    assert not page.error, [e.value for e in page.error]
    dataset = data.load_dataset(name)
    assert dataset.standardize
    assert data.table_source(name) in captions(page)
    assert (f"Dataset **{name}**: {len(dataset.train_Y)} training points (circles), {len(dataset.test_Y)} test points "
            f"(triangles); {dataset.n_features} features, classes {', '.join(dataset.class_names)}.") in captions(page)
    assert_table_is_the_models(page, dataset)
    # None of them is lopsided enough to warn: breast cancer's benign is 63 % of its points.
    assert not [w for w in page.warning if "of the training points" in w.value]


def test_the_budget_counts_a_tables_features():
    # Three models over three seeds at 30,000 iterations: 9 course models on football, about 109 on
    # breast cancer's 398 training points of 30 features.
    page = open_page(data="breast_cancer", num_iterations="30000", n_seeds="3")
    assert [e.value for e in page.error] == [page.error[0].value]
    assert page.error[0].value.startswith("This page would train too much: 9 models of 20, 3 hidden units on 398 "
                                          "training points of 30 features")
    assert not page.table


# --- An uploaded table ------------------------------------------------------------------------------------

def analyst_csv() -> bytes:
    """120 rows: two numeric features, a text feature of three values, a label of two words; the
    label follows 'size' and the colour. One 'weight' is missing."""
    rng = np.random.default_rng(3)
    size = rng.normal(0, 1, 120)
    region = np.array(["north", "south", "east"])[np.arange(120) % 3]
    weight = rng.normal(50, 10, 120)
    outcome = np.where(size + (region == "north") > 0.4, "approved", "declined")
    frame = pd.DataFrame({"size": size.round(4), "region": region, "weight": weight.round(2), "outcome": outcome})
    frame.loc[7, "weight"] = np.nan
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def uploaded():
    page = open_page(data="upload")
    page.file_uploader(key="data_file").upload("loans.csv", analyst_csv(), "text/csv").run()
    assert not page.exception
    return page


def test_an_upload_offers_its_columns_and_names_the_missing_value(uploaded):
    label = uploaded.selectbox(key="label")
    assert label.options == ["size", "region", "weight", "outcome"] and label.value == "outcome"
    assert uploaded.selectbox(key="split").value == "(none)"
    assert uploaded.slider(key="test_fraction").value == data.TEST_FRACTION
    # Refused until the row is dropped: one message, naming the column, and the page on football.
    errors = [e.value for e in uploaded.error]
    assert len(errors) == 1 and errors[0].startswith("loans.csv: ") and "weight" in errors[0], errors
    assert any(text.startswith("Dataset **football**") for text in captions(uploaded))


def test_an_upload_with_the_missing_row_dropped_trains_on_its_named_columns(uploaded):
    uploaded.checkbox(key="drop_missing").check().run()
    assert not uploaded.exception and not uploaded.error, [e.value for e in uploaded.error]
    content = analyst_csv()
    dataset = data.read_dataset(content, "loans.csv", label="outcome", drop_missing=True)
    assert dataset.class_names == ("approved", "declined")
    assert len(dataset.train_Y) + len(dataset.test_Y) == 119
    # What reading did, under the data's choice.
    for note in dataset.notes:
        assert note in captions(uploaded)
    assert any("region" in note for note in dataset.notes) and any("dropped" in note for note in dataset.notes)
    assert (f"Dataset **loans.csv**: {len(dataset.train_Y)} training points (circles), {len(dataset.test_Y)} test "
            f"points (triangles); {dataset.n_features} features, classes approved, declined.") in captions(uploaded)
    assert_table_is_the_models(uploaded, dataset)


def test_another_label_column_and_test_share_are_used(uploaded):
    uploaded.checkbox(key="drop_missing").check().run()
    uploaded.selectbox(key="label").set_value("region").run()
    uploaded.slider(key="test_fraction").set_value(0.5).run()
    assert not uploaded.exception and not uploaded.error, [e.value for e in uploaded.error]
    dataset = data.read_dataset(analyst_csv(), "loans.csv", label="region", test_fraction=0.5, drop_missing=True)
    assert dataset.class_names == ("east", "north", "south") and len(dataset.test_Y) in (59, 60, 61)
    assert_table_is_the_models(uploaded, dataset)


def test_a_split_column_is_used_until_none_is_chosen_and_then_the_test_share_is():
    # The file's own split first (its 30 test rows, no slider); "(none)" makes the column a feature
    # and the test share count.
    frame = pd.read_csv(io.BytesIO(analyst_csv())).dropna()
    frame["split"] = np.where(np.arange(len(frame)) < 30, "test", "train")
    content = frame.to_csv(index=False).encode()
    page = open_page(data="upload")
    page.file_uploader(key="data_file").upload("split.csv", content, "text/csv").run()
    assert page.selectbox(key="split").value == "split"
    assert "test_fraction" not in [slider.key for slider in page.slider]
    assert_table_is_the_models(page, data.read_dataset(content, "split.csv"))
    page.selectbox(key="split").set_value("(none)").run()
    page.slider(key="test_fraction").set_value(0.5).run()
    assert not page.exception and not page.error, [e.value for e in page.error]
    dataset = data.read_dataset(content, "split.csv", split=data.NO_SPLIT, test_fraction=0.5)
    assert "split=test" in dataset.feature_names and len(dataset.test_Y) in (59, 60)
    assert_table_is_the_models(page, dataset)


def test_a_lopsided_upload_warns_naming_the_majority_class():
    rng = np.random.default_rng(1)
    y = np.where(np.arange(200) % 10 == 0, "fraud", "normal")
    frame = pd.DataFrame({"amount": (rng.normal(0, 1, 200) + 2 * (y == "fraud")).round(3),
                          "hour": rng.integers(0, 24, 200), "label": y})
    page = open_page(data="upload")
    page.file_uploader(key="data_file").upload("cards.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    assert not page.exception and not page.error
    dataset = data.read_dataset(frame.to_csv(index=False).encode(), "cards.csv", label="label")
    share = np.mean(dataset.train_Y == dataset.class_names.index("normal"))
    warnings = [w.value for w in page.warning]
    assert any(text.startswith(f"normal is {100 * share:.1f}% of the training points") for text in warnings), warnings


# --- The Sweep page ---------------------------------------------------------------------------------------

def test_the_sweep_page_takes_a_bundled_table():
    page = AppTest.from_file(str(ROOT / "app_pages" / "sweep.py"), default_timeout=120)
    page.query_params.update({"sweep_data": "iris"})
    page.run()
    assert not page.exception and not page.error
    dataset = data.load_dataset("iris")
    assert (f"Dataset **iris**: {len(dataset.train_Y)} training points, {len(dataset.test_Y)} test points; 4 "
            "features, classes setosa, versicolor, virginica.") in captions(page)
    assert data.table_source("iris") in captions(page)


def test_the_sweep_pages_budget_counts_a_tables_features():
    # The default grid over two seeds: 32 models, 64 course models' work on football's size, about
    # 389 on breast cancer's 398 training points of 30 features.
    page = AppTest.from_file(str(ROOT / "app_pages" / "sweep.py"), default_timeout=120)
    page.query_params.update({"sweep_data": "breast_cancer"})
    page.run()
    page.text_input(key="sweep_seeds").set_value("2")
    page.form_submit_button[0].click().run()
    assert not page.exception
    assert page.error[0].value.startswith("This sweep would train too much: 32 models of 20, 3 hidden units on 398 "
                                          "training points of 30 features")


def test_the_sweep_page_reads_an_uploaded_table_with_its_label_column():
    page = AppTest.from_file(str(ROOT / "app_pages" / "sweep.py"), default_timeout=120)
    page.run()
    page.selectbox(key="sweep_data").set_value("upload").run()
    page.file_uploader(key="sweep_data_file").upload("loans.csv", analyst_csv(), "text/csv").run()
    assert page.selectbox(key="sweep_label").value == "outcome"
    assert [e.value for e in page.error] == [page.error[0].value] and "weight" in page.error[0].value
    page.checkbox(key="sweep_drop_missing").check().run()
    page.selectbox(key="sweep_label").set_value("region").run()
    assert not page.exception and not page.error, [e.value for e in page.error]
    dataset = data.read_dataset(analyst_csv(), "loans.csv", label="region", drop_missing=True)
    assert (f"Dataset **loans.csv**: {len(dataset.train_Y)} training points, {len(dataset.test_Y)} test points; "
            f"{dataset.n_features} features, classes east, north, south.") in captions(page)
    assert all(note in captions(page) for note in dataset.notes)
