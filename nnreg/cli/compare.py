"""``python -m nnreg reproduce`` (the course's study: no regularization, L2 and dropout, and L1 or
early stopping on request) and ``compare`` (any models side by side), both printing the page's
table (``print_table``).  Over several seeds ``compare`` first ranks the models by a dev score,
from each trained again without a dev set (``sweeps.dev_rows``), so that the test table after it
is a report, never the ground for a choice."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import limits
from ..report.formatting import failed_runs, interval_text, mean_std, percent_cell, text_table
from ..report.outcomes import training_problem
from ..report.table import accuracy_table, baseline_note, imbalance_warning, standardized_note, table_text
from ..report.titles import model_title, training_text
from ..settings import DROPOUT_MASKS, EXTRA_MODELS, STUDY, Settings, title
from ..specs import DEFAULT_SPECS, SPEC_KEYS, parse_specs, spec_settings
from ..study import repetitions, run_study, study_models, study_settings, summary_table
from ..sweeps import (BEST_SCORE, INTERVAL_NOTE, NOT_CANDIDATE, WITHIN_NOISE, dev_rows, fold_masks,
                      no_candidate_message, setting_scores, verdicts)
from ..training import TRAINED
from .arguments import (add_data, add_training, data_lines, layers_argument, load_data, number_argument,
                        seeds_argument)

# When no model can be ranked first (every one had a dev run that diverged or collapsed), as ``sweep``.
EXIT_NO_CANDIDATE = 1


# What the table's * says: by default it marks the best test accuracy, which is there to look at;
# ``compare --seeds N`` marks the best dev score instead, what it ranked the models by.
TEST_MARK = ("* the best test accuracy, for looking, not for choosing: a model chosen by its test accuracy "
             "overfits the test set ('nnreg sweep' chooses on a dev set)")
DEV_MARK = "* the best dev score (ranked above), not the best test accuracy"


def print_table(results, dataset, titles=None, marked=None) -> None:
    """The page's accuracy table on ``dataset`` as text, then what its marks say, the
    majority-class baseline and any imbalance warning: what ``reproduce`` and ``compare`` both
    print (``titles`` as ``accuracy_table`` takes them).  The * marks the best test accuracy, or
    the models named in ``marked`` (``compare``'s best dev score)."""
    first = next(iter(results))
    several = any(len(runs) > 1 for runs in results.values())
    table = accuracy_table(results, titles, dataset)
    print(table_text(table, marked))
    print(DEV_MARK if marked is not None else
          TEST_MARK + (f"; test change against {title(first)}, within noise when at most the larger of their "
                       "standard deviations" if several else ""))
    for line in (standardized_note(table), baseline_note(dataset), imbalance_warning(dataset)):
        if line:
            print(line)


def scaling_text(standardized: Mapping[str, bool]) -> str:
    """Whether the models (by name) standardized their inputs, for the line that opens the output:
    "inputs standardized", "inputs not standardized", or which models did."""
    on = [title(name) for name, yes in standardized.items() if yes]
    if not on or len(on) == len(standardized):
        return "inputs " + ("standardized" if on else "not standardized")
    return f"inputs standardized for {', '.join(on)} only"


def standardized(results) -> dict[str, bool]:
    """Whether each model's runs standardized their inputs (``TrainResult.input_mean``), by name."""
    return {name: runs[0].input_mean is not None for name, runs in results.items()}


# How a model trains: what a model's spec may change from the shared settings the header states.
TRAINING_FIELDS = ("optimizer", "activation", "batch_size")


def model_notes(results, shared: Settings | None = None) -> list[str]:
    """What the table cannot show: how a model trains where it differs from ``shared`` (the
    settings the header states; its optimizer, activation or batch size, ``training_text``), why
    a model's run did not train (its first such run's ``training_problem``), how many weights L1
    set to exactly 0, and where each early-stopping model stopped (the iteration it kept, chosen
    on its dev points)."""
    lines = []
    for name, runs in results.items():
        first = runs[0]
        if shared is not None and any(getattr(first.settings, field) != getattr(shared, field)
                                      for field in TRAINING_FIELDS):
            own = training_text(first.settings, first.train_size)
            lines.append(f"{title(name)} trains " + (f"with {own}" if own else
                                                     "as the course: gradient descent, relu, the full batch"))
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
                          weight_decay=args.weight_decay, early_stopping=args.early_stopping)
    results = run_study(dataset, args.dropout_mask, args.seeds, base=models)
    if not args.json:
        seeds = f"init seeds 0..{args.seeds - 1}, mean ± std" if args.seeds else "course seeds"
        fitted = results["none"][0].train_size
        print(f"dataset {dataset.name}: {len(dataset.train_Y)} train, {len(dataset.test_Y)} test points"
              + (f" ({fitted} fitted: train_fraction {args.train_fraction:g})" if args.train_fraction < 1 else "")
              + f"; {args.dropout_mask} dropout masks; {seeds}; {scaling_text(standardized(results))}")
        _print_training(models["none"], fitted)
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
                              "diverged_at": r.diverged_at, "weight_norms": r.weight_norms()}
                             for r in runs]
        else:
            only = runs[0]
            entry.update(train_correct=only.train_correct, train_size=only.train_size,
                         test_correct=only.test_correct, test_size=only.test_size,
                         outcome=only.outcome.kind, diverged_at=only.diverged_at, weight_norms=only.weight_norms())
            if only.best_iteration is not None:
                entry.update(best_iteration=only.best_iteration, dev_accuracy=only.dev_accuracy)
            if only.settings.l1 > 0:
                entry.update(zero_weights=only.zero_weights()[0], weights=only.zero_weights()[1])
        models.append(entry)
    return data_json(dataset) | {"models": models}


