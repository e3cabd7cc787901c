"""The Sweep page: a λ × L1 × keep_prob grid over seeds, chosen on a dev set, or a data-size curve
(each regularizer's test accuracy as the training set grows), or a command line's results file,
shown as curves with bands over seeds.  Every field of the form is in the link, so a copied link
reproduces the form.
"""

from __future__ import annotations

import dataclasses
import math

import streamlit as st

from app_pages import shared
from nnreg import dashboard, data, limits
from nnreg.dashboard import CONTROLS, UPLOAD
from nnreg.report.formatting import interval, mean_std, plural
from nnreg.settings import DROPOUT_MASKS
from nnreg.charts import SYMBOLS, data_size_curve, validation_curve, weight_norm_chart
from nnreg.dashboard.sweep_links import LABELS, PREFIX, check_link, main_page_query, setting_name
from nnreg.sweeps import (DEFAULTS, FAMILIES, GRID_FIELDS, SweepRequest, check_train_fractions, choice_note,
                          comparison, curve_findings, curve_summary, curve_table, data_size_curve as run_curve,
                          dev_mask, is_curve, left_out_note, parse_request, read_results, results_bytes,
                          stopped_curve, stopped_sweep, summarize, sweep, untrained)

RUN, CURVE, VIEW = "Run a sweep", "Run a data-size curve", "View a results file"
SOURCES = (RUN, CURVE, VIEW)
# Five seeds, not the command line's ten: the default grid (5 λ × 3 keep_prob, plus the retrained
# choice) then stays well inside the page's compute budget, at 80 course models; the default
# data-size curve at these four sizes, at 83.
DEFAULT_SEEDS = 5
CURVE_FRACTIONS = "0.1, 0.25, 0.5, 1"
RESULT_FILES = ((".csv", "CSV", "text/csv"), (".parquet", "Parquet", "application/vnd.apache.parquet"))


@dataclasses.dataclass
class Run:
    """A sweep or curve started here: what it asked, how many models, the rows as they finished
    (the library's ``on_row``), and its result once it returned.  Stop reruns the page, which
    ends the run that trains, so a later run that finds no result shows the rows as partial."""

    request: SweepRequest
    total: int
    rows: list = dataclasses.field(default_factory=list)
    result: object = None


# Read the link before any widget exists, on this page's first run in the session (later runs
# take the fields' values): Streamlit drops a value its widget cannot take without a word, so
# this is the only moment to say which one was not used.
link_problems = {}
if "sweep_link_read" not in st.session_state:
    st.session_state["sweep_link_read"] = True
    link_problems = check_link(st.query_params.to_dict(), SOURCES)
    for key in link_problems:
        del st.query_params[key]


def bind(key):
    # A field whose link value was refused starts from its default, unbound for this run.
    return None if key in link_problems else "query-params"


def _text(key, default, **options):
    # Any text is a value a text field can hold; a bad one is named by the checks on Run.
    return st.text_input(LABELS[key], default, key=PREFIX + key, bind=bind(PREFIX + key), **options)


def _number(label, key, default, where=st, **options):
    # A number typed as text, as on the main page: the checks read exactly what was typed and
    # quote it when they refuse it (a number field would turn "1e9" into 1 in the browser).
    return where.text_input(label, limits.format_number(default), key=PREFIX + key, bind=bind(PREFIX + key),
                            **options)


def _data_option(key, label, value, choices):
    """A synthetic set's option as typed, by the main page's rules; a ValueError names its field."""
    try:
        return dashboard.parse_value(key, "" if value is None else value, choices)
    except ValueError as error:
        raise ValueError(f"{label}: {error}") from None


