"""Command line: ``python -m nnreg sweep``, a λ × keep_prob × seeds sweep chosen on a dev set.

Every argument is checked before the first model trains, so bad input ends at once with exit
code 2 and one line on stderr, and nothing is written.
"""

from __future__ import annotations

import math
import sys

from . import data
from .arguments import add_data
from .formatting import interval, mean_std, text_table
from .limits import parse_number
from .sweeps import (DEFAULTS, check_results_path, comparison, dev_mask, parse_request, summarize, sweep,
                     write_results)

# Each field of a sweep request by the flag that sets it, for messages.
FLAGS = {"lambd": "--lambd", "keep_prob": "--keep-prob", "hidden": "--hidden", "learning_rate": "--learning-rate",
         "num_iterations": "--num-iterations", "seeds": "--seeds", "dev_fraction": "--dev-fraction"}


def _mean_std(row, metric: str) -> str:
    return mean_std(getattr(row, f"{metric}_mean"), getattr(row, f"{metric}_std"))


def format_comparison(table) -> str:
    """Each dev setting's accuracies as mean ± std over seeds, and how it compares with the choice."""
    header = ["lambd", "keep_prob", "train %", "dev %", "dev 95% interval", "test %", "vs chosen"]
    lines = []
    for row in table.itertuples():
        low, high = row.dev_accuracy_ci_low, row.dev_accuracy_ci_high
        lines.append([f"{row.lambd:g}", f"{row.keep_prob:g}", _mean_std(row, "train_accuracy"),
                      _mean_std(row, "dev_accuracy"),
                      interval(low, high),
                      _mean_std(row, "test_accuracy"), row.verdict])
    return text_table(header, lines)


def _report(dataset, result) -> None:
    table = comparison(result.rows)
    print(format_comparison(table))
    chosen = result.chosen
    print(f"chosen on dev accuracy: lambd={chosen['lambd']:g}, keep_prob={chosen['keep_prob']:g}")
    final = summarize(result.rows[result.rows["phase"] == "final"]).iloc[0]
    mean, std = final.test_accuracy_mean, final.test_accuracy_std
    low, high = final.test_accuracy_ci_low, final.test_accuracy_ci_high
    spread = "" if math.isnan(std) else f" (95% interval {interval(low, high)} %)"
    print(f"retrained on all {len(dataset.train_Y)} training points, {final.seeds} seed(s): "
          f"test accuracy {mean_std(mean, std)} %{spread}")
    tied = int((table["verdict"] == "within noise").sum())
    if tied:
        print(f"{tied} other setting(s) are within noise of the chosen one on dev: "
              "the data cannot tell them apart")


def _run(args) -> None:
    request = parse_request(vars(args), FLAGS)
    grid, base, seeds, dev_fraction = request.grid, request.base, request.seeds, request.dev_fraction
    local_cluster = None
    if args.local_cluster is not None:
        local_cluster = parse_number(args.local_cluster, "--local-cluster", whole=True)
    if args.out is not None:
        check_results_path(args.out)
    dataset = data.load_dataset(args.data)
    show_progress = sys.stderr.isatty()

    def progress(done, total):
        print(f"\rtrained {done}/{total} models", end="" if done < total else "\n", file=sys.stderr)

    try:
        result = sweep(dataset, grid, seeds, base, dev_fraction=dev_fraction, scheduler=args.scheduler,
                       local_cluster=local_cluster, progress=progress if show_progress else None)
    except ImportError as error:
        # Only the optional Dask import raises this; it is a request this machine cannot serve.
        raise ValueError(str(error)) from None
    dev_points = int(dev_mask(dataset, dev_fraction).sum())
    print(f"dataset {dataset.name}: {len(dataset.train_Y)} training points ({dev_points} of them held out "
          f"as dev), {len(dataset.test_Y)} test points; {len(grid['lambd'])} lambd x "
          f"{len(grid['keep_prob'])} keep_prob x {seeds} seed(s), {base.num_iterations:,} iterations")
    _report(dataset, result)
    if args.out is not None:
        write_results(result.rows, args.out)
        print(f"wrote {args.out} ({len(result.rows)} rows)")


def register(commands) -> None:
    """Add the ``sweep`` subcommand to the command line's subparsers."""
    parser = commands.add_parser(
        "sweep", help="train a lambd x keep_prob grid over seeds, choose on a dev set, report statistics")
    add_data(parser)
    parser.add_argument("--lambd", default=DEFAULTS["lambd"], help="L2 strengths (>= 0), like '0, 0.1, 0.7'")
    parser.add_argument("--keep-prob", default=DEFAULTS["keep_prob"],
                        help="dropout keep probabilities in (0, 1], like '1, 0.86'; 1 is no dropout")
    parser.add_argument("--seeds", default=DEFAULTS["seeds"],
                        help="number of seeds (0..N-1), each setting the initial weights and dropout masks")
    parser.add_argument("--hidden", default=DEFAULTS["hidden"], help="hidden layer sizes, like '20, 3' or '20 3'")
    parser.add_argument("--learning-rate", default=DEFAULTS["learning_rate"], help="gradient descent step size")
    parser.add_argument("--num-iterations", default=DEFAULTS["num_iterations"], help="gradient descent steps per model")
    parser.add_argument("--dev-fraction", default=DEFAULTS["dev_fraction"],
                        help="share of the training points held out (stratified, seeded) to choose on")
    parser.add_argument("--out", help="write one row per model to a .csv or .parquet file")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--scheduler", help="run on the Dask scheduler at this address, e.g. tcp://host:8786")
    cluster.add_argument("--local-cluster", metavar="N", help="run on N Dask worker processes on this machine")
    parser.set_defaults(run=_run)
