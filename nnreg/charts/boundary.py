"""Decision boundaries: the model's prediction over the field (P(label 1) for two classes, the
most probable class and how sure it is for more), with the points on top, a hover grid telling the
prediction anywhere and, on request, the misclassified points ringed; and the boundaries' shared
legend.  With more than two features the field is a slice (``field.slice_points``).

A decision boundary's probability field is one PNG image under the points, not thousands of
rectangles: the browser draws an image at once, while Vega computes every rectangle's position and
color in an expression interpreter, which made each redraw of the three boundaries slow.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..network import THRESHOLD
from ..report.palette import MISCLASSIFIED, NEUTRAL, PALE_BLUE, PALE_RED, UNSURE, pale_class_colors
from ..training import TrainResult
from .field import (Pair, axis_titles, class_title, equal_aspect, field_corners, field_encoding, field_extent, field_image,
                    field_pair, field_points, points_frame, points_layer, slice_points, slice_title)
from .pictures import color_rgb, png_url

# Interpolated in RGB, as probability_colors paints the image, so the legend matches the field.
PROBABILITY_SCALE = alt.Scale(domain=[0, 0.5, 1], range=[PALE_RED, UNSURE, PALE_BLUE], interpolate="rgb")

# Pixels per side of the probability image: near the chart's size on the page (about 350 by 250
# pixels), so stretching it keeps the boundary sharp; its 40,000 predictions take about 20 ms.
IMAGE_RESOLUTION = 200
IMAGE_DATASET = "probability_image"
# The plot's width in pixels; its height follows the field's shape.  Three fit side by side beside
# the sidebar at 1280 pixels (with its axes 250 pixels in a column of 252; 200 overflowed by 18),
# with the first screen holding them whole at 1440 by 900.
BOUNDARY_WIDTH = 180
PREDICTED = ["predicted 0", "predicted 1"]
# The hover grid: invisible squares this many across the field (12 pixels each), each telling
# P(label 1) at its centre, to the 0.01 the tooltip shows: 315 on the football field.  Every square
# is a mark the browser draws: at 30 across (1,230 marks a boundary) a fresh page's first render
# took 5.2 s against 4.0 s without them (medians of 5, alternating, on this 2-core machine).
HOVER_CELLS = 15
HOVER_DATASET = "probability_grid"
# The classes' legend of three or more, this many to a row: three names fit a third of the page.
LEGEND_COLUMNS = 3
# A slice's title, in lines of at most this many characters: the plot's width at 11 pixels a letter.
TITLE_CHARACTERS = 34
MISCLASSIFIED_DATASET = "misclassified"


def probability_title(dataset: Dataset) -> str:
    """What a two-class boundary shows: "P(label 1)" for the course's 0/1 labels, else P of the
    second class by name ("P(malignant)")."""
    return "P(label 1)" if class_title(dataset) == "label" else f"P({dataset.class_names[1]})"


def probability_field(results: Sequence[TrainResult], dataset: Dataset, resolution: int = IMAGE_RESOLUTION,
                      pair: Pair | None = None) -> np.ndarray:
    """The prediction at the centres of a resolution × resolution grid of pixels covering the
    field, averaged over ``results`` (one per seed) so several seeds show their mean prediction:
    P(label 1), shaped (resolution, resolution), for two classes; P(class j) in a last axis of
    n_classes for more, as ``TrainResult.predict_proba`` gives them.

    Row 0 is the top of the field (the largest y), as in an image.
    """
    points = field_points(dataset, resolution, pair)
    mean = np.mean([result.predict_proba(points) for result in results], axis=0)
    return mean.reshape(resolution, resolution, *mean.shape[1:])


def probability_colors(probability) -> np.ndarray:
    """PROBABILITY_SCALE's colors (uint8 RGB, in a last axis) for an array of probabilities."""
    p = np.clip(np.asarray(probability, dtype=float), 0, 1)[..., None]
    red, unsure, blue = color_rgb(PALE_RED), color_rgb(UNSURE), color_rgb(PALE_BLUE)
    colors = np.where(p < 0.5, red + (unsure - red) * 2 * p, unsure + (blue - unsure) * (2 * p - 1))
    return np.rint(colors).astype(np.uint8)


def class_colors_of(probabilities) -> np.ndarray:
    """For P(class j) in a last axis of K ≥ 3: the most probable class's pale colour
    (``palette.pale_class_colors``), from white where it is no more probable than a guess (1/K) to
    the full pale colour where it is certain: the rule ``probability_colors`` follows for two."""
    p = np.asarray(probabilities, dtype=float)
    k = p.shape[-1]
    pale = np.array([color_rgb(color) for color in pale_class_colors(k)])
    sure = np.clip((p.max(axis=-1) - 1 / k) / (1 - 1 / k), 0, 1)[..., None]
    colors = color_rgb(UNSURE) + (pale[p.argmax(axis=-1)] - color_rgb(UNSURE)) * sure
    return np.rint(colors).astype(np.uint8)


