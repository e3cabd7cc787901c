"""Chart builders: the data each chart carries and how it is encoded, checked on the Vega-Lite spec."""

import json

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg import charts
from nnreg.report import palette
from pictures import decode_data_url, decode_png

FAST = nnreg.Settings(num_iterations=300)
# The decision boundary's layers: the probability image, the hover grid, the rings, the points.
IMAGE, HOVER, RINGS, POINTS = range(4)


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
    assert charts.LABEL_SCALE.to_dict() == {"domain": [0, 1], "range": [palette.RED, palette.BLUE]}
    assert charts.PROBABILITY_SCALE.to_dict()["range"] == [palette.PALE_RED, palette.UNSURE, palette.PALE_BLUE]
    assert not {palette.BLUE, palette.RED, palette.PALE_BLUE, palette.PALE_RED} & set(palette.MODEL_COLORS.values())


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
    red, blue = ([int(color[i: i + 2], 16) for i in (1, 3, 5)] for color in (palette.PALE_RED, palette.PALE_BLUE))
    assert colors.dtype == np.uint8
    assert colors.tolist() == [red, [round((value + 255) / 2) for value in red], [255, 255, 255], blue]


@pytest.mark.parametrize("channels", [3, 4])
def test_png_round_trips_any_image_with_or_without_alpha(channels):
    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 5, channels), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(charts.png(rgb)), rgb)


def test_the_boundary_is_a_probability_image_under_the_training_points(results, moons):
    spec = charts.decision_boundary([results["l2"]], moons, resolution=20).to_dict()
    field, hover, rings, points = spec["layer"]
    assert field["mark"]["type"] == "image"
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(moons)
    corners = _values(spec, 0).iloc[0]
    assert (corners["x1_lo"], corners["x1_hi"], corners["x2_lo"], corners["x2_hi"]) == (x_lo, x_hi, y_lo, y_hi)
    assert (field["encoding"]["y"]["field"], field["encoding"]["y2"]["field"]) == ("x2_hi", "x2_lo")
    expected = charts.probability_colors(charts.probability_field([results["l2"]], moons, 20))
    np.testing.assert_array_equal(_image(spec), expected)
    assert points["encoding"]["fill"]["scale"] == {"domain": [0, 1], "range": [palette.RED, palette.BLUE]}
    shown = _values(spec, POINTS)
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
    assert soft["scale"]["range"] == [palette.PALE_RED, palette.UNSURE, palette.PALE_BLUE]
    hard = charts.boundary_legend(discretize=True).to_dict()["encoding"]["color"]
    assert hard["scale"] == {"domain": ["predicted 0", "predicted 1"], "range": [palette.PALE_RED, palette.PALE_BLUE]}


def test_the_field_is_drawn_at_equal_aspect(results, football):
    spec = charts.decision_boundary([results["none"]], football, resolution=20).to_dict()
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(football)
    # "pad": width and height are the plot's own, so one unit of x1 is as long as one of x2.
    assert spec["autosize"] == {"type": "pad"}
    assert spec["width"] == charts.BOUNDARY_WIDTH
    assert spec["height"] / spec["width"] == pytest.approx((y_hi - y_lo) / (x_hi - x_lo), abs=0.01)


def test_another_model_changes_only_the_image_the_hover_grid_and_the_rings(results, moons):
    none, l2 = (charts.decision_boundary([results[name]], moons, ring_errors=True, resolution=20).to_dict()
                for name in ("none", "l2"))
    for name in (charts.IMAGE_DATASET, charts.HOVER_DATASET, charts.MISCLASSIFIED_DATASET):
        assert none["datasets"].pop(name) != l2["datasets"].pop(name), name
    assert none == l2


