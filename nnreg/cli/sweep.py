"""Command line: ``python -m nnreg sweep``, a λ × l1 × keep_prob × seeds sweep chosen on a dev set,
or with several ``--train-fraction`` values a data-size curve.

Every argument is checked before the first model trains, so bad input ends at once with exit
code 2 and one line on stderr, and nothing is written.
"""

from __future__ import annotations

import math
import sys

from ..limits import LAYERS_HELP, RANGES, parse_number
from ..report.formatting import interval_text, mean_std, plural, text_table
from ..sweeps import (DEFAULTS, GRID_FIELDS, WITHIN_NOISE, check_results_path, check_train_fractions, choice_note,
                     comparison, curve_findings, curve_table, data_size_curve, dev_mask, left_out_note, parse_request,
                     summarize, sweep, untrained, write_results)
from .arguments import add_data, data_lines, load_data

# Each field of a sweep request by the flag that sets it, for messages.
FLAGS = {"lambd": "--lambd", "l1": "--l1", "keep_prob": "--keep-prob", "hidden": "--hidden",
         "learning_rate": "--learning-rate", "num_iterations": "--num-iterations", "seeds": "--seeds",
         "dev_fraction": "--dev-fraction", "train_fraction": "--train-fraction"}


def _mean_std(row, metric: str) -> str:
    return mean_std(getattr(row, f"{metric}_mean"), getattr(row, f"{metric}_std"))


def format_comparison(table) -> str:
    """Each dev setting's accuracies as mean ± std over seeds, how it compares with the choice, and
    how its runs ended when some did not train."""
    outcomes = untrained(table)
    header = [*GRID_FIELDS, "train %", "dev %", "dev 95% interval", "test %", "vs chosen", *(["outcome"] * outcomes)]
    lines = []
    for row in table.itertuples():
        low, high = row.dev_accuracy_ci_low, row.dev_accuracy_ci_high
        lines.append([*(f"{getattr(row, field):g}" for field in GRID_FIELDS), _mean_std(row, "train_accuracy"),
                      _mean_std(row, "dev_accuracy"),
                      interval_text(low, high),
                      _mean_std(row, "test_accuracy"), row.verdict, *([row.outcome] * outcomes)])
    return text_table(header, lines)


def _report(dataset, result) -> None:
    table = comparison(result.rows)
    print(format_comparison(table))
    chosen = result.chosen
    print(f"chosen on dev accuracy: {', '.join(f'{field}={chosen[field]:g}' for field in GRID_FIELDS)}")
    final = summarize(result.rows[result.rows["phase"] == "final"]).iloc[0]
    mean, std = final.test_accuracy_mean, final.test_accuracy_std
    low, high = final.test_accuracy_ci_low, final.test_accuracy_ci_high
    spread = "" if math.isnan(std) else f" (95% interval {interval_text(low, high)} %)"
    fitted = result.rows.loc[result.rows["phase"] == "final", "train_size"].iloc[0]
    points = f"all {fitted}" if fitted == len(dataset.train_Y) else f"{fitted} of the {len(dataset.train_Y)}"
    print(f"retrained on {points} training points, {final.seeds} seed(s): "
          f"test accuracy {mean_std(mean, std)} %{spread}")
    tied = int((table["verdict"] == WITHIN_NOISE).sum())
    if tied:
        print(f"{tied} other setting(s) are {WITHIN_NOISE} of the chosen one on dev: "
              "the data cannot tell them apart")


def _report_curve(result, seeds: int) -> None:
    table = curve_table(result.summary)
    print(text_table(list(table.columns), table.values.tolist()))
    print(f"test %: mean ± std over {seeds} seed(s), each seed its own initial weights, dropout masks and share of "
          f"the training points; {choice_note(result.summary) or 'no strength to set'}; each model then retrained "
          "on that fraction of all training points")
    for line in curve_findings(result.rows, result.summary):
        print(line)
    if result.left_out:
        print(f"{left_out_note(result.left_out)}.")


