"""The one syntax for a model, NAME[:key=value,...]: good specs read back as written, bad ones are named."""

import pytest

from nnreg import Settings, network
from nnreg.specs import (DEFAULT_SPECS, MAX_NAME, SPEC_KEYS, ModelSpec, describe, parse_spec, parse_specs,
                         parse_specs_kept, spec_from_fields, spec_settings, spec_text, specs_from_settings)


@pytest.mark.parametrize("text, name, changes", [
    ("none", "none", ()),
    ("  No regularization  ", "No regularization", ()),
    ("L2 big:lambd=3", "L2 big", (("lambd", 3.0),)),
    ("wide:layers=50 20,keep_prob=0.8", "wide", (("layers", (50, 20)), ("keep_prob", 0.8))),
    ("wide:layers=50, 20,keep_prob=0.8", "wide", (("layers", (50, 20)), ("keep_prob", 0.8))),
    ("es:early_stopping=true", "es", (("early_stopping", True),)),
    ("fast: learning_rate = 1e-1 , num_iterations=5e3", "fast", (("learning_rate", 0.1), ("num_iterations", 5000))),
    ("L1:l1=0.1", "L1", (("l1", 0.1),)),
    ("both:lambd=0.1,l1=0.2", "both", (("lambd", 0.1), ("l1", 0.2))),
    ("scaled:standardize=on", "scaled", (("standardize", True),)),
    ("raw:lambd=0.7,standardize=off", "raw", (("lambd", 0.7), ("standardize", False))),
    ("scaled:standardize=TRUE", "scaled", (("standardize", True),)),
    ("Adam + WD:optimizer=adam,learning_rate=0.01,weight_decay=0.001", "Adam + WD",
     (("optimizer", "adam"), ("learning_rate", 0.01), ("weight_decay", 0.001))),
    ("tanh:activation=tanh,batch_size=32", "tanh", (("activation", "tanh"), ("batch_size", 32))),
    ("leaky:activation=leaky_relu,optimizer=momentum", "leaky", (("activation", "leaky_relu"), ("optimizer", "momentum"))),
    ("back:batch_size=full", "back", (("batch_size", None),)),
    ("cased:optimizer=Adam,activation=SIGMOID,batch_size=FULL", "cased",
     (("optimizer", "adam"), ("activation", "sigmoid"), ("batch_size", None))),
    ("one:batch_size=1e0,weight_decay=0", "one", (("batch_size", 1), ("weight_decay", 0.0))),
])
def test_a_good_spec_reads_and_writes_back(text, name, changes):
    spec = parse_spec(text)
    assert (spec.name, spec.changes) == (name, changes)
    assert parse_spec(str(spec)) == spec


def test_a_spec_changes_only_what_it_names():
    base = Settings(num_iterations=500, train_fraction=0.5, seed=7)
    settings = parse_spec("wide:layers=50 20,keep_prob=0.8,early_stopping=true").settings(base)
    assert settings == base.replace(layer_dims=(50, 20), keep_prob=0.8, early_stopping=True)
    assert list(spec_settings(parse_specs(DEFAULT_SPECS), Settings())) == ["No regularization", "L2", "Dropout"]
    assert list(spec_settings(parse_specs(DEFAULT_SPECS), Settings()).values()) == [
        Settings(), Settings(lambd=0.7), Settings(keep_prob=0.86)]