def _data_section():
    """The data's fields, outside the form so that a synthetic set's options show as soon as it
    is chosen (the main page's choices and rules); the dataset and None, or None and why not."""
    choices = dashboard.dataset_choices()
    columns = st.columns(4)
    choice = columns[0].selectbox("Data", choices, key="sweep_data", bind=bind("sweep_data"),
                                  help="The built-in football field, a synthetic set, a file in data/, "
                                       "or your own .csv, .mat or .npz file.")
    try:
        if choice in data.SYNTHETIC:
            n_points = _number("Number of points", "n_points", CONTROLS["n_points"].default, columns[1],
                               help="Split half and half into train and test.")
            noise = CONTROLS["noise"]
            noise = columns[2].slider("Noise", noise.low, noise.high, noise.default, noise.step, key="sweep_noise",
                                      bind=bind("sweep_noise"),
                                      help="Jitter added to every point: more noise, more to overfit.")
            data_seed = _number("Data seed", "data_seed", CONTROLS["data_seed"].default, columns[3])
            dataset = shared.load_dataset(choice, _data_option("n_points", "Number of points", n_points, choices), noise,
                                   _data_option("data_seed", "Data seed", data_seed, choices))
        elif choice == UPLOAD:
            upload = st.file_uploader("Your data", type=["csv", "mat", "npz"], key="sweep_data_file",
                                      help="CSV with columns x1, x2, y and optionally split (train/test); "
                                           ".mat or .npz with arrays X, y, Xval, yval as in the course.")
            if upload is None:
                return None, None
            dataset = shared.read_upload(upload.getvalue(), upload.name)
        else:
            dataset = shared.load_dataset(choice, None, None, None)
    except ValueError as error:  # nnreg.DatasetError is one
        return None, str(error)
    st.caption(f"Dataset **{dataset.name}**: {len(dataset.train_Y)} training points, {len(dataset.test_Y)} test points.")
    return dataset, None


def _train(models, train, *arguments, **options):
    """``train(*arguments, **options)`` (a sweep or a curve) under a progress bar and a Stop button."""
    stop_slot, bar = st.empty(), st.progress(0.0, text=f"training {plural(models, 'model')}")
    # Clicking Stop reruns the page: Streamlit ends this run at its next progress update, so the
    # models being trained stop within an iteration and no more start.  The rows that finished
    # are in the Run already, and the next run shows them.
    stop_slot.button("Stop", key="sweep_stop")

    shown = [0]

    def progress(done, total):
        shown[0] = done
        bar.progress(done / total, text=f"trained {done} of {plural(total, 'model')}")

    def still_wanted():
        # A point where Streamlit ends this run when Stop is clicked or the page closes.
        progress(shown[0], models)

    result = train(*arguments, progress=progress, heartbeat=still_wanted, **options)
    stop_slot.empty()
    bar.empty()
    return result


