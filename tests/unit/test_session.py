"""What a page keeps between runs (nnreg.dashboard.session), on plain mappings in place of
Streamlit's session state and query parameters."""

import json
from types import SimpleNamespace

import pytest

import nnreg
from nnreg.dashboard import ADAM_PRESET, CONTROLS, COURSE_PRESET, NOTEBOOK_PRESET
from nnreg.dashboard.session import PageState, StudyState
from nnreg.specs import DEFAULT_SPECS


class Params:
    """st.query_params as the session module uses it: one value per key, or a list for a repeated one."""

    def __init__(self, **values):
        self.values = dict(values)

    def get(self, key, default=None):
        value = self.values.get(key, default)
        return value[-1] if isinstance(value, list) else value

    def get_all(self, key):
        value = self.values.get(key, [])
        return list(value) if isinstance(value, list) else [value]

    def to_dict(self):
        return {key: self.get(key) for key in self.values}

    def __contains__(self, key):
        return key in self.values

    def __getitem__(self, key):
        return self.get(key)

    def __setitem__(self, key, value):
        self.values[key] = value

    def __delitem__(self, key):
        del self.values[key]


def refuse_all_but_ok(params):
    return {key: f"`{key}` refused" for key, value in params.to_dict().items() if value != "ok"}


def test_the_link_is_read_once_and_its_refused_values_leave_it():
    state, params = {}, Params(a="ok", b="bad")
    page = PageState(state, params, "p", refuse_all_but_ok)
    assert page.link_problems == {"b": "`b` refused"}
    assert params.values == {"a": "ok"}
    # Unbound for that run only, so the widget starts from its default.
    assert page.bind("b") is None and page.bind("a") == "query-params"
    params["c"] = "bad"
    again = PageState(state, params, "p", refuse_all_but_ok)
    assert again.link_problems == {} and "c" in params and again.bind("b") == "query-params"


def test_a_typed_number_is_kept_as_typed_and_a_bad_one_goes_back_to_it():
    state = {}
    page = PageState(state, Params(), "p", lambda params: {})
    assert page.use("seed", "seed", "1e2") == 100
    state["seed"] = "  7 "
    page.refuse_typed("seed", "seed", "Init seed")
    assert state["seed"] == "7" and page.pop_problems() == []
    state["seed"] = "-1"
    page.refuse_typed("seed", "seed", "Init seed")
    # Back to the text last used, "1e2", not 100.
    assert state["seed"] == "1e2"
    [message] = page.pop_problems()
    assert message.startswith("Init seed: `-1` was not used: seed must be a whole number from 0 to ")
    assert message.endswith("The models use 1e2.")
    # Each message is said once.
    assert page.pop_problems() == []


def test_refused_hidden_layers_go_back_as_the_page_writes_them():
    state = {}
    page = PageState(state, Params(), "p", lambda params: {})
    assert page.use("layers", "layers", "10 5") == (10, 5)
    state["layers"] = "20, 0"
    page.refuse_typed("layers", "layers", "Hidden layer sizes")
    assert state["layers"] == "10, 5"
    assert page.pop_problems()[0].endswith("The models use 10, 5.")


def test_a_choice_the_page_links_itself_starts_from_the_link_and_writes_the_option_not_its_label():
    state, params = {}, Params(optimizer="adam")
    page = StudyState(state, params)
    page.from_link("optimizer", "optimizer")
    page.from_link("activation", "activation")
    assert state["optimizer"] == "adam" and "activation" not in state
    # Once the session holds the widget's value, the link no longer sets it.
    state["optimizer"] = "momentum"
    page.from_link("optimizer", "optimizer")
    assert state["optimizer"] == "momentum"
    page.to_link("optimizer", "optimizer", "momentum")
    page.to_link("activation", "activation", "tanh")
    assert params.to_dict() == {"optimizer": "momentum", "activation": "tanh"}
    # The default leaves the link, as a bound widget's does.
    page.to_link("optimizer", "optimizer", "gd")
    assert "optimizer" not in params
    # A link's value the page refused left the link before any widget: the widget starts from its default.
    state, params = {}, Params(optimizer="sgd")
    page = StudyState(state, params)
    assert "optimizer" in page.link_problems and "optimizer" not in params
    page.from_link("optimizer", "optimizer")
    assert "optimizer" not in state


def test_a_field_never_used_falls_back_to_its_default():
    state = {"sweep_n_points": "5"}
    page = PageState(state, Params(), "sweep", lambda params: {})
    page.refuse_typed("sweep_n_points", "n_points", "Number of points")
    assert state["sweep_n_points"] == str(CONTROLS["n_points"].default)


def test_a_first_visit_without_models_compares_the_courses_three_and_keeps_the_link_clean():
    state, params = {}, Params()
    page = StudyState(state, params)
    assert state[StudyState.MODELS] == list(DEFAULT_SPECS) and "model" not in params
    assert [str(spec) for spec in page.editor_specs()] == list(DEFAULT_SPECS)
    assert page.edited_models() == (page.editor_specs(), [])


def test_the_links_models_are_read_and_the_unusable_ones_named():
    state, params = {}, Params(model=["none", "big:lambd=3", "bad:lambd=-1"])
    page = StudyState(state, params)
    assert state[StudyState.MODELS] == ["none", "big:lambd=3"] == params.get_all("model")
    [problem] = page.model_problems
    assert "bad:lambd=-1" in problem and "lambd" in problem


def test_a_link_whose_models_are_all_unusable_compares_the_courses_three():
    page = StudyState({}, Params(model=["x:lambd=abc"]))
    assert page.model_problems[-1] == "None of the link's models could be used: the page compares the course's three."
    assert [str(spec) for spec in page.editor_specs()] == list(DEFAULT_SPECS)