@pytest.mark.parametrize("text, words", [
    ("", "has no name"),
    (":lambd=1", "has no name"),
    ("x" * (MAX_NAME + 1), f"longer than {MAX_NAME} characters"),
    ("a:foo=1", "unknown key 'foo'; the keys are lambd, l1, keep_prob"),
    ("a:keep_prob", "'keep_prob' is not key=value"),
    ("a:lambd=-1", "model 'a:lambd=-1': lambd must be a number from 0 to 1,000, got -1"),
    ("a:lambd=abc", "lambd must be a number from 0 to 1,000, got 'abc'"),
    ("a:keep_prob=0", "keep_prob must be a number from 0.05 to 1, got 0"),
    ("a:l1=inf", "l1 must be a number from 0 to 1,000, got 'inf'"),
    ("a:num_iterations=2.5", "num_iterations must be a whole number from 100 to 100,000"),
    ("a:layers=0", "hidden layer sizes must be 1 to 10 layers"),
    ("a:early_stopping=yes", "early_stopping must be true or false, got 'yes'"),
    ("a:standardize=auto", "model 'a:standardize=auto': standardize must be true or false, got 'auto'"),
    ("a:lambd=1,lambd=2", "sets lambd twice"),
    ("a:activation=softplus", "model 'a:activation=softplus': activation must be one of relu, tanh, sigmoid, "
                              "leaky_relu, got 'softplus'"),
    ("a:optimizer=sgd", "optimizer must be one of gd, momentum, adam, got 'sgd'"),
    ("a:optimizer=", "optimizer must be one of gd, momentum, adam, got ''"),
    ("a:batch_size=0", "batch_size must be full (every training point at each update) or a whole number from 1 to "
                       "100,000, got 0"),
    ("a:batch_size=32.5", "batch_size must be full (every training point at each update) or a whole number"),
    ("a:batch_size=all", "got 'all'"),
    ("a:batch_size=", "batch_size must be full (every training point at each update) or a whole number from 1 to "
                      "100,000, got ''"),
    ("a:weight_decay=-1", "weight_decay must be a number from 0 to 10, got -1"),
    ("a:weight_decay=abc", "weight_decay must be a number from 0 to 10, got 'abc'"),
])
def test_a_bad_spec_is_named_with_what_is_wrong(text, words):
    with pytest.raises(ValueError) as error:
        parse_spec(text)
    assert words in str(error.value)


def test_a_list_needs_one_to_six_models_of_distinct_names():
    with pytest.raises(ValueError, match="compare 1 to 6 models, got 0"):
        parse_specs([])
    with pytest.raises(ValueError, match="compare 1 to 6 models, got 7"):
        parse_specs([f"m{i}" for i in range(7)])
    with pytest.raises(ValueError, match="two models are named 'L2' and 'l2'"):
        parse_specs(["L2:lambd=0.7", "l2:lambd=3"])


def test_the_page_keeps_the_good_models_of_a_list_and_names_the_others():
    models, problems = parse_specs_kept(["a", "A:lambd=1", "b:x=1", *[f"m{i}" for i in range(7)]])
    assert [model.name for model in models] == ["a", "m0", "m1", "m2", "m3", "m4"]
    assert problems == ["model 'A:lambd=1': another model is named 'a'; every model needs a name of its own",
                        "model 'b:x=1': unknown key 'x'; the keys are lambd, l1, keep_prob, weight_decay, "
                        "early_stopping, layers, activation, optimizer, learning_rate, batch_size, num_iterations, "
                        "standardize",
                        "model 'm5': at most 6 models are compared", "model 'm6': at most 6 models are compared"]


def test_a_model_is_described_in_the_courses_words():
    assert describe(parse_spec("none")) == ""
    assert describe(parse_spec("w:lambd=3,layers=50 20,num_iterations=5000,early_stopping=true")) == (
        "λ = 3, early stopping, layers 50, 20, iterations = 5,000")


def test_standardize_is_written_on_or_off_and_sets_the_settings_field():
    on, off = parse_spec("s:standardize=true"), parse_spec("r:standardize=off")
    assert str(on) == "s:standardize=on" and str(off) == "r:standardize=off"
    assert spec_text(True, "standardize") == "on" and spec_text(True, "early_stopping") == "true"
    assert on.settings(Settings()).standardize is True and off.settings(Settings()).standardize is False
    assert parse_spec("none").settings(Settings()).standardize is None
    assert describe(on) == "standardized inputs" and describe(off) == "raw inputs"
    # Named settings that differ from the shared ones in standardize alone say so, and read back.
    specs = specs_from_settings({"raw": Settings(standardize=False), "shared": Settings()}, Settings())
    assert [str(spec) for spec in specs] == ["raw:standardize=off", "shared"]
    assert [parse_spec(str(spec)) for spec in specs] == specs