def data_json(dataset) -> dict:
    """What a ``--json`` report says of its data: its name, fingerprint, features, classes and notes."""
    return {"dataset": dataset.name, "fingerprint": dataset.fingerprint, "features": list(dataset.feature_names),
            "classes": list(dataset.class_names), "notes": list(dataset.notes)}


def _shared_settings(args) -> Settings:
    return Settings(layer_dims=args.hidden, learning_rate=args.learning_rate, num_iterations=args.num_iterations,
                    train_fraction=args.train_fraction, dev_fraction=args.dev_fraction, activation=args.activation,
                    optimizer=args.optimizer, batch_size=args.batch_size)


def _print_training(settings: Settings, fitted: int) -> None:
    """The header's line on how the models train, when not the course's way (``training_text``)."""
    text = training_text(settings, fitted)
    if text:
        print(f"training: {text}")


def _compare(args) -> int:
    specs = parse_specs(args.model or DEFAULT_SPECS)
    ranked = args.seeds is not None and args.seeds >= 2
    if not ranked and (args.folds is not None or args.dev_seed is not None):
        raise ValueError("--folds and --dev-seed set the dev set that ranks the models, which needs --seeds N with N "
                         "at least 2")
    dataset = load_data(args)
    models = spec_settings(specs, _shared_settings(args))
    titles = {spec.name: model_title(spec, models[spec.name]) for spec in specs}
    specs_by_name = {spec.name: spec for spec in specs}
    seeds = f"init seeds 0..{args.seeds - 1}, mean ± std" if args.seeds else f"init seed {models[specs[0].name].seed}"
    if ranked:
        # Checked before anything trains, the message naming the flag.
        fold_masks(dataset.train_Y, args.folds or 1, args.dev_fraction, args.dev_seed or 0,
                   class_names=dataset.class_names, name="--folds")
        rows = _dev_rows(dataset, study_settings(args.dropout_mask, models), args)
        scores = ranking(rows)
        if not scores["candidate"].any():
            return _no_candidate(dataset, args, seeds, models, specs_by_name, titles, rows, scores)
    results = run_study(dataset, args.dropout_mask, args.seeds, base=models)
    if args.json:
        report = study_json(dataset, results, summary_table(results, dataset), args.seeds, specs_by_name)
        print(json.dumps(_with_dev_scores(report, scores, rows) if ranked else report, indent=2))
        return 0
    _print_header(dataset, args, seeds, standardized(results), _shared_settings(args),
                  next(iter(results.values()))[0].train_size)
    marked = None
    if ranked:
        _print_ranking(dataset, scores, rows, titles)
        marked = set(scores.loc[scores["verdict"] == BEST_SCORE, "name"])
        fitted = "all" if args.train_fraction == 1 else f"a stratified {args.train_fraction:g} of the"
        print(f"test accuracy, the final report: each model trained again on {fitted} {len(dataset.train_Y)} training "
              "points, over the same seeds; reported, not chosen on")
    print_table(results, dataset, titles, marked)
    for line in model_notes(results, _shared_settings(args)):
        print(line)
    return 0


