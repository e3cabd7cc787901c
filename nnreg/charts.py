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
import math
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from .data import Dataset
from .network import THRESHOLD, dead_units, forward
from .palette import (BLUE, DROPPED_UNIT, MISCLASSIFIED, MODEL_COLORS, MODEL_PALETTE, NEUTRAL, PALE_BLUE, PALE_RED,
                      RED, SPLIT_COLORS, THINNED_COLOR, UNIT_OUTPUT, UNSURE)
from .settings import title
from .training import TrainResult

LABEL_SCALE = alt.Scale(domain=[0, 1], range=[RED, BLUE])
# Interpolated in RGB, as probability_colors paints the image, so the legend matches the field.
PROBABILITY_SCALE = alt.Scale(domain=[0, 0.5, 1], range=[PALE_RED, UNSURE, PALE_BLUE], interpolate="rgb")
# Dev points, held out of training for early stopping, are training points of another shape.
SPLIT_SHAPES = {"train": "circle", "dev": "diamond", "test": "triangle-up"}

# Pixels per side of the probability image: near the chart's size on the page (about 350 by 250
# pixels), so stretching it keeps the boundary sharp; its 40,000 predictions take about 20 ms.
IMAGE_RESOLUTION = 200
IMAGE_DATASET = "probability_image"
# The plot's width in pixels; its height follows the field's shape.  Three fit side by side beside
# the sidebar at 1280 pixels (with its axes 250 pixels in a column of 252; 200 overflowed by 18),
# with the first screen holding them whole at 1440 by 900.
BOUNDARY_WIDTH = 180
# "The data alone": the field's longer side, in pixels (the football field is taller than wide).
DATA_SIZE = 440
PREDICTED = ["predicted 0", "predicted 1"]
# The hover grid: invisible squares this many across the field (6 pixels each), each telling
# P(label 1) at its centre, to the 0.01 the tooltip shows: 1,230 on the football field, about 17 KB
# a boundary as sent.
HOVER_CELLS = 30
HOVER_DATASET = "probability_grid"
MISCLASSIFIED_DATASET = "misclassified"
FIELD_MARGIN = 0.08

# The curves' names in their legends (the y-axis says cost or accuracy).
TRAIN, DEV, TEST = "train", "dev", "test"
THINNED_OBJECTIVE = "thinned"
# The data splits' colours, solid; the thinned network's objective, dashed grey.
CURVE_COLORS = {TRAIN: SPLIT_COLORS["train"], DEV: SPLIT_COLORS["dev"], TEST: SPLIT_COLORS["test"],
                THINNED_OBJECTIVE: THINNED_COLOR}
CURVE_DASHES = {TRAIN: [1, 0], DEV: [1, 0], TEST: [1, 0], THINNED_OBJECTIVE: [3, 2]}
# Where early stopping stopped, on the learning curves.
KEPT = "kept"
# The learning curves' plots, in pixels (their width is the column's).
CURVE_HEIGHT = 160


def _kind(settings) -> str | None:
    """The study's name for what a model regularizes with ("l2", "dropout", ...), None if mixed."""
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


def _legend_columns(names: Sequence[str]) -> int:
    # Two columns hold four models' names in a third of the page; beyond that one column, whose
    # names are never cut at the chart's edge.
    return 2 if len(names) <= 4 else 1


def _model_legend(names: Sequence[str], **symbol) -> alt.Legend:
    return alt.Legend(orient="bottom", columns=_legend_columns(names), symbolSize=symbol.pop("symbolSize", 80),
                      rowPadding=2, **symbol)


def model_chart_height(names: Sequence[str], height: int = 300) -> int:
    """The height of a chart with a model legend below it: ``height`` for up to four models,
    more for each row the legend adds beyond two, so that the plot keeps its size."""
    rows = math.ceil(len(names) / _legend_columns(names))
    return height + LEGEND_ROW * max(0, rows - 2)


def field_extent(dataset: Dataset) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (x1, x2) ranges that hold every point, with a margin so no point sits on the edge."""
    points = np.vstack([dataset.train_X, dataset.test_X])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = FIELD_MARGIN * np.maximum(high - low, 1e-9)
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def field_axes(dataset: Dataset) -> tuple[alt.Scale, alt.Scale]:
    """The x1 and x2 scales of every chart of the field: exactly ``field_extent``."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    x = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    y = alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False)
    return x, y