def test_named_settings_become_the_specs_of_their_differences():
    base = Settings(num_iterations=500)
    specs = specs_from_settings({"none": base, "big": base.replace(lambd=3.0, layer_dims=(50, 20))}, base)
    assert specs == [ModelSpec("none"), ModelSpec("big", (("lambd", 3.0), ("layers", (50, 20))))]
    assert [str(spec) for spec in specs] == ["none", "big:lambd=3,layers=50, 20"]


def test_a_table_rows_cells_are_each_read_by_their_own_key():
    spec = spec_from_fields("L2", {"lambd": " 0.0015 ", "num_iterations": "1e3"}, "L2")
    assert spec.changes == (("lambd", 0.0015), ("num_iterations", 1000))
    # A cell cannot set another key: "0.7,keep_prob=0.5" is one (bad) value of λ.
    with pytest.raises(ValueError, match=r"lambd must be a number from 0 to 1,000, got '0.7,keep_prob=0.5'"):
        spec_from_fields("L2", {"lambd": "0.7,keep_prob=0.5"}, "L2")
    # A name holding ':' would read back as another model from its link.
    with pytest.raises(ValueError, match=r"model name 'a:lambd=3' holds ':'"):
        spec_from_fields("a:lambd=3", {}, "a:lambd=3")


@pytest.mark.parametrize("text", ["L2:lambd=0.0015", "x:learning_rate=0.123456789", "y:keep_prob=0.05",
                                  "z:lambd=1e-05", "wide:layers=50, 20,keep_prob=0.8"])
def test_a_value_goes_into_a_link_with_every_digit(text):
    assert str(parse_spec(text)) == text


def test_hidden_layers_read_in_both_forms_and_are_written_as_every_surface_writes_them():
    # Older links wrote "50 20"; specs, the table, the controls and the budget's message write "50, 20".
    old, new = parse_spec("wide:layers=50 20,keep_prob=0.8"), parse_spec("wide:layers=50, 20,keep_prob=0.8")
    assert old == new and dict(old.changes)["layers"] == (50, 20)
    assert str(old) == "wide:layers=50, 20,keep_prob=0.8" and spec_text((50, 20)) == "50, 20"
    assert describe(old) == "keep_prob = 0.8, layers 50, 20"


def test_every_choice_of_activation_and_optimizer_is_a_spec_and_sets_its_field():
    for key, choices in (("activation", network.ACTIVATIONS), ("optimizer", network.OPTIMIZERS)):
        for choice in choices:
            spec = parse_spec(f"m:{key}={choice}")
            assert getattr(spec.settings(Settings()), key) == choice and str(spec) == f"m:{key}={choice}"
    assert {"activation", "optimizer", "batch_size", "weight_decay"} <= set(SPEC_KEYS)


def test_a_model_goes_back_to_the_full_batch_when_the_shared_setting_is_a_mini_batch():
    shared = Settings(batch_size=32, optimizer="adam")
    models = spec_settings(parse_specs(["mini", "full:batch_size=full", "wd:weight_decay=0.001,batch_size=8"]), shared)
    assert models == {"mini": shared, "full": shared.replace(batch_size=None),
                      "wd": shared.replace(weight_decay=0.001, batch_size=8)}
    # Named settings read back as specs: the full batch written "full".
    specs = specs_from_settings(models, shared)
    assert [str(spec) for spec in specs] == ["mini", "full:batch_size=full", "wd:weight_decay=0.001,batch_size=8"]
    assert spec_settings(specs, shared) == models


def test_the_new_keys_are_described_as_the_caption_says_them():
    # In the table's order (SPEC_KEYS), whatever order the spec is written in.
    assert describe(parse_spec("a:optimizer=adam,weight_decay=0.001,activation=tanh,batch_size=32")) == (
        "weight decay 0.001, tanh, Adam, mini-batches of 32")
    assert describe(parse_spec("b:activation=leaky_relu,optimizer=momentum,batch_size=full,weight_decay=1e-4")) == (
        "weight decay 0.0001, leaky ReLU, momentum, full batch")
    assert describe(parse_spec("c:optimizer=gd,activation=relu,batch_size=2000")) == (
        "ReLU, gradient descent, mini-batches of 2,000")