def region_colors(probability, n_classes: int) -> np.ndarray:
    """The image's colours for ``probability_field``'s values: ``probability_colors`` for two
    classes, ``class_colors_of`` for more."""
    return probability_colors(probability) if n_classes == 2 else class_colors_of(probability)


def hard_regions(probability, n_classes: int) -> np.ndarray:
    """The prediction made certain: for two classes P > THRESHOLD (as the course's predict), for
    more the most probable class with probability 1."""
    probability = np.asarray(probability)
    if n_classes == 2:
        return (probability > THRESHOLD).astype(float)
    return np.eye(n_classes)[probability.argmax(axis=-1)]


def hover_cells(dataset: Dataset, cells: int = HOVER_CELLS, pair: Pair | None = None) -> tuple[np.ndarray, float, float]:
    """The centres of the hover grid's cells, ``cells`` across the field and, on the course's plane
    (square cells), as many down as cover it, else ``cells`` down too, row by row from the top left
    (as ``hover_layer`` places them), and their width and height."""
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    side = (x_hi - x_lo) / cells
    if equal_aspect(dataset):
        rows, height = math.ceil((y_hi - y_lo) / side - 1e-9), side
    else:
        rows, height = cells, (y_hi - y_lo) / cells
    column, row = np.meshgrid(np.arange(cells), np.arange(rows))
    centres = np.column_stack([x_lo + (column.ravel() + 0.5) * side, y_hi - (row.ravel() + 0.5) * height])
    return centres, side, height


def hover_values(results: Sequence[TrainResult], dataset: Dataset, pair: Pair | None = None) -> list[dict]:
    """What each hover cell tells, the mean over ``results`` at its centre: P(label 1) as p for two
    classes; for more the most probable class (its name) and its probability p."""
    centres, _, _ = hover_cells(dataset, pair=pair)
    mean = np.mean([r.predict_proba(slice_points(dataset, field_pair(dataset, pair), centres)) for r in results], axis=0)
    if dataset.n_classes == 2:
        return [{"p": round(float(p), 3)} for p in mean]
    return [{"predicted": dataset.class_names[j], "p": round(float(row[j]), 3)}
            for row, j in zip(mean, mean.argmax(axis=1))]


def prediction_tooltip(dataset: Dataset) -> list[alt.Tooltip]:
    """How a prediction reads on hover (fields p, and predicted for more than two classes):
    P(label 1) for two classes, the predicted class and its probability for more."""
    if dataset.n_classes == 2:
        return [alt.Tooltip("p:Q", title=probability_title(dataset), format=".2f")]
    return [alt.Tooltip("predicted:N", title=f"predicted {class_title(dataset)}"),
            alt.Tooltip("p:Q", title="its probability", format=".2f")]


def hover_layer(dataset: Dataset, cells: int = HOVER_CELLS, pair: Pair | None = None) -> alt.Chart:
    """Invisible squares tiling the field, each telling the prediction at its centre on hover
    (``hover_values``).  The data is the prediction alone (dataset HOVER_DATASET, row by row from
    the top left): each square's place is computed in the browser from its row number, so the data
    stays small and the spec the same for every model."""
    (x_lo, _), (_, y_hi) = field_extent(dataset, pair)
    _, side, height = hover_cells(dataset, cells, pair)
    pixels = BOUNDARY_WIDTH / cells
    x_title, y_title = axis_titles(dataset, pair)
    return alt.Chart(alt.NamedData(name=HOVER_DATASET)).mark_square(
        size=(pixels + 0.5) ** 2, opacity=0, clip=True).transform_window(cell="row_number()").transform_calculate(
        x1=f"{x_lo!r} + ((datum.cell - 1) % {cells} + 0.5) * {side!r}",
        x2=f"{y_hi!r} - (floor((datum.cell - 1) / {cells}) + 0.5) * {height!r}").encode(
        **field_encoding(dataset, pair),
        tooltip=[*prediction_tooltip(dataset), alt.Tooltip("x1:Q", title=x_title, format=".2f"), alt.Tooltip("x2:Q", title=y_title, format=".2f")])


