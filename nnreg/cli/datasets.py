"""``python -m nnreg datasets`` (the datasets there are, each with its size or why it cannot be
read) and ``make-football`` (the built-in dataset written again from its generator)."""

from __future__ import annotations

from .. import data


def _datasets(args) -> int:
    unreadable = 0
    for name in data.list_datasets():
        try:
            dataset = data.load_dataset(name)
        except data.DatasetError as error:
            # One bad file must not hide the good ones: it is listed with its reason.
            unreadable += 1
            print(f"{name:10s} unreadable: {error}")
            continue
        print(f"{name:10s} {len(dataset.train_Y):6d} train {len(dataset.test_Y):6d} test  {dataset.name}")
    return 1 if unreadable else 0


def _make_football(args) -> None:
    data.write_csv(data.make_football(), args.out)
    print(f"wrote {args.out}")


def register(commands) -> None:
    """Add the ``datasets`` and ``make-football`` subcommands to the command line's subparsers."""
    datasets = commands.add_parser("datasets", help="list the datasets")
    datasets.set_defaults(run=_datasets)

    football = commands.add_parser("make-football", help="regenerate the built-in dataset")
    football.add_argument("--out", default=str(data.DATA_DIR / "football.csv"), help="where to write it")
    football.set_defaults(run=_make_football)