def _run_form(curve: bool, dataset, data_problem, run_key: str) -> None:
    """The form; on Run, the sweep or the curve, trained into a Run kept at ``run_key``."""
    with st.form("sweep_form"):
        left, right = st.columns(2)
        with left:
            lambd = _text("lambd", DEFAULTS["lambd"], help=f"L2 strengths, each {limits.RANGES['lambd'].allowed()}, "
                                                           "separated by commas or spaces")
            l1 = _text("l1", DEFAULTS["l1"], help=f"L1 strengths, each {limits.RANGES['l1'].allowed()}, separated by "
                                                  "commas or spaces")
            keep_prob = _text("keep_prob", DEFAULTS["keep_prob"],
                              help=f"each {limits.RANGES['keep_prob'].allowed()}, separated by commas or spaces; 1 is "
                                   "no dropout")
            masks = st.radio("Dropout masks", DROPOUT_MASKS, key="sweep_dropout_mask", horizontal=True,
                             bind=bind("sweep_dropout_mask"),
                             help="fresh: new masks at every iteration, drawn from each seed; fixed: the "
                                  "notebook's masks, drawn once and the same at every iteration and seed.")
        with right:
            fractions = DEFAULTS["train_fraction"]
            if curve:
                fractions = _text("train_fraction", CURVE_FRACTIONS,
                                  help=f"shares of the training points, from {limits.MIN_TRAIN_FRACTION:g} to 1, "
                                       "at least two; each regularizer's strength is chosen on the dev set at "
                                       "each share")
            seeds = _number("Seeds", "seeds", DEFAULT_SEEDS,
                            help=f"{limits.RANGES['n_seeds'].allowed()}; each seed sets the initial weights and the "
                                 "dropout masks")
            num_iterations = _number("Iterations", "iterations", int(DEFAULTS["num_iterations"]),
                                     help=limits.RANGES["num_iterations"].allowed())
            dev = CONTROLS["dev_fraction"]
            dev_fraction = st.slider(LABELS["dev_fraction"], dev.low, dev.high, dev.default, dev.step,
                                     key="sweep_dev_fraction", bind=bind("sweep_dev_fraction"),
                                     help="share of the training points held out to choose on")
        with st.expander("Network"):
            hidden = _text("hidden", DEFAULTS["hidden"], help=limits.LAYERS_HELP)
            learning_rate = _number("Learning rate", "learning_rate", float(DEFAULTS["learning_rate"]),
                                    help=limits.RANGES["learning_rate"].allowed())
        submitted = st.form_submit_button("Run data-size curve" if curve else "Run sweep", type="primary")
    if not submitted:
        return
    what = "data-size curve" if curve else "sweep"
    if dataset is None:
        st.error(f"Nothing was trained: {data_problem or 'choose a data file first'}.")
        return
    try:
        request = parse_request({"lambd": lambd, "l1": l1, "keep_prob": keep_prob, "hidden": hidden,
                                 "seeds": seeds, "learning_rate": learning_rate, "num_iterations": num_iterations,
                                 "dev_fraction": dev_fraction, "train_fraction": fractions}, LABELS)
        request = dataclasses.replace(request, base=request.base.replace(dropout_mask=masks))
        if curve and not request.curve:
            raise ValueError(f"{LABELS['train_fraction']}: a data-size curve needs at least two fractions, "
                             f"got {fractions!r}")
        check_train_fractions(dataset, request.train_fractions, dev_mask(dataset, request.dev_fraction),
                              LABELS["train_fraction"])
        # Counted on all training points: an upper bound for the dev phase's smaller training set.
        limits.check_budget(request.models(), len(dataset.train_Y))
    except limits.LimitError as error:
        st.error(f"This {what} would train too much: {error} Or run it with the command line "
                 "(`python -m nnreg sweep`).", icon=":material/block:")
        return
    except ValueError as error:
        st.error(str(error))
        return
    run = st.session_state[run_key] = Run(request, len(request.models()))
    options = dict(dev_fraction=request.dev_fraction, on_row=run.rows.append)
    if curve:
        run.result = _train(run.total, run_curve, dataset, request.train_fractions, request.grid, request.seeds,
                            request.base, **options)
    else:
        run.result = _train(run.total, sweep, dataset, request.grid, request.seeds, request.base, **options)


def _upload_form():
    uploaded = st.file_uploader("A results file from `python -m nnreg sweep --out` or this page",
                                type=["csv", "parquet"], key="sweep_upload")
    if uploaded is None:
        return None
    try:
        return read_results(uploaded.getvalue(), uploaded.name)
    except ValueError as error:
        st.error(str(error))
        return None


def _downloads(rows, stem):
    """Every model's row, in the files the command line's ``--out`` writes."""
    with st.container(horizontal=True):
        for suffix, kind, mime in RESULT_FILES:
            st.download_button(f"Download results ({kind})", results_bytes(rows, suffix), file_name=stem + suffix,
                               mime=mime, on_click="ignore")


def _every_test() -> bool:
    """The switch that shows every setting's test accuracy, and what it means when on."""
    on = st.toggle("Test accuracy of every setting", key="sweep_test_all", bind=bind("sweep_test_all"),
                   help="Off, test accuracy is shown for the setting the dev set chose only, retrained on the "
                        "training data.")
    if on:
        st.caption("Every setting's test accuracy, to look at only: a setting chosen by it would have been chosen "
                   "on the test set, and its test accuracy would then overstate how well it generalizes. That is "
                   "what the dev set avoids: the choice here is made on dev.")
    return on


