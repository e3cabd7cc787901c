"""Altair charts of the inside of trained networks: the network drawn as nodes and links, and the
training replayed from its checkpoints.  Plain functions of results, tested without Streamlit.

Both share scales across the models they are given, so that a thick link or a long bar means the
same in every model's chart: weight decay is then seen, not read off an axis.

The replay sends every checkpoint's picture once and scrubs through them with a Vega-Lite
parameter bound to a slider: moving it redraws in the browser, with no request to the server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from .charts import (boundary_height, curve_domains, field_axes, field_corners, field_image,
                     pixel_centres, png_url, points_frame, points_layer, probability_colors)
from .data import Dataset
from .network import dead_units, num_layers, predict_proba
from .palette import NEUTRAL, SIGN_COLORS, SPLIT_COLORS
from .settings import title
from .study import checkpoint_accuracies
from .training import TrainResult

SIGN_SCALE = alt.Scale(domain=list(SIGN_COLORS), range=list(SIGN_COLORS.values()))
# The thickest link, in pixels: the largest |w| of all the models drawn together.
LINK_WIDTH = 9
# Node areas in square pixels, from a zero bias to the largest |b| of all the models.
NODE_AREA = (25, 420)
NETWORK_WIDTH, NETWORK_HEIGHT = 260, 300


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


def network_frames(result: TrainResult, train_X=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drawing's data: links (one row per weight: name such as "W1[4, 0]", w, |w|, sign and
    the two ends' x, y) and nodes (one per unit: name, layer, bias or NaN for an input, |b|,
    sign, x, y, and whether the unit is dead on ``train_X``, a (2, m) array, when given)."""
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
    nodes = [{"name": f"x{i + 1}", "layer": 0, "bias": np.nan, "abs_b": 0.0, "sign": "input", "dead": False,
              "x": 0, "y": _position(i, sizes[0])} for i in range(sizes[0])]
    for l in range(1, L + 1):
        b = parameters[f"b{l}"][:, 0]
        for j, bias in enumerate(b):
            nodes.append({"name": f"b{l}[{j}]", "layer": l, "bias": float(bias), "abs_b": abs(float(bias)),
                          "sign": "positive" if bias >= 0 else "negative",
                          "dead": bool(dead[l - 1][j]) if l < L else False,
                          "x": l, "y": _position(j, sizes[l])})
    return pd.DataFrame(links), pd.DataFrame(nodes)


def network_graph(result: TrainResult, weight_max: float, bias_max: float, train_X=None) -> alt.LayerChart:
    """The network as layers of nodes joined by one link per weight: the link's width is |w| on a
    scale that ends at ``weight_max``, its colour the sign; each node's area is its bias's |b| (up
    to ``bias_max``), its colour the bias's sign; inputs are hollow.  Hovering tells the value."""
    links, nodes = network_frames(result, train_X)
    L = int(nodes["layer"].max())
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.25, L + 0.25]))
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
    inputs = alt.Chart(nodes[nodes["layer"] == 0]).mark_circle(size=NODE_AREA[1] // 2, opacity=1, fill="white",
                                                               stroke=NEUTRAL, strokeWidth=1.5).encode(
        x=x, y=y, tooltip=[alt.Tooltip("name:N", title="input")])
    names = alt.Chart(nodes[nodes["layer"] == 0]).mark_text(dx=-16, align="right", color=NEUTRAL).encode(
        x=x, y=y, text="name:N")
    zeros, total = result.zero_weights()
    # Every model's drawing has this line, so that the drawings side by side start at one height.
    said = f"{zeros} of {total} weights exactly 0 (not drawn)" if zeros else f"all {total} weights nonzero"
    title = alt.TitleParams(said, anchor="start", fontSize=12, fontWeight="normal", color=NEUTRAL)
    # "pad": the legends are added around the plot, not squeezed into the width.
    return alt.layer(drawn, biases, inputs, names).properties(width=NETWORK_WIDTH, height=NETWORK_HEIGHT, title=title,
                                                             autosize=alt.AutoSizeParams(type="pad"))