def _no_candidate(dataset, args, seeds, models, specs_by_name, titles, rows, scores) -> int:
    """Every model had a dev run that diverged or collapsed: the ranking (or JSON) without a best
    model, then the cure in one line on stderr; exit 1.  No model is trained on all the training
    points for a report: none could be ranked."""
    # Each model standardizes by its own spec's switch.
    problem = no_candidate_message(scores, rows, "model", standardize="standardize=on in its --model")
    if args.json:
        # Each model as ``study_json`` gives it over seeds, without the results no model has.
        per_seed = ("seed", "dropout_seed")
        report = data_json(dataset) | {"problem": problem, "models": [
            {"name": name, "spec": str(specs_by_name[name]),
             "settings": {key: value for key, value in settings.to_dict().items() if key not in per_seed},
             "seeds": list(range(args.seeds))} for name, settings in models.items()]}
        print(json.dumps(_with_dev_scores(report, scores, rows), indent=2))
    else:
        _print_header(dataset, args, seeds, rows.groupby("name", sort=False)["standardized"].first().astype(bool),
                      _shared_settings(args), int(rows["train_size"].iloc[0]))
        _print_ranking(dataset, scores, rows, titles)
    print(f"nnreg: {problem}", file=sys.stderr)
    return EXIT_NO_CANDIDATE


def _print_header(dataset, args, seeds: str, scaling: Mapping[str, bool], shared: Settings, fitted: int) -> None:
    """The lines that open ``compare``'s output: the data, masks, seeds and scaling; how the models
    train when not the course's way (``fitted``: the points the first model fits); the data's names
    and notes."""
    print(f"dataset {dataset.name}: {len(dataset.train_Y)} train, {len(dataset.test_Y)} test points; "
          f"{args.dropout_mask} dropout masks; {seeds}; {scaling_text(scaling)}")
    _print_training(shared, fitted)
    for line in data_lines(dataset):
        print(line)


def _dev_rows(dataset, models: dict[str, Settings], args) -> pd.DataFrame:
    """Every model's runs over the same seeds trained again on the training points minus a dev set
    (or minus each of ``--folds`` folds in turn): ``sweeps.dev_rows``, each row with its model's
    ``name``."""
    options = {key: value for key, value in (("folds", args.folds), ("dev_seed", args.dev_seed)) if value is not None}
    runs = [(name, run) for name, settings in models.items() for run in repetitions(settings, args.seeds)]
    rows = dev_rows(dataset, [run for _, run in runs], dev_fraction=args.dev_fraction, **options)
    # dev_rows gives the rows fold by fold, each fold's in the order of the runs.
    rows["name"] = [runs[i % len(runs)][0] for i in range(len(rows))]
    return rows


def ranking(rows: pd.DataFrame) -> pd.DataFrame:
    """Each model's dev score (``sweeps.setting_scores`` by ``name``) and its ``verdict`` against
    the best candidate: BEST_SCORE, WITHIN_NOISE (within one standard error of the best score, as
    a sweep's comparison reads it), WORSE, or NOT_CANDIDATE (a run diverged or collapsed: never
    ranked best); candidates first, by score, then the others by score."""
    scores = setting_scores(rows, ("name",))
    scores["verdict"] = verdicts(scores)
    # A stable sort: equal scores keep the order the models were given in.
    order = scores.assign(last=~scores["candidate"]).sort_values(["last", "score"], ascending=[True, False],
                                                                 kind="stable").index
    return scores.loc[order].reset_index(drop=True)


