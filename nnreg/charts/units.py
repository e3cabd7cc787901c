"""Hidden units: each unit's output over the field as a small picture, layer by layer, on one
scale per layer shared by every model; dead and dropped units named, dropped ones crossed out.
Outputs below 0 (tanh's, leaky ReLU's) are drawn in their own colour, by the same rule on their size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..network import SIGNED_ACTIVATIONS, dead_units, forward
from ..report.palette import DROPPED_UNIT, UNIT_NEGATIVE, UNIT_OUTPUT
from ..training import TrainResult
from .field import Pair, field_points
from .pictures import color_rgb, png_url

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


def unit_outputs(result: TrainResult, dataset: Dataset, resolution: int = UNIT_RESOLUTION,
                 pair: Pair | None = None) -> list[np.ndarray]:
    """Each hidden layer's outputs over a resolution × resolution grid of the field (the pair's
    slice with more than two features), shaped (units, resolution, resolution), row 0 at the top,
    as ``probability_field`` lays it out."""
    _, activations = forward(result.network_inputs(field_points(dataset, resolution, pair)), result.parameters,
                             activation=result.settings.activation)
    return [A.reshape(-1, resolution, resolution) for A in activations[1:]]


def unit_constant(top: float) -> float:
    """The symmetric-log scale's constant for a layer whose largest output is ``top``: outputs
    below it are drawn nearly linearly, above it logarithmically."""
    return top / 10 ** UNIT_DECADES


def unit_shade(output, top: float) -> np.ndarray:
    """How opaque an output is drawn, 0 (nothing: transparent) to 1 (size ``top``, the layer's
    largest): log(1 + |output| / c) / log(1 + top / c) with c = ``unit_constant(top)``, Vega-Lite's
    "symlog" scale over [0, top] (or [−top, top]), which the legend draws."""
    output = np.asarray(output, dtype=float)
    if top <= 0:
        return np.zeros_like(output)
    constant = unit_constant(top)
    return np.clip(np.log1p(np.abs(output) / constant) / np.log1p(top / constant), 0, 1)


def unit_picture(output: np.ndarray, top: float) -> np.ndarray:
    """An output's picture as RGBA: UNIT_OUTPUT where it is 0 or more, UNIT_NEGATIVE where it is
    below 0, its opacity ``unit_shade``."""
    alpha = np.rint(255 * unit_shade(output, top)).astype(np.uint8)
    color = np.where((np.asarray(output) < 0)[..., None], color_rgb(UNIT_NEGATIVE), color_rgb(UNIT_OUTPUT))
    return np.concatenate([color.astype(np.uint8), alpha[..., None]], axis=-1)


def unit_name(layer: int, unit: int) -> str:
    """A hidden unit's name on the page, by number from 1: "hidden layer 1, unit 2"."""
    return f"hidden layer {layer}, unit {unit}"


def unit_frame(result: TrainResult, dataset: Dataset, scale_max: Sequence[float], mask=None,
               resolution: int = UNIT_RESOLUTION, pair: Pair | None = None) -> pd.DataFrame:
    """One row per hidden unit: its name, its tile's header ("unit 2", with "dead" or "dropped" on
    a second line), layer, number, picture (a PNG data URL, transparent at 0, opaque at its layer's
    ``scale_max``), its largest and smallest outputs over the field, whether it is dead on the training points
    and whether ``mask`` drops it."""
    dead = dead_units(result.network_inputs(result.fitted(dataset)[0]), result.parameters, result.settings.activation)
    rows = []
    for l, outputs in enumerate(unit_outputs(result, dataset, resolution, pair), start=1):
        for j, output in enumerate(outputs):
            dropped = mask is not None and not bool(mask[l - 1][j])
            states = [state for state, shown in (("dead", dead[l - 1][j]), ("dropped", dropped)) if shown]
            rows.append({"name": unit_name(l, j + 1), "header": "\n".join([f"unit {j + 1}", *states]),
                         "order": len(rows), "layer": l, "unit": j + 1, "largest": float(output.max()),
                         "smallest": float(output.min()),
                         "state": ", ".join(states) or "active", "dead": bool(dead[l - 1][j]), "dropped": dropped,
                         "url": png_url(unit_picture(output, scale_max[l - 1])),
                         "x0": 0.0, "x1": 1.0, "y0": 0.0, "y1": 1.0})
    return pd.DataFrame(rows)