# The replay's pictures: 80 pixels a side, stretched to the boundary's 200 (the probability is
# smooth, so the picture stays sharp enough), with P(label 1) rounded to 1/64: colour steps under
# 4 of 255, not seen, and a third smaller.  About 4.4 KB each as sent, 270 KB a model.
REPLAY_RESOLUTION = 80
REPLAY_LEVELS = 64
# The replay's parameter, on its slider: the iteration shown; each model shows its last checkpoint
# at or before it.
ITERATION = "iteration"
# Playing shows each checkpoint this long: the course's 61 in about 15 s.
FRAME_MS = 250
NORM_HEIGHT = 70
CURVE_HEIGHT = 90
# A model's panel: its plots this wide, three panels to a row, which with their axes fill the
# 820-pixel page beside the sidebar at 1280 (and a fourth model starts a second row).
REPLAY_WIDTH = 170
REPLAY_COLUMNS = 3
REPLAY_SPACING = 16


def replay_frame(result: TrainResult, dataset: Dataset, resolution: int = REPLAY_RESOLUTION,
                 end: int | None = None) -> pd.DataFrame:
    """One row per checkpoint of ``result``: ``study.checkpoint_accuracies``' columns, ‖W_l‖ per
    layer (columns norm_W1, ...), the boundary as a PNG data URL (column url), and the slider's
    iterations that show it, from ``iteration`` up to, not including, ``until``: the next
    checkpoint's, or for the last one the slider's ``end`` (by default its own last iteration) + 1."""
    points = pixel_centres(dataset, resolution).T
    urls, norms = [], []
    for iteration in result.checkpoint_iterations:
        parameters = result.checkpoints[iteration]
        levels = np.round(predict_proba(points, parameters) * REPLAY_LEVELS)
        field = levels.reshape(resolution, resolution) / REPLAY_LEVELS
        urls.append(png_url(probability_colors(field)))
        norms.append({f"norm_{name}": float(np.linalg.norm(value)) for name, value in parameters.items()
                      if name.startswith("W")})
    frame = pd.concat([checkpoint_accuracies(result, dataset), pd.DataFrame(norms)], axis=1).assign(url=urls)
    iterations = frame["iteration"].tolist()
    return frame.assign(until=[*iterations[1:], max(iterations[-1], end or 0) + 1])


def replay_steps(results: Mapping[str, TrainResult]) -> tuple[int, int]:
    """The slider's step and the play button's stride, in iterations: the step divides every
    model's checkpoint iterations (the greatest common divisor), so the slider reaches each of
    them exactly; the stride is the longest run's spacing, so playing takes its CHECKPOINTS steps
    whatever the step."""
    iterations = [int(iteration) for result in results.values() for iteration in result.checkpoint_iterations]
    longest = max(results.values(), key=lambda result: result.checkpoint_iterations[-1]).checkpoint_iterations
    stride = int(longest[1] - longest[0]) if len(longest) > 1 else 1
    return max(1, math.gcd(*iterations)), stride


def replay_param(last: int, step: int) -> alt.Parameter:
    """The replay's iteration, on a slider under the chart from 0 to ``last`` by ``step``: it
    starts at the end (the trained models), and moving it redraws every model in the browser."""
    return alt.param(name=ITERATION, value=last,
                     bind=alt.binding_range(min=0, max=last, step=step, name=f"{ITERATION} "))