def test_hovering_anywhere_on_the_field_tells_p_label_1_there(results, moons):
    runs = [results["none"], results["l2"]]
    spec = charts.decision_boundary(runs, moons, resolution=20).to_dict()
    hover = spec["layer"][HOVER]
    assert hover["mark"]["opacity"] == 0 and hover["data"] == {"name": charts.HOVER_DATASET}
    tooltip = hover["encoding"]["tooltip"]
    assert {"field": "p", "type": "quantitative", "title": "P(label 1)", "format": ".2f"} in tooltip
    # Square cells HOVER_CELLS across, row by row from the top left, as many rows as cover the field.
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(moons)
    side = (x_hi - x_lo) / charts.HOVER_CELLS
    rows = int(np.ceil((y_hi - y_lo) / side))
    cells = [(x_lo + (c + 0.5) * side, y_hi - (r + 0.5) * side) for r in range(rows) for c in range(charts.HOVER_CELLS)]
    shown = [row["p"] for row in spec["datasets"][charts.HOVER_DATASET]]
    expected = (runs[0].predict_proba(cells) + runs[1].predict_proba(cells)) / 2
    np.testing.assert_allclose(shown, expected, atol=5e-4)
    # The browser places cell number n (from 1) by the layer's own expressions.
    place = {t["as"]: t["calculate"] for t in hover["transform"] if "calculate" in t}
    for n in (1, charts.HOVER_CELLS + 2, len(cells)):
        at = {name: eval(expression.replace("datum.cell", str(n)), {"floor": np.floor})
              for name, expression in place.items()}
        assert (at["x1"], at["x2"]) == pytest.approx(cells[n - 1])
    # Every square is a pixel or so wider than its cell, so the squares leave no gap between them.
    pixels = charts.BOUNDARY_WIDTH / charts.HOVER_CELLS
    assert pixels ** 2 < hover["mark"]["size"] <= (pixels + 1) ** 2


def test_ringing_the_misclassified_points_rings_exactly_those_the_model_labels_wrong(results, moons):
    result = results["l2"]
    spec = charts.decision_boundary([result], moons, show_test=True, ring_errors=True, resolution=20).to_dict()
    rings = spec["layer"][RINGS]
    assert rings["mark"]["filled"] is False and rings["mark"]["stroke"] == palette.MISCLASSIFIED
    ringed = pd.DataFrame(spec["datasets"][charts.MISCLASSIFIED_DATASET])
    train_wrong = moons.train_X[result.predict(moons.train_X) != moons.train_Y]
    test_wrong = moons.test_X[result.predict(moons.test_X) != moons.test_Y]
    assert len(train_wrong) > 0 and len(test_wrong) > 0
    np.testing.assert_array_equal(ringed[ringed["split"] == "train"][["x1", "x2"]].to_numpy(), train_wrong)
    np.testing.assert_array_equal(ringed[ringed["split"] == "test"][["x1", "x2"]].to_numpy(), test_wrong)
    assert ((ringed["p"] > 0.5).astype(int) != ringed["label"]).all()
    # Off, the ring layer is empty and nothing else changes, so the toggle redraws in place.
    plain = charts.decision_boundary([result], moons, show_test=True, resolution=20).to_dict()
    assert plain["datasets"].pop(charts.MISCLASSIFIED_DATASET) == []
    spec["datasets"].pop(charts.MISCLASSIFIED_DATASET)
    assert plain == spec


def test_test_points_appear_on_request(results, moons):
    spec = charts.decision_boundary([results["none"]], moons, show_test=True, resolution=10).to_dict()
    shown = _values(spec, POINTS)
    assert (shown["split"] == "test").sum() == len(moons.test_Y)
    assert len(shown) == len(moons.train_Y) + len(moons.test_Y)


def test_the_dataset_chart_tells_splits_by_shape_and_labels_by_color(moons):
    spec = charts.dataset_points(moons).to_dict()
    assert spec["encoding"]["shape"]["scale"]["domain"] == ["train", "test"]
    assert spec["encoding"]["fill"]["scale"]["range"] == [palette.RED, palette.BLUE]
    frame = _values(spec)
    assert sorted(frame["label"].unique()) == [0, 1] and len(frame) == len(moons.train_Y) + len(moons.test_Y)
    assert len(_values(charts.dataset_points(moons, show_test=False).to_dict())) == len(moons.train_Y)


