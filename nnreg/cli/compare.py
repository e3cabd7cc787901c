"""``python -m nnreg reproduce`` (the course's study: no regularization, L2 and dropout, and L1 or
early stopping on request) and ``compare`` (any models side by side), both printing the page's
table (``print_table``)."""

from __future__ import annotations

import json

import numpy as np

from .. import limits
from ..report.formatting import percent_cell
from ..report.outcomes import training_problem
from ..report.table import accuracy_table, baseline_note, imbalance_warning, standardized_note, table_text
from ..report.titles import model_title
from ..settings import DROPOUT_MASKS, EXTRA_MODELS, STUDY, Settings, title
from ..specs import DEFAULT_SPECS, SPEC_KEYS, parse_specs, spec_settings
from ..study import run_study, study_models, summary_table
from ..training import TRAINED
from .arguments import add_data, data_lines, layers_argument, load_data, number_argument, seeds_argument


def print_table(results, dataset, titles=None) -> None:
    """The page's accuracy table on ``dataset`` as text, then what its marks say, the
    majority-class baseline and any imbalance warning: what ``reproduce`` and ``compare`` both
    print (``titles`` as ``accuracy_table`` takes them)."""
    first = next(iter(results))
    several = any(len(runs) > 1 for runs in results.values())
    table = accuracy_table(results, titles, dataset)
    print(table_text(table))
    print("* the best test accuracy" + (f"; test change against {title(first)}, within noise when at most the "
                                        "larger of their standard deviations" if several else ""))
    for line in (standardized_note(table), baseline_note(dataset), imbalance_warning(dataset)):
        if line:
            print(line)


def scaling_text(results) -> str:
    """Whether the models standardized their inputs (``TrainResult.input_mean``), for the line
    that opens the output: "inputs standardized", "inputs not standardized", or which models did."""
    on = [title(name) for name, runs in results.items() if runs[0].input_mean is not None]
    if not on or len(on) == len(results):
        return "inputs " + ("standardized" if on else "not standardized")
    return f"inputs standardized for {', '.join(on)} only"


def model_notes(results) -> list[str]:
    """What the table cannot show: why a model's run did not train (its first such run's
    ``training_problem``), how many weights L1 set to exactly 0, and where each early-stopping
    model stopped (the iteration it kept, chosen on its dev points)."""
    lines = []
    for name, runs in results.items():
        first = runs[0]
        failed = [run for run in runs if run.outcome.kind != TRAINED]
        if failed:
            which = f", init seed {failed[0].settings.seed}" if len(runs) > 1 else ""
            lines.append(f"{title(name)}{which}: {training_problem(failed[0])}")
        if first.settings.l1 > 0:
            zeros = [run.zero_weights()[0] for run in runs]
            total = first.zero_weights()[1]
            lines.append(f"{title(name)} set {zeros[0]} of {total} weights to exactly 0" if len(runs) == 1 else
                         f"{title(name)} set {np.mean(zeros):.1f} of {total} weights to exactly 0 on average "
                         f"({min(zeros)} to {max(zeros)} over {len(runs)} seeds)")
        kept = [run.best_iteration for run in runs if run.best_iteration is not None]
        if kept:
            where = (f"iteration {kept[0]:,} of {first.settings.num_iterations:,} (dev accuracy "
                     f"{percent_cell(first.dev_accuracy)} on {len(first.dev_index)} dev points)" if len(kept) == 1 else
                     f"iterations {min(kept):,} to {max(kept):,} of {first.settings.num_iterations:,}, median "
                     f"{int(np.median(kept)):,}, over {len(kept)} seeds")
            lines.append(f"{title(name)} kept {where}")
    return lines


def _reproduce(args) -> None:
    dataset = load_data(args)
    models = study_models(_shared_settings(args), lambd=args.lambd, keep_prob=args.keep_prob, l1=args.l1,
                          early_stopping=args.early_stopping)
    results = run_study(dataset, args.dropout_mask, args.seeds, base=models)
    if not args.json:
        seeds = f"init seeds 0..{args.seeds - 1}, mean ± std" if args.seeds else "course seeds"
        fitted = results["none"][0].train_size
        print(f"dataset {dataset.name}: {len(dataset.train_Y)} train, {len(dataset.test_Y)} test points"
              + (f" ({fitted} fitted: train_fraction {args.train_fraction:g})" if args.train_fraction < 1 else "")
              + f"; {args.dropout_mask} dropout masks; {seeds}; {scaling_text(results)}")
        for line in data_lines(dataset):
            print(line)
        print_table(results, dataset)
        for line in model_notes(results):
            print(line)
        return
    print(json.dumps(study_json(dataset, results, summary_table(results, dataset), args.seeds), indent=2))


