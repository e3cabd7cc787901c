"""Chart builders: the data each chart carries and how it is encoded, checked on the Vega-Lite spec."""

import base64

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg import charts
from pictures import decode_data_url, decode_png

FAST = nnreg.Settings(num_iterations=300)


@pytest.fixture(scope="module")
def results(moons):
    """The study's three models on the small moons set, 300 iterations each."""
    return {"none": nnreg.train(moons, FAST), "l2": nnreg.train(moons, FAST.replace(lambd=0.7)),
            "dropout": nnreg.train(moons, FAST.replace(keep_prob=0.86))}


def _values(spec, layer=None):
    """The rows of a (layer's) inline dataset in a chart's Vega-Lite dict."""
    part = spec if layer is None else spec["layer"][layer]
    name = part["data"]["name"]
    return pd.DataFrame(spec["datasets"][name])


def test_label_colors_are_blue_for_1_and_red_for_0_and_no_model_uses_them():
    assert charts.LABEL_SCALE.to_dict() == {"domain": [0, 1], "range": [charts.RED, charts.BLUE]}
    assert charts.PROBABILITY_SCALE.to_dict()["range"] == [charts.PALE_RED, charts.UNSURE, charts.PALE_BLUE]
    assert not {charts.BLUE, charts.RED, charts.PALE_BLUE, charts.PALE_RED} & set(charts.MODEL_COLORS.values())


def test_the_field_holds_every_point_with_a_margin(moons):
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(moons)
    points = np.vstack([moons.train_X, moons.test_X])
    assert x_lo < points[:, 0].min() and points[:, 0].max() < x_hi
    assert y_lo < points[:, 1].min() and points[:, 1].max() < y_hi


def _image(spec) -> np.ndarray:
    return decode_data_url(_values(spec, 0)["url"][0])


def test_the_field_is_the_mean_probability_at_pixel_centres_top_row_first(results, moons):
    runs = [results["none"], results["l2"]]
    field = charts.probability_field(runs, moons, resolution=12)
    assert field.shape == (12, 12)
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(moons)
    top_left = [x_lo + (x_hi - x_lo) / 24, y_hi - (y_hi - y_lo) / 24]
    bottom_right = [x_hi - (x_hi - x_lo) / 24, y_lo + (y_hi - y_lo) / 24]
    for (row, column), point in (((0, 0), top_left), ((11, 11), bottom_right)):
        expected = (runs[0].predict_proba([point]) + runs[1].predict_proba([point])) / 2
        assert field[row, column] == pytest.approx(expected[0])


def test_probabilities_are_painted_red_through_white_to_blue():
    colors = charts.probability_colors([0.0, 0.25, 0.5, 1.0])
    red, blue = ([int(color[i: i + 2], 16) for i in (1, 3, 5)] for color in (charts.PALE_RED, charts.PALE_BLUE))
    assert colors.dtype == np.uint8
    assert colors.tolist() == [red, [round((value + 255) / 2) for value in red], [255, 255, 255], blue]


def test_png_round_trips_any_image():
    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(charts.png(rgb)), rgb)


def test_the_boundary_is_a_probability_image_under_the_training_points(results, moons):
    spec = charts.decision_boundary([results["l2"]], moons, resolution=20).to_dict()
    field, points = spec["layer"]
    assert field["mark"]["type"] == "image"
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(moons)
    corners = _values(spec, 0).iloc[0]
    assert (corners["x1_lo"], corners["x1_hi"], corners["x2_lo"], corners["x2_hi"]) == (x_lo, x_hi, y_lo, y_hi)
    assert (field["encoding"]["y"]["field"], field["encoding"]["y2"]["field"]) == ("x2_hi", "x2_lo")
    expected = charts.probability_colors(charts.probability_field([results["l2"]], moons, 20))
    np.testing.assert_array_equal(_image(spec), expected)
    assert points["encoding"]["fill"]["scale"] == {"domain": [0, 1], "range": [charts.RED, charts.BLUE]}
    shown = _values(spec, 1)
    assert set(shown["split"]) == {"train"} and len(shown) == len(moons.train_Y)


def test_discretize_shows_the_predicted_label_and_changes_only_the_image(results, moons):
    spec = charts.decision_boundary([results["none"]], moons, discretize=True, resolution=20).to_dict()
    predicted = charts.probability_field([results["none"]], moons, 20) > 0.5
    assert 0 < predicted.mean() < 1
    np.testing.assert_array_equal(_image(spec), charts.probability_colors(predicted.astype(float)))
    # Only the fixed-name image dataset differs, so a drawn chart can be updated in place.
    soft = charts.decision_boundary([results["none"]], moons, resolution=20).to_dict()
    assert soft["datasets"].pop(charts.IMAGE_DATASET) != spec["datasets"].pop(charts.IMAGE_DATASET)
    assert soft == spec


