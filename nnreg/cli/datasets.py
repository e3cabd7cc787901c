"""``python -m nnreg datasets`` (the datasets there are, each with its size, features and classes,
or why it cannot be read, and the bundled tables' sources; with ``--data``, how one file reads)
and ``make-football`` (the built-in dataset written again from its generator)."""

from __future__ import annotations

from .. import data
from ..report.formatting import text_table
from .arguments import add_data, data_lines, load_data, names_text

HEADER = ["dataset", "train", "test", "features", "classes"]


def _row(name: str, dataset) -> list[str]:
    return [name, f"{len(dataset.train_Y):,}", f"{len(dataset.test_Y):,}", f"{dataset.n_features:,}",
            f"{dataset.n_classes}", names_text(dataset.class_names)]


def _table(rows) -> str:
    """The datasets' numbers aligned, each line ending with its class names (left-aligned, as text)."""
    lines = text_table(HEADER, [row[:-1] for row in rows], left=1).splitlines()
    return "\n".join(f"{line}  {names}" for line, names in zip(lines, ["class names", *(row[-1] for row in rows)]))


def _datasets(args) -> int:
    if args.data is not None:
        dataset = load_data(args)
        print(_table([_row(dataset.name, dataset)]))
        for line in data_lines(dataset):
            print(line)
        if data.table_source(dataset.name):
            print(f"source: {data.table_source(dataset.name)}")
        return 0
    rows, unreadable = [], []
    for name in data.list_datasets():
        try:
            rows.append(_row(name, data.load_dataset(name)))
        except data.DatasetError as error:
            # One bad file must not hide the good ones: it is listed with its reason.
            unreadable.append(f"{name} unreadable: {error}")
    print(_table(rows))
    for line in unreadable:
        print(line)
    sources = [(name, data.table_source(name)) for name in data.list_datasets() if data.table_source(name)]
    if sources:
        print("sources:")
        for name, source in sources:
            print(f"  {name}: {source}")
    return 1 if unreadable else 0


def _make_football(args) -> None:
    data.write_csv(data.make_football(), args.out)
    print(f"wrote {args.out}")


def register(commands) -> None:
    """Add the ``datasets`` and ``make-football`` subcommands to the command line's subparsers."""
    datasets = commands.add_parser("datasets", help="list the datasets, or with --data show how one reads")
    add_data(datasets, default=None)
    datasets.set_defaults(run=_datasets)

    football = commands.add_parser("make-football", help="regenerate the built-in dataset")
    football.add_argument("--out", default=str(data.DATA_DIR / "football.csv"), help="where to write it")
    football.set_defaults(run=_make_football)
