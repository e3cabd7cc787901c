"""The field every chart of the data is drawn on: two features of the data, its extent and axes,
the points on it (shaped by split, coloured by class) and pictures stretched over it.

With two features the field is the data's plane, at equal aspect when the features are the
course's x1 and x2.  With more, the field is a slice: two features the visitor picks (by default
``default_pair``, those the first model weighs most), every other feature held at its mean over the
training points (``slice_points``), and the chart's title says so (``slice_title``).  Every field
chart evaluates a model through ``slice_points``, on raw points, as ``TrainResult`` takes them.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..report.palette import BLUE, NEUTRAL, OUTLINE, RED, class_colors
from ..training import TrainResult

LABEL_SCALE = alt.Scale(domain=[0, 1], range=[RED, BLUE])
# Dev points, held out of training for early stopping, are training points of another shape.
SPLIT_SHAPES = {"train": "circle", "dev": "diamond", "test": "triangle-up"}
FIELD_MARGIN = 0.08
# "The data alone": the field's longer side, in pixels (the football field is taller than wide).
DATA_SIZE = 440
# The features the course's field is drawn in, a unit of one as long as a unit of the other.
COURSE_FEATURES = ("x1", "x2")

Pair = tuple[int, int]


def default_pair(result: TrainResult, dataset: Dataset) -> Pair:
    """The two features a field shows unless the visitor picks others: both of a two-feature set;
    with more, the two whose first-layer weights are largest in ``result``, ‖W1[:, j]‖, in the
    order of the data's columns (the parameters live in the space the model trains in, so with
    standardized inputs the columns compare across features)."""
    if dataset.n_features <= 2:
        return 0, dataset.n_features - 1
    norms = np.linalg.norm(result.parameters["W1"], axis=0)
    first, second = np.argsort(-norms, kind="stable")[:2]
    return tuple(sorted((int(first), int(second))))


def field_pair(dataset: Dataset, pair: Pair | None) -> Pair:
    """``pair``, checked against the data; None means the first two features (the only two of the
    course's; with one feature, (0, 0))."""
    if pair is None:
        return 0, min(1, dataset.n_features - 1)
    if not all(0 <= j < dataset.n_features for j in pair):
        raise ValueError(f"pair must name two of the {dataset.n_features} features (0 to {dataset.n_features - 1}), "
                         f"got {pair}")
    return int(pair[0]), int(pair[1])


def training_means(dataset: Dataset) -> np.ndarray:
    """Each feature's mean over the training points: where a slice holds the features it does not show."""
    return dataset.train_X.mean(axis=0)


def slice_points(dataset: Dataset, pair: Pair, grid) -> np.ndarray:
    """Raw points (k, n_features) for a (k, 2) ``grid`` of values of the ``pair`` of features:
    those two from the grid, every other feature at its training mean.  With one feature (pair
    (0, 0)) the grid's first column is the point."""
    grid = np.asarray(grid, dtype=float)
    points = np.tile(training_means(dataset), (len(grid), 1))
    points[:, pair[1]] = grid[:, 1]
    points[:, pair[0]] = grid[:, 0]
    return points


def slice_title(dataset: Dataset, pair: Pair | None = None) -> str | None:
    """What a field chart of a model shows when it is a slice: "slice through petal length and
    petal width, other features at their training means"; None when the two features are all."""
    if dataset.n_features <= 2:
        return None
    a, b = (dataset.feature_names[j] for j in field_pair(dataset, pair))
    return f"slice through {a} and {b}, other features at their training means"


def axis_titles(dataset: Dataset, pair: Pair | None = None) -> tuple[str, str]:
    """The field's axes, by the features' names."""
    a, b = field_pair(dataset, pair)
    return dataset.feature_names[a], dataset.feature_names[b]


def equal_aspect(dataset: Dataset) -> bool:
    """Whether a unit across is drawn as long as a unit up: on the course's plane, x1 and x2 in one
    unit; named features have units of their own, and their field is square."""
    return dataset.feature_names == COURSE_FEATURES


def class_title(dataset: Dataset) -> str:
    """What the legend and the tooltips call a point's class: "label" while the classes are the
    codes themselves (0 and 1, as the course writes them), "class" for named ones."""
    return "label" if dataset.class_names == tuple(str(code) for code in range(dataset.n_classes)) else "class"


def label_scale(dataset: Dataset) -> alt.Scale:
    """The classes' colours by class code: LABEL_SCALE for two, ``palette.class_colors`` for more."""
    if dataset.n_classes == 2:
        return LABEL_SCALE
    return alt.Scale(domain=list(range(dataset.n_classes)), range=list(class_colors(dataset.n_classes)))


def class_names_expr(dataset: Dataset) -> str | None:
    """A Vega expression turning a class code (datum.value) into its name, for a legend's labels;
    None when the codes are the names."""
    if class_title(dataset) == "label":
        return None
    return f"{json.dumps(list(dataset.class_names))}[datum.value]"


def field_extent(dataset: Dataset, pair: Pair | None = None) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges of the pair's features that hold every point, with a margin so no point sits
    on the edge."""
    points = np.vstack([dataset.train_X, dataset.test_X])[:, list(field_pair(dataset, pair))]
    low, high = points.min(axis=0), points.max(axis=0)
    pad = FIELD_MARGIN * np.maximum(high - low, 1e-9)
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def field_axes(dataset: Dataset, pair: Pair | None = None) -> tuple[alt.Scale, alt.Scale]:
    """The x and y scales of every chart of the field: exactly ``field_extent``."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    x = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    y = alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False)
    return x, y


def field_encoding(dataset: Dataset, pair: Pair | None = None) -> dict:
    """The x and y channels of every layer of a field chart: fields x1 and x2 (the pair's values),
    on ``field_axes``, titled by the features' names."""
    x_scale, y_scale = field_axes(dataset, pair)
    x_title, y_title = axis_titles(dataset, pair)
    return {"x": alt.X("x1:Q", scale=x_scale, title=x_title), "y": alt.Y("x2:Q", scale=y_scale, title=y_title)}


def points_frame(dataset: Dataset, show_test: bool, result: TrainResult | None = None,
                 pair: Pair | None = None) -> pd.DataFrame:
    """Columns x1 and x2 (the pair's features), label (the class code), class (its name), split
    and point (the row in the training points, then the test points): the training points, and
    the test points when asked.

    With ``result``, the training points are those it saw: the ones it fitted ("train") and its
    early-stopping dev points ("dev"); points left out by its train_fraction are not drawn.
    """
    a, b = field_pair(dataset, pair)
    X = np.vstack([dataset.train_X, dataset.test_X])
    Y = np.concatenate([dataset.train_Y, dataset.test_Y])
    split = np.array(["train"] * len(dataset.train_Y) + ["test"] * len(dataset.test_Y), dtype=object)
    if result is not None and result.train_index is not None:
        split[: len(dataset.train_Y)] = "unused"
        split[result.train_index] = "train"
        if result.dev_index is not None:
            split[result.dev_index] = "dev"
    frame = pd.DataFrame({"x1": X[:, a], "x2": X[:, b], "label": Y, "class": np.asarray(dataset.class_names)[Y],
                          "split": split, "point": np.arange(len(Y))})
    frame = frame[frame["split"] != "unused"]
    return (frame if show_test else frame[frame["split"] != "test"]).reset_index(drop=True)


def _split_scale(frame: pd.DataFrame) -> alt.Scale:
    splits = [split for split in SPLIT_SHAPES if split in set(frame["split"])]
    return alt.Scale(domain=splits, range=[SPLIT_SHAPES[split] for split in splits])


def points_layer(frame: pd.DataFrame, dataset: Dataset, pair: Pair | None, legend: bool) -> alt.Chart:
    """``points_frame``'s points on the field, filled by class, shaped by split."""
    names = class_names_expr(dataset)
    label_legend = (alt.Legend(labelExpr=names) if names else alt.Legend()) if legend else None
    # A grey symbol in the shape legend: the shape means the split, not the class.
    split_legend = alt.Legend(symbolSize=70, symbolFillColor=NEUTRAL, symbolStrokeColor=NEUTRAL,
                              symbolOpacity=1) if legend else None
    x_title, y_title = axis_titles(dataset, pair)
    named = class_title(dataset)
    # The point's row is for judging it on all its features (the rings), not drawn.
    return alt.Chart(frame.drop(columns="point")).mark_point(filled=True, size=36, opacity=0.95, stroke=OUTLINE,
                                       strokeWidth=0.7).encode(
        **field_encoding(dataset, pair),
        fill=alt.Fill("label:N", scale=label_scale(dataset), title=named, legend=label_legend),
        # Only the splits drawn, so that the legend names no shape the chart lacks.
        shape=alt.Shape("split:N", scale=_split_scale(frame), title="points", legend=split_legend),
        tooltip=[alt.Tooltip("x1:Q", title=x_title), alt.Tooltip("x2:Q", title=y_title),
                 alt.Tooltip("class:N", title=named), alt.Tooltip("split:N")],
    )


def dataset_points(dataset: Dataset, show_test: bool = True, pair: Pair | None = None) -> alt.Chart:
    """The field: training points as circles, test points as triangles, colored by class, its
    longer side DATA_SIZE pixels (at equal aspect on the course's plane).  With more than two
    features, the points seen along the pair's two features, as the title says."""
    width, height = field_size(dataset, DATA_SIZE, pair)
    chart = points_layer(points_frame(dataset, show_test, pair=pair), dataset, pair, legend=True)
    if dataset.n_features > 2:
        a, b = axis_titles(dataset, pair)
        chart = chart.properties(title=alt.TitleParams(f"{a} and {b}, {dataset.n_features - 2} other features not shown",
                                                       anchor="start", fontSize=12, fontWeight="normal", color=NEUTRAL))
    # "pad": the width and height are the plot's, the axes and the legends added around it.
    return chart.properties(width=width, height=height, autosize=alt.AutoSizeParams(type="pad"))


def field_size(dataset: Dataset, longest: int, pair: Pair | None = None) -> tuple[int, int]:
    """The plot's width and height, its longer side ``longest`` pixels: at equal aspect (a unit
    of x1 as long as a unit of x2) on the course's plane, square otherwise."""
    if not equal_aspect(dataset):
        return longest, longest
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    ratio = (y_hi - y_lo) / (x_hi - x_lo)
    return (longest, round(longest * ratio)) if ratio <= 1 else (round(longest / ratio), longest)


def pixel_centres(dataset: Dataset, resolution: int, pair: Pair | None = None) -> np.ndarray:
    """The (x, y) centres of a resolution × resolution grid of pixels over the field, one per row,
    row by row from the top (the largest y), as an image is laid out: values of the pair's
    features (``slice_points`` makes them points)."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    centres = (np.arange(resolution) + 0.5) / resolution
    x1, x2 = np.meshgrid(x_lo + centres * (x_hi - x_lo), y_hi - centres * (y_hi - y_lo))
    return np.column_stack([x1.ravel(), x2.ravel()])


def field_points(dataset: Dataset, resolution: int, pair: Pair | None = None) -> np.ndarray:
    """The raw points at ``pixel_centres``: the pair's features from the grid, the others at their
    training means (all of the point with two features)."""
    return slice_points(dataset, field_pair(dataset, pair), pixel_centres(dataset, resolution, pair))


def field_corners(dataset: Dataset, pair: Pair | None = None) -> dict[str, float]:
    """Where a picture of the field goes: x1_lo, x1_hi, x2_lo, x2_hi, the field's extent."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    return {"x1_lo": x_lo, "x1_hi": x_hi, "x2_lo": y_lo, "x2_hi": y_hi}


def field_image(data, dataset: Dataset, pair: Pair | None = None) -> alt.Chart:
    """The pictures of ``data`` (rows with a PNG data URL in url and ``field_corners``' columns),
    each stretched over the field on the axes of every chart of it."""
    x_scale, y_scale = field_axes(dataset, pair)
    x_title, y_title = axis_titles(dataset, pair)
    return alt.Chart(data).mark_image(aspect=False).encode(
        x=alt.X("x1_lo:Q", scale=x_scale, title=x_title),
        x2=alt.X2("x1_hi:Q"),
        y=alt.Y("x2_hi:Q", scale=y_scale, title=y_title),
        y2=alt.Y2("x2_lo:Q"),
        url=alt.Url("url:N"),
    )