def points_frame(dataset: Dataset, show_test: bool, result: TrainResult | None = None) -> pd.DataFrame:
    """Columns x1, x2, label, split: the training points, and the test points when asked.

    With ``result``, the training points are those it saw: the ones it fitted ("train") and its
    early-stopping dev points ("dev"); points left out by its train_fraction are not drawn.
    """
    frame = dataset.to_frame().rename(columns={"y": "label"})
    if result is not None and result.train_index is not None:
        # to_frame lists the training points first, in order.
        split = np.full(len(dataset.train_Y), "unused", dtype=object)
        split[result.train_index] = "train"
        if result.dev_index is not None:
            split[result.dev_index] = "dev"
        frame.loc[: len(split) - 1, "split"] = split
        frame = frame[frame["split"] != "unused"]
    return (frame if show_test else frame[frame["split"] != "test"]).reset_index(drop=True)


def _split_scale(frame: pd.DataFrame) -> alt.Scale:
    splits = [split for split in SPLIT_SHAPES if split in set(frame["split"])]
    return alt.Scale(domain=splits, range=[SPLIT_SHAPES[split] for split in splits])


def points_layer(frame: pd.DataFrame, x_scale, y_scale, legend: bool) -> alt.Chart:
    label_legend = alt.Legend() if legend else None
    # A grey symbol in the shape legend: the shape means the split, not the label.
    split_legend = alt.Legend(symbolSize=70, symbolFillColor=NEUTRAL, symbolStrokeColor=NEUTRAL,
                              symbolOpacity=1) if legend else None
    return alt.Chart(frame).mark_point(filled=True, size=36, opacity=0.95, stroke="white",
                                       strokeWidth=0.7).encode(
        x=alt.X("x1:Q", scale=x_scale, title="x1"),
        y=alt.Y("x2:Q", scale=y_scale, title="x2"),
        fill=alt.Fill("label:N", scale=LABEL_SCALE, title="label", legend=label_legend),
        # Only the splits drawn, so that the legend names no shape the chart lacks.
        shape=alt.Shape("split:N", scale=_split_scale(frame), title="points", legend=split_legend),
        tooltip=[alt.Tooltip("x1:Q"), alt.Tooltip("x2:Q"), alt.Tooltip("label:N"), alt.Tooltip("split:N")],
    )


def dataset_points(dataset: Dataset, show_test: bool = True) -> alt.Chart:
    """The field: training points as circles, test points as triangles, colored by label, at
    equal aspect like the boundaries, its longer side DATA_SIZE pixels."""
    x_scale, y_scale = field_axes(dataset)
    width, height = field_size(dataset, DATA_SIZE)
    # "pad": the width and height are the plot's, the axes and the legends added around it.
    return points_layer(points_frame(dataset, show_test), x_scale, y_scale, legend=True).properties(
        width=width, height=height, autosize=alt.AutoSizeParams(type="pad"))


def field_size(dataset: Dataset, longest: int) -> tuple[int, int]:
    """The plot's width and height at equal aspect (a unit of x1 as long as a unit of x2), its
    longer side ``longest`` pixels."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    ratio = (y_hi - y_lo) / (x_hi - x_lo)
    return (longest, round(longest * ratio)) if ratio <= 1 else (round(longest / ratio), longest)


def probability_field(results: Sequence[TrainResult], dataset: Dataset,
                      resolution: int = IMAGE_RESOLUTION) -> np.ndarray:
    """P(label 1) at the centres of a resolution × resolution grid of pixels covering the field,
    averaged over ``results`` (one per seed) so several seeds show their mean prediction.

    Row 0 is the top of the field (the largest x2), as in an image.
    """
    points = pixel_centres(dataset, resolution)
    return np.mean([result.predict_proba(points) for result in results], axis=0).reshape(resolution, resolution)


def pixel_centres(dataset: Dataset, resolution: int) -> np.ndarray:
    """The (x1, x2) centres of a resolution × resolution grid of pixels over the field, one per
    row, row by row from the top (the largest x2), as an image is laid out."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    centres = (np.arange(resolution) + 0.5) / resolution
    x1, x2 = np.meshgrid(x_lo + centres * (x_hi - x_lo), y_hi - centres * (y_hi - y_lo))
    return np.column_stack([x1.ravel(), x2.ravel()])


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)], dtype=float)


def probability_colors(probability) -> np.ndarray:
    """PROBABILITY_SCALE's colors (uint8 RGB, in a last axis) for an array of probabilities."""
    p = np.clip(np.asarray(probability, dtype=float), 0, 1)[..., None]
    red, unsure, blue = _rgb(PALE_RED), _rgb(UNSURE), _rgb(PALE_BLUE)
    colors = np.where(p < 0.5, red + (unsure - red) * 2 * p, unsure + (blue - unsure) * (2 * p - 1))
    return np.rint(colors).astype(np.uint8)


