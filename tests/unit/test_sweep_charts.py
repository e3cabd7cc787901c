"""The sweep's charts: what each draws, read back from its Vega-Lite spec."""

import json
import math
import re

import pandas as pd
import pytest

from nnreg.report.palette import MODEL_COLORS, NEUTRAL, SPLIT_COLORS
from nnreg.charts import curve_frame, data_size_chart, validation_curve, weight_norm_chart
from nnreg.sweeps import curve_summary


def _rows():
    """λ ∈ {0, 0.1, 0.7} × keep_prob ∈ {1, 0.86}, two seeds, and the chosen setting's final rows."""
    rows = []
    dev = {(0.0, 1.0): (0.80, 0.84), (0.1, 1.0): (0.90, 0.92), (0.7, 1.0): (0.86, 0.86),
           (0.0, 0.86): (0.82, 0.82), (0.1, 0.86): (0.88, 0.90), (0.7, 0.86): (0.85, 0.87)}
    for (lambd, keep_prob), values in dev.items():
        for seed, value in enumerate(values):
            rows.append({"phase": "dev", "lambd": lambd, "l1": 0.0, "keep_prob": keep_prob, "seed": seed,
                         "train_accuracy": 0.95, "dev_accuracy": value, "test_accuracy": value - 0.02,
                         "cost": 0.2, "weight_norm": 6.0 - 4 * lambd + seed})
    for seed, test in enumerate((0.91, 0.93)):
        rows.append({"phase": "final", "lambd": 0.1, "l1": 0.0, "keep_prob": 1.0, "seed": seed, "train_accuracy": 0.96,
                     "dev_accuracy": float("nan"), "test_accuracy": test, "cost": 0.2, "weight_norm": 5.0})
    return pd.DataFrame(rows)