def test_the_data_alone_is_drawn_at_equal_aspect(moons, football):
    for dataset in (moons, football):
        spec = charts.dataset_points(dataset).to_dict()
        (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(dataset)
        assert spec["autosize"] == {"type": "pad"} and max(spec["width"], spec["height"]) == charts.DATA_SIZE
        assert spec["height"] / spec["width"] == pytest.approx((y_hi - y_lo) / (x_hi - x_lo), abs=0.01)
        assert spec["encoding"]["x"]["scale"]["domain"] == [x_lo, x_hi]


def test_cost_curves_are_train_and_test_cross_entropy_in_the_splits_colours(results):
    cost_domain, _ = charts.curve_domains(results.values())
    spec = charts.cost_curves(results["l2"], cost_domain).to_dict()
    frame = _values(spec)
    assert set(frame["curve"]) == {charts.TRAIN, charts.TEST}
    history = results["l2"].history
    np.testing.assert_allclose(frame[frame["curve"] == charts.TRAIN]["value"], history["train_cost"])
    np.testing.assert_allclose(frame[frame["curve"] == charts.TEST]["value"], history["test_cost"])
    assert spec["encoding"]["color"]["scale"]["range"] == [palette.SPLIT_COLORS["train"], palette.SPLIT_COLORS["test"]]
    assert spec["encoding"]["y"]["scale"]["domain"] == cost_domain


def test_dropout_adds_the_thinned_objective_dashed(results):
    cost_domain, _ = charts.curve_domains(results.values())
    spec = charts.cost_curves(results["dropout"], cost_domain).to_dict()
    frame = _values(spec)
    thinned = frame[frame["curve"] == charts.THINNED_OBJECTIVE]
    np.testing.assert_allclose(thinned["value"], results["dropout"].history["objective"])
    assert spec["encoding"]["strokeDash"]["scale"]["range"][-1] == [3, 2]
    assert spec["encoding"]["color"]["scale"]["range"][-1] == palette.THINNED_COLOR


def test_every_curve_has_its_legend_entry_and_every_plot_the_same_height(results, moons):
    # Two entries to a row below the plot: "train, test, thinned" in a quarter of the page at 1280
    # pixels cut "thinned" off when they were in one row.
    stopping = nnreg.train(moons, FAST.replace(keep_prob=0.86, early_stopping=True, record_every=20))
    cost_domain, accuracy_domain = charts.curve_domains([*results.values(), stopping])
    specs = [charts.cost_curves(result, cost_domain).to_dict() for result in (*results.values(), stopping)]
    specs.append(charts.accuracy_curves(stopping, accuracy_domain).to_dict())
    for spec in specs:
        lines = spec["layer"][0] if "layer" in spec else spec
        color = lines["encoding"]["color"]
        assert set(_values(spec, 0 if "layer" in spec else None)["curve"]) == set(color["scale"]["domain"])
        assert color["legend"]["columns"] == 2 and color["legend"]["orient"] == "bottom"
        # The plot's own height, whatever the legend's rows; the width the column's.
        assert spec["height"] == charts.CURVE_HEIGHT and spec["autosize"]["type"] == "fit-x"
    assert specs[-2]["layer"][0]["encoding"]["color"]["scale"]["domain"] == [charts.TRAIN, charts.DEV, charts.TEST,
                                                                             charts.THINNED_OBJECTIVE]


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
    assert spec["encoding"]["color"]["scale"]["range"] == [palette.MODEL_COLORS[n] for n in results]
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
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rect", "circle", "rule", "point"]
    assert spec["layer"][3]["mark"]["shape"] == "diamond"
    assert spec["layer"][1]["mark"]["color"] == palette.MODEL_COLORS["dropout"]


def test_the_mask_runs_rows_are_apart_and_every_dot_inside_its_own(results):
    # Ten runs a row, as the page trains them: the rows' dots, bands and mean bars never overlap.
    dropout = results["dropout"]
    runs = {"fixed": [dropout] * 10, "fresh": [dropout] * 10}
    frame = charts.mask_runs_frame(runs, dropout)
    spec = charts.mask_runs(runs, dropout).to_dict()
    spans = {}
    for row, (mask, group) in enumerate(frame.groupby("masks", sort=False)):
        assert (group["row"] == row).all() and list(runs)[row] == mask
        spans[mask] = (group["y"].min(), group["y"].max())
        # Spread over the band, not piled up: ten different heights.
        assert group[group["run"] != charts.NOTEBOOK_RUN]["y"].nunique() == 10
        assert row - charts.MASK_JITTER <= spans[mask][0] and spans[mask][1] <= row + charts.MASK_JITTER
    assert spans["fixed"][1] < spans["fresh"][0]
    assert charts.MASK_JITTER < charts.MASK_BAND < 0.5
    # The y-axis: the first row at the top, each row's name at its middle.
    y = spec["layer"][1]["encoding"]["y"]
    assert y["field"] == "y" and y["scale"]["reverse"] is True and y["scale"]["domain"] == [-0.5, 1.5]
    assert y["axis"]["values"] == [0, 1] and y["axis"]["labelExpr"] == "['fixed', 'fresh'][datum.value]"
    # The notebook's run at the middle of the fixed row.
    assert frame[frame["run"] == charts.NOTEBOOK_RUN]["y"].tolist() == [0.0]


def test_hidden_units_are_named_by_layer_and_number_and_drawn_large(results, moons):
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
    # Named by layer number, never "L1·2" (which reads as the L1 regularizer).
    assert frame.loc[1, "name"] == "hidden layer 1, unit 2" and frame.loc[22, "name"] == "hidden layer 2, unit 3"
    assert frame.loc[1, "header"] == "unit 2\ndropped" and frame.loc[22, "header"].endswith("\ndropped")
    assert frame.loc[0, "header"] == "unit 1" + ("\ndead" if dead[0][0] else "")
    np.testing.assert_allclose(frame["largest"], [o.max() for layer in outputs for o in layer])
    spec = charts.hidden_units(result, moons, scale_max, mask).to_dict()
    assert "L1·" not in json.dumps(spec) and "L2·" not in json.dumps(spec)
    layers = spec["vconcat"]
    assert [layer["title"]["text"] for layer in layers] == ["Hidden layer 1: 20 units", "Hidden layer 2: 3 units"]
    for layer in layers:
        tile = layer["spec"]
        # Large enough to read: four to a row fill a model's column of about 250 pixels.
        assert tile["width"] == tile["height"] == charts.UNIT_SIZE >= 50 and layer["columns"] == 4
        assert layer["facet"]["header"]["labelExpr"] == "split(datum.value, '\\n')"
        picture, edge, *crosses = tile["layer"]
        assert picture["mark"]["type"] == "image"
        assert {"field": "name", "type": "nominal", "title": "unit"} in picture["encoding"]["tooltip"]
        # A dropped unit is faded and crossed out in dropout's colour.
        assert picture["encoding"]["opacity"]["condition"] == {"test": "datum.dropped",
                                                                "value": charts.DROPPED_OPACITY}
        assert [cross["mark"] for cross in crosses] == [{"type": "rule", "color": palette.DROPPED_UNIT,
                                                         "strokeWidth": 2.5}] * 2
        assert all(cross["transform"] == [{"filter": "datum.dropped"}] for cross in crosses)


def test_each_layer_shows_its_scale_which_the_pictures_follow(results, moons):
    result = results["l2"]
    scale_max = charts.unit_scale_max(results.values(), moons)
    spec = charts.hidden_units(result, moons, scale_max).to_dict()
    for layer, top in zip(spec["vconcat"], scale_max):
        fill = layer["spec"]["layer"][1]["encoding"]["fill"]
        assert fill["scale"]["type"] == "symlog" and fill["scale"]["domain"] == [0, top]
        assert fill["scale"]["constant"] == pytest.approx(top / 10 ** charts.UNIT_DECADES)
        assert fill["scale"]["range"][-1] == palette.UNIT_OUTPUT and fill["scale"]["range"][0].endswith(", 0)")
        assert fill["legend"]["values"] == [0, top / 10, top] and "log scale" in fill["title"]
    assert spec["resolve"]["scale"]["fill"] == "independent"
    # The pictures: UNIT_OUTPUT everywhere, transparent at 0, opaque at the layer's largest output,
    # in between log(1 + v/c) / log(1 + top/c), c = top / 100: Vega-Lite's symlog, as the legend draws.
    frame = charts.unit_frame(result, moons, scale_max)
    outputs = [o for layer in charts.unit_outputs(result, moons) for o in layer]
    for (_, row), output in zip(frame.iterrows(), outputs):
        picture = decode_data_url(row["url"])
        top = scale_max[row["layer"] - 1]
        assert picture.shape == (charts.UNIT_RESOLUTION, charts.UNIT_RESOLUTION, 4)
        assert (picture[..., :3] == [int(palette.UNIT_OUTPUT[i: i + 2], 16) for i in (1, 3, 5)]).all()
        constant = top / 100
        expected = np.log(1 + output / constant) / np.log(1 + top / constant)
        np.testing.assert_allclose(picture[..., 3] / 255, expected, atol=0.5 / 255 + 1e-9)
        assert (picture[..., 3][output == 0] == 0).all()
    # A model whose outputs are ten times smaller (L2's on the course's data) still shows them at
    # half strength, and a hundred times smaller at a seventh, where a linear scale gave 0.1 and 0.01.
    tenth, hundredth = charts.unit_shade(0.1, 1.0), charts.unit_shade(0.01, 1.0)
    assert tenth == pytest.approx(np.log(11) / np.log(101)) and tenth > 0.5
    assert hundredth == pytest.approx(np.log(2) / np.log(101)) and hundredth > 1 / 7
    assert charts.unit_shade(np.ones(3), 0.0).tolist() == [0, 0, 0]


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_outputs_below_zero_have_their_own_colour_by_their_size(moons, activation):
    result = nnreg.train(moons, FAST.replace(activation=activation))
    outputs = charts.unit_outputs(result, moons)
    assert any(layer.min() < 0 for layer in outputs)
    # The shared scale is the largest size, |output|, so that a large negative output is not cut.
    scale_max = charts.unit_scale_max([result], moons)
    assert scale_max == [float(np.abs(layer).max()) for layer in outputs]
    frame = charts.unit_frame(result, moons, scale_max)
    negative, positive = ([int(color[i: i + 2], 16) for i in (1, 3, 5)] for color in (palette.UNIT_NEGATIVE,
                                                                                        palette.UNIT_OUTPUT))
    for (_, row), output in zip(frame.iterrows(), (o for layer in outputs for o in layer)):
        picture = decode_data_url(row["url"])
        top, constant = scale_max[row["layer"] - 1], scale_max[row["layer"] - 1] / 100
        assert (picture[output < 0][:, :3] == negative).all() and (picture[output >= 0][:, :3] == positive).all()
        np.testing.assert_allclose(picture[..., 3] / 255, np.log(1 + np.abs(output) / constant)
                                   / np.log(1 + top / constant), atol=0.5 / 255 + 1e-9)
        assert row["smallest"] == pytest.approx(output.min()) and row["largest"] == pytest.approx(output.max())
    # The legends run from −top (the negative colour) through 0 (nothing) to top.
    spec = charts.hidden_units(result, moons, scale_max).to_dict()
    for layer, top in zip(spec["vconcat"], scale_max):
        fill = layer["spec"]["layer"][1]["encoding"]["fill"]
        assert fill["scale"]["domain"] == [-top, 0, top] and fill["legend"]["values"] == [-top, 0, top]
        assert fill["scale"]["range"][0] == palette.UNIT_NEGATIVE and fill["scale"]["range"][-1] == palette.UNIT_OUTPUT
        assert fill["scale"]["range"][1].endswith(", 0)")


def test_a_model_on_a_share_of_the_points_shows_those_it_saw(moons):
    result = nnreg.train(moons, FAST.replace(train_fraction=0.8, early_stopping=True, dev_fraction=0.3))
    frame = charts.points_frame(moons, show_test=False, result=result)
    # The share's points: the fitted ones as circles, the dev ones as diamonds, the rest not drawn.
    assert (frame["split"] == "train").sum() == result.train_size and (frame["split"] == "dev").sum() == len(
        result.dev_index)
    np.testing.assert_array_equal(frame[frame["split"] == "dev"][["x1", "x2"]].to_numpy(),
                                  moons.train_X[np.sort(result.dev_index)])
    spec = charts.decision_boundary([result], moons, show_test=True, resolution=10).to_dict()
    assert spec["layer"][POINTS]["encoding"]["shape"]["scale"] == {"domain": ["train", "dev", "test"],
                                                                  "range": ["circle", "diamond", "triangle-up"]}
    assert len(_values(spec, POINTS)) == result.train_size + len(result.dev_index) + len(moons.test_Y)


def test_early_stoppings_curves_show_the_dev_split_and_where_it_stopped(moons):
    result = nnreg.train(moons, FAST.replace(early_stopping=True, record_every=20))
    _, accuracy_domain = charts.curve_domains([result])
    spec = charts.accuracy_curves(result, accuracy_domain).to_dict()
    lines, rule, label = spec["layer"]
    frame = pd.DataFrame(spec["datasets"][lines["data"]["name"]])
    assert list(frame["curve"].unique()) == [charts.TRAIN, charts.DEV, charts.TEST]
    np.testing.assert_allclose(frame[frame["curve"] == charts.DEV]["value"], result.history["dev_accuracy"])
    assert lines["encoding"]["color"]["scale"]["range"][1] == palette.SPLIT_COLORS["dev"]
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
    # Long names take one column each row, which would be cut side by side at 1280 pixels.
    assert charts.model_chart_height(["No regularization", "L2", "Dropout", "L1"]) == 300
    assert charts.model_chart_height(["Adam", "Adam + L2", "Adam + weight decay", "Gradient descent + L2"]) == 336


def test_each_model_takes_its_regularizers_colour_and_no_two_share_one(moons):
    fake = {name: type("Result", (), {"settings": settings})() for name, settings in {
        "none": nnreg.Settings(), "L1": nnreg.Settings(l1=0.1), "L2 small": nnreg.Settings(lambd=0.1),
        "L2 big": nnreg.Settings(lambd=3.0), "wide": nnreg.Settings(layer_dims=(50,), keep_prob=0.8, l1=0.01),
        "drop": nnreg.Settings(keep_prob=0.86)}.items()}
    colors = charts.model_colors(fake)
    assert colors["none"] == palette.MODEL_COLORS["none"] and colors["L1"] == palette.MODEL_COLORS["l1"]
    assert colors["L2 small"] == palette.MODEL_COLORS["l2"] and colors["drop"] == palette.MODEL_COLORS["dropout"]
    # A second L2 and a mix take the first colours no model has.
    assert colors["L2 big"] == palette.MODEL_COLORS["early_stopping"]
    assert colors["wide"] == palette.MODEL_COLORS["l2_dropout"]
    assert len(set(colors.values())) == len(colors) and list(colors) == list(fake)


# --- Tables: any number of features (a slice through two) and of classes (one colour each) -----------

def _table(loader, name):
    """A scikit-learn table as an analyst has it: named feature columns, text class names."""
    bunch = loader(as_frame=True)
    frame = bunch.frame.copy()
    frame["target"] = np.asarray(bunch.target_names)[bunch.target]
    return nnreg.Dataset.from_frame(frame, label="target", name=name)


@pytest.fixture(scope="module")
def iris():
    sklearn = pytest.importorskip("sklearn.datasets")
    return _table(sklearn.load_iris, "iris")


@pytest.fixture(scope="module")
def iris_results(iris):
    base = nnreg.Settings(num_iterations=2000)
    return {"none": nnreg.train(iris, base), "l2": nnreg.train(iris, base.replace(lambd=0.7)),
            "l1": nnreg.train(iris, base.replace(l1=2.0))}


def _network(result, points):
    """P(class j) of raw points (rows), by a forward pass of this file's own: standardized as the
    result says, ReLU hidden layers, a softmax output."""
    A = ((points - result.input_mean) / result.input_scale).T
    L = len([name for name in result.parameters if name.startswith("W")])
    for l in range(1, L + 1):
        Z = result.parameters[f"W{l}"] @ A + result.parameters[f"b{l}"]
        A = np.maximum(Z, 0) if l < L else np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
    return A.T


def test_the_default_pair_is_the_two_features_the_first_model_weighs_most(iris, iris_results, moons, results):
    W1 = iris_results["none"].parameters["W1"]
    norms = [np.sqrt(sum(W1[i, j] ** 2 for i in range(W1.shape[0]))) for j in range(W1.shape[1])]
    largest = sorted(range(4), key=lambda j: -norms[j])[:2]
    assert charts.default_pair(iris_results["none"], iris) == tuple(sorted(largest))
    # Two features: both, in their order, whatever the weights.
    assert charts.default_pair(results["none"], moons) == (0, 1)


def test_a_slice_holds_every_other_feature_at_its_training_mean(iris):
    grid = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    points = charts.slice_points(iris, (1, 3), grid)
    assert points.shape == (3, 4)
    np.testing.assert_array_equal(points[:, [1, 3]], grid)
    for j in (0, 2):
        assert (points[:, j] == iris.train_X[:, j].sum() / len(iris.train_X)).all()


def test_a_table_s_boundary_is_the_slice_painted_by_its_most_probable_class(iris, iris_results):
    result, pair = iris_results["none"], (2, 3)
    spec = charts.decision_boundary([result], iris, pair=pair, resolution=10).to_dict()
    title = spec["title"]["text"]
    assert " ".join(title) == "slice through petal length (cm) and petal width (cm), other features at their training means"
    assert max(len(line) for line in title) <= charts.boundary.TITLE_CHARACTERS
    assert spec["layer"][POINTS]["encoding"]["x"]["title"] == "petal length (cm)"
    assert spec["layer"][POINTS]["encoding"]["y"]["title"] == "petal width (cm)"
    # Pixel (row, column) centre: the pair's values from the field's extent, the rest at the means.
    shown = np.vstack([iris.train_X, iris.test_X])[:, pair]
    low, high = shown.min(axis=0), shown.max(axis=0)
    low, high = low - 0.08 * (high - low), high + 0.08 * (high - low)
    image = _image(spec)
    for row, column in ((0, 0), (9, 9), (5, 2), (2, 7)):
        point = iris.train_X.mean(axis=0)
        point[2] = low[0] + (column + 0.5) / 10 * (high[0] - low[0])
        point[3] = high[1] - (row + 0.5) / 10 * (high[1] - low[1])
        p = _network(result, point[None, :])[0]
        sure = (p.max() - 1 / 3) / (2 / 3)
        color = palette.pale_class_colors(3)[p.argmax()]
        rgb = np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)])
        np.testing.assert_allclose(image[row, column], 255 + (rgb - 255) * sure, atol=1)


