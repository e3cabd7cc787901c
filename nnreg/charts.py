"""Altair charts of the study, each a plain function of results or a dataset, so they are tested
without Streamlit.

Colors mean the same on every chart: blue is label 1 (a French player won the header), red is
label 0.  Models get their own colors, never blue or red, so a color is never ambiguous.

A decision boundary's probability field is one PNG image under the points, not thousands of
rectangles: the browser draws an image at once, while Vega computes every rectangle's position and
color in an expression interpreter, which made each redraw of the three boundaries slow.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from .data import Dataset
from .network import THRESHOLD
from .palette import BLUE, MODEL_COLORS, NEUTRAL, PALE_BLUE, PALE_RED, RED, THINNED_COLOR, UNSURE
from .settings import STUDY_TITLES
from .training import TrainResult

LABEL_SCALE = alt.Scale(domain=[0, 1], range=[RED, BLUE])
# Interpolated in RGB, as probability_colors paints the image, so the legend matches the field.
PROBABILITY_SCALE = alt.Scale(domain=[0, 0.5, 1], range=[PALE_RED, UNSURE, PALE_BLUE], interpolate="rgb")
SPLIT_SCALE = alt.Scale(domain=["train", "test"], range=["circle", "triangle-up"])

# Pixels per side of the probability image: near the chart's size on the page (about 350 by 250
# pixels), so stretching it keeps the boundary sharp; its 40,000 predictions take about 20 ms.
IMAGE_RESOLUTION = 200
IMAGE_DATASET = "probability_image"
FIELD_MARGIN = 0.08

FULL_COST = "cost J, full network"
THINNED_OBJECTIVE = "objective, thinned network"


def _model_scale(names: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=[STUDY_TITLES[name] for name in names],
                     range=[MODEL_COLORS[name] for name in names])


def field_extent(dataset: Dataset) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (x1, x2) ranges that hold every point, with a margin so no point sits on the edge."""
    points = np.vstack([dataset.train_X, dataset.test_X])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = FIELD_MARGIN * np.maximum(high - low, 1e-9)
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def _axes(dataset: Dataset):
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    x = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    y = alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False)
    return x, y


def points_frame(dataset: Dataset, show_test: bool) -> pd.DataFrame:
    """Columns x1, x2, label, split: the training points, and the test points when asked."""
    frame = dataset.to_frame().rename(columns={"y": "label"})
    return frame if show_test else frame[frame["split"] == "train"].reset_index(drop=True)


def _points_layer(frame: pd.DataFrame, x_scale, y_scale, legend: bool) -> alt.Chart:
    label_legend = alt.Legend() if legend else None
    # A grey symbol in the shape legend: the shape means the split, not the label.
    split_legend = alt.Legend(symbolSize=70, symbolFillColor=NEUTRAL, symbolStrokeColor=NEUTRAL,
                              symbolOpacity=1) if legend else None
    return alt.Chart(frame).mark_point(filled=True, size=36, opacity=0.95, stroke="white",
                                       strokeWidth=0.7).encode(
        x=alt.X("x1:Q", scale=x_scale, title="x1"),
        y=alt.Y("x2:Q", scale=y_scale, title="x2"),
        fill=alt.Fill("label:N", scale=LABEL_SCALE, title="label", legend=label_legend),
        shape=alt.Shape("split:N", scale=SPLIT_SCALE, title="points", legend=split_legend),
        tooltip=[alt.Tooltip("x1:Q"), alt.Tooltip("x2:Q"), alt.Tooltip("label:N"), alt.Tooltip("split:N")],
    )


def dataset_points(dataset: Dataset, show_test: bool = True) -> alt.Chart:
    """The field: training points as circles, test points as triangles, colored by label."""
    x_scale, y_scale = _axes(dataset)
    return _points_layer(points_frame(dataset, show_test), x_scale, y_scale, legend=True)