def misclassified_frame(results: Sequence[TrainResult], frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The points of ``frame`` (``points_frame``'s) the model labels wrong, from their every
    feature (not the slice): the mean prediction over ``results`` as the field shows it, P(label 1)
    on the other side of THRESHOLD from the label for two classes, another class the most probable
    for more; with that P as p (for more, the predicted class's, named in predicted)."""
    points = np.vstack([dataset.train_X, dataset.test_X])[frame["point"].to_numpy()]
    mean = np.mean([result.predict_proba(points) for result in results], axis=0)
    if dataset.n_classes == 2:
        predicted, p = (mean > THRESHOLD).astype(int), mean
    else:
        predicted = mean.argmax(axis=1)
        p = mean[np.arange(len(mean)), predicted]
    wrong = predicted != frame["label"].to_numpy()
    extra = {} if dataset.n_classes == 2 else {"predicted": np.asarray(dataset.class_names)[predicted[wrong]]}
    return frame[wrong].assign(p=p[wrong], **extra).reset_index(drop=True)


def decision_boundary(results: Sequence[TrainResult], dataset: Dataset, *, discretize: bool = False,
                      show_test: bool = False, ring_errors: bool = False,
                      resolution: int = IMAGE_RESOLUTION, pair: Pair | None = None) -> alt.LayerChart:
    """The model's prediction as an image over the field (``probability_field``, the pair's slice
    with more than two features), with the points on top (those the first run saw,
    ``points_frame``); hovering anywhere tells the prediction there (``hover_layer``).

    ``discretize`` shows hard regions instead (``hard_regions``).  ``ring_errors`` rings every
    point drawn that the model labels wrong.

    The image, the hover grid and the rings travel in datasets of fixed names, so a new model, the
    hard regions or the rings change the chart's data, not its spec: Streamlit then updates the
    drawn chart in place, which the browser does several times faster than drawing a new one.
    """
    k = dataset.n_classes
    probability = probability_field(results, dataset, resolution, pair)
    if discretize:
        probability = hard_regions(probability, k)
    image = {"url": png_url(region_colors(probability, k)), **field_corners(dataset, pair)}
    frame = points_frame(dataset, show_test, results[0], pair)
    wrong = misclassified_frame(results, frame, dataset) if ring_errors else frame.iloc[:0].assign(p=[])
    rings = alt.Chart(alt.NamedData(name=MISCLASSIFIED_DATASET)).mark_point(
        shape="circle", size=120, filled=False, stroke=MISCLASSIFIED, strokeWidth=1.5, opacity=1).encode(
        **field_encoding(dataset, pair),
        tooltip=[alt.Tooltip("class:N", title=class_title(dataset)), *prediction_tooltip(dataset), alt.Tooltip("split:N")])
    points = points_layer(frame, dataset, pair, legend=False)
    title = slice_title(dataset, pair)
    # "pad": the width and height are the plot's, the axes and the legend added around it.
    chart = alt.layer(field_image(alt.NamedData(name=IMAGE_DATASET), dataset, pair), hover_layer(dataset, pair=pair),
                      rings, points).properties(
        datasets={IMAGE_DATASET: [image], HOVER_DATASET: hover_values(results, dataset, pair),
                  MISCLASSIFIED_DATASET: wrong.to_dict("records")},
        width=BOUNDARY_WIDTH, height=boundary_height(dataset, pair=pair), autosize=alt.AutoSizeParams(type="pad"))
    if title:
        chart = chart.properties(title=alt.TitleParams(textwrap.wrap(title, TITLE_CHARACTERS), anchor="start",
                                                       fontSize=11, fontWeight="normal", color=NEUTRAL))
    return chart


def boundary_height(dataset: Dataset, width: int = BOUNDARY_WIDTH, pair: Pair | None = None) -> int:
    """The plot's height for ``width``: at equal aspect on the course's plane, a unit of x1 as long
    as a unit of x2, so the field's shapes are true; square for named features."""
    if not equal_aspect(dataset):
        return width
    (x_lo, x_hi), (y_lo, y_hi) = field_extent(dataset, pair)
    return round(width * (y_hi - y_lo) / (x_hi - x_lo))


def boundary_legend(discretize: bool, class_names: Sequence[str] = ("0", "1")) -> alt.Chart:
    """The boundaries' colours, one legend for all of them: for two classes P(label 1) (or of the
    second class by name) as a gradient, or the two predicted classes when the regions are hard;
    for more, each class's region colour by name.  Kept out of the boundary charts, whose specs
    then stay the same when "discretize" changes (the browser updates them in place)."""
    # At the chart's top left, in one row.
    place = dict(orient="none", legendX=0, legendY=0, direction="horizontal")
    k = len(class_names)
    default = tuple(class_names) == tuple(str(code) for code in range(k))
    if k > 2 or discretize:
        regions = (PREDICTED if default and k == 2 else
                   [f"predicted {name}" for name in class_names] if k == 2 else list(class_names))
        title = None if k == 2 else ("most probable class (paler: less sure)" if not discretize else
                                     "predicted class")
        color = alt.Color("region:N", title=title, scale=alt.Scale(domain=regions, range=list(pale_class_colors(k))),
                          legend=alt.Legend(**place, symbolOpacity=1, symbolStrokeColor=NEUTRAL, symbolStrokeWidth=0.5,
                                            symbolSize=150,
                                            **({} if k == 2 else {"columns": LEGEND_COLUMNS, "titleLimit": 260})))
        frame = pd.DataFrame({"region": regions})
    else:
        title = "P(label 1)" if default else f"P({class_names[1]})"
        color = alt.Color("probability:Q", scale=PROBABILITY_SCALE, title=title,
                          legend=alt.Legend(**place, type="gradient", gradientLength=160, titleOrient="left",
                                            values=[0, 0.5, 1], format="~g", labelOverlap=False))
        frame = pd.DataFrame({"probability": [0.0, 0.5, 1.0]})
    # Nothing to plot: an invisible mark on an empty view carries the scale and its legend.
    return alt.Chart(frame).mark_square(opacity=0).encode(color=color).properties(
        width=1, height=1, view=alt.ViewConfig(stroke=None), autosize=alt.AutoSizeParams(type="pad"))