def _print_ranking(dataset, scores: pd.DataFrame, rows: pd.DataFrame, titles: Mapping[str, str]) -> None:
    """The models ranked by dev score, how that was measured, and what its interval and verdicts say."""
    folds, dev_seed = int(rows["folds"].iloc[0]), int(rows["dev_seed"].iloc[0])
    train = len(dataset.train_Y)
    if folds == 1:
        how = (f"each model trained again without a stratified dev set of {int(rows['dev_size'].iloc[0])} of the "
               f"{train} training points (dev seed {dev_seed}) and scored on it")
    else:
        how = (f"each model trained again {folds} times, each time without one of {folds} stratified folds of the "
               f"{train} training points (dev seed {dev_seed}) and scored on it, every point once a seed")
    print(f"ranked by dev score: {how}; dev %: mean over the seeds ± its standard error (seeds and points together)")
    header = ["Model", "dev % ± SE", "dev 95 % interval", "failed runs", "verdict"]
    lines = [[titles[row.name], mean_std(row.score, row.se), interval_text(row.ci_low, row.ci_high),
              failed_runs(row.runs, row.diverged, row.collapsed), row.verdict]
             for row in scores.itertuples()]
    print(text_table(header, lines, left=1))
    print(f"{INTERVAL_NOTE}; {WITHIN_NOISE}: within one standard error of the best dev score; {NOT_CANDIDATE}: a run "
          "diverged or collapsed, never ranked best")


def _with_dev_scores(report: dict, scores: pd.DataFrame, rows: pd.DataFrame) -> dict:
    """A ``--json`` report with how the models were ranked and each model's dev score."""
    by_name = scores.set_index("name")
    for model in report["models"]:
        row = by_name.loc[model["name"]]
        model["dev"] = {"score": row.score, "se": row.se, "ci": [row.ci_low, row.ci_high], "runs": int(row.runs),
                        "diverged": int(row.diverged), "collapsed": int(row.collapsed), "verdict": row.verdict}
    report["ranking"] = {"by": "dev score", "folds": int(rows["folds"].iloc[0]),
                         "dev_fraction": float(rows["dev_fraction"].iloc[0]), "dev_seed": int(rows["dev_seed"].iloc[0]),
                         "interval": INTERVAL_NOTE}
    return report


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
                        help="the share of the training points held out as a dev set: by a model that stops "
                             "early, and by compare --seeds N to rank the models")
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
    reproduce.add_argument("--weight-decay", type=number_argument("--weight-decay", "weight_decay"),
                           help="add a model with decoupled weight decay of this strength: each update also takes "
                                "learning_rate × weight_decay × W from every weight (e.g. 0.001 with --optimizer "
                                "adam)")
    reproduce.add_argument("--early-stopping", action="store_true",
                           help="add a model that stops early: the iteration with the best dev accuracy")
    add_shared_settings(reproduce)
    add_training(reproduce)
    reproduce.set_defaults(run=_reproduce)

    compare = commands.add_parser("compare", help="train any models side by side and print the page's table; with "
                                                  "--seeds N (N at least 2), ranked first by a dev score")
    add_data(compare)
    compare.add_argument("--model", action="append", metavar="SPEC",
                         help=f"a model, NAME[:key=value,...] with keys {', '.join(SPEC_KEYS)} (e.g. 'L2 "
                              f"big:lambd=3'); 1 to {limits.MAX_MODELS}, repeat the flag for each; default: the "
                              "course's three")
    compare.add_argument("--folds", metavar="K", type=number_argument("--folds", "folds"),
                         help=f"with --seeds N: rank the models by their accuracy on K stratified folds of the "
                              f"training points in turn, each held out as the dev set (K "
                              f"{limits.RANGES['folds'].allowed()}; default 1: one dev set of --dev-fraction)")
    compare.add_argument("--dev-seed", metavar="SEED", type=number_argument("--dev-seed", "dev_seed"),
                         help="with --seeds N: the seed of the dev set that ranks the models, or of the folds' "
                              "shuffle (default 0)")
    add_shared_settings(compare)
    add_training(compare)
    compare.set_defaults(run=_compare)
