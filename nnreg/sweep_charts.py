"""Altair charts of a sweep's results: validation curves and weight norms, with bands over seeds.

Every chart reads the rows of ``nnreg.sweep`` (or a results file) and draws the "dev" models
(trained without the dev points).  Lines are means over seeds; bands are mean ± one standard
deviation over seeds, the spread against which a difference counts as noise.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .palette import SPLIT_COLORS
from .sweeps import choose, summarize

SPLITS = tuple(SPLIT_COLORS)
FINAL_COLOR = SPLIT_COLORS["test"]
WIDTH, HEIGHT = 420, 280
BAND_NOTE = "lines: mean over seeds; bands: ± 1 standard deviation over seeds"
FINAL_NOTE = "◆ the chosen setting retrained on all training data: its test accuracy"


def _lambd_scale(lambdas) -> alt.Scale:
    # A log axis cannot show λ = 0; symlog is linear below its constant and logarithmic above it,
    # so with the smallest positive λ as the constant, 0 sits one step left of it.
    positive = [value for value in lambdas if value > 0]
    return alt.Scale(type="symlog", constant=min(positive) if positive else 1.0)


def _x(field: str, values, title: str) -> alt.X:
    values = sorted(set(float(v) for v in values))
    scale = _lambd_scale(values) if field == "lambd" else alt.Scale(zero=False, padding=12)
    return alt.X(f"{field}:Q", scale=scale, axis=alt.Axis(values=values, format="~g"), title=title)


def _band_limits(frame: pd.DataFrame, mean: str, std: str) -> pd.DataFrame:
    # One seed has no spread: its band collapses onto the line.
    spread = frame[std].fillna(0.0)
    return frame.assign(mean=frame[mean], low=frame[mean] - spread, high=frame[mean] + spread)


def curve_frame(rows: pd.DataFrame, x: str, fixed: float) -> pd.DataFrame:
    """Long format for one validation curve: the "dev" models with the other grid field at
    ``fixed``, one row per x value and split (train / dev / test), with mean, low, high, ci."""
    other = "keep_prob" if x == "lambd" else "lambd"
    dev = rows[(rows["phase"] == "dev") & np.isclose(rows[other], fixed)]
    table = summarize(dev)
    parts = []
    for split in SPLITS:
        metric = f"{split}_accuracy"
        part = _band_limits(table, f"{metric}_mean", f"{metric}_std")
        parts.append(part.assign(split=split, ci_low=table[f"{metric}_ci_low"],
                                 ci_high=table[f"{metric}_ci_high"])
                     [[x, "split", "seeds", "mean", "low", "high", "ci_low", "ci_high"]])
    return pd.concat(parts, ignore_index=True)


def _chosen_rule(field: str, value: float, label: str) -> alt.LayerChart:
    marker = pd.DataFrame({field: [value], "label": [label]})
    rule = alt.Chart(marker).mark_rule(strokeDash=[4, 3], color=FINAL_COLOR).encode(x=f"{field}:Q")
    text = alt.Chart(marker).mark_text(align="left", dx=4, dy=-6, color=FINAL_COLOR).encode(
        x=f"{field}:Q", y=alt.value(0), text="label:N")
    return rule + text


def _final_point(rows: pd.DataFrame, field: str, value: float) -> alt.Chart | None:
    final = rows[rows["phase"] == "final"]
    if final.empty:
        return None
    table = _band_limits(summarize(final), "test_accuracy_mean", "test_accuracy_std")
    table = table.assign(**{field: value, "what": "chosen setting retrained on all training data: test"})
    base = alt.Chart(table).encode(x=f"{field}:Q")
    tooltip = [alt.Tooltip("what:N", title=" "), alt.Tooltip("mean:Q", format=".1%", title="mean"),
               alt.Tooltip("low:Q", format=".1%", title="mean - std"),
               alt.Tooltip("high:Q", format=".1%", title="mean + std"), alt.Tooltip("seeds:Q")]
    return (base.mark_rule(color=FINAL_COLOR, strokeWidth=2).encode(y="low:Q", y2="high:Q")
            + base.mark_point(shape="diamond", size=120, filled=True, color=FINAL_COLOR)
            .encode(y="mean:Q", tooltip=tooltip))


def validation_curve(rows: pd.DataFrame, x: str = "lambd", fixed: float | None = None) -> alt.LayerChart:
    """Train, dev and test accuracy against ``x`` ("lambd" or "keep_prob"), the other field held
    at ``fixed`` (default: its dev-chosen value); the chosen value is marked, and so is the
    chosen setting's retrained test accuracy when the rows hold it."""
    if x not in ("lambd", "keep_prob"):
        raise ValueError(f"x must be lambd or keep_prob, got {x!r}")
    other = "keep_prob" if x == "lambd" else "lambd"
    chosen = choose(rows)
    fixed = chosen[other] if fixed is None else fixed
    frame = curve_frame(rows, x, fixed)
    if frame.empty:
        raise ValueError(f"no dev models have {other} = {fixed:g}")
    title = "λ (L2 strength)" if x == "lambd" else "keep_prob (1 = no dropout)"
    color = alt.Color("split:N", scale=alt.Scale(domain=SPLITS, range=list(SPLIT_COLORS.values())), sort=SPLITS,
                      title="accuracy on")
    base = alt.Chart(frame).encode(x=_x(x, frame[x], title), color=color)
    tooltip = [alt.Tooltip(f"{x}:Q", format="~g"), "split:N", alt.Tooltip("mean:Q", format=".1%"),
               alt.Tooltip("low:Q", format=".1%", title="mean - std"),
               alt.Tooltip("high:Q", format=".1%", title="mean + std"),
               alt.Tooltip("ci_low:Q", format=".1%", title="95% interval from"),
               alt.Tooltip("ci_high:Q", format=".1%", title="95% interval to"), "seeds:Q"]
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title="accuracy", axis=alt.Axis(format="%"),
                                                       scale=alt.Scale(zero=False)), y2="high:Q")
    line = base.mark_line(point=True).encode(y="mean:Q", tooltip=tooltip)
    layers, notes = [band, line], [BAND_NOTE]
    if np.isclose(chosen[other], fixed):
        symbol = "λ" if x == "lambd" else "keep_prob"
        layers.append(_chosen_rule(x, chosen[x], f"chosen {symbol} = {chosen[x]:g}"))
        final = _final_point(rows, x, chosen[x])
        if final is not None:
            layers.append(final)
            notes.append(FINAL_NOTE)
    fixed_name = "keep_prob" if other == "keep_prob" else "λ"
    return alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT,
        title=alt.Title(f"Accuracy against {'λ' if x == 'lambd' else 'keep_prob'} at {fixed_name} = {fixed:g}",
                        subtitle=notes))


