"""The network drawn and the training replay: their data and encodings, checked on the Vega-Lite spec."""

import json

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg import charts
from nnreg.report import palette
from nnreg.study import checkpoint_accuracies
from pictures import decode_data_url

FAST = nnreg.Settings(num_iterations=300)


@pytest.fixture(scope="module")
def results(moons):
    return {"none": nnreg.train(moons, FAST), "l2": nnreg.train(moons, FAST.replace(lambd=0.7)),
            "dropout": nnreg.train(moons, FAST.replace(keep_prob=0.86))}


def _layers(spec):
    return {json.dumps(layer["mark"], sort_keys=True): layer for layer in spec["layer"]}


def _rows(spec, part):
    return pd.DataFrame(spec["datasets"][part["data"]["name"]])


def test_the_scale_is_the_largest_weight_and_bias_of_all_models(results):
    weight_max, bias_max = charts.network_scale(results)
    assert weight_max == max(np.abs(r.parameters[f"W{l}"]).max() for r in results.values() for l in (1, 2, 3))
    assert bias_max == max(np.abs(r.parameters[f"b{l}"]).max() for r in results.values() for l in (1, 2, 3))


def test_one_link_per_weight_and_one_node_per_unit_placed_layer_by_layer(results, moons):
    result = results["none"]
    links, nodes = charts.network_frames(result, moons.train_X.T)
    # 2-20-3-1: 2·20 + 20·3 + 3·1 weights; 2 inputs and 24 units with a bias.
    assert len(links) == 103 and len(nodes) == 26
    link = links.set_index("name").loc["W2[1, 4]"]
    assert link["w"] == result.parameters["W2"][1, 4] and link["abs_w"] == abs(link["w"])
    assert link["sign"] == ("positive" if link["w"] >= 0 else "negative")
    # From unit 4 of 20 in layer 1 to unit 1 of 3 in layer 2, each layer spread over the same height.
    assert (link["x"], link["y"], link["x2"], link["y2"]) == (1, 4.5 / 20, 2, 1.5 / 3)
    node = nodes.set_index("name").loc["b3[0]"]
    assert (node["x"], node["y"], node["bias"]) == (3, 0.5, result.parameters["b3"][0, 0])
    assert nodes.set_index("name").loc["x2", "sign"] == "input"
    dead = nnreg.network.dead_units(moons.train_X.T, result.parameters)
    assert list(nodes[nodes["layer"] == 1]["dead"]) == list(dead[0])


def test_links_are_as_wide_as_their_weight_on_the_shared_scale_and_coloured_by_sign(results):
    spec = charts.network_graph(results["l2"], 4.0, 2.0).to_dict()
    links = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    width = links["encoding"]["strokeWidth"]
    assert width["field"] == "abs_w" and width["scale"] == {"domain": [0, 4.0], "range": [0, charts.LINK_WIDTH]}
    assert width["legend"]["values"] == [1.33, 2.67, 4.0]
    assert links["encoding"]["color"]["scale"] == {"domain": ["positive", "negative"],
                                                  "range": [palette.SIGN_COLORS["positive"],
                                                            palette.SIGN_COLORS["negative"]]}
    assert {t["field"] for t in links["encoding"]["tooltip"]} == {"name", "w"}
    biases = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle" and "size" in layer["encoding"])
    assert biases["encoding"]["size"]["scale"]["domain"] == [0, 2.0]
    assert len(_rows(spec, links)) == 103


def test_the_replay_has_every_checkpoint_from_the_initial_weights_to_the_trained_model(results, moons):
    result = results["dropout"]
    frame = charts.replay_frame(result, moons)
    assert list(frame["iteration"]) == result.checkpoint_iterations and list(frame["k"]) == list(range(len(frame)))
    last, first = frame.iloc[-1], frame.iloc[0]
    assert last["train_accuracy"] == result.train_accuracy and last["test_accuracy"] == result.test_accuracy
    assert last["norm_W2"] == pytest.approx(result.weight_norms()["W2"])
    assert first["norm_W1"] == pytest.approx(np.linalg.norm(result.parameters_at(0)["W1"]))
    assert all(decode_data_url(url).shape == (charts.REPLAY_RESOLUTION,) * 2 + (3,) for url in frame["url"])
    pd.testing.assert_frame_equal(frame[["k", "iteration", "train_accuracy", "test_accuracy"]],
                                  checkpoint_accuracies(result, moons))