def test_an_older_links_strengths_become_the_list_and_leave_the_link():
    params = Params(lambd="0.3", l2_dropout="true")
    state = {}
    StudyState(state, params)
    assert "lambd" not in params and "l2_dropout" not in params
    assert any("lambd=0.3" in text for text in state[StudyState.MODELS])
    assert len(state[StudyState.MODELS]) == 4


@pytest.mark.parametrize("old", ["Is dropout's 95 % real?", "One dropout run or many?"])
def test_an_old_views_name_opens_it_under_its_new_one(old):
    state, params = {}, Params(view=old)
    page = StudyState(state, params)
    assert state["view"] == params["view"] == "Dropout runs" and page.link_problems == {}


def test_a_preset_sets_its_controls_and_a_fresh_table_of_the_courses_three():
    state, params = {}, Params(model=["only:lambd=2"])
    page = StudyState(state, params)
    version = state[StudyState.EDITOR]["version"]
    page.apply_preset(NOTEBOOK_PRESET)
    assert state["dropout_mask"] == "fixed" and state["num_iterations"] == "30000" and state["layers"] == "20, 3"
    assert (state["activation"], state["optimizer"], state["batch_size"]) == ("relu", "gd", "full")
    assert params.get_all("model") == list(DEFAULT_SPECS) == state[StudyState.MODELS]
    assert state[StudyState.EDITOR]["version"] == version + 1
    page.apply_preset(COURSE_PRESET)
    assert state["dropout_mask"] == "fresh"


def test_the_adam_preset_sets_the_courses_controls_and_its_four_models_for_the_datas_size():
    state, params = {"learning_rate": "2", "optimizer": "momentum"}, Params(model=["only:lambd=2"])
    page = StudyState(state, params)
    # Before any data is shown: the built-in football's 211 training points.
    assert page.points == len(nnreg.load_dataset("football").train_Y) == 211
    page.apply_preset(ADAM_PRESET)
    assert (state["learning_rate"], state["optimizer"], state["batch_size"]) == ("0.3", "gd", "full")
    # α_Adam·wd = α·λ/m: 0.01 · wd = 0.3 · 0.7 / 211, wd = 0.0995 to three digits.
    assert 0.3 * 0.7 / (211 * 0.01) == pytest.approx(0.0995, abs=5e-5)
    assert params.get_all("model") == state[StudyState.MODELS] == [
        "Adam:optimizer=adam,learning_rate=0.01", "Adam + L2:lambd=0.7,optimizer=adam,learning_rate=0.01",
        "Adam + weight decay:weight_decay=0.0995,optimizer=adam,learning_rate=0.01", "Gradient descent + L2:lambd=0.7"]
    # The table writes the list back unchanged: the link and the captions keep their order.
    assert [str(spec) for spec in page.edited_models()[0]] == state[StudyState.MODELS]
    page.points = 60
    page.apply_preset(ADAM_PRESET)
    assert f"weight_decay={0.3 * 0.7 / (60 * 0.01):.3g}," in state[StudyState.MODELS][2]


def test_the_tables_edits_become_the_list_and_the_link():
    state, params = {}, Params()
    page = StudyState(state, params)
    state[page.editor_key] = {"edited_rows": {1: {"lambd": "2"}}, "deleted_rows": [2],
                              "added_rows": [{"name": "wide", "layers": "50 20"}]}
    specs, problems = page.edited_models()
    assert problems == []
    assert [str(spec) for spec in specs] == params.get_all("model") == state[StudyState.MODELS]
    assert [spec.name for spec in specs] == ["No regularization", "L2", "wide"]
    assert dict(specs[1].changes)["lambd"] == 2 and dict(specs[2].changes)["layers"] == (50, 20)


def test_a_table_with_no_usable_row_keeps_the_list_and_says_why():
    state, params = {}, Params()
    page = StudyState(state, params)
    state[page.editor_key] = {"edited_rows": {0: {"lambd": "x"}, 1: {"lambd": "-1"}, 2: {"keep_prob": "7"}}}
    specs, problems = page.edited_models()
    assert [str(spec) for spec in specs] == list(DEFAULT_SPECS) and "model" not in params
    assert len(problems) == 4 and problems[-1].startswith("The list has no model that can be used")
    assert all(problem.endswith("The other models are compared.") for problem in problems[:3])


def upload(name, document):
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleNamespace(name=name, getvalue=lambda: content)


def test_a_settings_file_sets_its_controls_and_models_and_names_what_it_cannot_use():
    state, params = {}, Params()
    page = StudyState(state, params)
    page.load_settings(upload("s.json", {"controls": {"layers": [8, 4], "seed": 5, "colour": "red", "noise": 9,
                                                      "optimizer": "adam", "batch_size": 8},
                                         "model_list": ["a", "b:lambd=1"]}))
    assert state["layers"] == "8, 4" and state["seed"] == "5" and "noise" not in state
    assert state["optimizer"] == "adam" and state["batch_size"] == "8"
    assert params.get_all("model") == ["a", "b:lambd=1"]
    problems = page.pop_problems()
    assert len(problems) == 2 and all(problem.startswith("s.json: ") for problem in problems)
    assert "`colour` is not a control" in problems[0] and "`noise=9` was not used" in problems[1]


def test_a_file_that_is_no_settings_file_changes_nothing():
    state, params = {}, Params()
    page = StudyState(state, params)
    before = dict(state)
    page.load_settings(upload("notes.json", b"{not json"))
    [problem] = page.pop_problems()
    assert problem.startswith("notes.json: not a settings file: it is not JSON")
    assert {key: value for key, value in state.items() if key != "nnreg_typed_problems"} == \
        {key: value for key, value in before.items() if key != "nnreg_typed_problems"}
    page.load_settings(None)
    assert page.pop_problems() == []