def test_a_table_s_hover_tells_the_predicted_class_and_its_probability(iris, iris_results):
    result = iris_results["l2"]
    spec = charts.decision_boundary([result], iris, pair=(0, 2), resolution=10).to_dict()
    tooltip = spec["layer"][HOVER]["encoding"]["tooltip"]
    assert [t.get("title") for t in tooltip] == ["predicted class", "its probability", "sepal length (cm)",
                                                 "petal length (cm)"]
    first = spec["datasets"][charts.HOVER_DATASET][0]
    # The first cell: the top left of a square grid (named features are drawn square, not to scale).
    shown = np.vstack([iris.train_X, iris.test_X])[:, [0, 2]]
    low, high = shown.min(axis=0), shown.max(axis=0)
    low, high = low - 0.08 * (high - low), high + 0.08 * (high - low)
    point = iris.train_X.mean(axis=0)
    point[0] = low[0] + 0.5 * (high[0] - low[0]) / charts.HOVER_CELLS
    point[2] = high[1] - 0.5 * (high[1] - low[1]) / charts.HOVER_CELLS
    p = _network(result, point[None, :])[0]
    assert first == {"predicted": iris.class_names[p.argmax()], "p": round(float(p.max()), 3)}
    assert len(spec["datasets"][charts.HOVER_DATASET]) == charts.HOVER_CELLS ** 2
    assert spec["width"] == spec["height"] == charts.BOUNDARY_WIDTH