def _run(args) -> None:
    request = parse_request(vars(args), FLAGS)
    grid, base, seeds, dev_fraction = request.grid, request.base, request.seeds, request.dev_fraction
    local_cluster = None
    if args.local_cluster is not None:
        local_cluster = parse_number(args.local_cluster, "--local-cluster", whole=True)
    if args.out is not None:
        check_results_path(args.out)
    dataset = load_data(args)
    mask = dev_mask(dataset, dev_fraction)
    check_train_fractions(dataset, request.train_fractions, mask, FLAGS["train_fraction"])
    show_progress = sys.stderr.isatty()

    def progress(done, total):
        print(f"\rtrained {done}/{plural(total, 'model')}", end="" if done < total else "\n", file=sys.stderr)

    options = dict(dev_fraction=dev_fraction, scheduler=args.scheduler, local_cluster=local_cluster,
                   progress=progress if show_progress else None)
    try:
        if request.curve:
            result = data_size_curve(dataset, request.train_fractions, grid, seeds, base, **options)
        else:
            result = sweep(dataset, grid, seeds, base, **options)
    except ImportError as error:
        # Only the optional Dask import raises this; it is a request this machine cannot serve.
        raise ValueError(str(error)) from None
    sizes = " x ".join(f"{len(grid[field])} {field}" for field in GRID_FIELDS)
    fractions = f"training-set fractions {', '.join(f'{f:g}' for f in request.train_fractions)}; " \
        if request.curve or request.train_fractions != (1.0,) else ""
    print(f"dataset {dataset.name}: {len(dataset.train_Y)} training points ({int(mask.sum())} of them held out "
          f"as dev), {len(dataset.test_Y)} test points; {fractions}{sizes} x {seeds} seed(s), "
          f"{base.num_iterations:,} iterations")
    for line in data_lines(dataset):
        print(line)
    if request.curve:
        _report_curve(result, seeds)
    else:
        _report(dataset, result)
    if args.out is not None:
        write_results(result.rows, args.out)
        print(f"wrote {args.out} ({len(result.rows)} rows)")


def register(commands) -> None:
    """Add the ``sweep`` subcommand to the command line's subparsers."""
    parser = commands.add_parser(
        "sweep", help="train a lambd x l1 x keep_prob grid over seeds, choose on a dev set, report statistics; "
                      "with several --train-fraction values, a data-size curve")
    add_data(parser)
    parser.add_argument("--lambd", default=DEFAULTS["lambd"], help=f"L2 strengths, each {RANGES['lambd'].allowed()}, like '0, 0.1, 0.7'")
    parser.add_argument("--l1", default=DEFAULTS["l1"], help=f"L1 strengths, each {RANGES['l1'].allowed()}, like '0, 0.01, 0.1'")
    parser.add_argument("--keep-prob", default=DEFAULTS["keep_prob"],
                        help=f"dropout keep probabilities, each {RANGES['keep_prob'].allowed()}, like '1, 0.86'; 1 is no "
                             "dropout")
    parser.add_argument("--seeds", default=DEFAULTS["seeds"],
                        help=f"number of seeds N (seeds 0..N-1), {RANGES['n_seeds'].allowed()}, each setting the "
                             "initial weights and dropout masks")
    parser.add_argument("--hidden", default=DEFAULTS["hidden"], help=f"hidden layer sizes: {LAYERS_HELP}")
    parser.add_argument("--learning-rate", default=DEFAULTS["learning_rate"], help="gradient descent step size")
    parser.add_argument("--num-iterations", default=DEFAULTS["num_iterations"], help="gradient descent steps per model")
    parser.add_argument("--dev-fraction", default=DEFAULTS["dev_fraction"],
                        help=f"share of the training points held out (stratified, seeded) to choose on, "
                             f"{RANGES['dev_fraction'].allowed()}")
    parser.add_argument("--train-fraction", default=DEFAULTS["train_fraction"],
                        help=f"share(s) of the training points to train on, each {RANGES['train_fraction'].allowed()}: "
                             "one value sweeps on that "
                             "share; several, like '0.1, 0.25, 0.5, 1', compute a data-size curve (per "
                             "regularizer, its strength chosen on dev, its test accuracy at each share)")
    parser.add_argument("--out", help="write one row per model to a .csv or .parquet file")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--scheduler", help="run on the Dask scheduler at this address, e.g. tcp://host:8786")
    cluster.add_argument("--local-cluster", metavar="N", help="run on N Dask worker processes on this machine")
    parser.set_defaults(run=_run)
