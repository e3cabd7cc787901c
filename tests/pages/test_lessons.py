"""The lessons a teacher can link (nnreg.dashboard.lessons): each link reads with no problem, and
opens the page on the models and the view it names; a file placed in data/ can be named in one."""

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import dashboard
from nnreg.dashboard import LESSONS, UPLOAD, lessons_markdown
from nnreg.dashboard.lessons import data_params
from nnreg.settings import title
from nnreg.specs import parse_specs_kept

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["overfitting", "too much λ", "notebook vs fresh masks", "L1 drops weights", "a nudge of 10⁻¹²", "less data"]
# The icon of the page's warnings about a link's values (a model may still warn about its training).
LINK_PROBLEM = ":material/link_off:"


def link_params(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=True, strict_parsing=True)


def open_link(query: str) -> AppTest:
    page = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=180)
    page.query_params.update(link_params(query))
    page.run()
    assert not page.exception, page.exception
    return page


def test_the_lessons_a_teacher_was_promised_are_there():
    assert [lesson.name for lesson in LESSONS] == NAMES


@pytest.mark.parametrize("lesson", LESSONS, ids=NAMES)
def test_each_lessons_link_reads_with_no_problem(lesson):
    params = link_params(lesson.query())
    models = params.pop("model")
    specs, problems = parse_specs_kept(models)
    assert problems == [] and [str(spec) for spec in specs] == list(lesson.models)
    assert all(len(values) == 1 for values in params.values())
    controls = {key: values[0] for key, values in params.items()}
    assert dashboard.check_query_params(controls, dashboard.dataset_choices()) == {}
    assert set(controls) <= set(dashboard.CONTROLS) and controls["view"] in dashboard.VIEWS


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=NAMES)
def test_each_lesson_opens_with_the_models_and_the_view_it_names(lesson):
    page = open_link(lesson.query())
    assert not page.error and not [warning for warning in page.warning if warning.icon == LINK_PROBLEM]
    titles = [title(spec.name) for spec in parse_specs_kept(lesson.models)[0]]
    assert [h.value for h in page.subheader][:len(titles)] == titles
    assert page.session_state["view"] == lesson.view
    for key, value in lesson.settings:
        assert dashboard.shown_value(key, page.session_state[key]) == value


@pytest.mark.slow
def test_too_much_lambda_shows_lambda_50_collapsed_not_diverged():
    page = open_link(LESSONS[NAMES.index("too much λ")].query())
    table = page.table[0].value
    strong = table[table["Model"].str.startswith("L2 too strong")]
    assert float(strong["λ"].iloc[0]) == 50
    # Trained and compared: a penalty this strong underfits, which is a result, not a divergence.
    assert "diverged" not in " ".join(str(value) for value in strong.iloc[0]).lower()


def test_a_lesson_carries_the_data_a_link_can_name():
    assert data_params({"data": "football"}) == {}
    # An upload cannot travel in a link: the lesson opens on the built-in data.
    assert data_params({"data": UPLOAD}) == {}
    assert data_params({"data": "course", "n_points": 50}) == {"data": "course"}
    defaults = {key: dashboard.CONTROLS[key].default for key in ("n_points", "noise", "data_seed")}
    assert data_params({"data": "moons", **defaults}) == {"data": "moons"}
    assert data_params({"data": "moons", **defaults, "noise": 0.3}) == {"data": "moons", "noise": "0.3"}
    query = LESSONS[0].query({"data": "moons", **defaults, "n_points": 200})
    assert link_params(query)["data"] == ["moons"] and link_params(query)["n_points"] == ["200"]


def test_the_lessons_list_links_each_lesson_with_what_it_shows():
    text = lessons_markdown({"data": "course"})
    links = re.findall(r"^- \[([^\]]*)\]\(\?([^()\s]*)\): (.*)$", text, flags=re.MULTILINE)
    assert [name for name, _, _ in links] == list(NAMES)
    for (_, href, shows), lesson in zip(links, LESSONS):
        assert href == lesson.query({"data": "course"})
        assert shows == lesson.shows


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """A data/ folder of the host's own, as a copy: what is placed there is never committed."""
    monkeypatch.setattr(nnreg.data, "DATA_DIR", tmp_path)
    return tmp_path


def test_a_file_placed_in_data_is_named_in_a_lessons_link(data_folder):
    shutil.copy(ROOT / "data" / "football.csv", data_folder / "class.csv")
    page = open_link(LESSONS[0].query({"data": "class"}))
    assert not page.error and not [warning for warning in page.warning if warning.icon == LINK_PROBLEM]
    assert page.selectbox(key="data").value == "class"
    assert "Dataset **class**" in " ".join(caption.value for caption in page.caption)


def test_the_course_file_placed_in_data_gives_the_published_table_from_a_link(data_folder, course_data_path):
    shutil.copy(course_data_path, data_folder / "course.mat")
    page = open_link("data=course&dropout_mask=fixed")
    assert not page.warning and not page.error
    table = page.table[0].value
    published = {"No regularization": ("94.8%", "91.5%"), "L2": ("93.8%", "93.0%"), "Dropout": ("92.9%", "95.0%")}
    for (model, (train, test)), (_, row) in zip(published.items(), table.iterrows(), strict=True):
        assert row["Model"].startswith(model)
        assert (f"{row['Train accuracy']:.1%}", f"{row['Test accuracy']:.1%}") == (train, test)


def test_a_table_has_no_view_or_lesson_asking_the_course_s_own_question():
    points = np.random.default_rng(0).normal(size=(40, 3))
    table = nnreg.Dataset.from_arrays(points, ["a", "b"] * 20)
    for course_kind in (nnreg.load_dataset("football"), nnreg.make_dataset("moons", n_points=60)):
        assert dashboard.views_for(course_kind) == dashboard.VIEWS
    shown = dashboard.views_for(table)
    assert "Dropout runs" not in shown and "Inputs" in shown
    assert [view for view in dashboard.VIEWS if view not in shown] == ["Dropout runs"]
    # Two named features are a table too: its wording is the table's.
    named = nnreg.Dataset.from_arrays(points[:, :2], [0, 1] * 20, feature_names=("age", "dose"))
    assert not nnreg.data.course_layout(named)
    text = lessons_markdown({"data": "iris"}, shown)
    assert [lesson.name for lesson in LESSONS if f"[{lesson.name}]" in text] == [
        lesson.name for lesson in LESSONS if lesson.view != "Dropout runs"]
    assert "notebook vs fresh masks" not in text
