"""The network drawn as nodes and links: a link's width is |w|, a node's area |b|, on scales shared
across the models given, so that a thick link means the same in every model's drawing: weight
decay is then seen, not read off an axis."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..network import dead_units, num_layers
from ..report.palette import NEUTRAL, OUTLINE, SIGN_COLORS
from ..training import TrainResult

SIGN_SCALE = alt.Scale(domain=list(SIGN_COLORS), range=list(SIGN_COLORS.values()))
# The thickest link, in pixels: the largest |w| of all the models drawn together.
LINK_WIDTH = 9
# Node areas in square pixels, from a zero bias to the largest |b| of all the models.
NODE_AREA = (25, 420)
NETWORK_WIDTH, NETWORK_HEIGHT = 260, 300
# Names beside the nodes (a table's features and classes): at most this many pixels each, cut
# with an ellipsis (the tooltip has them whole), about LETTER pixels a letter, NAME_GAP from the
# node; the drawing keeps its width by making room for them inside it.
NAME_LIMITS = {"input": 100, "output": 70}
LETTER = 5.5
NAME_GAP = 16
# The drawing's margin beyond the first and last layer, in layers, when its names are the course's.
MARGIN = 0.25


def _x_domain(layers: int, inputs, outputs) -> list[float]:
    """The x scale's domain: layer 0 to ``layers``, with MARGIN each side for the course's x1 and x2
    (the drawing as it always was), else room inside NETWORK_WIDTH for the longest names."""
    if all(name == f"x{i + 1}" for i, name in enumerate(inputs)) and not outputs:
        return [-MARGIN, layers + MARGIN]
    room = [NAME_GAP + min(limit, LETTER * max((len(name) for name in names), default=0)) if names else 0
            for limit, names in ((NAME_LIMITS["input"], inputs), (NAME_LIMITS["output"], outputs))]
    per_layer = (NETWORK_WIDTH - sum(room)) / layers
    return [-max(MARGIN, room[0] / per_layer), layers + max(MARGIN, room[1] / per_layer)]


def largest_weight(results: Mapping[str, TrainResult]) -> tuple[float, str, str]:
    """The largest |w| among these models, the model's name and the weight's, e.g. "W3[0, 0]"."""
    largest = (-1.0, "", "")
    for name, result in results.items():
        for layer, value in result.parameters.items():
            if layer.startswith("W"):
                j, i = np.unravel_index(np.argmax(np.abs(value)), value.shape)
                if abs(value[j, i]) > largest[0]:
                    largest = (float(abs(value[j, i])), name, f"{layer}[{j}, {i}]")
    return largest


def network_scale(results: Mapping[str, TrainResult]) -> tuple[float, float]:
    """The largest |w| and the largest |b| among these models: one scale for all their drawings."""
    biases = max(float(np.abs(value).max()) for result in results.values()
                 for layer, value in result.parameters.items() if layer.startswith("b"))
    return largest_weight(results)[0], biases


def _legend_values(top: float) -> list[float]:
    # A third, two thirds and all of the largest |w|, to two decimals: the legend's three widths.
    return [round(top * share, 2) for share in (1 / 3, 2 / 3, 1)]


def _position(unit: int, size: int) -> float:
    # Each layer spread over the same height, unit 0 at the top, so a layer of 3 is as tall as one of 20.
    return (unit + 0.5) / size


def output_names(class_names) -> list[str]:
    """The output units' labels: each class's name for three classes or more (one softmax unit
    each), "P(malignant)" for two named classes (one sigmoid unit, P of the second class), none
    for the course's 0/1 labels."""
    class_names = [str(name) for name in class_names]
    if len(class_names) > 2:
        return class_names
    return [] if class_names == ["0", "1"] else [f"P({class_names[1]})"]