def test_the_replay_picture_is_the_model_at_that_checkpoint(results, moons):
    # At the initial weights: each pixel is the rounded P(label 1) at its centre, top row first.
    result = results["none"]
    frame = charts.replay_frame(result, moons, resolution=4)
    picture = decode_data_url(frame.loc[0, "url"])
    points = nnreg.charts.pixel_centres(moons, 4).T
    p = nnreg.network.predict_proba(points, result.parameters_at(0))
    levels = charts.REPLAY_LEVELS
    expected = nnreg.charts.probability_colors(np.round(p * levels) / levels).reshape(4, 4, 3)
    np.testing.assert_array_equal(picture, expected)


def _shown(expression: str, datum: dict, iteration: int) -> bool:
    """The replay's filter, a Vega expression, evaluated in Python for one row at a slider value."""
    python = expression.replace("&&", "and").replace("datum.", "datum_")
    return eval(python, {}, {**{f"datum_{key}": value for key, value in datum.items()},
                             charts.ITERATION: iteration})


def test_one_slider_of_iterations_drives_every_model_and_each_picture_is_sent_once(results, moons):
    spec = charts.replay(results, moons).to_dict()
    (param,) = spec["params"]
    iterations = results["none"].checkpoint_iterations
    last = iterations[-1]
    # The slider shows the iteration (0 to 300 here, 30,000 in the course), not a checkpoint's number.
    assert param["name"] == "iteration" and param["value"] == last
    assert param["bind"] == {"input": "range", "min": 0, "max": last, "step": iterations[1] - iterations[0],
                             "name": "iteration "}
    assert len(spec["concat"]) == 3
    text = json.dumps(spec)
    shown = f"datum.iteration <= {charts.ITERATION} && {charts.ITERATION} < datum.until"
    assert text.count(json.dumps(shown)) == 3 * 4  # the label, picture, bars and marker of each model
    # Each model's pictures in one dataset, sent once (the models share their initial weights' picture).
    urls = [row["url"] for rows in spec["datasets"].values() for row in rows if "url" in row]
    assert len(urls) == 3 * len(iterations)
    # At every value of the slider, each model shows exactly one checkpoint: its last one up to there.
    rows = charts.replay_frame(results["none"], moons)[["iteration", "until"]].to_dict("records")
    for value in range(0, last + 1, param["bind"]["step"]):
        chosen = [row["iteration"] for row in rows if _shown(shown, row, value)]
        assert chosen == [max(i for i in iterations if i <= value)], value


def test_models_trained_for_different_lengths_share_one_slider_of_iterations(moons):
    short, long = (nnreg.train(moons, FAST.replace(num_iterations=n, record_every=20)) for n in (250, 300))
    assert short.checkpoint_iterations[-1] == 250 and long.checkpoint_iterations[-1] == 300
    step, stride = charts.replay_steps({"short": short, "long": long})
    # Every checkpoint of either model is a value of the slider, and playing moves on by the longer
    # run's spacing between checkpoints.
    every = set(short.checkpoint_iterations) | set(long.checkpoint_iterations)
    assert all(iteration % step == 0 for iteration in every) and step == np.gcd.reduce(sorted(every))
    assert stride == long.checkpoint_iterations[1] - long.checkpoint_iterations[0]
    spec = charts.replay({"short": short, "long": long}, moons).to_dict()
    assert spec["params"][0]["bind"]["max"] == 300 and spec["params"][0]["value"] == 300
    # Past its end, the shorter run stays at its last checkpoint.
    label = spec["concat"][0]["vconcat"][0]
    rows = spec["datasets"][label["data"]["name"]]
    assert [row["iteration"] for row in rows if _shown(label["transform"][0]["filter"], row, 300)] == [250]