def test_the_boundaries_legend_is_the_probability_or_the_two_predicted_labels():
    soft = charts.boundary_legend(discretize=False).to_dict()["encoding"]["color"]
    assert soft["legend"]["type"] == "gradient" and soft["title"] == "P(label 1)"
    assert soft["scale"]["range"] == [charts.PALE_RED, charts.UNSURE, charts.PALE_BLUE]
    hard = charts.boundary_legend(discretize=True).to_dict()["encoding"]["color"]
    assert hard["scale"] == {"domain": ["predicted 0", "predicted 1"], "range": [charts.PALE_RED, charts.PALE_BLUE]}


def test_the_field_is_drawn_at_equal_aspect(results, football):
    spec = charts.decision_boundary([results["none"]], football, resolution=20).to_dict()
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(football)
    # "pad": width and height are the plot's own, so one unit of x1 is as long as one of x2.
    assert spec["autosize"] == {"type": "pad"}
    assert spec["width"] == charts.BOUNDARY_WIDTH
    assert spec["height"] / spec["width"] == pytest.approx((y_hi - y_lo) / (x_hi - x_lo), abs=0.01)


def test_another_model_changes_only_the_image(results, moons):
    none, l2 = (charts.decision_boundary([results[name]], moons, resolution=20).to_dict() for name in ("none", "l2"))
    assert none["datasets"].pop(charts.IMAGE_DATASET) != l2["datasets"].pop(charts.IMAGE_DATASET)
    assert none == l2


def test_test_points_appear_on_request(results, moons):
    spec = charts.decision_boundary([results["none"]], moons, show_test=True, resolution=10).to_dict()
    shown = _values(spec, 1)
    assert (shown["split"] == "test").sum() == len(moons.test_Y)
    assert len(shown) == len(moons.train_Y) + len(moons.test_Y)


def test_the_dataset_chart_tells_splits_by_shape_and_labels_by_color(moons):
    spec = charts.dataset_points(moons).to_dict()
    assert spec["encoding"]["shape"]["scale"]["domain"] == ["train", "test"]
    assert spec["encoding"]["fill"]["scale"]["range"] == [charts.RED, charts.BLUE]
    frame = _values(spec)
    assert sorted(frame["label"].unique()) == [0, 1] and len(frame) == len(moons.train_Y) + len(moons.test_Y)
    assert len(_values(charts.dataset_points(moons, show_test=False).to_dict())) == len(moons.train_Y)


def test_cost_curves_are_train_and_test_cross_entropy_in_the_splits_colours(results):
    cost_domain, _ = charts.curve_domains(results.values())
    spec = charts.cost_curves(results["l2"], cost_domain).to_dict()
    frame = _values(spec)
    assert set(frame["curve"]) == {charts.TRAIN, charts.TEST}
    history = results["l2"].history
    np.testing.assert_allclose(frame[frame["curve"] == charts.TRAIN]["value"], history["train_cost"])
    np.testing.assert_allclose(frame[frame["curve"] == charts.TEST]["value"], history["test_cost"])
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.SPLIT_COLORS["train"], charts.SPLIT_COLORS["test"]]
    assert spec["encoding"]["y"]["scale"]["domain"] == cost_domain


def test_dropout_adds_the_thinned_objective_dashed(results):
    cost_domain, _ = charts.curve_domains(results.values())
    spec = charts.cost_curves(results["dropout"], cost_domain).to_dict()
    frame = _values(spec)
    thinned = frame[frame["curve"] == charts.THINNED_OBJECTIVE]
    np.testing.assert_allclose(thinned["value"], results["dropout"].history["objective"])
    assert spec["encoding"]["strokeDash"]["scale"]["range"][-1] == [3, 2]
    assert spec["encoding"]["color"]["scale"]["range"][-1] == charts.THINNED_COLOR


def test_every_models_curves_share_one_scale_that_holds_them_all(results):
    cost_domain, accuracy_domain = charts.curve_domains(results.values())
    for result in results.values():
        history = result.history
        costs = [*history["train_cost"], *history["test_cost"]]
        assert cost_domain[0] <= min(costs) and max(costs) <= cost_domain[1]
        accuracies = [*history["train_accuracy"], *history["test_accuracy"]]
        assert accuracy_domain[0] <= min(accuracies) and accuracy_domain[1] == 1.0
        spec = charts.accuracy_curves(result, accuracy_domain).to_dict()
        assert spec["encoding"]["y"]["scale"]["domain"] == accuracy_domain
        assert set(_values(spec)["curve"]) == {charts.TRAIN, charts.TEST}
    # The thinned objective is noisy and higher: the shared range holds it too.
    assert max(results["dropout"].history["objective"]) <= cost_domain[1]
    assert accuracy_domain[0] * 10 == pytest.approx(round(accuracy_domain[0] * 10))