def probability_field(results: Sequence[TrainResult], dataset: Dataset,
                      resolution: int = IMAGE_RESOLUTION) -> np.ndarray:
    """P(label 1) at the centres of a resolution × resolution grid of pixels covering the field,
    averaged over ``results`` (one per seed) so several seeds show their mean prediction.

    Row 0 is the top of the field (the largest x2), as in an image.
    """
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    centres = (np.arange(resolution) + 0.5) / resolution
    x1, x2 = np.meshgrid(x_lo + centres * (x_hi - x_lo), y_hi - centres * (y_hi - y_lo))
    points = np.column_stack([x1.ravel(), x2.ravel()])
    return np.mean([result.predict_proba(points) for result in results], axis=0).reshape(resolution, resolution)


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)], dtype=float)


def probability_colors(probability) -> np.ndarray:
    """PROBABILITY_SCALE's colors (uint8 RGB, in a last axis) for an array of probabilities."""
    p = np.clip(np.asarray(probability, dtype=float), 0, 1)[..., None]
    red, unsure, blue = _rgb(PALE_RED), _rgb(UNSURE), _rgb(PALE_BLUE)
    colors = np.where(p < 0.5, red + (unsure - red) * 2 * p, unsure + (blue - unsure) * (2 * p - 1))
    return np.rint(colors).astype(np.uint8)


def png(rgb: np.ndarray) -> bytes:
    """A (height, width, 3) uint8 array as PNG file content: 8-bit RGB, no new dependency.

    Every row uses PNG's "Up" filter (the difference from the row above, modulo 256), which
    turns a smooth field into runs of zeros that compress to a few kilobytes.
    """
    height, width, _ = rgb.shape
    rows = rgb.reshape(height, width * 3)
    up = np.diff(rows, axis=0, prepend=np.zeros((1, width * 3), np.uint8))
    scanlines = np.hstack([np.full((height, 1), 2, np.uint8), up]).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines, 6))
            + chunk(b"IEND", b""))


def decision_boundary(results: Sequence[TrainResult], dataset: Dataset, *, discretize: bool = False,
                      show_test: bool = False, resolution: int = IMAGE_RESOLUTION) -> alt.LayerChart:
    """The model's P(label 1) as an image over the field, with the points on top.

    ``discretize`` shows hard regions instead: the label the model predicts (P > THRESHOLD, as the
    course's predict), in the colors of P = 0 and P = 1.

    The image travels in a dataset of a fixed name, so a new model or the hard regions change
    the chart's data, not its spec: Streamlit then updates the drawn chart in place, which the
    browser does several times faster than drawing a new one.
    """
    probability = probability_field(results, dataset, resolution)
    if discretize:
        probability = (probability > THRESHOLD).astype(float)
    url = "data:image/png;base64," + base64.b64encode(png(probability_colors(probability))).decode("ascii")
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    x_scale, y_scale = _axes(dataset)
    field = alt.Chart(alt.NamedData(name=IMAGE_DATASET)).mark_image(aspect=False).encode(
        x=alt.X("x1_lo:Q", scale=x_scale, title="x1"),
        x2=alt.X2("x1_hi:Q"),
        y=alt.Y("x2_hi:Q", scale=y_scale, title="x2"),
        y2=alt.Y2("x2_lo:Q"),
        url=alt.Url("url:N"),
    )
    # The image has no color channel, so an invisible layer carries the scale and its legend.
    legend = alt.Legend(type="gradient", orient="bottom", gradientLength=120, titleOrient="left",
                        values=[0, 0.5, 1], format="~g", labelOverlap=False)
    key = alt.Chart(pd.DataFrame({"probability": [0.0, 0.5, 1.0]})).mark_rect(opacity=0).encode(
        color=alt.Color("probability:Q", scale=PROBABILITY_SCALE, title="P(label 1)", legend=legend),
    )
    points = _points_layer(points_frame(dataset, show_test), x_scale, y_scale, legend=False)
    image = {"url": url, "x1_lo": x_lo, "x1_hi": x_hi, "x2_lo": y_lo, "x2_hi": y_hi}
    return alt.layer(field, key, points).properties(datasets={IMAGE_DATASET: [image]})


