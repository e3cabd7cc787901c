"""Sweeps: λ × l1 × keep_prob over init seeds, chosen on a dev set, with statistics over seeds;
and the data-size curve, each regularizer's test accuracy against the training set's size.

Model choice never sees the test set.  A seeded, stratified dev set is held out of the training
data; every setting of the grid is trained on the rest ("dev" rows) for every seed, the setting
with the best mean dev accuracy is chosen, and only that setting is retrained on the full training
set ("final" rows) whose test accuracy is the reported one.  The "dev" rows' test accuracy is
kept for the validation curves, never for the choice.

Training runs in this process (on every core), or on a Dask cluster (one model per task) with the
same results: a model depends only on its settings and the data, so neither the worker nor a
retry after a worker died can change it.

Modules, in the order a sweep uses them: ``grid`` (the settings), ``dev`` (the held-out points),
``rows`` (one row per model), ``executors`` (in this process or on Dask), ``run`` (``sweep``),
``stats`` (spread, intervals, the choice), ``curve`` (``data_size_curve``), ``request`` (one
reader for every surface) and ``results`` (files).
"""

from .curve import (FAMILIES, CurveResult, choice_note, curve_findings, curve_models, curve_rows, curve_summary,
                    curve_table, data_size_curve, left_out_note, stopped_curve)
from .dev import check_train_fractions, dev_mask, with_dev_as_test
from .grid import GRID_FIELDS, grid_settings
from .request import DEFAULTS, SweepRequest, parse_request
from .results import check_results_path, is_curve, read_results, results_bytes, write_results
from .rows import train_row
from .run import SweepResult, stopped_sweep, sweep
from .stats import WITHIN_NOISE, choose, comparison, interval, summarize, untrained, within_noise

__all__ = ["DEFAULTS", "FAMILIES", "GRID_FIELDS", "WITHIN_NOISE", "CurveResult", "SweepRequest", "SweepResult", "check_results_path",
           "check_train_fractions", "choice_note", "choose", "comparison", "curve_findings", "curve_models",
           "curve_rows", "curve_summary", "curve_table", "data_size_curve", "dev_mask", "grid_settings", "interval",
           "is_curve", "left_out_note", "parse_request", "read_results", "results_bytes", "stopped_curve",
           "stopped_sweep", "summarize", "sweep", "train_row", "untrained", "with_dev_as_test", "within_noise",
           "write_results"]
