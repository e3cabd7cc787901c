"""The regularization study: the course's models trained on one dataset, summarized as a table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .network import count_correct
from .settings import STUDY, Settings, title
from .sweeps import WITHIN_NOISE, within_noise
from .training import COLLAPSED, DIVERGED, TrainResult, outcomes_text, train_many


def study_models(base: Settings | None = None, *, lambd: float = STUDY["l2"].lambd,
                 keep_prob: float = STUDY["dropout"].keep_prob, l1: float | None = None,
                 weight_decay: float | None = None, early_stopping: bool = False, l2_dropout: bool = False,
                 stop_early: bool = False) -> dict[str, Settings]:
    """The study's models on ``base`` (the shared network, training, data share and masks): the
    course's three with these strengths, then on request an L1 model (``l1``), a weight-decay model
    (``weight_decay``, decoupled), an early-stopping model and L2 + dropout, in the order of
    ``STUDY_TITLES``.  ``stop_early`` makes every model
    stop early (and the early-stopping model, the unregularized one, is then not added again).
    The page and ``reproduce`` both build their models here."""
    base = (Settings() if base is None else base).replace(early_stopping=stop_early)
    models = {"none": base, "l2": base.replace(lambd=lambd)}
    if l1 is not None:
        models["l1"] = base.replace(l1=l1)
    if weight_decay is not None:
        models["weight_decay"] = base.replace(weight_decay=weight_decay)
    models["dropout"] = base.replace(keep_prob=keep_prob)
    if early_stopping and not stop_early:
        models["early_stopping"] = base.replace(early_stopping=True)
    if l2_dropout:
        models["l2_dropout"] = base.replace(lambd=lambd, keep_prob=keep_prob)
    return models


def study_settings(dropout_mask: str = "fresh", base: dict[str, Settings] | None = None) -> dict[str, Settings]:
    """The study's settings (the course's three by default) with a mask mode."""
    base = STUDY if base is None else base
    return {name: settings.replace(dropout_mask=dropout_mask) for name, settings in base.items()}


def repetitions(settings: Settings, seeds: int | None) -> list[Settings]:
    """The runs of one model: ``settings`` as they are without ``seeds``, else one run per init
    seed 0..seeds-1 with the dropout seed following it.  The command line's ``--seeds N`` and
    the page's "Number of seeds" both mean this."""
    if seeds is None:
        return [settings]
    return [settings.for_seed(seed) for seed in range(seeds)]


def run_study(dataset, dropout_mask: str = "fresh", seeds: int | None = None,
              base: dict[str, Settings] | None = None) -> dict[str, list[TrainResult]]:
    """Train every model of the study: once with the course's seeds, or over init seeds 0..seeds-1."""
    models = study_settings(dropout_mask, base)
    jobs = [(name, run) for name, settings in models.items() for run in repetitions(settings, seeds)]
    results: dict[str, list[TrainResult]] = {}
    for (name, _), result in zip(jobs, train_many(dataset, [settings for _, settings in jobs])):
        results.setdefault(name, []).append(result)
    return results


def versus_first(name: str, runs: list[TrainResult], baseline: list[TrainResult], first: str) -> str:
    """How a model's test accuracy compares with the first model's (the course's: no
    regularization), honestly: a difference smaller than the spread over seeds is "within noise";
    with one seed the spread is unknown, and a diverged run is no result to compare ("").  A
    collapsed model is one: it learned nothing, and is compared as it is.  The page and the command
    line both say this."""
    if name == first or len(runs) < 2 or len(baseline) < 2:
        return ""
    if any(run.outcome.kind == DIVERGED for run in [*runs, *baseline]):
        return ""
    mine, theirs = [r.test_accuracy for r in runs], [r.test_accuracy for r in baseline]
    if within_noise(mine, theirs):
        return WITHIN_NOISE
    return "better" if np.mean(mine) > np.mean(theirs) else "worse"


