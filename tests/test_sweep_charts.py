"""The sweep's charts: what each draws, read back from its Vega-Lite spec."""

import pandas as pd
import pytest

from nnreg.sweep_charts import curve_frame, validation_curve, weight_norm_chart


def _rows():
    """λ ∈ {0, 0.1, 0.7} × keep_prob ∈ {1, 0.86}, two seeds, and the chosen setting's final rows."""
    rows = []
    dev = {(0.0, 1.0): (0.80, 0.84), (0.1, 1.0): (0.90, 0.92), (0.7, 1.0): (0.86, 0.86),
           (0.0, 0.86): (0.82, 0.82), (0.1, 0.86): (0.88, 0.90), (0.7, 0.86): (0.85, 0.87)}
    for (lambd, keep_prob), values in dev.items():
        for seed, value in enumerate(values):
            rows.append({"phase": "dev", "lambd": lambd, "keep_prob": keep_prob, "seed": seed,
                         "train_accuracy": 0.95, "dev_accuracy": value, "test_accuracy": value - 0.02,
                         "cost": 0.2, "weight_norm": 6.0 - 4 * lambd + seed})
    for seed, test in enumerate((0.91, 0.93)):
        rows.append({"phase": "final", "lambd": 0.1, "keep_prob": 1.0, "seed": seed, "train_accuracy": 0.96,
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


def test_curve_frame_has_mean_and_one_std_band_per_split():
    frame = curve_frame(_rows(), "lambd", 1.0)
    dev = frame[frame["split"] == "dev"].set_index("lambd")
    assert dev.loc[0.0, "mean"] == pytest.approx(0.82)
    # Two seeds 0.80 and 0.84: std = 0.028284 (n - 1 in the denominator).
    assert (dev.loc[0.0, "low"], dev.loc[0.0, "high"]) == pytest.approx((0.82 - 0.028284, 0.82 + 0.028284), abs=1e-6)
    assert dev.loc[0.7, "low"] == dev.loc[0.7, "high"] == pytest.approx(0.86)
    assert sorted(frame["split"].unique()) == ["dev", "test", "train"] and set(frame["seeds"]) == {2}


def test_lambda_curve_uses_symlog_marks_the_choice_and_the_retrained_test():
    spec, leaves = _layers(validation_curve(_rows()))
    assert "keep_prob = 1" in spec["title"]["text"]
    assert any("◆" in line for line in spec["title"]["subtitle"])
    x = next(node["encoding"]["x"] for node, _ in leaves if _mark(node) == "line")
    assert x["scale"] == {"type": "symlog", "constant": 0.1}
    assert x["axis"]["values"] == [0.0, 0.1, 0.7]
    rules = [values for node, values in leaves if _mark(node) == "rule" and values and "label" in values[0]]
    assert rules[0][0]["lambd"] == 0.1 and rules[0][0]["label"] == "chosen λ = 0.1"
    final = [values for node, values in leaves if _mark(node) == "point"][0][0]
    assert final["mean"] == pytest.approx(0.92) and final["lambd"] == 0.1
    assert {_mark(node) for node, _ in leaves} >= {"area", "line"}


def test_lambda_curve_at_another_keep_prob_marks_no_choice():
    spec, leaves = _layers(validation_curve(_rows(), "lambd", 0.86))
    assert "keep_prob = 0.86" in spec["title"]["text"]
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
    assert line["encoding"]["color"]["field"] == "keep_prob"
    assert {v["keep_prob"] for v in values} == {"1", "0.86"}
    at_zero = next(v for v in values if v["lambd"] == 0.0 and v["keep_prob"] == "1")
    assert at_zero["mean"] == pytest.approx(6.5)
    assert any(values and values[0].get("label") == "chosen λ = 0.1" for node, values in leaves)


def test_all_zero_lambda_still_gets_a_scale():
    rows = _rows()
    rows = rows[rows["lambd"] == 0.0]
    _, leaves = _layers(validation_curve(rows))
    x = next(node["encoding"]["x"] for node, _ in leaves if _mark(node) == "line")
    assert x["scale"]["constant"] == 1.0


@pytest.mark.parametrize("arguments, message", [
    ({"x": "seed"}, "x must be lambd or keep_prob"),
    ({"x": "lambd", "fixed": 0.5}, "no dev models have keep_prob = 0.5"),
])
def test_bad_curve_requests_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        validation_curve(_rows(), **arguments)
