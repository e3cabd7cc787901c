"""The field every chart of the data is drawn on: its extent and axes at equal aspect, the points
on it (shaped by split, coloured by label) and pictures stretched over it."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..report.palette import BLUE, NEUTRAL, OUTLINE, RED
from ..training import TrainResult

LABEL_SCALE = alt.Scale(domain=[0, 1], range=[RED, BLUE])
# Dev points, held out of training for early stopping, are training points of another shape.
SPLIT_SHAPES = {"train": "circle", "dev": "diamond", "test": "triangle-up"}
FIELD_MARGIN = 0.08
# "The data alone": the field's longer side, in pixels (the football field is taller than wide).
DATA_SIZE = 440


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
    return alt.Chart(frame).mark_point(filled=True, size=36, opacity=0.95, stroke=OUTLINE,
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


def pixel_centres(dataset: Dataset, resolution: int) -> np.ndarray:
    """The (x1, x2) centres of a resolution × resolution grid of pixels over the field, one per
    row, row by row from the top (the largest x2), as an image is laid out."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset)
    centres = (np.arange(resolution) + 0.5) / resolution
    x1, x2 = np.meshgrid(x_lo + centres * (x_hi - x_lo), y_hi - centres * (y_hi - y_lo))
    return np.column_stack([x1.ravel(), x2.ravel()])


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
