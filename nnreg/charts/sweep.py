"""Altair charts of a sweep's results: validation curves and weight norms, with bands over seeds;
and a data-size curve's test accuracy against the training set's size.

Every sweep chart reads the rows of ``nnreg.sweep`` (or a results file) and draws the "dev" models
(trained without the dev points); the data-size curve reads ``curve_summary``.  A validation
curve's dev line is the dev score the choice reads (``sweeps.setting_scores``), its band ± one
standard error, seeds and points together, the margin the one-standard-error rule allows (and so
is test's, when shown); train's line and band, and every other chart's, are the mean ± one
standard deviation over runs.

Colours keep one meaning on the Sweep page: the splits' (``palette.SPLIT_COLORS``) are accuracies
on train, dev and test, the retrained choice's test accuracy among them; the models'
(``palette.MODEL_COLORS``) are the regularizers of the data-size curve; a mark of the choice and
the weight norm's lines are the neutral grey, those lines told apart by their dashes.  A legend
shows the lines, in their full colour, never a band's pale fill.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..report.palette import MODEL_COLORS, NEUTRAL, SPLIT_COLORS
from ..settings import STUDY_TITLES
from ..sweeps import FAMILIES, GRID_FIELDS, choose, shown_fields, summarize

SPLITS = tuple(SPLIT_COLORS)
# Accuracies without the test set's, which only the chosen setting's retraining reports.
DEV_SPLITS = SPLITS[:2]
FINAL_COLOR = SPLIT_COLORS["test"]
# The dev set's choice is no split's accuracy and no model.
CHOSEN_COLOR = NEUTRAL
# The weight norm's settings, told apart by dashes (solid first), none the chosen rule's.
CHOSEN_DASH = [4, 3]
DASHES = [[1, 0], [10, 4], [2, 3], [10, 3, 2, 3], [1, 6], [16, 4], [6, 2, 2, 2, 2, 2], [4, 8]]
WIDTH, HEIGHT = 420, 280
# The data-size curve's plot, drawn at this width (its legend beside it) on a page at least 1280 wide.
CURVE_WIDTH = 560
BAND_NOTE = "lines: mean over seeds; bands: ± 1 standard deviation over seeds"
# The splits whose band is the standard error of their score (``summarize``'s ``_se``).
SE_SPLITS = ("dev", "test")
# One subtitle line each, so that none is wider than the plot.
TRAIN_NOTE = "train: mean over runs, band ± 1 standard deviation"
# A run is one seed on one fold.
# Two lines: one would be cut at the chart's width.
WEIGHT_NOTE = ["lines: mean over runs (seeds × folds)", "bands: ± 1 standard deviation over runs"]
SCORE_NOTES = {False: ["dev: the dev score, band ± 1 standard error (seeds, points)", TRAIN_NOTE],
               True: ["dev, test: mean over seeds, band ± 1 standard error (seeds, points)", TRAIN_NOTE]}
FINAL_NOTE = "◆ the choice retrained on all training data: test accuracy, 95 % interval"
# Each grid field as a reader knows it, and as an axis says it.
SYMBOLS = {"lambd": "λ", "l1": "L1", "weight_decay": "wd", "keep_prob": "keep_prob"}
AXIS_TITLES = {"lambd": "λ (L2 strength)", "l1": "L1 strength", "weight_decay": "weight decay (decoupled)",
               "keep_prob": "keep_prob (1 = no dropout)"}
# Strengths that span decades from 0, drawn on a symlog axis.
STRENGTHS = ("lambd", "l1", "weight_decay")


def _strength_scale(values) -> alt.Scale:
    # A log axis cannot show 0; symlog is linear below its constant and logarithmic above it,
    # so with the smallest positive value as the constant, 0 sits one step left of it.
    positive = [value for value in values if value > 0]
    return alt.Scale(type="symlog", constant=min(positive) if positive else 1.0)


# The longest title on one line over a chart WIDTH wide (on the Sweep page at 1280 pixels, "Accuracy
# against λ at L1 = 0, wd = 0.01, keep_prob = 1" was cut).
TITLE_CHARACTERS = 48


def _lines(start: str, end: str) -> str | list[str]:
    """A title of two parts: on one line when it fits, else on two."""
    line = f"{start} {end}"
    return line if len(line) <= TITLE_CHARACTERS else [start, end]


def _title(text: str | list[str], subtitle) -> alt.Title:
    # Streamlit's theme colours a chart's title but not its subtitle, which would stay black on the
    # dark theme: the neutral grey reads on both.
    return alt.Title(text, subtitle=subtitle, subtitleColor=NEUTRAL)


def _x(field: str, values, title: str) -> alt.X:
    values = sorted(set(float(v) for v in values))
    scale = _strength_scale(values) if field in STRENGTHS else alt.Scale(zero=False, padding=12)
    return alt.X(f"{field}:Q", scale=scale, axis=alt.Axis(values=values, format="~g"), title=title)


def _line_legend(**options) -> alt.Legend:
    # A stroke in the line's colour: with the bands' layer merged into it, the symbols would be
    # their pale fill, all alike.  (A symbolStrokeColor hides the symbols: Vega draws none.)
    return alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5, symbolOpacity=1, **options)


def _band_limits(frame: pd.DataFrame, mean: str, spread: str) -> pd.DataFrame:
    # One seed has no spread: its band collapses onto the line.
    spread = frame[spread].fillna(0.0)
    return frame.assign(mean=frame[mean], low=frame[mean] - spread, high=frame[mean] + spread)


def _held(rows: pd.DataFrame, x: str, fixed: Mapping[str, float] | None) -> dict[str, float]:
    """The other grid fields' values a curve against ``x`` holds: ``fixed``'s, else the chosen ones."""
    if x not in GRID_FIELDS:
        raise ValueError(f"x must be one of {', '.join(GRID_FIELDS)}, got {x!r}")
    fixed = dict(fixed or {})
    unknown = sorted(set(fixed) - set(GRID_FIELDS) - {x}) + ([x] if x in fixed else [])
    if unknown:
        raise ValueError(f"a curve against {x} holds only {', '.join(f for f in GRID_FIELDS if f != x)}, "
                         f"got {', '.join(unknown)}")
    chosen = choose(rows)
    return {field: float(fixed.get(field, chosen[field])) for field in shown_fields(rows) if field != x}


def _held_text(held: Mapping[str, float]) -> str:
    return ", ".join(f"{SYMBOLS[field]} = {value:g}" for field, value in held.items())


def curve_frame(rows: pd.DataFrame, x: str, fixed: Mapping[str, float], splits=SPLITS) -> pd.DataFrame:
    """Long format for one validation curve: the "dev" models with the other grid fields at
    ``fixed`` (a value for each), one row per x value and split (of ``splits``: train, dev,
    test), with mean, low, high (± one standard error for SE_SPLITS, one standard deviation for
    train), ci."""
    keep = rows["phase"] == "dev"
    for field, value in fixed.items():
        keep &= np.isclose(rows[field], value)
    table = summarize(rows[keep])
    parts = []
    for split in splits:
        metric = f"{split}_accuracy"
        part = _band_limits(table, f"{metric}_mean", f"{metric}_se" if split in SE_SPLITS else f"{metric}_std")
        parts.append(part.assign(split=split, ci_low=table[f"{metric}_ci_low"],
                                 ci_high=table[f"{metric}_ci_high"])
                     [[x, "split", "seeds", "mean", "low", "high", "ci_low", "ci_high"]])
    return pd.concat(parts, ignore_index=True)


def _chosen_rule(field: str, value: float, label: str) -> alt.LayerChart:
    marker = pd.DataFrame({field: [value], "label": [label]})
    rule = alt.Chart(marker).mark_rule(strokeDash=CHOSEN_DASH, color=CHOSEN_COLOR).encode(x=f"{field}:Q")
    text = alt.Chart(marker).mark_text(align="left", dx=4, dy=-6, color=CHOSEN_COLOR).encode(
        x=f"{field}:Q", y=alt.value(0), text="label:N")
    return rule + text


def _final_point(rows: pd.DataFrame, field: str, value: float) -> alt.Chart | None:
    final = rows[rows["phase"] == "final"]
    if final.empty:
        return None
    table = summarize(final)
    table = table.assign(**{field: value, "what": "chosen setting retrained on all training data: test",
                            "mean": table["test_accuracy_mean"], "low": table["test_accuracy_ci_low"],
                            "high": table["test_accuracy_ci_high"]})
    base = alt.Chart(table).encode(x=f"{field}:Q")
    tooltip = [alt.Tooltip("what:N", title=" "), alt.Tooltip("mean:Q", format=".1%", title="mean"),
               alt.Tooltip("low:Q", format=".1%", title="95% interval from"),
               alt.Tooltip("high:Q", format=".1%", title="95% interval to"), alt.Tooltip("seeds:Q")]
    return (base.mark_rule(color=FINAL_COLOR, strokeWidth=2).encode(y="low:Q", y2="high:Q")
            + base.mark_point(shape="diamond", size=120, filled=True, color=FINAL_COLOR)
            .encode(y="mean:Q", tooltip=tooltip))


def validation_curve(rows: pd.DataFrame, x: str = "lambd", fixed: Mapping[str, float] | None = None,
                     every_test: bool = False) -> alt.LayerChart:
    """Train and dev accuracy against ``x`` (one of GRID_FIELDS), and test accuracy too with
    ``every_test``, the other fields held at ``fixed`` (by default, and for a field it leaves out,
    at their dev-chosen values); where those are the chosen ones, the chosen value is marked, and
    so is the chosen setting's retrained test accuracy when the rows hold it."""
    held = _held(rows, x, fixed)
    chosen = choose(rows)
    splits = list(SPLITS if every_test else DEV_SPLITS)
    frame = curve_frame(rows, x, held, splits)
    if frame.empty:
        raise ValueError(f"no dev models have {_held_text(held)}")
    frame = frame.assign(band=frame["split"])
    scale = alt.Scale(domain=splits, range=[SPLIT_COLORS[split] for split in splits])
    color = alt.Color("split:N", scale=scale, sort=splits, title="accuracy on", legend=_line_legend())
    base = alt.Chart(frame).encode(x=_x(x, frame[x], AXIS_TITLES[x]))
    tooltip = [alt.Tooltip(f"{x}:Q", format="~g", title=SYMBOLS[x]), "split:N", alt.Tooltip("mean:Q", format=".1%"),
               alt.Tooltip("low:Q", format=".1%", title="band from"),
               alt.Tooltip("high:Q", format=".1%", title="band to"),
               alt.Tooltip("ci_low:Q", format=".1%", title="95% interval from"),
               alt.Tooltip("ci_high:Q", format=".1%", title="95% interval to"), "seeds:Q"]
    # The bands' fill by a field of its own, without a legend: with the lines' field, Vega-Lite
    # merges the two into one legend, and a merged legend with none of its own is not drawn.
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title="accuracy", axis=alt.Axis(format="%"),
                                                       scale=alt.Scale(zero=False)), y2="high:Q",
                                               fill=alt.Fill("band:N", scale=scale, sort=splits, legend=None))
    line = base.mark_line(point=True).encode(y="mean:Q", color=color, tooltip=tooltip)
    layers, notes = [band, line], list(SCORE_NOTES[every_test])
    if all(np.isclose(chosen[field], value) for field, value in held.items()):
        layers.append(_chosen_rule(x, chosen[x], f"chosen {SYMBOLS[x]} = {chosen[x]:g}"))
        final = _final_point(rows, x, chosen[x])
        if final is not None:
            layers.append(final)
            notes.append(FINAL_NOTE)
    return alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT,
        title=_title(_lines(f"Accuracy against {SYMBOLS[x]}", f"at {_held_text(held)}"), notes))