# PNG's colour types by channels: RGB, and RGB with an alpha channel.
PNG_COLOR_TYPES = {3: 2, 4: 6}


def png(rgb: np.ndarray) -> bytes:
    """A (height, width, 3) uint8 array as PNG file content: 8-bit RGB, no new dependency; with a
    fourth channel, RGBA (its alpha 0 transparent, 255 opaque).

    Every row uses PNG's "Up" filter (the difference from the row above, modulo 256), which
    turns a smooth field into runs of zeros that compress to a few kilobytes.
    """
    height, width, channels = rgb.shape
    rows = rgb.reshape(height, width * channels)
    up = np.diff(rows, axis=0, prepend=np.zeros((1, width * channels), np.uint8))
    scanlines = np.hstack([np.full((height, 1), 2, np.uint8), up]).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines, 6))
            + chunk(b"IEND", b""))


def png_url(rgb: np.ndarray) -> str:
    """``png(rgb)`` as a data URL, the form Vega-Lite's image mark takes inline."""
    return "data:image/png;base64," + base64.b64encode(png(rgb)).decode("ascii")


def hover_cells(dataset: Dataset, cells: int = HOVER_CELLS) -> tuple[np.ndarray, float]:
    """The centres of the hover grid's square cells, ``cells`` across the field and as many down as
    cover it, row by row from the top left (as ``hover_layer`` places them), and their side."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    side = (x_hi - x_lo) / cells
    rows = math.ceil((y_hi - y_lo) / side - 1e-9)
    column, row = np.meshgrid(np.arange(cells), np.arange(rows))
    centres = np.column_stack([x_lo + (column.ravel() + 0.5) * side, y_hi - (row.ravel() + 0.5) * side])
    return centres, side


def hover_layer(dataset: Dataset, cells: int = HOVER_CELLS) -> alt.Chart:
    """Invisible squares tiling the field, each telling P(label 1) at its centre on hover.  The
    data is P alone (dataset HOVER_DATASET, row by row from the top left): each square's place is
    computed in the browser from its row number, so the data stays small and the spec the same
    for every model."""
    (x_lo, _), (_, y_hi) = field_extent(dataset)
    _, side = hover_cells(dataset, cells)
    x_scale, y_scale = field_axes(dataset)
    pixels = BOUNDARY_WIDTH / cells
    return alt.Chart(alt.NamedData(name=HOVER_DATASET)).mark_square(
        size=(pixels + 0.5) ** 2, opacity=0, clip=True).transform_window(cell="row_number()").transform_calculate(
        x1=f"{x_lo!r} + ((datum.cell - 1) % {cells} + 0.5) * {side!r}",
        x2=f"{y_hi!r} - (floor((datum.cell - 1) / {cells}) + 0.5) * {side!r}").encode(
        x=alt.X("x1:Q", scale=x_scale, title="x1"), y=alt.Y("x2:Q", scale=y_scale, title="x2"),
        tooltip=[alt.Tooltip("p:Q", title="P(label 1)", format=".2f"), alt.Tooltip("x1:Q", format=".2f"),
                 alt.Tooltip("x2:Q", format=".2f")])


def misclassified_frame(results: Sequence[TrainResult], frame: pd.DataFrame) -> pd.DataFrame:
    """The points of ``frame`` (``points_frame``'s) the model labels wrong: its P(label 1), the mean
    over ``results`` as the field shows it, on the other side of THRESHOLD from the label."""
    p = np.mean([result.predict_proba(frame[["x1", "x2"]].to_numpy()) for result in results], axis=0)
    wrong = (p > THRESHOLD).astype(int) != frame["label"].to_numpy()
    return frame[wrong].assign(p=p[wrong]).reset_index(drop=True)


def decision_boundary(results: Sequence[TrainResult], dataset: Dataset, *, discretize: bool = False,
                      show_test: bool = False, ring_errors: bool = False,
                      resolution: int = IMAGE_RESOLUTION) -> alt.LayerChart:
    """The model's P(label 1) as an image over the field, with the points on top (those the first
    run saw, ``points_frame``); hovering anywhere tells P(label 1) there (``hover_layer``).

    ``discretize`` shows hard regions instead: the label the model predicts (P > THRESHOLD, as the
    course's predict), in the colors of P = 0 and P = 1.  ``ring_errors`` rings every point drawn
    that the model labels wrong.

    The image, the hover grid and the rings travel in datasets of fixed names, so a new model, the
    hard regions or the rings change the chart's data, not its spec: Streamlit then updates the
    drawn chart in place, which the browser does several times faster than drawing a new one.
    """
    probability = probability_field(results, dataset, resolution)
    if discretize:
        probability = (probability > THRESHOLD).astype(float)
    image = {"url": png_url(probability_colors(probability)), **field_corners(dataset)}
    centres, _ = hover_cells(dataset)
    hover = [{"p": round(float(p), 3)} for p in np.mean([r.predict_proba(centres) for r in results], axis=0)]
    x_scale, y_scale = field_axes(dataset)
    frame = points_frame(dataset, show_test, results[0])
    wrong = misclassified_frame(results, frame) if ring_errors else frame.iloc[:0].assign(p=[])
    rings = alt.Chart(alt.NamedData(name=MISCLASSIFIED_DATASET)).mark_point(
        shape="circle", size=120, filled=False, stroke=MISCLASSIFIED, strokeWidth=1.5, opacity=1).encode(
        x=alt.X("x1:Q", scale=x_scale, title="x1"), y=alt.Y("x2:Q", scale=y_scale, title="x2"),
        tooltip=[alt.Tooltip("label:N"), alt.Tooltip("p:Q", title="P(label 1)", format=".2f"),
                 alt.Tooltip("split:N")])
    points = points_layer(frame, x_scale, y_scale, legend=False)
    # "pad": the width and height are the plot's, the axes and the legend added around it.
    return alt.layer(field_image(alt.NamedData(name=IMAGE_DATASET), dataset), hover_layer(dataset), rings,
                     points).properties(
        datasets={IMAGE_DATASET: [image], HOVER_DATASET: hover, MISCLASSIFIED_DATASET: wrong.to_dict("records")},
        width=BOUNDARY_WIDTH, height=boundary_height(dataset), autosize=alt.AutoSizeParams(type="pad"))


def field_corners(dataset: Dataset) -> dict[str, float]:
    """Where a picture of the field goes: x1_lo, x1_hi, x2_lo, x2_hi, the field's extent."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    return {"x1_lo": x_lo, "x1_hi": x_hi, "x2_lo": y_lo, "x2_hi": y_hi}


def field_image(data, dataset: Dataset) -> alt.Chart:
    """The pictures of ``data`` (rows with a PNG data URL in url and ``field_corners``' columns),
    each stretched over the field on the axes of every chart of it."""
    x_scale, y_scale = field_axes(dataset)
    return alt.Chart(data).mark_image(aspect=False).encode(
        x=alt.X("x1_lo:Q", scale=x_scale, title="x1"),
        x2=alt.X2("x1_hi:Q"),
        y=alt.Y("x2_hi:Q", scale=y_scale, title="x2"),
        y2=alt.Y2("x2_lo:Q"),
        url=alt.Url("url:N"),
    )


def boundary_height(dataset: Dataset, width: int = BOUNDARY_WIDTH) -> int:
    """The plot's height for ``width``: equal aspect, a unit of x1 as long as a unit of x2, so the
    field's shapes are true."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    return round(width * (y_hi - y_lo) / (x_hi - x_lo))


def boundary_legend(discretize: bool) -> alt.Chart:
    """The boundaries' colours, one legend for all of them: P(label 1) as a gradient, or the two
    predicted labels when the regions are hard.  Kept out of the boundary charts, whose specs then
    stay the same when "discretize" changes (the browser updates them in place)."""
    # At the chart's top left, in one row.
    place = dict(orient="none", legendX=0, legendY=0, direction="horizontal")
    if discretize:
        color = alt.Color("region:N", title=None, scale=alt.Scale(domain=PREDICTED, range=[PALE_RED, PALE_BLUE]),
                          legend=alt.Legend(**place, symbolOpacity=1, symbolStrokeColor=NEUTRAL,
                                            symbolStrokeWidth=0.5, symbolSize=150))
        frame = pd.DataFrame({"region": PREDICTED})
    else:
        color = alt.Color("probability:Q", scale=PROBABILITY_SCALE, title="P(label 1)",
                          legend=alt.Legend(**place, type="gradient", gradientLength=160, titleOrient="left",
                                            values=[0, 0.5, 1], format="~g", labelOverlap=False))
        frame = pd.DataFrame({"probability": [0.0, 0.5, 1.0]})
    # Nothing to plot: an invisible mark on an empty view carries the scale and its legend.
    return alt.Chart(frame).mark_square(opacity=0).encode(color=color).properties(
        width=1, height=1, view=alt.ViewConfig(stroke=None), autosize=alt.AutoSizeParams(type="pad"))


# A hidden unit's picture: UNIT_SIZE pixels a side (one pixel of output each), UNIT_COLUMNS to a
# row: four fill a model's column of about 250 pixels, three models beside the sidebar at 1280.
UNIT_SIZE = 54
UNIT_RESOLUTION = UNIT_SIZE
UNIT_COLUMNS = 4
UNIT_SPACING = 6
# The pictures' scale, per hidden layer and shared by every model: logarithmic over this many
# decades below the layer's largest output, so that a model whose outputs are ten times smaller
# (L2's) still shows their shapes, while the same shade is the same output in every model.
UNIT_DECADES = 2
# A dropped unit's picture, faded under its cross.
DROPPED_OPACITY = 0.35


def unit_outputs(result: TrainResult, dataset: Dataset, resolution: int = UNIT_RESOLUTION) -> list[np.ndarray]:
    """Each hidden layer's outputs over a resolution × resolution grid of the field, shaped
    (units, resolution, resolution), row 0 at the top, as ``probability_field`` lays it out."""
    _, activations = forward(pixel_centres(dataset, resolution).T, result.parameters)
    return [A.reshape(-1, resolution, resolution) for A in activations[1:]]


def unit_constant(top: float) -> float:
    """The symmetric-log scale's constant for a layer whose largest output is ``top``: outputs
    below it are drawn nearly linearly, above it logarithmically."""
    return top / 10 ** UNIT_DECADES


def unit_shade(output, top: float) -> np.ndarray:
    """How opaque an output is drawn, 0 (nothing: transparent) to 1 (``top``, the layer's largest):
    log(1 + output / c) / log(1 + top / c) with c = ``unit_constant(top)``, Vega-Lite's "symlog"
    scale over [0, top], which the legend draws."""
    output = np.asarray(output, dtype=float)
    if top <= 0:
        return np.zeros_like(output)
    constant = unit_constant(top)
    return np.clip(np.log1p(np.maximum(output, 0) / constant) / np.log1p(top / constant), 0, 1)


def unit_picture(output: np.ndarray, top: float) -> np.ndarray:
    """An output's picture as RGBA: UNIT_OUTPUT everywhere, its opacity ``unit_shade``."""
    alpha = np.rint(255 * unit_shade(output, top)).astype(np.uint8)
    color = np.broadcast_to(_rgb(UNIT_OUTPUT).astype(np.uint8), (*output.shape, 3))
    return np.concatenate([color, alpha[..., None]], axis=-1)


def unit_name(layer: int, unit: int) -> str:
    """A hidden unit's name on the page, by number from 1: "hidden layer 1, unit 2"."""
    return f"hidden layer {layer}, unit {unit}"


def unit_frame(result: TrainResult, dataset: Dataset, scale_max: Sequence[float], mask=None,
               resolution: int = UNIT_RESOLUTION) -> pd.DataFrame:
    """One row per hidden unit: its name, its tile's header ("unit 2", with "dead" or "dropped" on
    a second line), layer, number, picture (a PNG data URL, transparent at 0, opaque at its layer's
    ``scale_max``), its largest output over the field, whether it is dead on the training points
    and whether ``mask`` drops it."""
    dead = dead_units(result.fitted(dataset)[0].T, result.parameters)
    rows = []
    for l, outputs in enumerate(unit_outputs(result, dataset, resolution), start=1):
        for j, output in enumerate(outputs):
            dropped = mask is not None and not bool(mask[l - 1][j])
            states = [state for state, shown in (("dead", dead[l - 1][j]), ("dropped", dropped)) if shown]
            rows.append({"name": unit_name(l, j + 1), "header": "\n".join([f"unit {j + 1}", *states]),
                         "order": len(rows), "layer": l, "unit": j + 1, "largest": float(output.max()),
                         "state": ", ".join(states) or "active", "dead": bool(dead[l - 1][j]), "dropped": dropped,
                         "url": png_url(unit_picture(output, scale_max[l - 1])),
                         "x0": 0.0, "x1": 1.0, "y0": 0.0, "y1": 1.0})
    return pd.DataFrame(rows)


def unit_scale_max(results: Iterable[TrainResult], dataset: Dataset) -> list[float]:
    """Per hidden layer, its largest output over the field among these models: one colour scale
    for a layer in every model (the second layer's outputs run ten times larger than the first's)."""
    per_model = [[float(outputs.max()) for outputs in unit_outputs(result, dataset)] for result in results]
    return [max(layer) for layer in zip(*per_model)]


def unit_scale(top: float) -> alt.Scale:
    """The legend's scale for a layer whose largest output is ``top``: the pictures' own
    (``unit_shade``), from transparent to UNIT_OUTPUT."""
    top = top if top > 0 else 1.0
    clear = "rgba({}, {}, {}, 0)".format(*_rgb(UNIT_OUTPUT).astype(int))
    return alt.Scale(type="symlog", constant=unit_constant(top), domain=[0, top], range=[clear, UNIT_OUTPUT],
                     interpolate="rgb")


def _unit_layer(frame: pd.DataFrame, layer: int, top: float) -> alt.FacetChart:
    """One hidden layer's tiles, UNIT_COLUMNS to a row, under its title and its scale."""
    bare = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    x = alt.X("x0:Q", scale=alt.Scale(domain=[0, 1]), axis=bare)
    y = alt.Y("y0:Q", scale=alt.Scale(domain=[0, 1]), axis=bare)
    tooltip = [alt.Tooltip("name:N", title="unit"), alt.Tooltip("largest:Q", title="largest output", format=".2f"),
               alt.Tooltip("state:N", title="state")]
    picture = alt.Chart().mark_image(aspect=False).encode(
        x=x, x2="x1:Q", y=alt.Y("y1:Q", scale=alt.Scale(domain=[0, 1]), axis=bare), y2="y0:Q", url="url:N",
        opacity=alt.condition("datum.dropped", alt.value(DROPPED_OPACITY), alt.value(1.0)), tooltip=tooltip)
    # The tile's edge, so that a unit whose output is 0 everywhere still has a place.  The invisible
    # fill carries the layer's scale, for its legend.
    edge = alt.Chart().mark_rect(stroke=UNIT_OUTPUT, strokeOpacity=0.6, strokeWidth=1, fillOpacity=0).encode(
        x=x, x2="x1:Q", y=y, y2="y1:Q",
        fill=alt.Fill("largest:Q", scale=unit_scale(top), title="output (log scale)",
                      legend=alt.Legend(orient="top", direction="horizontal", gradientLength=150, gradientThickness=10,
                                        values=[0, top / 10, top], format=".2f", labelOverlap=False,
                                        gradientStrokeColor=UNIT_OUTPUT, gradientStrokeWidth=0.5)))
    # A dropped unit's cross: its two diagonals.
    cross = alt.Chart().mark_rule(color=DROPPED_UNIT, strokeWidth=2.5).transform_filter("datum.dropped")
    diagonals = [cross.encode(x=x, x2="x1:Q", y=y, y2="y1:Q"), cross.encode(x=x, x2="x1:Q", y=alt.Y("y1:Q", axis=bare),
                                                                          y2="y0:Q")]
    tile = alt.layer(picture, edge, *diagonals).properties(width=UNIT_SIZE, height=UNIT_SIZE)
    rows = frame[frame["layer"] == layer]
    header = alt.Header(title=None, labelFontSize=11, labelPadding=2, labelExpr="split(datum.value, '\\n')")
    return tile.facet(alt.Facet("header:N", sort=alt.SortField("order"), header=header), data=rows,
                      columns=UNIT_COLUMNS, spacing=UNIT_SPACING,
                      title=alt.TitleParams(f"Hidden layer {layer}: {len(rows)} units", anchor="start", fontSize=13))


def hidden_units(result: TrainResult, dataset: Dataset, scale_max: Sequence[float], mask=None) -> alt.VConcatChart:
    """Each hidden unit's output over the field as a small picture, layer by layer, each layer
    with its scale (shared by every model); a unit ``mask`` drops is faded and crossed out."""
    frame = unit_frame(result, dataset, scale_max, mask)
    layers = [_unit_layer(frame, layer, top) for layer, top in enumerate(scale_max, start=1)]
    return alt.vconcat(*layers, spacing=16).resolve_scale(fill="independent").resolve_legend(fill="independent")


def curve_domains(results: Iterable[TrainResult]) -> tuple[list[float], list[float]]:
    """One y-range for the cost curves and one for the accuracy curves of all these models, so
    that a gap looks as large in one model's chart as in another's."""
    results = list(results)
    histories = [result.history for result in results]
    def drawn(metric):
        return [h[f"{split}_{metric}"].to_numpy() for h in histories for split in (TRAIN, DEV, TEST)
                if f"{split}_{metric}" in h]

    thinned = [h["objective"].to_numpy() for h, r in zip(histories, results) if _thinned(r)]
    costs = np.concatenate(drawn("cost") + thinned)
    accuracies = np.concatenate(drawn("accuracy"))
    # A log axis needs a positive floor; a cost under 0.001 is a training set learnt by heart.
    cost_domain = [max(float(costs.min()), 1e-3), float(costs.max())] if costs.size else [1e-3, 1.0]
    low = float(accuracies.min()) if accuracies.size else 0.5
    # Whole tens of percent, so the axis ticks fall on round numbers.
    return cost_domain, [np.floor(low * 10) / 10, 1.0]


def _thinned(result: TrainResult) -> bool:
    return result.settings.keep_prob < 1.0


def cost_curves(result: TrainResult, cost_domain: Sequence[float]) -> alt.Chart:
    """The cross-entropy on the training and the test points over the iterations; with dropout
    also the objective gradient descent actually saw, the thinned network's.

    A test cost that rises while the train cost falls is overfitting seen happening.  The
    thinned network's objective is not the model's cost, so it is drawn dashed and named.
    """
    return _curves(result, "cost", "cost (log scale)",
                   alt.Scale(type="log", domain=list(cost_domain), clamp=True), alt.Axis(format="~g", tickCount=4),
                   ".4f", thinned=_thinned(result))


def accuracy_curves(result: TrainResult, accuracy_domain: Sequence[float]) -> alt.Chart:
    """Train and test accuracy over the iterations: the gap between them is how much it overfits.
    With early stopping, the dev accuracy it chose on and a rule where it stopped."""
    return _curves(result, "accuracy", "accuracy", alt.Scale(domain=list(accuracy_domain), clamp=True),
                   alt.Axis(format=".0%", tickCount=5), ".1%")


def _curves(result, metric, title, scale, axis, number_format, thinned=False) -> alt.Chart | alt.LayerChart:
    """Each split's ``metric`` over the iterations (dev too with early stopping), the thinned
    network's objective if asked, and with early stopping a rule at the iteration kept."""
    history = result.history
    splits = [TRAIN, DEV, TEST] if f"{DEV}_{metric}" in history else [TRAIN, TEST]
    curves = [(split, history[f"{split}_{metric}"]) for split in splits]
    if thinned:
        curves.append((THINNED_OBJECTIVE, history["objective"]))
    frame = pd.concat([pd.DataFrame({"iteration": history["iteration"], "value": values, "curve": name})
                       for name, values in curves], ignore_index=True)
    names = [name for name, _ in curves]
    lines = alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("value:Q", title=title, scale=scale, axis=axis),
        # Below the plot, two to a row: every entry fits a column a quarter of the page wide.
        color=alt.Color("curve:N", scale=alt.Scale(domain=names, range=[CURVE_COLORS[n] for n in names]),
                        title=None, legend=alt.Legend(orient="bottom", direction="horizontal", columns=2,
                                                      columnPadding=8, padding=0, offset=4, symbolSize=60,
                                                      labelLimit=120)),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=names, range=[CURVE_DASHES[n] for n in names]),
                                  legend=None),
        # The train and test curves are drawn last, on top of the thinned network's noise.
        order=alt.Order("curve:N", sort="descending"),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("iteration:Q"),
                 alt.Tooltip("value:Q", format=number_format)],
    )
    # The plot's own height, as wide as the column: every model's plot is then as tall, however
    # many rows its legend takes.
    size = dict(height=CURVE_HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    if result.best_iteration is None:
        return lines.properties(**size)
    kept = pd.DataFrame({"iteration": [result.best_iteration], "label": [f"{KEPT}: {result.best_iteration:,}"]})
    rule = alt.Chart(kept).mark_rule(color=NEUTRAL, strokeDash=[4, 3], strokeWidth=1.5).encode(
        x="iteration:Q", tooltip=[alt.Tooltip("label:N", title="early stopping")])
    label = alt.Chart(kept).mark_text(color=NEUTRAL, align="left", baseline="bottom", dx=4, dy=-2, fontSize=11).encode(
        x="iteration:Q", y=alt.value(0), text="label:N")
    return alt.layer(lines, rule, label).properties(**size)


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
    points = alt.Chart(kept).mark_point(filled=True, size=70, opacity=1, stroke="white", strokeWidth=1).encode(
        x="iteration:Q", y="norm:Q", color=color,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("iteration:Q", title="kept iteration"),
                 alt.Tooltip("norm:Q", format=".2f")])
    return alt.layer(lines, points)