def balanced_accuracy(labels, predicted, n_classes: int) -> float:
    """The mean over classes of the share of each class's points labelled right (its recall),
    the classes absent from ``labels`` left out: accuracy that a large class cannot carry alone
    (always answering the largest class scores 1 / K with K classes present)."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    recalls = [np.mean(predicted[labels == code] == code) for code in range(n_classes) if np.any(labels == code)]
    return float(np.mean(recalls))


def summary_table(results: dict[str, list[TrainResult]], dataset=None) -> pd.DataFrame:
    """One row per model: mean and standard deviation over its runs of accuracy, gap and time, how
    its runs ended (``outcome``, and how many ``collapsed`` and ``diverged``), and its test accuracy
    against the first model's (``versus_first``).  With the ``dataset`` the results were trained
    on, also each model's balanced test accuracy (``balanced_accuracy``, mean and std over runs)."""
    rows = []
    baseline = next(iter(results), None)
    for name, runs in results.items():
        train_acc = np.array([r.train_accuracy for r in runs])
        test_acc = np.array([r.test_accuracy for r in runs])
        gap = train_acc - test_acc
        first = runs[0].settings
        rows.append({
            "name": name,
            "model": title(name),
            "lambd": first.lambd,
            "l1": first.l1,
            "weight_decay": first.weight_decay,
            "keep_prob": first.keep_prob,
            "runs": len(runs),
            # Points fitted: the same count for every seed (each label's share is rounded alike).
            "train_size": runs[0].train_size,
            # Where early stopping stopped: the median over seeds of the iterations kept.
            "best_iteration": (float(np.median([r.best_iteration for r in runs])) if first.early_stopping
                               else math.nan),
            "train_accuracy": train_acc.mean(),
            "train_accuracy_std": train_acc.std(ddof=1) if len(runs) > 1 else 0.0,
            "test_accuracy": test_acc.mean(),
            "test_accuracy_std": test_acc.std(ddof=1) if len(runs) > 1 else 0.0,
            "gap": gap.mean(),
            "gap_std": gap.std(ddof=1) if len(runs) > 1 else 0.0,
            "seconds": float(np.sum([r.seconds for r in runs])),
            "outcome": outcomes_text(run.outcome.kind for run in runs),
            "collapsed": sum(r.outcome.kind == COLLAPSED for r in runs),
            "diverged": sum(r.outcome.kind == DIVERGED for r in runs),
            "test_vs_first": versus_first(name, runs, results[baseline], baseline),
            # As the runs trained (their settings resolved against their data), the same for every seed.
            "standardized": runs[0].input_mean is not None,
        })
        if dataset is not None:
            balanced = np.array([_balanced_test_accuracy(run, dataset) for run in runs])
            rows[-1] |= {"test_balanced_accuracy": balanced.mean(),
                         "test_balanced_accuracy_std": balanced.std(ddof=1) if len(runs) > 1 else 0.0}
    return pd.DataFrame(rows)


def _balanced_test_accuracy(run: TrainResult, dataset) -> float:
    if run.dataset_fingerprint and run.dataset_fingerprint != dataset.fingerprint:
        raise ValueError(f"a result trained on {run.dataset_name!r} cannot be scored on {dataset.name!r}")
    return balanced_accuracy(dataset.test_Y, run.predict(dataset.test_X), dataset.n_classes)


# How many init seeds "Dropout runs" trains each way of drawing masks with.
MASK_SEEDS = 10


def mask_runs(dropout: Settings, seeds: int = MASK_SEEDS) -> dict[str, list[Settings]]:
    """A dropout model as the notebook trained it (one set of masks drawn once, "fixed") and as the
    course teaches it (new masks every iteration, "fresh"), each over init seeds 0..seeds-1."""
    return {mask: repetitions(dropout.replace(dropout_mask=mask), seeds) for mask in ("fixed", "fresh")}


def mask_summary(results: dict[str, list[TrainResult]], single: TrainResult) -> pd.DataFrame:
    """One row per way of drawing masks: the mean, std and range of test accuracy over its runs,
    and where the notebook's single run (fixed masks, one init seed) stands against them."""
    rows = []
    for mask, runs in results.items():
        test = np.array([run.test_accuracy for run in runs])
        std = test.std(ddof=1) if len(test) > 1 else 0.0
        rows.append({"masks": mask, "runs": len(runs), "train_accuracy": np.mean([r.train_accuracy for r in runs]),
                     "test_accuracy": test.mean(), "test_accuracy_std": std, "lowest": test.min(),
                     "highest": test.max(),
                     # How many of these runs reach the single run's test accuracy.
                     "reaching_single": int(np.sum(test >= single.test_accuracy)),
                     "single_in_std": (single.test_accuracy - test.mean()) / std if std else 0.0})
    return pd.DataFrame(rows).set_index("masks")


def checkpoint_accuracies(result: TrainResult, dataset) -> pd.DataFrame:
    """Columns k, iteration, train_accuracy, test_accuracy: the model at each of its checkpoints
    (``TrainResult.parameters_at``), the rows the training replay steps through; train accuracy
    on the points it fitted."""
    rows = []
    train_X, train_Y = result.fitted(dataset)
    train_X, test_X = result.network_inputs(train_X), result.network_inputs(dataset.test_X)
    for k, iteration in enumerate(result.checkpoint_iterations):
        parameters = result.checkpoints[iteration]
        rows.append({"k": k, "iteration": iteration,
                     "train_accuracy": count_correct(train_X, train_Y, parameters) / len(train_Y),
                     "test_accuracy": count_correct(test_X, dataset.test_Y, parameters)
                     / len(dataset.test_Y)})
    return pd.DataFrame(rows)