def test_a_table_s_classes_have_one_colour_each_named_in_the_legends(iris, iris_results):
    spec = charts.decision_boundary([iris_results["none"]], iris, show_test=True, ring_errors=True,
                                    resolution=10).to_dict()
    fill = spec["layer"][POINTS]["encoding"]["fill"]
    assert fill["scale"] == {"domain": [0, 1, 2], "range": list(palette.class_colors(3))}
    points = _values(spec, POINTS)
    assert (points["class"] == np.asarray(iris.class_names)[points["label"]]).all()
    # The rings judge a point on all its features, not on the slice.
    ringed = pd.DataFrame(spec["datasets"][charts.MISCLASSIFIED_DATASET])
    every = np.vstack([iris.train_X, iris.test_X])
    labels = np.concatenate([iris.train_Y, iris.test_Y])
    wrong = np.flatnonzero(_network(iris_results["none"], every).argmax(axis=1) != labels)
    assert sorted(ringed["point"]) == sorted(wrong.tolist())
    legend = charts.dataset_points(iris).to_dict()["encoding"]["fill"]["legend"]
    assert legend["labelExpr"] == '["setosa", "versicolor", "virginica"][datum.value]'
    regions = charts.boundary_legend(False, iris.class_names).to_dict()["encoding"]["color"]
    assert regions["scale"] == {"domain": list(iris.class_names), "range": list(palette.pale_class_colors(3))}
    assert regions["title"] == "most probable class (paler: less sure)"
    hard = charts.boundary_legend(True, ("benign", "malignant")).to_dict()["encoding"]["color"]
    assert hard["scale"]["domain"] == ["predicted benign", "predicted malignant"]
    soft = charts.boundary_legend(False, ("benign", "malignant")).to_dict()["encoding"]["color"]
    assert soft["title"] == "P(malignant)"