def cost_curve(result: TrainResult, name: str) -> alt.Chart:
    """The cost over iterations; with dropout also the objective gradient descent actually saw.

    With dropout each step minimizes the cost of a randomly thinned network, which is not the
    model's cost: both are drawn and labelled so the noisy one is not mistaken for the model's.
    """
    history = result.history
    curves = [pd.DataFrame({"iteration": history["iteration"], "value": history["cost"], "curve": FULL_COST})]
    if result.settings.keep_prob < 1.0:
        curves.append(pd.DataFrame({"iteration": history["iteration"], "value": history["objective"],
                                    "curve": THINNED_OBJECTIVE}))
    frame = pd.concat(curves, ignore_index=True)
    names = [FULL_COST, THINNED_OBJECTIVE][: len(curves)]
    colors = [MODEL_COLORS[name], THINNED_COLOR][: len(curves)]
    # A log scale keeps the late, small differences between models visible after the first drop.
    return alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("value:Q", title="cost (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~g", tickCount=4)),
        color=alt.Color("curve:N", scale=alt.Scale(domain=names, range=colors), title=None,
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=names, range=[[1, 0], [3, 2]][: len(curves)]),
                                  legend=None),
        # Drawing the model's cost last keeps it on top of the thinned network's noise.
        order=alt.Order("curve:N", sort="descending"),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("iteration:Q"), alt.Tooltip("value:Q", format=".4f")],
    )


def weight_norms_frame(results: Mapping[str, TrainResult]) -> pd.DataFrame:
    """Columns model, layer, norm: ‖W_l‖_F of every layer of every model."""
    rows = [{"model": STUDY_TITLES[name], "layer": layer, "norm": norm}
            for name, result in results.items() for layer, norm in result.weight_norms().items()]
    return pd.DataFrame(rows, columns=["model", "layer", "norm"])


def weight_norms(results: Mapping[str, TrainResult]) -> alt.Chart:
    """‖W_l‖_F per layer, one bar per model side by side."""
    frame = weight_norms_frame(results)
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("layer:N", title="layer", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("model:N", sort=list(frame["model"].unique())),
        y=alt.Y("norm:Q", title="‖W‖ (Frobenius)"),
        color=alt.Color("model:N", scale=_model_scale(list(results)), title="model",
                        legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("layer:N"), alt.Tooltip("norm:Q", format=".3f")],
    )


def weight_distribution_frame(results: Mapping[str, TrainResult]) -> pd.DataFrame:
    """Columns model, layer, abs_w: one row per weight (biases excluded) of every model."""
    parts = [pd.DataFrame({"model": STUDY_TITLES[name], "layer": layer, "abs_w": np.abs(value).ravel()})
             for name, result in results.items()
             for layer, value in result.parameters.items() if layer.startswith("W")]
    return pd.concat(parts, ignore_index=True)


def weight_distribution(results: Mapping[str, TrainResult]) -> alt.LayerChart:
    """|w| of every weight per model: one thin tick per weight, a bold black tick at the median."""
    frame = weight_distribution_frame(results)
    y = alt.Y("model:N", sort=[STUDY_TITLES[name] for name in results], title=None)
    ticks = alt.Chart(frame).mark_tick(opacity=0.5, thickness=1.2, size=26).encode(
        x=alt.X("abs_w:Q", title="|w|"), y=y,
        color=alt.Color("model:N", scale=_model_scale(list(results)), legend=None),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("layer:N"), alt.Tooltip("abs_w:Q", format=".3f")],
    )
    medians = alt.Chart(frame).mark_tick(color="black", thickness=3, size=34).encode(
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
        parts.append(pd.DataFrame({"model": STUDY_TITLES[name], "iteration": history["iteration"],
                                   "norm": np.sqrt(np.square(history[layers]).sum(axis=1))}))
    return pd.concat(parts, ignore_index=True)


def norm_history(results: Mapping[str, TrainResult]) -> alt.Chart:
    """How the weights' total norm evolves: L2 pulls it down, the others let it grow."""
    return alt.Chart(norm_history_frame(results)).mark_line(strokeWidth=1.8).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("norm:Q", title="‖W‖ (all layers)"),
        color=alt.Color("model:N", scale=_model_scale(list(results)), title="model",
                        legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("iteration:Q"), alt.Tooltip("norm:Q", format=".2f")],
    )