def _settings_table(rows, table, every_test: bool):
    """A row per setting of ``table`` (``summarize`` or ``comparison`` of the dev rows), every one
    shown, each with a link that opens it in the main page."""
    shown = table[[*GRID_FIELDS, "seeds"]].copy()
    for split in ("train", "dev", *(("test",) if every_test else ())):
        shown[f"{split} %"] = [mean_std(mean, std) for mean, std in
                               zip(table[f"{split}_accuracy_mean"], table[f"{split}_accuracy_std"])]
    shown["dev 95% interval"] = [interval(low, high) for low, high in
                                 zip(table["dev_accuracy_ci_low"], table["dev_accuracy_ci_high"])]
    shown["weight norm"] = table["weight_norm_mean"]
    if "verdict" in table:
        shown["vs chosen (dev)"] = table["verdict"]
    if untrained(table):
        shown["outcome"] = table["outcome"]
    # Relative: Streamlit serves the main page at the app's root.
    shown["open"] = ["/?" + main_page_query(rows, setting) for setting in table[list(GRID_FIELDS)].to_dict("records")]
    # A short header and an icon: every column stays in view on a page 1280 pixels wide.
    link = st.column_config.LinkColumn(
        "open", display_text=":material/open_in_new:",
        help="Opens the main page with the course's three models and this setting as a fourth, on the same data, "
             "network, training and seeds (an uploaded data file is to be uploaded there again)")
    # The course's symbols as headers, as in the metrics above; each setting's values as typed;
    # one precision per measured column.
    columns = {field: st.column_config.NumberColumn(SYMBOLS[field], format="%g") for field in GRID_FIELDS}
    columns["weight norm"] = st.column_config.NumberColumn("weight norm", format="%.2f",
                                                           help="The norm of all weights together, sqrt(Σ ‖W_l‖²), mean over seeds")
    # As tall as its rows: a setting scrolled out of sight is easily missed.
    st.dataframe(shown, hide_index=True, height="content", column_config={**columns, "open": link})


def show(rows):
    """The results of a sweep, run here or uploaded: the choice, its statistics, the curves."""
    table = comparison(rows)
    chosen = table[table["chosen"]].iloc[0]
    final = rows[rows["phase"] == "final"]
    *fields, right = st.columns(len(GRID_FIELDS) + 1)
    for column, field in zip(fields, GRID_FIELDS):
        column.metric(f"Chosen {SYMBOLS[field]}", f"{chosen[field]:g}")
    if final.empty:
        right.metric("Test accuracy (retrained)", "not in these results")
    else:
        stats = summarize(final).iloc[0]
        mean, std = stats.test_accuracy_mean, stats.test_accuracy_std
        low, high = stats.test_accuracy_ci_low, stats.test_accuracy_ci_high
        share = final["train_fraction"].iloc[0]
        data_used = "all training data" if share == 1 else f"{share:g} of the training data"
        right.metric("Test accuracy (retrained)", f"{mean_std(mean, std)} %",
                     help=f"chosen setting retrained on {data_used} over {stats.seeds} seed(s)"
                          + ("" if math.isnan(low) else f"; 95% interval {interval(low, high)} %"))
    tied = table[table["verdict"] == "within noise"]
    if len(tied):
        names = ", ".join(setting_name(row) for row in tied[list(GRID_FIELDS)].to_dict("records"))
        st.info(f"Within noise of the chosen setting on dev (the data cannot tell them apart): {names}")
    every_test = _every_test()
    _settings_table(rows, table, every_test)

    # A curve against each field the grid varies, the others held at the values picked here.
    dev = rows[rows["phase"] == "dev"]
    varying = [field for field in GRID_FIELDS if dev[field].nunique() > 1]
    held = {}
    for column, field in zip(st.columns(max(len(varying), 1)), varying):
        values = sorted(dev[field].unique(), reverse=field == "keep_prob")
        held[field] = column.selectbox(f"{SYMBOLS[field]} in the other curves", values,
                                       index=values.index(chosen[field]), format_func=lambda value: f"{value:g}",
                                       key=f"sweep_fixed_{field}")
    charts = [validation_curve(rows, field, {other: held[other] for other in varying if other != field}, every_test)
              for field in varying] + [weight_norm_chart(rows)]
    for start in range(0, len(charts), 2):
        for column, chart in zip(st.columns(2), charts[start:start + 2]):
            column.altair_chart(chart)
    _downloads(rows, "sweep_results")