def study_json(dataset, results, table, seeds, specs=None) -> dict:
    """A study's results as ``--json`` prints them: the data's name, fingerprint, features, classes
    and notes; per model its settings, accuracies, and per run (several seeds) or its counts (one
    run); with ``specs``, each model's spec too."""
    models = []
    for row in table.itertuples():
        runs = results[row.name]
        entry = {
            "name": row.name,
            "settings": runs[0].settings.to_dict(),
            "train_accuracy": row.train_accuracy,
            "test_accuracy": row.test_accuracy,
            "gap": row.gap,
            "seconds": row.seconds,
        }
        if specs is not None:
            entry["spec"] = str(specs[row.name])
        if seeds:
            entry["settings"].pop("seed")
            entry["settings"].pop("dropout_seed")
            entry.update(train_accuracy_std=row.train_accuracy_std, test_accuracy_std=row.test_accuracy_std,
                         gap_std=row.gap_std, seeds=list(range(seeds)),
                         **{"test_vs_none" if specs is None else "test_vs_first": row.test_vs_first})
            entry["runs"] = [{"seed": r.settings.seed, "train_accuracy": r.train_accuracy,
                              "test_accuracy": r.test_accuracy, "outcome": r.outcome.kind,
                              "diverged_at": r.diverged_at}
                             for r in runs]
        else:
            only = runs[0]
            entry.update(train_correct=only.train_correct, train_size=only.train_size,
                         test_correct=only.test_correct, test_size=only.test_size,
                         outcome=only.outcome.kind, diverged_at=only.diverged_at)
            if only.best_iteration is not None:
                entry.update(best_iteration=only.best_iteration, dev_accuracy=only.dev_accuracy)
            if only.settings.l1 > 0:
                entry.update(zero_weights=only.zero_weights()[0], weights=only.zero_weights()[1])
        models.append(entry)
    return {"dataset": dataset.name, "fingerprint": dataset.fingerprint, "features": list(dataset.feature_names),
            "classes": list(dataset.class_names), "notes": list(dataset.notes), "models": models}


def _shared_settings(args) -> Settings:
    return Settings(layer_dims=args.hidden, learning_rate=args.learning_rate, num_iterations=args.num_iterations,
                    train_fraction=args.train_fraction, dev_fraction=args.dev_fraction)


def _compare(args) -> None:
    specs = parse_specs(args.model or DEFAULT_SPECS)
    dataset = load_data(args)
    models = spec_settings(specs, _shared_settings(args))
    results = run_study(dataset, args.dropout_mask, args.seeds, base=models)
    if args.json:
        print(json.dumps(study_json(dataset, results, summary_table(results, dataset), args.seeds,
                                    {spec.name: spec for spec in specs}), indent=2))
        return
    titles = {spec.name: model_title(spec, models[spec.name]) for spec in specs}
    seeds = f"init seeds 0..{args.seeds - 1}, mean ± std" if args.seeds else f"init seed {models[specs[0].name].seed}"
    print(f"dataset {dataset.name}: {len(dataset.train_Y)} train, {len(dataset.test_Y)} test points; "
          f"{args.dropout_mask} dropout masks; {seeds}; {scaling_text(results)}")
    for line in data_lines(dataset):
        print(line)
    print_table(results, dataset, titles)
    for line in model_notes(results):
        print(line)


def add_shared_settings(parser) -> None:
    """What every model of a study shares, the flags of ``reproduce`` and ``compare``: the masks, the
    seeds, the dev and data shares, the network and its training, and the output."""
    course = Settings()
    parser.add_argument("--dropout-mask", choices=DROPOUT_MASKS, default="fresh",
                        help="fresh masks every iteration, or the original notebook's fixed ones")
    parser.add_argument("--seeds", type=seeds_argument,
                        help=f"train each model over init seeds 0..N-1 (N {limits.RANGES['n_seeds'].allowed()}) "
                             "and report mean ± std")
    parser.add_argument("--dev-fraction", default=course.dev_fraction,
                        type=number_argument("--dev-fraction", "dev_fraction"),
                        help="the share of the training points a model that stops early holds out as its dev set")
    parser.add_argument("--train-fraction", default=course.train_fraction,
                        type=number_argument("--train-fraction", "train_fraction"),
                        help="train every model on this seeded, stratified share of the training points")
    parser.add_argument("--hidden", type=layers_argument, default=course.layer_dims,
                        help=f"hidden layer sizes: {limits.LAYERS_HELP}")
    parser.add_argument("--learning-rate", default=course.learning_rate,
                        type=number_argument("--learning-rate", "learning_rate"))
    parser.add_argument("--num-iterations", default=course.num_iterations,
                        type=number_argument("--num-iterations", "num_iterations"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def register(commands) -> None:
    """Add the ``reproduce`` and ``compare`` subcommands to the command line's subparsers."""
    reproduce = commands.add_parser("reproduce", help="train the study's three models (and L1, early stopping "
                                                      "on request) and print a table")
    add_data(reproduce)
    l2, dropout = STUDY["l2"], STUDY["dropout"]
    reproduce.add_argument("--lambd", type=number_argument("--lambd", "lambd"),
                           default=l2.lambd, help=f"the L2 model's strength (default {l2.lambd:g})")
    reproduce.add_argument("--keep-prob", type=number_argument("--keep-prob", "keep_prob"),
                           default=dropout.keep_prob,
                           help=f"the dropout model's keep_prob (default {dropout.keep_prob:g})")
    reproduce.add_argument("--l1", type=number_argument("--l1", "l1"),
                           help=f"add an L1 model of this strength (e.g. {EXTRA_MODELS['l1'].l1:g})")
    reproduce.add_argument("--early-stopping", action="store_true",
                           help="add a model that stops early: the iteration with the best dev accuracy")
    add_shared_settings(reproduce)
    reproduce.set_defaults(run=_reproduce)

    compare = commands.add_parser("compare", help="train any models side by side and print the page's table")
    add_data(compare)
    compare.add_argument("--model", action="append", metavar="SPEC",
                         help=f"a model, NAME[:key=value,...] with keys {', '.join(SPEC_KEYS)} (e.g. 'L2 "
                              f"big:lambd=3'); 1 to {limits.MAX_MODELS}, repeat the flag for each; default: the "
                              "course's three")
    add_shared_settings(compare)
    compare.set_defaults(run=_compare)