def test_discretizing_a_table_paints_each_pixel_its_most_probable_class_in_full(iris, iris_results):
    spec = charts.decision_boundary([iris_results["none"]], iris, discretize=True, resolution=8).to_dict()
    image = _image(spec).reshape(-1, 3)
    full = {tuple(int(c[i: i + 2], 16) for i in (1, 3, 5)) for c in palette.pale_class_colors(3)}
    assert {tuple(pixel) for pixel in image} <= full


def test_a_table_s_replay_and_hidden_units_show_the_same_slice(iris, iris_results):
    result, pair = iris_results["l2"], (2, 3)
    frame = charts.replay_frame(result, iris, resolution=6, pair=pair)
    last = decode_data_url(frame["url"].iloc[-1])
    points = charts.slice_points(iris, pair, charts.pixel_centres(iris, 6, pair))
    p = _network(result, points)
    p = np.round(p * charts.REPLAY_LEVELS) / charts.REPLAY_LEVELS
    np.testing.assert_array_equal(last.reshape(-1, 3), charts.class_colors_of(p))
    outputs = charts.unit_outputs(result, iris, resolution=6, pair=pair)
    first_layer = np.maximum(result.parameters["W1"] @ ((points - result.input_mean) / result.input_scale).T
                             + result.parameters["b1"], 0)
    np.testing.assert_allclose(outputs[0].reshape(len(first_layer), -1), first_layer)
    spec = charts.replay({"l2": result}, iris, pair=pair).to_dict()
    assert spec["title"]["text"] == "Slice through petal length (cm) and petal width (cm), other features at their training means"