def weight_norm_chart(rows: pd.DataFrame) -> alt.LayerChart:
    """Total weight norm √(Σ‖W_l‖²) against λ, one line per setting of the other grid fields that
    vary (keep_prob alone when none does), each with its own dashes, the chosen λ marked."""
    table = summarize(rows[rows["phase"] == "dev"])
    if table.empty:
        raise ValueError("there are no dev rows to draw")
    frame = _band_limits(table, "weight_norm_mean", "weight_norm_std")
    others = [f for f in GRID_FIELDS if f != "lambd" and frame[f].nunique() > 1] or ["keep_prob"]
    frame = frame.assign(setting=[", ".join(f"{value:g}" for value in values)
                                  for values in zip(*(frame[field] for field in others))])
    legend = ", ".join(SYMBOLS[field] for field in others)
    settings = list(dict.fromkeys(frame["setting"]))
    chosen = choose(rows)
    base = alt.Chart(frame).encode(x=_x("lambd", frame["lambd"], AXIS_TITLES["lambd"]))
    dashes = alt.StrokeDash("setting:N", title=legend, sort=settings, scale=alt.Scale(domain=settings, range=DASHES),
                            legend=_line_legend(symbolSize=600))
    tooltip = [alt.Tooltip("lambd:Q", format="~g", title="λ"), alt.Tooltip("setting:N", title=legend),
               alt.Tooltip("mean:Q", format=".3~f", title="weight norm"),
               alt.Tooltip("weight_norm_std:Q", format=".3~f", title="std"), "seeds:Q"]
    band = base.mark_area(opacity=0.15, color=NEUTRAL).encode(y=alt.Y("low:Q", title="weight norm √(Σ‖W‖²)"),
                                                              y2="high:Q", detail="setting:N")
    line = base.mark_line(point=True, color=NEUTRAL, strokeWidth=2).encode(y="mean:Q", strokeDash=dashes,
                                                                           tooltip=tooltip)
    rule = _chosen_rule("lambd", chosen["lambd"], f"chosen λ = {chosen['lambd']:g}")
    return alt.layer(band, line, rule).properties(
        width=WIDTH, height=HEIGHT, title=_title("Weight norm against λ", WEIGHT_NOTE))


