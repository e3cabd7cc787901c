"""The weights of several models side by side: norms per layer, the distribution of |w| and the
total norm over the iterations, each model in its own colour (``model_colors``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..report.palette import MODEL_COLORS, MODEL_PALETTE, NEUTRAL, OUTLINE
from ..settings import title
from ..training import TrainResult


def _kind(settings) -> str | None:
    """The study's name for what a model regularizes with ("l2", "dropout", ...), None if mixed or
    with weight decay, which has no colour of its own: it takes the first one free."""
    if settings.weight_decay > 0:
        return None
    used = (settings.lambd > 0, settings.l1 > 0, settings.keep_prob < 1)
    kinds = {(False, False, False): "early_stopping" if settings.early_stopping else "none",
             (True, False, False): "l2", (False, True, False): "l1", (False, False, True): "dropout",
             (True, False, True): "l2_dropout"}
    return kinds.get(used)


def model_colors(results: Mapping[str, TrainResult]) -> dict[str, str]:
    """Each model's colour: its regularizer's (``MODEL_COLORS``: L2 green, dropout amber...) for the
    first model of each, the first of ``MODEL_PALETTE`` no model has for the others (a second L2, a
    mix), so that colours keep their meaning from page to page and no two models share one."""
    colors = {}
    # First each regularizer's first model, then the others in the colours left.
    for name, result in results.items():
        preferred = MODEL_COLORS.get(_kind(result.settings))
        if preferred is not None and preferred not in colors.values():
            colors[name] = preferred
    for name in results:
        if name not in colors:
            colors[name] = next(color for color in MODEL_PALETTE if color not in colors.values())
    return {name: colors[name] for name in results}


def _model_scale(results: Mapping[str, TrainResult]) -> alt.Scale:
    colors = model_colors(results)
    return alt.Scale(domain=[title(name) for name in colors], range=list(colors.values()))


# A legend row's height in pixels, with the symbols kept small so that rows stay this tall.
LEGEND_ROW = 18


# The characters two legend columns hold side by side in a third of the page at 1280 pixels: the
# widest name of each column together ("Adam + weight decay" beside "Adam + L2" showed "Ada").
TWO_COLUMNS_WIDTH = 22


def _legend_columns(names: Sequence[str]) -> int:
    # Two columns (names 0, 2 in the first, 1, 3 in the second) hold up to four names whose widest
    # fit side by side; otherwise one column, whose names are never cut at the chart's edge.
    side_by_side = max(map(len, names[0::2]), default=0) + max(map(len, names[1::2]), default=0)
    return 2 if len(names) <= 4 and side_by_side <= TWO_COLUMNS_WIDTH else 1


def _model_legend(names: Sequence[str], **symbol) -> alt.Legend:
    return alt.Legend(orient="bottom", columns=_legend_columns(names), symbolSize=symbol.pop("symbolSize", 80),
                      rowPadding=2, **symbol)


def model_chart_height(names: Sequence[str], height: int = 300) -> int:
    """The height of a chart with a model legend below it: ``height`` for up to four models,
    more for each row the legend adds beyond two, so that the plot keeps its size."""
    rows = math.ceil(len(names) / _legend_columns(names))
    return height + LEGEND_ROW * max(0, rows - 2)


def weight_norms_frame(results: Mapping[str, TrainResult]) -> pd.DataFrame:
    """Columns model, layer, norm: ‖W_l‖_F of every layer of every model."""
    rows = [{"model": title(name), "layer": layer, "norm": norm}
            for name, result in results.items() for layer, norm in result.weight_norms().items()]
    return pd.DataFrame(rows, columns=["model", "layer", "norm"])


def weight_norms(results: Mapping[str, TrainResult]) -> alt.Chart:
    """‖W_l‖_F per layer, one bar per model side by side."""
    frame = weight_norms_frame(results)
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("layer:N", title="layer", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("model:N", sort=list(frame["model"].unique())),
        y=alt.Y("norm:Q", title="‖W‖ (Frobenius)"),
        color=alt.Color("model:N", scale=_model_scale(results), title="model",
                        legend=_model_legend(list(results))),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("layer:N"), alt.Tooltip("norm:Q", format=".3f")],
    )


def _row_label(name: str, result: TrainResult) -> str:
    """A model's row in the weight distribution, with its exact zeros counted when it has any."""
    zeros, total = result.zero_weights()
    return title(name) + (f" · {zeros} of {total} at 0" if zeros else "")


def weight_distribution_frame(results: Mapping[str, TrainResult]) -> pd.DataFrame:
    """Columns model, row, layer, abs_w: one row per weight (biases excluded) of every model;
    ``row`` is the model's label in the chart, with its exact zeros counted."""
    parts = [pd.DataFrame({"model": title(name), "row": _row_label(name, result), "layer": layer,
                           "abs_w": np.abs(value).ravel()})
             for name, result in results.items()
             for layer, value in result.parameters.items() if layer.startswith("W")]
    return pd.concat(parts, ignore_index=True)


def weight_distribution(results: Mapping[str, TrainResult]) -> alt.LayerChart:
    """|w| of every weight per model: one thin tick per weight, a bold grey tick at the median;
    a model with weights exactly 0 says how many in its label."""
    frame = weight_distribution_frame(results)
    y = alt.Y("row:N", sort=[_row_label(name, result) for name, result in results.items()], title=None,
              axis=alt.Axis(labelLimit=220))
    ticks = alt.Chart(frame).mark_tick(opacity=0.5, thickness=1.2, size=26).encode(
        # Flush: the last tick's label stays inside the chart instead of being cut at its edge.
        x=alt.X("abs_w:Q", title="|w|", axis=alt.Axis(labelFlush=True)), y=y,
        color=alt.Color("model:N", scale=_model_scale(results), legend=None),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("layer:N"), alt.Tooltip("abs_w:Q", format=".3f")],
    )
    medians = alt.Chart(frame).mark_tick(color=NEUTRAL, thickness=3, size=34).encode(
        x=alt.X("median(abs_w):Q", title="|w|"), y=y,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("median(abs_w):Q", title="median |w|", format=".3f")],
    )
    return alt.layer(ticks, medians)