def show_curve(rows, left_out):
    """A data-size curve, run here or uploaded: the chart, what it says, the table."""
    summary = curve_summary(rows)
    st.altair_chart(data_size_curve(summary), width="content")
    seeds = int(summary["seeds"].max())
    strengths = choice_note(summary)
    st.caption(" ".join([f"Lines: mean test accuracy over {seeds} seed(s), each seed its own initial weights, "
                         "dropout masks and share of the training points; bands: ± 1 standard deviation over "
                         "seeds.", *([f"Strengths: {strengths}."] if strengths else []),
                         "Each model was then retrained on that many points: the test set chose nothing.",
                         *curve_findings(rows, summary)]))
    st.dataframe(curve_table(summary), hide_index=True, height="content")
    if left_out:
        st.info(f"{left_out_note(left_out)}.")
    _downloads(rows, "data_size_curve")


def show_stopped(run: Run, curve: bool):
    """A run that Stop ended before it returned: the rows that finished, marked partial, with no
    choice claimed that its dev phase had not made."""
    what = "data-size curve" if curve else "sweep"
    stopped = f"The {what} was stopped after {len(run.rows)} of {plural(run.total, 'model')}"
    if not run.rows:
        st.warning(f"{stopped}: none had finished.", icon=":material/stop_circle:")
        return
    partial = f"{stopped}: these rows are all that finished."
    request = run.request
    if curve:
        result = stopped_curve(run.rows, request.grid, dev_fraction=request.dev_fraction)
        if result.summary.empty:
            st.warning(f"{partial} The dev phase had not finished, so no strength is chosen and no model retrained: "
                       "there is no curve yet.", icon=":material/stop_circle:")
            _downloads(result.rows, "data_size_curve_partial")
            return
        points = len(request.train_fractions) * (len(FAMILIES) - len(result.left_out))
        short = int((result.summary["seeds"] < request.seeds).sum())
        st.warning(f"{partial} {len(result.summary)} of the curve's {points} points were retrained"
                   + (f", {short} of them over fewer than {request.seeds} seeds" if short else "") + ".",
                   icon=":material/stop_circle:")
        show_curve(result.rows, result.left_out)
        return
    result = stopped_sweep(run.rows, request.grid, request.seeds, request.base, dev_fraction=request.dev_fraction)
    if result.chosen is None:
        st.warning(f"{partial} The dev phase had not finished, so no setting is chosen and no test accuracy is "
                   "reported.", icon=":material/stop_circle:")
        _settings_table(result.rows, summarize(result.rows), _every_test())
        _downloads(result.rows, "sweep_results_partial")
        return
    retrained = int((result.rows["phase"] == "final").sum())
    st.warning(f"{partial} Every dev model had finished, so the choice is the whole sweep's; its retraining "
               f"finished for {retrained} of {request.seeds} seeds.", icon=":material/stop_circle:")
    show(result.rows)


st.title("Sweep: choose λ, L1 and keep_prob on a dev set")
st.caption("Every setting is trained over several seeds on the training data minus a held-out dev set; "
           "the setting with the best mean dev accuracy is chosen and retrained on all training data, "
           "and only then is its test accuracy reported. A difference smaller than the spread over "
           "seeds (one standard deviation) is within noise. A data-size curve does the same for each "
           "regularizer alone, on several shares of the training data.")
for problem in link_problems.values():
    st.warning(problem, icon=":material/link_off:")

source = st.radio("Results", SOURCES, horizontal=True, key="sweep_source", bind=bind("sweep_source"))
if source == VIEW:
    rows = _upload_form()
    if rows is not None and is_curve(rows):
        show_curve(rows, [family for family in FAMILIES if family not in set(rows["family"])])
    elif rows is not None:
        show(rows)
else:
    curve = source == CURVE
    dataset, data_problem = _data_section()
    if data_problem:
        st.error(data_problem)
    elif dataset is None:
        st.info("Choose a data file to train on.", icon=":material/upload_file:")
    run_key = "sweep_curve_run" if curve else "sweep_run"
    _run_form(curve, dataset, data_problem, run_key)
    run = st.session_state.get(run_key)
    if run is not None and run.result is not None:
        if curve:
            show_curve(run.result.rows, run.result.left_out)
        else:
            show(run.result.rows)
    elif run is not None:
        show_stopped(run, curve)