def weight_norm_chart(rows: pd.DataFrame) -> alt.LayerChart:
    """Total weight norm √(Σ‖W_l‖²) against λ, one line per keep_prob, the chosen λ marked."""
    table = summarize(rows[rows["phase"] == "dev"])
    if table.empty:
        raise ValueError("there are no dev rows to draw")
    frame = _band_limits(table, "weight_norm_mean", "weight_norm_std")
    frame = frame.assign(keep_prob=frame["keep_prob"].map(lambda v: f"{v:g}"))
    chosen = choose(rows)
    base = alt.Chart(frame).encode(x=_x("lambd", frame["lambd"], "λ (L2 strength)"),
                                   color=alt.Color("keep_prob:N", title="keep_prob"))
    tooltip = [alt.Tooltip("lambd:Q", format="~g", title="λ"), "keep_prob:N",
               alt.Tooltip("mean:Q", format=".3~f", title="weight norm"),
               alt.Tooltip("weight_norm_std:Q", format=".3~f", title="std"), "seeds:Q"]
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("low:Q", title="weight norm √(Σ‖W‖²)"), y2="high:Q")
    line = base.mark_line(point=True).encode(y="mean:Q", tooltip=tooltip)
    rule = _chosen_rule("lambd", chosen["lambd"], f"chosen λ = {chosen['lambd']:g}")
    return alt.layer(band, line, rule).properties(
        width=WIDTH, height=HEIGHT, title=alt.Title("Weight norm against λ", subtitle=BAND_NOTE))