def _layers(chart):
    """Every leaf layer of a chart's spec, with its data values."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    leaves = []

    def walk(node, inherited):
        name = node.get("data", {}).get("name", inherited)
        for layer in node.get("layer", []):
            walk(layer, name)
        if "mark" in node:
            leaves.append((node, datasets.get(name, [])))
    walk(spec, None)
    return spec, leaves


def _mark(node):
    return node["mark"]["type"] if isinstance(node["mark"], dict) else node["mark"]


def test_curve_frame_bands_dev_by_its_standard_error_and_train_by_its_spread():
    rows = _rows()
    at_zero = (rows["phase"] == "dev") & (rows["lambd"] == 0.0) & (rows["keep_prob"] == 1.0)
    rows.loc[at_zero, "train_accuracy"] = [0.90, 0.96]
    frame = curve_frame(rows, "lambd", {"l1": 0.0, "keep_prob": 1.0})
    dev = frame[frame["split"] == "dev"].set_index("lambd")
    assert dev.loc[0.0, "mean"] == pytest.approx(0.82)
    # Two seeds 0.80 and 0.84, no count of dev points (an old file): std = 0.028284 (n - 1 in the
    # denominator), standard error 0.028284 / √2 = 0.02.
    assert (dev.loc[0.0, "low"], dev.loc[0.0, "high"]) == pytest.approx((0.80, 0.84), abs=1e-9)
    assert dev.loc[0.7, "low"] == dev.loc[0.7, "high"] == pytest.approx(0.86)
    # Train: ± one standard deviation over runs, 0.90 and 0.96: 0.042426.
    train = frame[frame["split"] == "train"].set_index("lambd")
    assert (train.loc[0.0, "low"], train.loc[0.0, "high"]) == pytest.approx((0.93 - 0.042426, 0.93 + 0.042426), abs=1e-6)
    assert sorted(frame["split"].unique()) == ["dev", "test", "train"] and set(frame["seeds"]) == {2}


def test_curve_frame_dev_band_counts_the_dev_points():
    rows = _rows().assign(dev_size=50, test_size=200, fold=0)
    frame = curve_frame(rows, "lambd", {"l1": 0.0, "keep_prob": 1.0})
    dev = frame[frame["split"] == "dev"].set_index("lambd")
    # Wilson's half-width for 0.82 of 50 points, over z, and the seeds' 0.02, in quadrature.
    z, p, n = 1.959964, 0.82, 50
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    se = math.hypot(half / z, 0.02)
    assert se == pytest.approx(0.0572, abs=1e-4)
    assert (dev.loc[0.0, "low"], dev.loc[0.0, "high"]) == pytest.approx((0.82 - se, 0.82 + se), abs=1e-6)


def test_lambda_curve_uses_symlog_marks_the_choice_and_the_retrained_test():
    spec, leaves = _layers(validation_curve(_rows()))
    assert spec["title"]["text"] == "Accuracy against λ at L1 = 0, keep_prob = 1"
    assert spec["title"]["subtitle"][:2] == ["dev: the dev score, band ± 1 standard error (seeds, points)",
                                             "train: mean over runs, band ± 1 standard deviation"]
    assert any("◆" in line and "95 % interval" in line for line in spec["title"]["subtitle"])
    x = next(node["encoding"]["x"] for node, _ in leaves if _mark(node) == "line")
    assert x["scale"] == {"type": "symlog", "constant": 0.1}
    assert x["axis"]["values"] == [0.0, 0.1, 0.7]
    rules = [values for node, values in leaves if _mark(node) == "rule" and values and "label" in values[0]]
    assert rules[0][0]["lambd"] == 0.1 and rules[0][0]["label"] == "chosen λ = 0.1"
    final = [values for node, values in leaves if _mark(node) == "point"][0][0]
    assert final["mean"] == pytest.approx(0.92) and final["lambd"] == 0.1
    # Its bar is the retrained models' 95 % interval: 0.91 and 0.93 without a count of test points
    # (an old file), Student's t over 2 seeds: 0.92 ± 12.706 × 0.01.
    assert (final["low"], final["high"]) == pytest.approx((0.92 - 0.12706, min(1.0, 0.92 + 0.12706)), abs=1e-4)
    assert {_mark(node) for node, _ in leaves} >= {"area", "line"}


def test_lambda_curve_at_another_keep_prob_marks_no_choice():
    spec, leaves = _layers(validation_curve(_rows(), "lambd", {"keep_prob": 0.86}))
    assert spec["title"]["text"] == "Accuracy against λ at L1 = 0, keep_prob = 0.86"
    assert not any("◆" in line for line in spec["title"]["subtitle"])
    assert not any(_mark(node) in ("rule", "point") for node, _ in leaves)


def test_keep_prob_curve_is_linear_at_the_chosen_lambda():
    spec, leaves = _layers(validation_curve(_rows(), "keep_prob"))
    assert "λ = 0.1" in spec["title"]["text"]
    line = next(node for node, _ in leaves if _mark(node) == "line")
    assert line["encoding"]["x"]["field"] == "keep_prob" and "type" not in line["encoding"]["x"]["scale"]
    rule = next(values for node, values in leaves if _mark(node) == "rule" and values and "label" in values[0])
    assert rule[0]["keep_prob"] == 1.0


def test_weight_norm_chart_has_a_line_per_keep_prob_and_the_chosen_lambda():
    _, leaves = _layers(weight_norm_chart(_rows()))
    line, values = next((node, values) for node, values in leaves if _mark(node) == "line")
    dashes = line["encoding"]["strokeDash"]
    assert dashes["field"] == "setting" and dashes["title"] == "keep_prob"
    assert dashes["scale"]["domain"] == ["1", "0.86"] and dashes["scale"]["range"][0] == [1, 0]
    assert {v["setting"] for v in values} == {"1", "0.86"}
    at_zero = next(v for v in values if v["lambd"] == 0.0 and v["setting"] == "1")
    assert at_zero["mean"] == pytest.approx(6.5)
    assert any(values and values[0].get("label") == "chosen λ = 0.1" for node, values in leaves)


def test_all_zero_lambda_still_gets_a_scale():
    rows = _rows()
    rows = rows[rows["lambd"] == 0.0]
    _, leaves = _layers(validation_curve(rows))
    x = next(node["encoding"]["x"] for node, _ in leaves if _mark(node) == "line")
    assert x["scale"]["constant"] == 1.0


@pytest.mark.parametrize("arguments, message", [
    ({"x": "seed"}, "x must be one of lambd, l1, weight_decay, keep_prob"),
    ({"x": "lambd", "fixed": {"keep_prob": 0.5}}, "no dev models have L1 = 0, keep_prob = 0.5"),
    ({"x": "lambd", "fixed": {"lambd": 0.1}}, "a curve against lambd holds only l1, weight_decay, keep_prob, got lambd"),
    ({"x": "l1", "fixed": {"dropout": 0.5}}, "a curve against l1 holds only lambd, weight_decay, keep_prob, got dropout"),
])
def test_bad_curve_requests_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        validation_curve(_rows(), **arguments)


def _rows_with_l1():
    """λ ∈ {0, 0.1} × l1 ∈ {0, 0.01}, keep_prob 1, two seeds: L1 at 0.01 with λ = 0 is best on dev."""
    rows = []
    dev = {(0.0, 0.0): (0.80, 0.82), (0.0, 0.01): (0.90, 0.92), (0.1, 0.0): (0.86, 0.86), (0.1, 0.01): (0.84, 0.84)}
    for (lambd, l1), values in dev.items():
        for seed, value in enumerate(values):
            rows.append({"phase": "dev", "lambd": lambd, "l1": l1, "keep_prob": 1.0, "seed": seed,
                         "train_accuracy": 0.95, "dev_accuracy": value, "test_accuracy": value - 0.02,
                         "cost": 0.2, "weight_norm": 6.0 - 10 * lambd - 100 * l1 + seed})
    return pd.DataFrame(rows)


def test_a_title_too_long_for_the_chart_takes_two_lines():
    rows = _rows_with_l1().assign(weight_decay=0.01)
    spec, _ = _layers(validation_curve(rows, "lambd"))
    # "Accuracy against λ at L1 = 0, wd = 0.01, keep_prob = 1" was cut at 1280 pixels.
    assert spec["title"]["text"] == ["Accuracy against λ", "at L1 = 0.01, wd = 0.01, keep_prob = 1"]


def test_l1_curve_is_symlog_at_the_chosen_lambda_and_keep_prob():
    spec, leaves = _layers(validation_curve(_rows_with_l1(), "l1"))
    assert spec["title"]["text"] == "Accuracy against L1 at λ = 0, keep_prob = 1"
    line = next(node for node, _ in leaves if _mark(node) == "line")
    assert line["encoding"]["x"]["field"] == "l1" and line["encoding"]["x"]["title"] == "L1 strength"
    assert line["encoding"]["x"]["scale"] == {"type": "symlog", "constant": 0.01}
    rule = next(values for node, values in leaves if _mark(node) == "rule" and values and "label" in values[0])
    assert rule[0]["label"] == "chosen L1 = 0.01"
    dev = curve_frame(_rows_with_l1(), "l1", {"lambd": 0.1, "keep_prob": 1.0}).query("split == 'dev'")
    assert dev.set_index("l1")["mean"].to_dict() == pytest.approx({0.0: 0.86, 0.01: 0.84})


def test_weight_norm_chart_has_a_line_per_l1_when_l1_varies():
    _, leaves = _layers(weight_norm_chart(_rows_with_l1()))
    line, values = next((node, values) for node, values in leaves if _mark(node) == "line")
    assert line["encoding"]["strokeDash"]["title"] == "L1"
    assert {v["setting"] for v in values} == {"0", "0.01"}
    at = next(v for v in values if v["lambd"] == 0.1 and v["setting"] == "0.01")
    assert at["mean"] == pytest.approx(6.0 - 1.0 - 1.0 + 0.5)


def _summary():
    """A curve's summary by hand: none and L2 at 21 and 211 points, two seeds each; L2's strength
    chosen on dev among two at 21 points."""
    rows = []
    tests = {("none", 0.1, 21): (0.70, 0.74), ("l2", 0.1, 21): (0.80, 0.80),
             ("none", 1.0, 211): (0.82, 0.84), ("l2", 1.0, 211): (0.85, 0.87)}
    for (family, fraction, size), values in tests.items():
        lambd = 0.7 if family == "l2" else 0.0
        for seed, value in enumerate(values):
            rows.append({"family": family, "phase": "final", "lambd": lambd, "l1": 0.0, "keep_prob": 1.0,
                         "seed": seed, "train_fraction": fraction, "train_size": size, "train_accuracy": 0.9,
                         "dev_accuracy": math.nan, "test_accuracy": value, "cost": 0.3, "weight_norm": 5.0})
    for lambd in (0.1, 0.7):
        rows.append({"family": "l2", "phase": "dev", "lambd": lambd, "l1": 0.0, "keep_prob": 1.0, "seed": 0,
                     "train_fraction": 0.1, "train_size": 16, "train_accuracy": 0.9, "dev_accuracy": 0.8,
                     "test_accuracy": 0.8, "cost": 0.3, "weight_norm": 5.0})
    return curve_summary(pd.DataFrame(rows))


def test_data_size_chart_draws_each_family_in_its_colour_with_a_band():
    spec, leaves = _layers(data_size_chart(_summary()))
    assert spec["title"]["text"] == "Test accuracy against training-set size"
    assert "bands: ± 1 standard deviation over seeds" in spec["title"]["subtitle"][0]
    # Readable on the dark theme too, where Streamlit leaves a subtitle black.
    assert spec["title"]["subtitleColor"] == NEUTRAL
    marks = {_mark(node): (node, values) for node, values in leaves}
    assert set(marks) == {"area", "line"}
    area, _ = marks["area"]
    assert area["mark"]["opacity"] == 0.15
    line, values = marks["line"]
    encoding = line["encoding"]
    assert encoding["x"]["field"] == "train_size" and encoding["x"]["title"] == "training points used"
    assert encoding["x"]["axis"]["values"] == [21, 211]
    assert encoding["y"]["field"] == "mean"
    assert encoding["color"]["scale"] == {"domain": ["No regularization", "L2"],
                                          "range": [MODEL_COLORS["none"], MODEL_COLORS["l2"]]}
    assert area["encoding"]["y"]["field"] == "low" and area["encoding"]["y2"]["field"] == "high"
    # The legend shows the lines' full colours; the bands' pale fill has none.
    assert area["encoding"]["fill"]["legend"] is None and area["encoding"]["fill"]["field"] == "band"
    assert "color" not in area["encoding"]
    assert encoding["color"]["legend"]["symbolType"] == "stroke"
    tooltips = {tooltip["field"] for tooltip in encoding["tooltip"]}
    assert tooltips >= {"model", "strength", "train_fraction", "train_size", "mean", "std", "ci_low", "ci_high",
                        "seeds"}
    # Two seeds 0.70 and 0.74: mean 0.72, std 0.028284.
    none_small = next(v for v in values if v["model"] == "No regularization" and v["train_size"] == 21)
    assert (none_small["mean"], none_small["low"], none_small["high"]) == pytest.approx(
        (0.72, 0.72 - 0.028284, 0.72 + 0.028284), abs=1e-6)
    assert none_small["strength"] == "none"
    l2 = {v["train_size"]: v["strength"] for v in values if v["model"] == "L2"}
    assert l2 == {21: "lambd = 0.7 (chosen on dev among 2)", 211: "lambd = 0.7 (its only value)"}


def test_data_size_chart_needs_retrained_models():
    with pytest.raises(ValueError, match="no retrained models"):
        data_size_chart(_summary().iloc[:0])


# Legends and colours: a legend drawn in the lines' full colours, and no colour with two meanings
# on the Sweep page.


def _line_and_band(chart):
    _, leaves = _layers(chart)
    return (next(node for node, _ in leaves if _mark(node) == "line"),
            next(node for node, _ in leaves if _mark(node) == "area"))


def _shows_strokes(legend):
    # Strokes at full opacity: the lines, not the bands' pale fill.
    return legend["symbolType"] == "stroke" and legend["symbolOpacity"] == 1 and legend["symbolStrokeWidth"] >= 2


@pytest.mark.parametrize("every_test, splits", [(False, ["train", "dev"]), (True, ["train", "dev", "test"])])
def test_validation_curve_legend_is_the_lines_in_the_split_colours(every_test, splits):
    line, band = _line_and_band(validation_curve(_rows(), every_test=every_test))
    color = line["encoding"]["color"]
    assert color["field"] == "split" and _shows_strokes(color["legend"])
    assert color["scale"] == {"domain": splits, "range": [SPLIT_COLORS[split] for split in splits]}
    # The bands: the same colours by a field of their own and no legend, which Vega-Lite would
    # otherwise merge with the lines' and draw none of.
    assert "color" not in band["encoding"]
    fill = band["encoding"]["fill"]
    assert fill["field"] == "band" and fill["legend"] is None and fill["scale"] == color["scale"]
    _, leaves = _layers(validation_curve(_rows(), every_test=every_test))
    drawn = {value["split"] for node, values in leaves if _mark(node) == "line" for value in values}
    assert drawn == set(splits)


def test_weight_norm_legend_is_the_lines_dashes_in_their_grey():
    line, band = _line_and_band(weight_norm_chart(_rows()))
    assert line["mark"]["color"] == NEUTRAL and "color" not in line["encoding"]
    legend = line["encoding"]["strokeDash"]["legend"]
    # Long enough to show each line's dashes; in the mark's grey (a symbolStrokeColor would hide them).
    assert _shows_strokes(legend) and legend["symbolSize"] >= 600 and "symbolStrokeColor" not in legend
    assert band["mark"]["color"] == NEUTRAL and band["encoding"]["detail"]["field"] == "setting"
    assert "strokeDash" not in band["encoding"]


def test_data_size_chart_legend_is_the_lines_in_the_model_colours():
    line, band = _line_and_band(data_size_chart(_summary()))
    assert _shows_strokes(line["encoding"]["color"]["legend"])
    assert band["encoding"]["fill"]["legend"] is None


def _colours(chart):
    return {colour.lower() for colour in re.findall(r"#[0-9a-fA-F]{6}", json.dumps(chart.to_dict()))}


def test_no_colour_means_two_things_on_the_sweep_page():
    models, splits = {c.lower() for c in MODEL_COLORS.values()}, {c.lower() for c in SPLIT_COLORS.values()}
    sweep_charts = [validation_curve(_rows(), every_test=True), validation_curve(_rows(), "keep_prob"),
                    weight_norm_chart(_rows())]
    for chart in sweep_charts:
        assert not _colours(chart) & models
    assert not _colours(weight_norm_chart(_rows())) & splits
    assert not _colours(data_size_chart(_summary())) & splits
    # The test split's colour marks test accuracies only: the test line and the retrained choice,
    # not the choice the dev set made.
    _, leaves = _layers(validation_curve(_rows()))
    test_coloured = [node for node, _ in leaves if SPLIT_COLORS["test"] in json.dumps(node)]
    assert {_mark(node) for node in test_coloured} == {"rule", "point"}
    assert all(values[0].get("what", "").endswith("test") for node, values in leaves if node in test_coloured)
    chosen = [node for node, values in leaves if values and "label" in values[0]]
    assert chosen and all(node["mark"]["color"] == NEUTRAL for node in chosen)
