"""Decision boundaries: the model's P(label 1) over the field, with the points on top, a hover
grid telling P anywhere and, on request, the misclassified points ringed; and the boundaries'
shared legend.

A decision boundary's probability field is one PNG image under the points, not thousands of
rectangles: the browser draws an image at once, while Vega computes every rectangle's position and
color in an expression interpreter, which made each redraw of the three boundaries slow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..network import THRESHOLD
from ..report.palette import MISCLASSIFIED, NEUTRAL, PALE_BLUE, PALE_RED, UNSURE
from ..training import TrainResult
from .field import field_axes, field_corners, field_extent, field_image, pixel_centres, points_frame, points_layer
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
MISCLASSIFIED_DATASET = "misclassified"


def probability_field(results: Sequence[TrainResult], dataset: Dataset,
                      resolution: int = IMAGE_RESOLUTION) -> np.ndarray:
    """P(label 1) at the centres of a resolution × resolution grid of pixels covering the field,
    averaged over ``results`` (one per seed) so several seeds show their mean prediction.

    Row 0 is the top of the field (the largest x2), as in an image.
    """
    points = pixel_centres(dataset, resolution)
    return np.mean([result.predict_proba(points) for result in results], axis=0).reshape(resolution, resolution)


def probability_colors(probability) -> np.ndarray:
    """PROBABILITY_SCALE's colors (uint8 RGB, in a last axis) for an array of probabilities."""
    p = np.clip(np.asarray(probability, dtype=float), 0, 1)[..., None]
    red, unsure, blue = color_rgb(PALE_RED), color_rgb(UNSURE), color_rgb(PALE_BLUE)
    colors = np.where(p < 0.5, red + (unsure - red) * 2 * p, unsure + (blue - unsure) * (2 * p - 1))
    return np.rint(colors).astype(np.uint8)


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