def network_frames(result: TrainResult, train_X=None, feature_names=None,
                   class_names=("0", "1")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drawing's data: links (one row per weight: name such as "W1[4, 0]", w, |w|, sign and
    the two ends' x, y) and nodes (one per unit: name, layer, bias or NaN for an input, |b|,
    sign, x, y, whether the unit is dead on ``train_X``, the network's (n_features, m) inputs, when
    given, and a label: an input's feature name (x1, x2, ... by default), an output's from
    ``output_names``)."""
    parameters = result.parameters
    L = num_layers(parameters)
    sizes = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
    dead = dead_units(train_X, parameters) if train_X is not None else [np.zeros(n, bool) for n in sizes[1:-1]]
    links = []
    for l in range(1, L + 1):
        W = parameters[f"W{l}"]
        for j, i in np.ndindex(W.shape):
            w = float(W[j, i])
            links.append({"name": f"W{l}[{j}, {i}]", "layer": f"W{l}", "w": w, "abs_w": abs(w),
                          "sign": "positive" if w >= 0 else "negative",
                          "x": l - 1, "y": _position(i, sizes[l - 1]),
                          "x2": l, "y2": _position(j, sizes[l])})
    names = list(feature_names) if feature_names is not None else [f"x{i + 1}" for i in range(sizes[0])]
    outputs = output_names(class_names)
    nodes = [{"name": names[i], "label": names[i], "layer": 0, "bias": np.nan, "abs_b": 0.0, "sign": "input",
              "dead": False, "x": 0, "y": _position(i, sizes[0])} for i in range(sizes[0])]
    for l in range(1, L + 1):
        b = parameters[f"b{l}"][:, 0]
        for j, bias in enumerate(b):
            label = outputs[j] if l == L and j < len(outputs) else ""
            nodes.append({"name": f"b{l}[{j}]", "label": label, "layer": l, "bias": float(bias),
                          "abs_b": abs(float(bias)), "sign": "positive" if bias >= 0 else "negative",
                          "dead": bool(dead[l - 1][j]) if l < L else False,
                          "x": l, "y": _position(j, sizes[l])})
    return pd.DataFrame(links), pd.DataFrame(nodes)


def network_graph(result: TrainResult, weight_max: float, bias_max: float, train_X=None, feature_names=None,
                  class_names=("0", "1")) -> alt.LayerChart:
    """The network as layers of nodes joined by one link per weight: the link's width is |w| on a
    scale that ends at ``weight_max``, its colour the sign; each node's area is its bias's |b| (up
    to ``bias_max``), its colour the bias's sign; inputs are hollow, named by their features, and
    the outputs by their classes (``output_names``).  Hovering tells the value."""
    links, nodes = network_frames(result, train_X, feature_names, class_names)
    L = int(nodes["layer"].max())
    inputs_named = nodes[nodes["layer"] == 0]["label"].tolist()
    outputs_named = [label for label in nodes[nodes["layer"] == L]["label"] if label]
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=_x_domain(L, inputs_named, outputs_named)))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[1, 0]))
    sign = alt.Color("sign:N", scale=SIGN_SCALE, title="sign",
                     legend=alt.Legend(orient="bottom", direction="vertical", symbolType="stroke",
                                       symbolStrokeWidth=3))
    drawn = alt.Chart(links).mark_rule(strokeCap="round", opacity=0.75).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", color=sign,
        strokeWidth=alt.StrokeWidth("abs_w:Q", title="|w|",
                                    scale=alt.Scale(domain=[0, weight_max], range=[0, LINK_WIDTH]),
                                    legend=alt.Legend(orient="bottom", direction="vertical", symbolType="stroke",
                                                      symbolStrokeColor=NEUTRAL, format=".2~f", labelOverlap=False,
                                                      values=_legend_values(weight_max))),
        # Thin links drawn last, so that they stay visible over the thick ones.
        order=alt.Order("abs_w:Q", sort="descending"),
        tooltip=[alt.Tooltip("name:N", title="weight"), alt.Tooltip("w:Q", format=".3f")],
    )
    units = nodes[nodes["layer"] > 0]
    biases = alt.Chart(units).mark_circle(opacity=1, stroke=NEUTRAL, strokeWidth=0.8).encode(
        x=x, y=y,
        color=alt.Color("sign:N", scale=SIGN_SCALE, legend=None),
        size=alt.Size("abs_b:Q", scale=alt.Scale(domain=[0, bias_max], range=list(NODE_AREA)), legend=None),
        tooltip=[alt.Tooltip("name:N", title="bias"), alt.Tooltip("bias:Q", format=".3f"),
                 alt.Tooltip("dead:N", title="dead on every training point")],
    )
    # An input's circle: half the largest node's area, smaller where many inputs share the height.
    spacing = NETWORK_HEIGHT / len(inputs_named)
    inputs = alt.Chart(nodes[nodes["layer"] == 0]).mark_circle(size=min(NODE_AREA[1] // 2, round(0.5 * spacing ** 2)),
                                                               opacity=1, fill=OUTLINE,
                                                               stroke=NEUTRAL, strokeWidth=1.5).encode(
        x=x, y=y, tooltip=[alt.Tooltip("name:N", title="input")])
    # Smaller letters where many inputs share the height.
    size = {"fontSize": min(11, NETWORK_HEIGHT // len(inputs_named))} if len(inputs_named) > 2 else {}
    names = alt.Chart(nodes[nodes["layer"] == 0]).mark_text(dx=-NAME_GAP, align="right", color=NEUTRAL,
                                                           limit=NAME_LIMITS["input"], **size).encode(
        x=x, y=y, text="label:N", tooltip=[alt.Tooltip("label:N", title="input")])
    outputs = alt.Chart(nodes[(nodes["layer"] == L) & (nodes["label"] != "")]).mark_text(
        dx=NAME_GAP, align="left", color=NEUTRAL, limit=NAME_LIMITS["output"]).encode(
        x=x, y=y, text="label:N", tooltip=[alt.Tooltip("label:N", title="output")])
    zeros, total = result.zero_weights()
    # Every model's drawing has this line, so that the drawings side by side start at one height.
    said = f"{zeros} of {total} weights exactly 0 (not drawn)" if zeros else f"all {total} weights nonzero"
    title = alt.TitleParams(said, anchor="start", fontSize=12, fontWeight="normal", color=NEUTRAL)
    # "pad": the legends are added around the plot, not squeezed into the width.
    return alt.layer(drawn, biases, inputs, names, outputs).properties(
        width=NETWORK_WIDTH, height=NETWORK_HEIGHT, title=title, autosize=alt.AutoSizeParams(type="pad"))