def test_the_inputs_view_is_each_model_s_first_layer_norm_per_feature(iris, iris_results):
    frame = charts.input_norms_frame(iris_results, iris.feature_names)
    assert len(frame) == 3 * 4
    for name, result in iris_results.items():
        W1 = result.parameters["W1"]
        rows = frame[frame["model"] == nnreg.settings.title(name)].sort_values("order")
        expected = [np.sqrt(np.sum(W1[:, j] ** 2)) for j in range(4)]
        np.testing.assert_allclose(rows["norm"], expected)
        assert list(rows["feature"]) == list(iris.feature_names)
        assert list(rows["dropped"]) == [bool((W1[:, j] == 0).all()) for j in range(4)]
    # L1 at this strength drops a feature, and the legend counts it.
    dropped = frame[frame["dropped"]]
    assert set(dropped["model"]) == {"L1"} and len(dropped) >= 1
    spec = charts.input_norms(iris_results, iris.feature_names).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["No regularization", "L2", f"L1 · drops {len(dropped)}"]
    assert spec["encoding"]["color"]["scale"]["range"] == list(charts.model_colors(iris_results).values())
    assert spec["encoding"]["y"]["sort"] == list(iris.feature_names)


def test_the_inputs_chart_grows_with_the_features_up_to_a_bound(iris_results):
    heights = [charts.input_norms_height(iris_results, n) for n in (1, 4, 30, 1000)]
    # Three models: 41 pixels a feature beyond the least plot, and the axis and legend around it.
    assert heights[0] == heights[1] - (4 * 41 - 140) and heights[2] == heights[1] + 26 * 41
    assert heights[3] == charts.weights.INPUT_MAX_PLOT + charts.weights.INPUT_FRAME