def norm_history_frame(results: Mapping[str, TrainResult]) -> pd.DataFrame:
    """Columns model, iteration, norm: the norm of all weights together, sqrt(Σ_l ‖W_l‖²_F)."""
    parts = []
    for name, result in results.items():
        history = result.history
        layers = [column for column in history.columns if column.startswith("norm_W")]
        parts.append(pd.DataFrame({"model": title(name), "iteration": history["iteration"],
                                   "norm": np.sqrt(np.square(history[layers]).sum(axis=1))}))
    return pd.concat(parts, ignore_index=True)


def norm_history(results: Mapping[str, TrainResult]) -> alt.Chart | alt.LayerChart:
    """How the weights' total norm evolves: L2 pulls it down, the others let it grow.  A model
    that stopped early has a point where it stopped: the weights it kept."""
    frame = norm_history_frame(results)
    color = alt.Color("model:N", scale=_model_scale(results), title="model",
                      legend=_model_legend(list(results), symbolType="stroke", symbolStrokeWidth=2.5))
    lines = alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("norm:Q", title="‖W‖ (all layers)"),
        color=color,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("iteration:Q"), alt.Tooltip("norm:Q", format=".2f")],
    )
    kept = pd.DataFrame([{"model": title(name), "iteration": result.best_iteration,
                          "norm": result.total_weight_norm()}
                         for name, result in results.items() if result.best_iteration is not None])
    if kept.empty:
        return lines
    points = alt.Chart(kept).mark_point(filled=True, size=70, opacity=1, stroke=OUTLINE, strokeWidth=1).encode(
        x="iteration:Q", y="norm:Q", color=color,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("iteration:Q", title="kept iteration"),
                 alt.Tooltip("norm:Q", format=".2f")])
    return alt.layer(lines, points)


# The Inputs view: a bar's thickness, and the room each feature's group of bars takes beyond them.
INPUT_BAR = 9
INPUT_GAP = 14
# The bars' least height, so that two features still read as two groups.
INPUT_PLOT = 140
# ... and its largest: beyond about 40 features the bars thin out rather than the page growing, and
# the axis names as many features as fit.
INPUT_MAX_PLOT = 1600
# A feature's name needs this many pixels of height to be written without overlapping the next.
INPUT_ROW_MIN = 12
# The x axis, its title and a legend of two rows below the bars, in pixels.
INPUT_FRAME = 120


def _input_label(name: str, dropped: int) -> str:
    """A model's name in the Inputs legend, with the features it dropped counted when it has any."""
    return title(name) + (f" · drops {dropped}" if dropped else "")


def input_norms_frame(results: Mapping[str, TrainResult], feature_names) -> pd.DataFrame:
    """Columns model, feature, order (the feature's column), norm, dropped and label: for every
    feature j, each model's first-layer weight norm ‖W1[:, j]‖, the size of everything the network
    takes from it; dropped when every weight from it is exactly 0 (L1's proximal steps put them
    there); label, the model's name in the legend (``_input_label``)."""
    rows = []
    for name, result in results.items():
        norms = np.linalg.norm(result.parameters["W1"], axis=0)
        label = _input_label(name, int(np.sum(norms == 0)))
        rows += [{"model": title(name), "feature": str(feature), "order": j, "norm": float(norm),
                  "dropped": bool(norm == 0), "label": label}
                 for j, (feature, norm) in enumerate(zip(feature_names, norms))]
    return pd.DataFrame(rows, columns=["model", "feature", "order", "norm", "dropped", "label"])


def input_norms(results: Mapping[str, TrainResult], feature_names) -> alt.Chart:
    """‖W1[:, j]‖ per feature (one row of bars each, in the data's column order), a bar per model in
    its colour; the legend counts the features each model dropped (``input_norms_frame``), whose
    bars are empty."""
    frame = input_norms_frame(results, feature_names)
    labels = list(frame["label"].unique())
    colors = model_colors(results)
    color = alt.Color("label:N", scale=alt.Scale(domain=labels, range=list(colors.values())), title="model",
                      legend=_model_legend(labels))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("norm:Q", title="‖W1[:, j]‖, the first layer's weights from the feature"),
        y=alt.Y("feature:N", sort=[str(feature) for feature in feature_names], title=None,
                axis=alt.Axis(labelLimit=200, labelOverlap=len(feature_names) * INPUT_ROW_MIN > INPUT_MAX_PLOT)),
        yOffset=alt.YOffset("label:N", sort=labels), color=color,
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("model:N"),
                 alt.Tooltip("norm:Q", title="‖W1[:, j]‖", format=".3f"),
                 alt.Tooltip("dropped:N", title="every weight exactly 0")],
    )


def input_norms_height(results: Mapping[str, TrainResult], n_features: int) -> int:
    """The Inputs chart's height on the page, its axis and legend included: INPUT_BAR pixels a bar
    and INPUT_GAP between features, plus the room ``model_chart_height`` gives a weight chart's
    axis and legend.  Streamlit draws a chart of named rows at the height it is given (its own
    "content" height flattens them into one)."""
    plot = min(INPUT_MAX_PLOT, max(INPUT_PLOT, n_features * (len(results) * INPUT_BAR + INPUT_GAP)))
    return model_chart_height(list(results), plot + INPUT_FRAME)