def test_the_replay_fits_its_column_three_models_to_a_row(results, moons):
    four = {**results, "l1": results["none"]}
    spec = charts.replay(four, moons).to_dict()
    assert spec["columns"] == charts.REPLAY_COLUMNS == 3 and len(spec["concat"]) == 4
    for panel in spec["concat"]:
        label, boundary, bars, accuracy = panel["vconcat"]
        assert {part["width"] for part in (label, boundary, bars, accuracy)} == {charts.REPLAY_WIDTH}
        # The label in two lines, so that it is no wider than the plot.
        assert label["mark"]["lineBreak"] == "\n"
    label = charts.replay_frame(results["none"], moons)
    first = f"iteration {label['iteration'].iloc[-1]:,}:"
    rows = pd.DataFrame(spec["datasets"][spec["concat"][0]["vconcat"][0]["data"]["name"]])
    assert rows["label"].iloc[-1].startswith(first + "\ntrain ")
    # Three panels and their axes in the 820 pixels beside the sidebar at 1280 (measured in the
    # browser: each panel's axes and labels add about 80 pixels to its plot).
    assert 3 * (charts.REPLAY_WIDTH + 80) + 2 * charts.REPLAY_SPACING <= 820


def test_the_replay_shares_its_scales_between_models(results, moons):
    spec = charts.replay(results, moons).to_dict()
    norms = [panel["vconcat"][2]["encoding"]["x"]["scale"]["domain"] for panel in spec["concat"]]
    accuracy = [panel["vconcat"][3]["layer"][0]["encoding"]["y"]["scale"]["domain"] for panel in spec["concat"]]
    assert norms[0] == norms[1] == norms[2] and accuracy[0] == accuracy[1] == accuracy[2]
    largest = max(max(charts.replay_frame(r, moons).filter(like="norm_").max()) for r in results.values())
    assert norms[0] == [0, pytest.approx(largest)]


def test_the_drawing_says_how_many_weights_are_exactly_zero(moons, results):
    l1 = nnreg.train(moons, FAST.replace(l1=0.3))
    zeros, total = l1.zero_weights()
    weight_max, bias_max = charts.network_scale(results)
    assert charts.network_graph(l1, weight_max, bias_max).to_dict()["title"]["text"] == (
        f"{zeros} of {total} weights exactly 0 (not drawn)")
    assert charts.network_graph(results["none"], weight_max, bias_max).to_dict()["title"]["text"] == (
        "all 103 weights nonzero")


def test_the_replay_counts_train_accuracy_on_the_points_fitted(moons):
    result = nnreg.train(moons, FAST.replace(train_fraction=0.5))
    frame = checkpoint_accuracies(result, moons)
    X, y = moons.train_X[result.train_index], moons.train_Y[result.train_index]
    last = result.parameters_at(result.checkpoint_iterations[-1])
    assert frame["train_accuracy"].iloc[-1] == nnreg.network.count_correct(X.T, y, last) / len(y)
    assert frame["train_accuracy"].iloc[-1] == result.train_accuracy


def test_a_table_s_network_names_its_inputs_by_feature_and_its_outputs_by_class():
    X = np.random.default_rng(0).normal(size=(90, 3))
    y = np.array(["ash", "elm", "oak"])[np.arange(90) % 3]
    table = nnreg.Dataset.from_arrays(X, y, feature_names=("height", "girth", "bark"))
    result = nnreg.train(table, nnreg.Settings(num_iterations=50))
    _, nodes = charts.network_frames(result, feature_names=table.feature_names, class_names=table.class_names)
    assert list(nodes[nodes["layer"] == 0]["label"]) == ["height", "girth", "bark"]
    # Three classes, three softmax units, each named.
    assert list(nodes[nodes["layer"] == 3]["label"]) == ["ash", "elm", "oak"]
    spec = charts.network_graph(result, *charts.network_scale({"m": result}), feature_names=table.feature_names,
                                class_names=table.class_names).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert [layer["mark"]["align"] for layer in texts] == ["right", "left"]
    assert all(layer["encoding"]["text"]["field"] == "label" for layer in texts)


def test_two_classes_keep_one_sigmoid_output_named_by_the_second_class_or_not_at_all(results):
    assert charts.output_names(("benign", "malignant")) == ["P(malignant)"]
    # The course's 0/1 labels: the drawing as it always was, its output unnamed.
    assert charts.output_names(("0", "1")) == []
    _, nodes = charts.network_frames(results["none"])
    assert list(nodes[nodes["layer"] == 0]["label"]) == ["x1", "x2"]
    assert (nodes[nodes["layer"] > 0]["label"] == "").all()