def _strength_text(row) -> str:
    field = FAMILIES[row.family]
    if field is None:
        return "none"
    how = "its only value" if row.candidates == 1 else f"chosen on dev among {row.candidates}"
    return f"{field} = {row.strength:g} ({how})"


def data_size_chart(summary: pd.DataFrame) -> alt.LayerChart:
    """Test accuracy against the training points each model fitted, from ``curve_summary``: one
    line per regularizer family in its model colour (mean over seeds) with a band of ± 1 standard
    deviation over seeds in the same colour."""
    if summary.empty:
        raise ValueError("there are no retrained models to draw")
    families = [family for family in FAMILIES if family in set(summary["family"])]
    titles = [STUDY_TITLES[family] for family in families]
    frame = _band_limits(summary, "test_accuracy_mean", "test_accuracy_std").assign(
        model=summary["family"].map(STUDY_TITLES), strength=[_strength_text(row) for row in summary.itertuples()],
        ci_low=summary["test_accuracy_ci_low"], ci_high=summary["test_accuracy_ci_high"],
        std=summary["test_accuracy_std"])
    frame = frame.assign(band=frame["model"])[["model", "band", "strength", "train_fraction", "train_size", "seeds", "mean", "std", "low", "high",
                   "ci_low", "ci_high"]]
    scale = alt.Scale(domain=titles, range=[MODEL_COLORS[f] for f in families])
    color = alt.Color("model:N", scale=scale, sort=titles, title="regularization", legend=_line_legend())
    sizes = sorted(int(size) for size in set(frame["train_size"]))
    x = alt.X("train_size:Q", title="training points used", scale=alt.Scale(zero=False, padding=12),
              axis=alt.Axis(values=sizes, format="d"))
    base = alt.Chart(frame).encode(x=x)
    tooltip = [alt.Tooltip("model:N", title="regularization"), alt.Tooltip("strength:N"),
               alt.Tooltip("train_fraction:Q", format="~g", title="fraction of the training points"),
               alt.Tooltip("train_size:Q", title="training points"),
               alt.Tooltip("mean:Q", format=".1%", title="test accuracy (mean)"),
               alt.Tooltip("std:Q", format=".1%", title="std over seeds"),
               alt.Tooltip("ci_low:Q", format=".1%", title="95% interval from"),
               alt.Tooltip("ci_high:Q", format=".1%", title="95% interval to"), "seeds:Q"]
    # The bands' fill by a field of its own, without a legend: with the lines' field, Vega-Lite
    # merges the two into one legend, and a merged legend with none of its own is not drawn.
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("low:Q", title="test accuracy", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)), y2="high:Q",
        fill=alt.Fill("band:N", scale=scale, sort=titles, legend=None))
    line = base.mark_line(point=True).encode(y="mean:Q", color=color, tooltip=tooltip)
    # "pad": the plot keeps its size and the legend is added beside it, never cut off.
    return alt.layer(band, line).properties(
        width=CURVE_WIDTH, height=HEIGHT, autosize=alt.AutoSizeParams(type="pad"),
        title=_title("Test accuracy against training-set size",
                     [BAND_NOTE, "each strength chosen on the dev set at each size"]))