NOTEBOOK_RUN = "the notebook's run"
# Each row of "One dropout run or many?" is a band one unit tall around its number (the first row 0,
# at the top); its dots are spread over MASK_JITTER either side of its middle, leaving a clear gap
# between the rows, shaded bands showing where each row's dots go.
MASK_JITTER = 0.3
MASK_BAND = 0.42


def mask_runs_frame(results: Mapping[str, Sequence[TrainResult]], single: TrainResult) -> pd.DataFrame:
    """Columns masks, row, y, seed, test_accuracy, run: every run of "One dropout run or many?", and
    the notebook's single run (fixed masks) as a run of its own, at the middle of its row.  ``y``
    is the row's number plus the run's jitter: the runs of a row in their order, spread evenly
    within MASK_JITTER of its middle."""
    rows = []
    for row, (mask, runs) in enumerate(results.items()):
        spread = np.linspace(-MASK_JITTER, MASK_JITTER, len(runs)) if len(runs) > 1 else np.zeros(len(runs))
        rows += [{"masks": mask, "row": row, "y": row + float(offset), "seed": run.settings.seed,
                  "test_accuracy": run.test_accuracy, "run": "init seed"} for run, offset in zip(runs, spread)]
    row = list(results).index("fixed")
    rows.append({"masks": "fixed", "row": row, "y": float(row), "seed": single.settings.seed,
                 "test_accuracy": single.test_accuracy, "run": NOTEBOOK_RUN})
    return pd.DataFrame(rows)


