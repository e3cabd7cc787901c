"""Sweeps: λ × l1 × weight_decay × keep_prob over init seeds, chosen on a dev set, with statistics over seeds;
and the data-size curve, each regularizer's test accuracy against the training set's size.

Model choice never sees the test set.  A seeded, stratified dev set is held out of the training
data (or each of K stratified folds in turn); every setting of the grid is trained on the rest
("dev" rows) for every seed, the setting is chosen on its dev score by the one-standard-error rule
among those whose runs all trained, and only that setting is retrained on the full training set
("final" rows) whose test accuracy is the reported one.  The "dev" rows' test accuracy is kept for
the validation curves, never for the choice.

Training runs in this process (on every core), or on a Dask cluster (one model per task) with the
same results: a model depends only on its settings and the data, so neither the worker nor a
retry after a worker died can change it.

Modules, in the order a sweep uses them: ``grid`` (the settings), ``dev`` (the held-out points),
``rows`` (one row per model), ``executors`` (in this process or on Dask), ``run`` (``sweep``),
``stats`` (spread, intervals, the choice), ``curve`` (``data_size_curve``), ``request`` (one
reader for every surface), ``fit`` (a refused request cut down to the budget) and ``results``
(files).
"""

from .curve import (FAMILIES, CurveResult, choice_note, curve_findings, curve_models, curve_rows, curve_summary,
                    curve_table, data_size_curve, left_out_note, stopped_curve, unchosen, unchosen_note)
from .dev import check_train_fractions, dev_mask, fold_masks, with_dev_as_test
from .fit import fit_request, values_text
from .grid import GRID_FIELDS, grid_settings, shown_fields
from .request import DEFAULTS, SweepRequest, parse_request
from .results import (check_results_path, is_curve, is_partial, partial_rows, read_results, results_bytes,
                      write_results)
from .rows import train_row
from .run import SweepResult, dev_rows, stopped_sweep, sweep
from .stats import (BEST_SCORE, CHOSEN, INTERVAL_NOTE, NOT_CANDIDATE, SIMPLEST_NOTE, WITHIN_NOISE, WORSE, Z,
                    NoCandidate, accuracy_interval, choose, comparison, interval, no_candidate_message, setting_scores,
                    summarize, verdicts, wilson, within_noise)

__all__ = ["BEST_SCORE", "CHOSEN", "DEFAULTS", "FAMILIES", "GRID_FIELDS", "INTERVAL_NOTE", "NOT_CANDIDATE",
           "SIMPLEST_NOTE", "WITHIN_NOISE", "WORSE", "Z", "CurveResult", "NoCandidate", "SweepRequest", "SweepResult",
           "accuracy_interval", "check_results_path", "check_train_fractions", "choice_note", "choose", "comparison",
           "curve_findings", "curve_models", "curve_rows", "curve_summary", "curve_table", "data_size_curve",
           "dev_mask", "dev_rows", "fit_request", "fold_masks", "grid_settings", "interval", "is_curve", "is_partial",
           "left_out_note", "no_candidate_message", "parse_request", "partial_rows", "read_results", "results_bytes", "setting_scores",
           "shown_fields", "stopped_curve", "stopped_sweep", "summarize", "sweep", "train_row", "unchosen", "unchosen_note",
           "values_text", "verdicts", "wilson", "with_dev_as_test", "within_noise", "write_results"]
