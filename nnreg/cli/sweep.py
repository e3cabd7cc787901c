"""Command line: ``python -m nnreg sweep``, a λ × l1 × weight_decay × keep_prob × seeds sweep chosen
on dev (one split or K folds), or with several ``--train-fraction`` values a data-size curve.

Every argument is checked before the first model trains, so bad input ends at once with exit
code 2 and one line on stderr, and nothing is written.  Ctrl-C or SIGTERM writes the rows
finished so far to ``--out``, marked partial, and exits 130; ``--resume`` finishes them.  When no
setting can be chosen (every one had a run that diverged or collapsed) the exit code is 1.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ..limits import LAYERS_HELP, RANGES, parse_number
from ..report.formatting import failed_runs, interval_text, mean_std, plural, text_table
from ..sweeps import (BEST_SCORE, no_candidate_message, DEFAULTS, INTERVAL_NOTE, SIMPLEST_NOTE, WITHIN_NOISE, check_results_path,
                      check_train_fractions, choice_note, comparison, curve_findings, curve_rows, curve_table,
                      data_size_curve, fold_masks, left_out_note, parse_request, partial_rows, read_results,
                      setting_scores, shown_fields, summarize, sweep, unchosen, unchosen_note, write_results)
from ..sweeps.request import TRAINING_HELP
from ..sweeps.rows import rows_table

from ..report.titles import training_text
from .arguments import add_data, data_lines, load_data

# Each field of a sweep request by the flag that sets it, for messages.
FLAGS = {"lambd": "--lambd", "l1": "--l1", "weight_decay": "--weight-decay", "keep_prob": "--keep-prob",
         "hidden": "--hidden", "activation": "--activation", "optimizer": "--optimizer", "batch_size": "--batch-size",
         "learning_rate": "--learning-rate", "num_iterations": "--num-iterations", "seeds": "--seeds",
         "dev_fraction": "--dev-fraction", "train_fraction": "--train-fraction", "folds": "--folds",
         "dev_seed": "--dev-seed", "standardize": "--standardize"}
# Each column a resumed file is checked on, as this command sets it.
RESUME_NAMES = {"fingerprint": "the data or its split (--data, --label, --split, --test-fraction, --drop-missing)",
                "layer_dims": "--hidden", "learning_rate": "--learning-rate", "num_iterations": "--num-iterations",
                "activation": "--activation", "optimizer": "--optimizer", "batch_size": "--batch-size",
                "dropout_mask": "the dropout masks", "standardized": "--standardize (standardized)",
                "dev_fraction": "--dev-fraction", "folds": "--folds", "dev_seed": "--dev-seed"}
# The switch a divergence on large raw features calls for, as this command sets it.
STANDARDIZE_ON = "--standardize on"
# Off a terminal (a log, a CI job) a progress line at most this often.
PROGRESS_SECONDS = 5.0
EXIT_NO_CHOICE = 1
EXIT_INTERRUPTED = 130


def _mean_std(row, metric: str) -> str:
    return mean_std(getattr(row, f"{metric}_mean"), getattr(row, f"{metric}_std"))


def format_comparison(table, with_test: bool = False) -> str:
    """Each dev setting (its ``shown_fields``), its train accuracy (mean ± std over runs), dev score
    ± its standard error and 95 % interval, test accuracy only ``with_test``, how many of its runs
    failed (diverged or collapsed), and how it compares with the choice."""
    fields = shown_fields(table)
    header = [*fields, "train %", "dev % ± SE", "dev 95 % interval", *(["test %"] * with_test), "failed runs",
              "vs chosen"]
    lines = []
    for row in table.itertuples():
        lines.append([*(f"{getattr(row, field):g}" for field in fields), _mean_std(row, "train_accuracy"),
                      mean_std(row.score, row.se), interval_text(row.ci_low, row.ci_high),
                      *([_mean_std(row, "test_accuracy")] * with_test),
                      failed_runs(row.runs, row.diverged, row.collapsed), row.verdict])
    return text_table(header, lines)


def score_line(table) -> str:
    """What a dev score is: over how many folds, seeds and points, and what its ± and interval are."""
    first = table.iloc[0]
    points = "" if math.isnan(first.dev_points) else f" ({int(first.dev_points)} points a seed)"
    split = f"its {int(first.folds)} folds" if first.folds > 1 else "one dev split"
    return (f"dev %: each setting's accuracy on the dev points of {split}{points}, mean over "
            f"{plural(int(first.seeds), 'seed')} ± its standard error (seeds and points together); {INTERVAL_NOTE}")


def _report(dataset, result, with_test: bool) -> None:
    table = comparison(result.rows)
    print(format_comparison(table, with_test))
    print(score_line(table))
    if with_test:
        print("test %: every setting's, to look at only; choosing by it would choose on the test set")
    if result.chosen is None:
        return
    chosen = result.chosen
    print(f"chosen by {SIMPLEST_NOTE}, among the settings none of whose runs diverged or collapsed: "
          f"{', '.join(f'{field}={chosen[field]:g}' for field in shown_fields(table))}")
    final_rows = result.rows[result.rows["phase"] == "final"]
    if final_rows.empty:
        return
    final = summarize(final_rows).iloc[0]
    mean, std = final.test_accuracy_mean, final.test_accuracy_std
    low, high = final.test_accuracy_ci_low, final.test_accuracy_ci_high
    fitted = final_rows["train_size"].iloc[0]
    points = f"all {fitted}" if fitted == len(dataset.train_Y) else f"{fitted} of the {len(dataset.train_Y)}"
    outcome = "" if final.outcome == "trained" else f"; runs: {final.outcome}"
    print(f"retrained on {points} training points, {final.seeds} seed(s): test accuracy {mean_std(mean, std)} % "
          f"(mean ± std over seeds; 95 % interval {interval_text(low, high)} % over {len(dataset.test_Y)} test "
          f"points and the seeds){outcome}")
    print("the test set chose nothing: the chosen setting's test accuracy is reported once, after the choice"
          + ("; the other settings' test % above is to look at only" if with_test else ""))
    tied = int(table["verdict"].isin([WITHIN_NOISE, BEST_SCORE]).sum())
    if tied:
        print(f"{tied} other setting(s) are {WITHIN_NOISE}: within one standard error of the best dev score, as the "
              "chosen one is; the data cannot tell them apart")


def _report_curve(result, seeds: int) -> None:
    table = curve_table(result.summary)
    print(text_table(list(table.columns), table.values.tolist()))
    chose = (result.rows["phase"] == "dev").any()
    print(f"test %: mean ± std over {seeds} seed(s), each seed its own initial weights, dropout masks and share of "
          f"the training points; {choice_note(result.summary) or 'no strength to set'}"
          + (f" ({SIMPLEST_NOTE}, never a strength with a run that diverged or collapsed)" if chose else "")
          + "; each model then retrained on that fraction of all training points")
    for line in curve_findings(result.rows, result.summary):
        print(line)
    missing = unchosen(result.rows)
    if missing:
        print(f"{unchosen_note(missing)}.")
    if result.left_out:
        print(f"{left_out_note(result.left_out)}.")


class Progress:
    """Models trained, the total to train and the time left, on stderr: on a terminal one line
    rewritten after each model; elsewhere (a log) a line at most every PROGRESS_SECONDS, the
    first at once (the run has started) and the last.  The time left is from this run's pace
    after its first model, which also pays for compiling.  ``close`` ends the line, whatever
    ended the run."""

    def __init__(self, stream, clock=time.monotonic):
        self.stream, self.clock = stream, clock
        self.terminal = stream.isatty()
        self.first = None
        self.last = -math.inf
        self.line = None
        self.shown = True

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, done)
        left = ""
        if done > self.first[1] and done < total:
            pace = (now - self.first[0]) / (done - self.first[1])
            left = f", about {_duration(pace * (total - done))} left"
        self.line = f"trained {done}/{plural(total, 'model')}{left}"
        self.shown = False
        if not self.terminal and done < total and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        self._show(end="" if self.terminal and done < total else "\n")

    def _show(self, end: str) -> None:
        line = f"\r{self.line}\033[K" if self.terminal else self.line
        print(line, end=end, file=self.stream, flush=True)
        # Shown whole once it has its newline; a terminal's line in progress has none yet.
        self.shown = end == "\n"

    def close(self) -> None:
        """The last line, whole: printed if a log has not had it, ended on a terminal."""
        if self.line is not None and not self.shown:
            self._show(end="\n")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


class Interruption:
    """Ctrl-C (SIGINT) and SIGTERM, taken as a request to stop at the next safe point rather
    than as an exception raised wherever the main thread happens to be: raised inside the thread
    pool's own bookkeeping, a KeyboardInterrupt can leave a lock held and the run hung.  While
    ``active``, a signal only sets ``requested``; the sweep asks ``should_stop`` before each
    batch, and ``heartbeat`` (called between waits, about every ``training.HEARTBEAT_SECONDS``)
    raises KeyboardInterrupt there, which stops the models in training within an iteration."""

    def __init__(self):
        self.requested = False

    def should_stop(self) -> bool:
        return self.requested

    def heartbeat(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    @contextmanager
    def active(self):
        def request(signum, frame):
            self.requested = True
        previous = {number: signal.signal(number, request) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


def _earlier(args):
    """The rows an earlier run wrote to ``--out``, to finish (``--resume``), or None."""
    if not args.resume:
        return None
    if args.out is None:
        raise ValueError("--resume needs --out: the results file of the run to finish")
    path = Path(args.out)
    if not path.is_file():
        raise ValueError(f"--resume: {path} does not exist; run without --resume to start")
    rows = read_results(path.read_bytes(), path.name)
    return rows.drop(columns="partial", errors="ignore")


def _run(args) -> int:
    fields = vars(args)
    if args.dev_fraction is not None and args.folds not in (None, DEFAULTS["folds"]) and \
            parse_number(args.folds, FLAGS["folds"], whole=True) > 1:
        raise ValueError(f"--dev-fraction sets the one dev split; with --folds {args.folds} every training point is a "
                         "dev point once: leave --dev-fraction out")
    if args.test_every_setting and len(str(args.train_fraction).replace(",", " ").split()) > 1:
        raise ValueError("--test-every-setting shows a sweep's settings; a data-size curve reports every "
                         "regularizer's retrained test accuracy already")
    request = parse_request({**fields, "dev_fraction": args.dev_fraction or DEFAULTS["dev_fraction"]}, FLAGS)
    grid, base, seeds = request.grid, request.base, request.seeds
    local_cluster = None
    if args.local_cluster is not None:
        local_cluster = parse_number(args.local_cluster, "--local-cluster", whole=True)
    if args.out is not None:
        check_results_path(args.out)
    dataset = load_data(args)
    masks = fold_masks(dataset.train_Y, request.folds, request.dev_fraction, request.dev_seed,
                       class_names=dataset.class_names, name=FLAGS["folds"])
    for mask in masks:
        check_train_fractions(dataset, request.train_fractions, mask, FLAGS["train_fraction"])
    done = _earlier(args)
    finished = []
    interruption = Interruption()
    progress = Progress(sys.stderr)
    options = dict(**request.options(), scheduler=args.scheduler, local_cluster=local_cluster, done=done,
                   progress=progress, on_row=finished.append, should_stop=interruption.should_stop,
                   heartbeat=interruption.heartbeat, names=RESUME_NAMES)
    if done is not None:
        print(f"resumed {plural(len(done), 'model')} from {args.out}; the progress counts the rest", file=sys.stderr)
    result = None
    try:
        with interruption.active():
            if request.curve:
                result = data_size_curve(dataset, request.train_fractions, grid, seeds, base, **options)
            else:
                result = sweep(dataset, grid, seeds, base, **options)
    except ImportError as error:
        # Only the optional Dask import raises this; it is a request this machine cannot serve.
        raise ValueError(str(error)) from None
    except KeyboardInterrupt:
        # Raised by a heartbeat in the middle of a batch; between batches the run returns stopped.
        pass
    finally:
        progress.close()
    if result is None or result.stopped:
        return _interrupted(args, request, finished)
    sizes = " x ".join(f"{len(grid[field])} {field}" for field in shown_fields(grid))
    fractions = f"training-set fractions {', '.join(f'{f:g}' for f in request.train_fractions)}; " \
        if request.curve or request.train_fractions != (1.0,) else ""
    held = f"{int(masks[0].sum())} of them held out as dev, dev seed {request.dev_seed}" if request.folds == 1 else \
        f"{request.folds} stratified folds, each held out as dev in turn, dev seed {request.dev_seed}"
    if not (result.rows["phase"] == "dev").any():
        held = "no dev phase: one value per regularizer, nothing to choose"
    print(f"dataset {dataset.name}: {len(dataset.train_Y)} training points ({held}), "
          f"{len(dataset.test_Y)} test points; {fractions}{sizes} x {seeds} seed(s), {base.num_iterations:,} iterations")
    training = training_text(base, sorted(set(result.rows["train_size"])))
    if training:
        print(f"training: {training}")
    for line in data_lines(dataset):
        print(line)
    if request.curve:
        _report_curve(result, seeds)
    else:
        _report(dataset, result, args.test_every_setting)
    if args.out is not None:
        write_results(result.rows, args.out)
        print(f"wrote {args.out} ({len(result.rows)} rows)")
    problem = None
    if not request.curve and result.problem:
        problem = no_candidate_message(setting_scores(result.rows), result.rows, standardize=STANDARDIZE_ON)
    if request.curve and result.summary.empty:
        problem = "nothing was retrained: " + (unchosen_note(unchosen(result.rows)) or "no model finished")
    if problem:
        print(f"nnreg: {problem}", file=sys.stderr)
        return EXIT_NO_CHOICE
    return 0


def _interrupted(args, request, finished) -> int:
    total = len(request.models())
    stopped = f"interrupted after {len(finished)} of {plural(total, 'model')}"
    if args.out is None or not finished:
        why = "no --out to write them to" if finished else "none had finished"
        print(f"\nnnreg: {stopped}; nothing written ({why})", file=sys.stderr)
        return EXIT_INTERRUPTED
    table = (curve_rows if request.curve else rows_table)(finished, request.dev_fraction, request.folds,
                                                          request.dev_seed)
    write_results(partial_rows(table), args.out)
    print(f"\nnnreg: {stopped}; wrote the {len(finished)} finished rows to {args.out}, marked partial: the same "
          "command with --resume finishes it", file=sys.stderr)
    return EXIT_INTERRUPTED


def register(commands) -> None:
    """Add the ``sweep`` subcommand to the command line's subparsers."""
    parser = commands.add_parser(
        "sweep", help="train a lambd x l1 x weight_decay x keep_prob grid over seeds, choose on dev (one split or K "
                      "folds), report statistics; with several --train-fraction values, a data-size curve")
    add_data(parser)
    parser.add_argument("--lambd", default=DEFAULTS["lambd"], help=f"L2 strengths, each {RANGES['lambd'].allowed()}, like '0, 0.1, 0.7'")
    parser.add_argument("--l1", default=DEFAULTS["l1"], help=f"L1 strengths, each {RANGES['l1'].allowed()}, like '0, 0.01, 0.1'")
    parser.add_argument("--weight-decay", default=DEFAULTS["weight_decay"],
                        help=f"decoupled weight decay strengths, each {RANGES['weight_decay'].allowed()}, like "
                             "'0, 0.001, 0.01': each update also takes learning_rate × weight_decay × W from every "
                             "weight")
    parser.add_argument("--keep-prob", default=DEFAULTS["keep_prob"],
                        help=f"dropout keep probabilities, each {RANGES['keep_prob'].allowed()}, like '1, 0.86'; 1 is no "
                             "dropout")
    parser.add_argument("--seeds", default=DEFAULTS["seeds"],
                        help=f"number of seeds N (seeds 0..N-1), {RANGES['n_seeds'].allowed()}, each setting the "
                             "initial weights and dropout masks")
    parser.add_argument("--hidden", default=DEFAULTS["hidden"], help=f"hidden layer sizes: {LAYERS_HELP}")
    parser.add_argument("--learning-rate", default=DEFAULTS["learning_rate"], help="the step size α of every update")
    parser.add_argument("--num-iterations", default=DEFAULTS["num_iterations"], help="parameter updates per model")
    for key in ("activation", "optimizer", "batch_size"):
        parser.add_argument(FLAGS[key], default=DEFAULTS[key], help=TRAINING_HELP[key])
    parser.add_argument("--standardize", default="", metavar="on|off",
                        help="scale each feature to mean 0 and std 1 over the points a model fits; by default on for "
                             "an analyst's table, off for data in the course's layout")
    parser.add_argument("--folds", default=DEFAULTS["folds"],
                        help=f"stratified cross-validation folds, {RANGES['folds'].allowed()}; 1 holds out one dev "
                             "split of --dev-fraction")
    parser.add_argument("--dev-fraction",
                        help=f"with --folds 1, the share of the training points held out (stratified, seeded) to "
                             f"choose on, {RANGES['dev_fraction'].allowed()} (default {DEFAULTS['dev_fraction']})")
    parser.add_argument("--dev-seed", default=DEFAULTS["dev_seed"],
                        help=f"the seed of the dev split or of the folds' shuffle, {RANGES['dev_seed'].allowed()}")
    parser.add_argument("--train-fraction", default=DEFAULTS["train_fraction"],
                        help=f"share(s) of the training points to train on, each {RANGES['train_fraction'].allowed()}: "
                             "one value sweeps on that "
                             "share; several, like '0.1, 0.25, 0.5, 1', compute a data-size curve (per "
                             "regularizer, its strength chosen on dev, its test accuracy at each share)")
    parser.add_argument("--test-every-setting", action="store_true",
                        help="also print every setting's test accuracy (to look at only: the choice is made on dev)")
    parser.add_argument("--out", help="write one row per model to a .csv or .parquet file (on Ctrl-C or SIGTERM, the "
                                      "rows finished so far, marked partial)")
    parser.add_argument("--resume", action="store_true",
                        help="finish the interrupted run whose rows --out holds: the same command with --resume "
                             "trains only the models missing there")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--scheduler", help="run on the Dask scheduler at this address, e.g. tcp://host:8786")
    cluster.add_argument("--local-cluster", metavar="N", help="run on N Dask worker processes on this machine")
    parser.set_defaults(run=_run)