def _replay_panel(title: str, result: TrainResult, frame: pd.DataFrame, dataset: Dataset, norm_max: float,
                  accuracy_domain, show_test: bool) -> alt.VConcatChart:
    shown = f"datum.iteration <= {ITERATION} && {ITERATION} < datum.until"
    # Each picture is sent once: the other layers get frames without the pictures.
    pictures = frame[["iteration", "until", "url"]].assign(**field_corners(dataset))
    steps = frame[["iteration", "until"]].assign(label=[
        f"iteration {i:,}:\ntrain {a:.1%}, test {b:.1%}"
        for i, a, b in zip(frame["iteration"], frame["train_accuracy"], frame["test_accuracy"])])
    x_scale, y_scale = field_axes(dataset)
    points = points_layer(points_frame(dataset, show_test, result), x_scale, y_scale, legend=False)
    boundary = alt.layer(field_image(pictures, dataset).transform_filter(shown), points).properties(
        width=REPLAY_WIDTH, height=boundary_height(dataset, REPLAY_WIDTH))
    # Two lines, no wider than the plot, so that three panels fit the page.
    label = alt.Chart(steps).mark_text(align="left", baseline="top", x=0, y=0, fontSize=12, lineBreak="\n",
                                       color=NEUTRAL).encode(
        text="label:N").transform_filter(shown).properties(width=REPLAY_WIDTH, height=30,
                                                          title=alt.Title(title, anchor="start"))
    norms = frame.melt(id_vars=["iteration", "until"], value_vars=[c for c in frame if c.startswith("norm_")],
                       var_name="layer", value_name="norm")
    norms["layer"] = norms["layer"].str.removeprefix("norm_")
    layers = list(norms["layer"].unique())
    bars = alt.Chart(norms).mark_bar(color=NEUTRAL).encode(
        x=alt.X("norm:Q", title="‖W‖ at this checkpoint", scale=alt.Scale(domain=[0, norm_max])),
        y=alt.Y("layer:N", title=None, sort=layers),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("norm:Q", format=".2f")],
    ).transform_filter(shown).properties(width=REPLAY_WIDTH, height=NORM_HEIGHT)
    history = result.history
    curves = pd.concat([pd.DataFrame({"iteration": history["iteration"], "accuracy": history[f"{split}_accuracy"],
                                      "split": split}) for split in ("train", "test")], ignore_index=True)
    lines = alt.Chart(curves).mark_line(strokeWidth=1.5).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=list(accuracy_domain), clamp=True),
                axis=alt.Axis(format=".0%", tickCount=3)),
        color=alt.Color("split:N", scale=alt.Scale(domain=["train", "test"],
                                                   range=[SPLIT_COLORS["train"], SPLIT_COLORS["test"]]),
                        title=None, legend=alt.Legend(orient="top", direction="horizontal")),
    )
    now = alt.Chart(steps).mark_rule(color=NEUTRAL, strokeWidth=1.5).encode(x="iteration:Q").transform_filter(shown)
    accuracy = alt.layer(lines, now).properties(width=REPLAY_WIDTH, height=CURVE_HEIGHT)
    # The points' legends are off and the curves' is on: kept apart, so that one does not turn off the other.
    return alt.vconcat(label, boundary, bars, accuracy, spacing=8).resolve_legend(color="independent",
                                                                                  fill="independent")


def replay(results: Mapping[str, TrainResult], dataset: Dataset, show_test: bool = False) -> alt.ConcatChart:
    """Per model, at the slider's iteration (its last checkpoint up to it): the boundary, train and
    test accuracy, and ‖W_l‖ per layer on one scale for all models, above the accuracy curves with
    the checkpoint marked; REPLAY_COLUMNS models to a row.  One slider drives every model, in the
    browser."""
    last = max(int(result.checkpoint_iterations[-1]) for result in results.values())
    frames = {name: replay_frame(result, dataset, end=last) for name, result in results.items()}
    norm_max = max(float(frame.filter(like="norm_").to_numpy().max()) for frame in frames.values())
    _, accuracy_domain = curve_domains(results.values())
    panels = [_replay_panel(title(name), results[name], frame, dataset, norm_max, accuracy_domain, show_test)
              for name, frame in frames.items()]
    return alt.concat(*panels, columns=REPLAY_COLUMNS, spacing=REPLAY_SPACING).add_params(
        replay_param(last, replay_steps(results)[0]))