def mask_runs(results: Mapping[str, Sequence[TrainResult]], single: TrainResult) -> alt.LayerChart:
    """Test accuracy of each run, one row of dots per kind of masks (fixed above fresh) in a shaded
    band of its own, with each row's mean as a bar and the notebook's single run ringed."""
    frame = mask_runs_frame(results, single)
    names = list(results)
    # The rows' labels at their middles; the y-axis runs down, the first row at the top.
    y_scale = alt.Scale(domain=[-0.5, len(names) - 0.5], reverse=True, nice=False, zero=False)
    labels = "[" + ", ".join(f"'{name}'" for name in names) + "][datum.value]"
    axis = alt.Axis(values=list(range(len(names))), labelExpr=labels, grid=False, ticks=False, domain=False,
                    labelFontSize=12, labelPadding=6)
    y = alt.Y("y:Q", scale=y_scale, title="dropout masks", axis=axis)
    x = alt.X("test_accuracy:Q", title="test accuracy", axis=alt.Axis(format=".0%", tickMinStep=0.01),
              scale=alt.Scale(zero=False, padding=12))
    band = {"low": f"datum.row - {MASK_BAND}", "high": f"datum.row + {MASK_BAND}"}
    band_y = alt.Y("low:Q", scale=y_scale, title="dropout masks", axis=axis)
    bands = alt.Chart(pd.DataFrame({"row": range(len(names))})).transform_calculate(**band).mark_rect(
        color=NEUTRAL, opacity=0.12).encode(y=band_y, y2="high:Q")
    seeds = frame[frame["run"] != NOTEBOOK_RUN]
    runs = alt.Chart(seeds).mark_circle(size=70, opacity=0.7, color=MODEL_COLORS["dropout"]).encode(
        x=x, y=y, tooltip=[alt.Tooltip("masks:N"), alt.Tooltip("seed:Q", title="init seed"),
                           alt.Tooltip("test_accuracy:Q", format=".1%")])
    # A row's mean: a bar as tall as its band.
    means = alt.Chart(seeds).transform_aggregate(
        mean="mean(test_accuracy)", groupby=["masks", "row"]).transform_calculate(**band).mark_rule(
        strokeWidth=3, color=NEUTRAL).encode(
        x=alt.X("mean:Q"), y=band_y, y2="high:Q",
        tooltip=[alt.Tooltip("masks:N"), alt.Tooltip("mean:Q", title="mean", format=".1%")])
    notebook = alt.Chart(frame[frame["run"] == NOTEBOOK_RUN]).mark_point(
        size=260, shape="diamond", strokeWidth=2.5, color=NEUTRAL, filled=False).encode(
        x=x, y=y, tooltip=[alt.Tooltip("run:N"), alt.Tooltip("seed:Q", title="init seed"),
                           alt.Tooltip("test_accuracy:Q", format=".1%")])
    return alt.layer(bands, runs, means, notebook)