def test_weight_norms_are_grouped_bars_per_layer(results):
    spec = charts.weight_norms(results).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "layer" and spec["encoding"]["xOffset"]["field"] == "model"
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.MODEL_COLORS[n] for n in results]
    frame = _values(spec)
    for name, result in results.items():
        title = nnreg.settings.STUDY_TITLES[name]
        rows = frame[frame["model"] == title].set_index("layer")["norm"]
        assert rows.to_dict() == pytest.approx(result.weight_norms())


def test_the_weight_distribution_has_every_weight(results):
    frame = charts.weight_distribution_frame(results)
    result = results["l2"]
    weights = np.concatenate([result.parameters[f"W{l}"].ravel() for l in (1, 2, 3)])
    mine = frame[frame["model"] == "L2"]["abs_w"].to_numpy()
    np.testing.assert_allclose(np.sort(mine), np.sort(np.abs(weights)))
    spec = charts.weight_distribution(results).to_dict()
    assert spec["layer"][1]["encoding"]["x"] == {"aggregate": "median", "field": "abs_w", "type": "quantitative",
                                                 "title": "|w|"}


def test_the_norm_history_is_the_norm_of_all_weights(results):
    frame = charts.norm_history_frame(results)
    history = results["none"].history
    expected = np.sqrt(history["norm_W1"] ** 2 + history["norm_W2"] ** 2 + history["norm_W3"] ** 2)
    np.testing.assert_allclose(frame[frame["model"] == "No regularization"]["norm"], expected)
    spec = charts.norm_history(results).to_dict()
    assert spec["encoding"]["x"]["field"] == "iteration" and spec["encoding"]["y"]["field"] == "norm"


def test_the_mask_runs_chart_has_every_run_and_rings_the_notebooks(results):
    dropout = results["dropout"]
    runs = {"fixed": [dropout, dropout], "fresh": [dropout]}
    frame = charts.mask_runs_frame(runs, dropout)
    assert frame["masks"].tolist() == ["fixed", "fixed", "fresh", "fixed"]
    assert frame["run"].tolist()[-1] == charts.NOTEBOOK_RUN
    spec = charts.mask_runs(runs, dropout).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["circle", "tick", "point"]
    assert spec["layer"][2]["mark"]["shape"] == "diamond"
    assert spec["layer"][0]["mark"]["color"] == charts.MODEL_COLORS["dropout"]


def test_hidden_units_are_pictures_of_each_units_output_on_one_scale(results, moons):
    result = results["dropout"]
    scale_max = charts.unit_scale_max(results.values(), moons)
    outputs = charts.unit_outputs(result, moons, resolution=8)
    assert [o.shape for o in outputs] == [(20, 8, 8), (3, 8, 8)]
    assert scale_max == [max(float(charts.unit_outputs(r, moons)[layer].max()) for r in results.values())
                         for layer in (0, 1)]
    mask = [np.arange(20) % 2 == 0, np.array([True, True, False])]
    frame = charts.unit_frame(result, moons, scale_max, mask, resolution=8)
    assert len(frame) == 23 and frame["order"].tolist() == list(range(23))
    dead = nnreg.network.dead_units(moons.train_X.T, result.parameters)
    assert frame["dead"].tolist() == [bool(d) for layer in dead for d in layer]
    assert frame["dropped"].tolist() == [bool(j % 2) for j in range(20)] + [False, False, True]
    assert frame.loc[1, "unit"].endswith("dropped")
    assert frame.loc[0, "unit"] == "L1·1" + (" dead" if dead[0][0] else "")
    # Unit 1's picture: white where its output is 0, darker with its output.
    picture = base64.b64decode(frame.loc[0, "url"].split(",", 1)[1])
    assert picture.startswith(b"\x89PNG")
    spec = charts.hidden_units(result, moons, scale_max, mask).to_dict()
    assert spec["columns"] == 4 and spec["spec"]["mark"]["type"] == "image"


def test_a_model_on_a_share_of_the_points_shows_those_it_saw(moons):
    result = nnreg.train(moons, FAST.replace(train_fraction=0.8, early_stopping=True, dev_fraction=0.3))
    frame = charts.points_frame(moons, show_test=False, result=result)
    # The share's points: the fitted ones as circles, the dev ones as diamonds, the rest not drawn.
    assert (frame["split"] == "train").sum() == result.train_size and (frame["split"] == "dev").sum() == len(
        result.dev_index)
    np.testing.assert_array_equal(frame[frame["split"] == "dev"][["x1", "x2"]].to_numpy(),
                                  moons.train_X[np.sort(result.dev_index)])
    spec = charts.decision_boundary([result], moons, show_test=True, resolution=10).to_dict()
    assert spec["layer"][1]["encoding"]["shape"]["scale"] == {"domain": ["train", "dev", "test"],
                                                             "range": ["circle", "diamond", "triangle-up"]}
    assert len(_values(spec, 1)) == result.train_size + len(result.dev_index) + len(moons.test_Y)