def unit_scale_max(results: Iterable[TrainResult], dataset: Dataset, pair: Pair | None = None) -> list[float]:
    """Per hidden layer, its largest output size |output| over the field among these models: one
    colour scale for a layer in every model (the second layer's outputs run ten times larger than
    the first's)."""
    per_model = [[float(np.abs(outputs).max()) for outputs in unit_outputs(result, dataset, pair=pair)]
                 for result in results]
    return [max(layer) for layer in zip(*per_model)]


def signed_outputs(result: TrainResult) -> bool:
    """Whether a model's hidden outputs can be below 0 (tanh, leaky ReLU), so its pictures and
    legends have two colours."""
    return result.settings.activation in SIGNED_ACTIVATIONS


def unit_scale(top: float, two_signs: bool = False) -> alt.Scale:
    """The legend's scale for a layer whose largest output size is ``top``: the pictures' own
    (``unit_shade``), from transparent at 0 to UNIT_OUTPUT at ``top`` and, ``two_signs``, to
    UNIT_NEGATIVE at −``top``."""
    top = top if top > 0 else 1.0
    clear = "rgba({}, {}, {}, 0)".format(*color_rgb(UNIT_OUTPUT).astype(int))
    if two_signs:
        return alt.Scale(type="symlog", constant=unit_constant(top), domain=[-top, 0, top],
                         range=[UNIT_NEGATIVE, clear, UNIT_OUTPUT], interpolate="rgb")
    return alt.Scale(type="symlog", constant=unit_constant(top), domain=[0, top], range=[clear, UNIT_OUTPUT],
                     interpolate="rgb")


def _unit_layer(frame: pd.DataFrame, layer: int, top: float, two_signs: bool = False) -> alt.FacetChart:
    """One hidden layer's tiles, UNIT_COLUMNS to a row, under its title and its scale."""
    bare = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    x = alt.X("x0:Q", scale=alt.Scale(domain=[0, 1]), axis=bare)
    y = alt.Y("y0:Q", scale=alt.Scale(domain=[0, 1]), axis=bare)
    tooltip = [alt.Tooltip("name:N", title="unit"), alt.Tooltip("largest:Q", title="largest output", format=".2f"),
               alt.Tooltip("smallest:Q", title="smallest output", format=".2f"),
               alt.Tooltip("state:N", title="state")]
    picture = alt.Chart().mark_image(aspect=False).encode(
        x=x, x2="x1:Q", y=alt.Y("y1:Q", scale=alt.Scale(domain=[0, 1]), axis=bare), y2="y0:Q", url="url:N",
        opacity=alt.condition("datum.dropped", alt.value(DROPPED_OPACITY), alt.value(1.0)), tooltip=tooltip)
    # The tile's edge, so that a unit whose output is 0 everywhere still has a place.  The invisible
    # fill carries the layer's scale, for its legend.
    edge = alt.Chart().mark_rect(stroke=UNIT_OUTPUT, strokeOpacity=0.6, strokeWidth=1, fillOpacity=0).encode(
        x=x, x2="x1:Q", y=y, y2="y1:Q",
        fill=alt.Fill("largest:Q", scale=unit_scale(top, two_signs), title="output (log scale)",
                      legend=alt.Legend(orient="top", direction="horizontal", gradientLength=150, gradientThickness=10,
                                        values=[-top, 0, top] if two_signs else [0, top / 10, top], format=".2f",
                                        labelOverlap=False,
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


def hidden_units(result: TrainResult, dataset: Dataset, scale_max: Sequence[float], mask=None,
                 pair: Pair | None = None) -> alt.VConcatChart:
    """Each hidden unit's output over the field (the pair's slice with more than two features) as
    a small picture, layer by layer, each layer with its scale (shared by every model); a unit
    ``mask`` drops is faded and crossed out."""
    frame = unit_frame(result, dataset, scale_max, mask, pair=pair)
    layers = [_unit_layer(frame, layer, top, signed_outputs(result)) for layer, top in enumerate(scale_max, start=1)]
    return alt.vconcat(*layers, spacing=16).resolve_scale(fill="independent").resolve_legend(fill="independent")