def test_early_stoppings_curves_show_the_dev_split_and_where_it_stopped(moons):
    result = nnreg.train(moons, FAST.replace(early_stopping=True, record_every=20))
    _, accuracy_domain = charts.curve_domains([result])
    spec = charts.accuracy_curves(result, accuracy_domain).to_dict()
    lines, rule, label = spec["layer"]
    frame = pd.DataFrame(spec["datasets"][lines["data"]["name"]])
    assert list(frame["curve"].unique()) == [charts.TRAIN, charts.DEV, charts.TEST]
    np.testing.assert_allclose(frame[frame["curve"] == charts.DEV]["value"], result.history["dev_accuracy"])
    assert lines["encoding"]["color"]["scale"]["range"][1] == charts.SPLIT_COLORS["dev"]
    kept = pd.DataFrame(spec["datasets"][rule["data"]["name"]])
    assert kept["iteration"].tolist() == [result.best_iteration]
    assert kept["label"].tolist() == [f"kept: {result.best_iteration:,}"]
    assert accuracy_domain[0] <= result.history["dev_accuracy"].min()


def test_the_weight_distribution_counts_l1s_exact_zeros(moons):
    l1 = nnreg.train(moons, FAST.replace(l1=0.3))
    zeros, total = l1.zero_weights()
    assert 0 < zeros < total == 2 * 20 + 20 * 3 + 3
    frame = charts.weight_distribution_frame({"none": nnreg.train(moons, FAST), "l1": l1})
    assert set(frame["row"]) == {"No regularization", f"L1 · {zeros} of {total} at 0"}
    assert (frame[frame["model"] == "L1"]["abs_w"] == 0).sum() == zeros


def test_the_norm_history_marks_the_weights_early_stopping_kept(moons):
    results = {"none": nnreg.train(moons, FAST),
               "early_stopping": nnreg.train(moons, FAST.replace(early_stopping=True, record_every=20))}
    spec = charts.norm_history(results).to_dict()
    kept = pd.DataFrame(spec["datasets"][spec["layer"][1]["data"]["name"]])
    stopped = results["early_stopping"]
    assert kept.to_dict("records") == [{"model": "Early stopping", "iteration": stopped.best_iteration,
                                        "norm": pytest.approx(stopped.total_weight_norm())}]
    history = stopped.history.set_index("iteration")
    layers = [f"norm_W{l}" for l in (1, 2, 3)]
    assert stopped.total_weight_norm() == pytest.approx(np.sqrt((history.loc[stopped.best_iteration, layers] ** 2).sum()))
    # Five models or more: one legend column, so that no name is cut at the chart's edge.
    assert spec["layer"][0]["encoding"]["color"]["legend"]["columns"] == 2
    five = {name: results["none"] for name in ("none", "l2", "l1", "dropout", "l2_dropout")}
    assert charts.norm_history(five).to_dict()["encoding"]["color"]["legend"]["columns"] == 1


def test_charts_with_a_model_legend_grow_with_its_rows():
    # Up to four models: two legend rows of two; beyond, one row per model.
    assert [charts.model_chart_height(["none"] * n) for n in (1, 3, 4, 5, 6)] == [300, 300, 300, 354, 372]


def test_each_model_takes_its_regularizers_colour_and_no_two_share_one(moons):
    fake = {name: type("Result", (), {"settings": settings})() for name, settings in {
        "none": nnreg.Settings(), "L1": nnreg.Settings(l1=0.1), "L2 small": nnreg.Settings(lambd=0.1),
        "L2 big": nnreg.Settings(lambd=3.0), "wide": nnreg.Settings(layer_dims=(50,), keep_prob=0.8, l1=0.01),
        "drop": nnreg.Settings(keep_prob=0.86)}.items()}
    colors = charts.model_colors(fake)
    assert colors["none"] == charts.MODEL_COLORS["none"] and colors["L1"] == charts.MODEL_COLORS["l1"]
    assert colors["L2 small"] == charts.MODEL_COLORS["l2"] and colors["drop"] == charts.MODEL_COLORS["dropout"]
    # A second L2 and a mix take the first colours no model has.
    assert colors["L2 big"] == charts.MODEL_COLORS["early_stopping"] and colors["wide"] == charts.MODEL_COLORS["l2_dropout"]
    assert len(set(colors.values())) == len(colors) and list(colors) == list(fake)
