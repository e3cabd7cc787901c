"""The Sweep page: a λ × L1 × keep_prob grid over seeds, chosen on a dev set, or a data-size curve
(each regularizer's test accuracy as the training set grows), or a command line's results file,
shown as curves with bands over seeds."""

from __future__ import annotations

import math

import streamlit as st

from nnreg import data, limits
from nnreg.formatting import interval, mean_std
from nnreg.sweep_charts import SYMBOLS, data_size_curve, validation_curve, weight_norm_chart
from nnreg.sweeps import (DEFAULTS, FAMILIES, GRID_FIELDS, check_train_fractions, choice_note, comparison,
                          curve_findings, curve_summary, curve_table, data_size_curve as run_curve, dev_mask, is_curve,
                          left_out_note, parse_request, read_results, summarize, sweep)

RUN, CURVE, UPLOAD = "Run a sweep", "Run a data-size curve", "View a results file"
# Five seeds, not the command line's ten: the default grid (5 λ × 3 keep_prob, plus the retrained
# choice) then stays well inside the page's compute budget, at 80 course models; the default
# data-size curve at these four sizes, at 83.
DEFAULT_SEEDS = 5
CURVE_FRACTIONS = "0.1, 0.25, 0.5, 1"

st.title("Sweep: choose λ, L1 and keep_prob on a dev set")
st.caption("Every setting is trained over several seeds on the training data minus a held-out dev set; "
           "the setting with the best mean dev accuracy is chosen and retrained on all training data, "
           "and only then is its test accuracy reported. A difference smaller than the spread over "
           "seeds (one standard deviation) is within noise. A data-size curve does the same for each "
           "regularizer alone, on several shares of the training data.")


def _mark_stopped(key):
    st.session_state[key] = True


# Each field of a sweep request by its label, for messages.
LABELS = {"lambd": "λ values", "l1": "L1 values", "keep_prob": "keep_prob values", "hidden": "Hidden layer sizes",
          "learning_rate": "Learning rate", "num_iterations": "Iterations", "seeds": "Seeds",
          "dev_fraction": "Dev fraction", "train_fraction": "Training-set fractions"}


def _text(key, default, **options):
    # Text fields are in the link: any text is a value the widget can hold, and a bad one is named
    # by the checks below on Run.  Number fields are not: Streamlit drops or fails on a link value
    # its number widget cannot take, without a word.
    return st.text_input(LABELS[key], default, key=f"sweep_{key}", bind="query-params", **options)


def _train(models, stop_key, train, *arguments, **options):
    """``train(*arguments, **options)`` (a sweep or a curve) under a progress bar and a Stop button."""
    stop_slot, bar = st.empty(), st.progress(0.0, text=f"training {models} models")
    # Clicking Stop reruns the page: Streamlit ends this run at its next progress update, so the
    # models being trained stop within an iteration and no more start.
    stop_slot.button("Stop", key="sweep_stop", on_click=_mark_stopped, args=(stop_key,))

    shown = [0]

    def progress(done, total):
        shown[0] = done
        bar.progress(done / total, text=f"trained {done} of {total} models")

    def still_wanted():
        # A point where Streamlit ends this run when Stop is clicked or the page closes.
        progress(shown[0], models)

    result = train(*arguments, progress=progress, heartbeat=still_wanted, **options)
    stop_slot.empty()
    bar.empty()
    return result


def _run_form(curve: bool):
    """The form, and on Run the sweep's rows or the curve's (rows, families left out); else None."""
    for key, default in (("sweep_seeds", DEFAULT_SEEDS), ("sweep_iterations", int(DEFAULTS["num_iterations"])),
                         ("sweep_learning_rate", float(DEFAULTS["learning_rate"]))):
        st.session_state.setdefault(key, default)
    with st.form("sweep_form"):
        left, right = st.columns(2)
        with left:
            name = st.selectbox("Data", data.list_datasets(), key="sweep_data")
            lambd = _text("lambd", DEFAULTS["lambd"], help="L2 strengths, 0 or more, separated by commas or spaces")
            l1 = _text("l1", DEFAULTS["l1"], help="L1 strengths, 0 or more, separated by commas or spaces")
            keep_prob = _text("keep_prob", DEFAULTS["keep_prob"],
                              help="in (0, 1], separated by commas or spaces; 1 is no dropout")
        with right:
            fractions = DEFAULTS["train_fraction"]
            if curve:
                fractions = _text("train_fraction", CURVE_FRACTIONS,
                                  help=f"shares of the training points, from {limits.MIN_TRAIN_FRACTION:g} to 1, "
                                       "at least two; each regularizer's strength is chosen on the dev set at "
                                       "each share")
            # Number fields without bounds that may be emptied: every typed value reaches the checks
            # below, which name it and what is allowed, as the main page and the command line do.
            seeds = st.number_input("Seeds", value=None, step=1, key="sweep_seeds",
                                    help="each seed sets the initial weights and the dropout masks")
            num_iterations = st.number_input("Iterations", value=None, step=100, key="sweep_iterations")
            dev_fraction = st.slider(LABELS["dev_fraction"], 0.1, 0.5, float(DEFAULTS["dev_fraction"]), 0.05,
                                     key="sweep_dev_fraction",
                                     help="share of the training points held out to choose on")
        with st.expander("Network"):
            hidden = _text("hidden", DEFAULTS["hidden"], help=limits.LAYERS_HELP)
            learning_rate = st.number_input("Learning rate", value=None, step=0.05, key="sweep_learning_rate")
        submitted = st.form_submit_button("Run data-size curve" if curve else "Run sweep", type="primary")
    if not submitted:
        return None
    what = "data-size curve" if curve else "sweep"
    try:
        dataset = data.load_dataset(name)
        request = parse_request({"lambd": lambd, "l1": l1, "keep_prob": keep_prob, "hidden": hidden,
                                 "seeds": seeds, "learning_rate": learning_rate, "num_iterations": num_iterations,
                                 "dev_fraction": dev_fraction, "train_fraction": fractions}, LABELS)
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
        return None
    except ValueError as error:
        st.error(str(error))
        return None
    models = len(request.models())
    if curve:
        result = _train(models, "sweep_curve_stopped", run_curve, dataset, request.train_fractions, request.grid,
                        request.seeds, request.base, dev_fraction=request.dev_fraction)
        st.session_state["sweep_curve"] = result.rows, result.left_out
        return result.rows, result.left_out
    result = _train(models, "sweep_stopped", sweep, dataset, request.grid, request.seeds, request.base,
                    dev_fraction=request.dev_fraction)
    st.session_state["sweep_rows"] = result.rows
    return result.rows


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


def _setting_name(row) -> str:
    return "/".join(f"{SYMBOLS[field]}={getattr(row, field):g}" for field in GRID_FIELDS)


def _summary_table(table):
    shown = table[[*GRID_FIELDS, "seeds"]].copy()
    for split in ("train", "dev", "test"):
        shown[f"{split} %"] = [mean_std(mean, std) for mean, std in
                               zip(table[f"{split}_accuracy_mean"], table[f"{split}_accuracy_std"])]
    shown["dev 95% interval"] = [interval(low, high) for low, high in
                                 zip(table["dev_accuracy_ci_low"], table["dev_accuracy_ci_high"])]
    shown["weight norm"] = table["weight_norm_mean"].round(3)
    shown["vs chosen (dev)"] = table["verdict"]
    return shown


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
        names = ", ".join(_setting_name(row) for row in tied.itertuples())
        st.info(f"Within noise of the chosen setting on dev (the data cannot tell them apart): {names}")
    st.dataframe(_summary_table(table), hide_index=True)

    # A curve against each field the grid varies, the others held at the values picked here.
    dev = rows[rows["phase"] == "dev"]
    varying = [field for field in GRID_FIELDS if dev[field].nunique() > 1]
    held = {}
    for column, field in zip(st.columns(max(len(varying), 1)), varying):
        values = sorted(dev[field].unique(), reverse=field == "keep_prob")
        held[field] = column.selectbox(f"{SYMBOLS[field]} in the other curves", values,
                                       index=values.index(chosen[field]), key=f"sweep_fixed_{field}")
    charts = [validation_curve(rows, field, {other: held[other] for other in varying if other != field})
              for field in varying] + [weight_norm_chart(rows)]
    for start in range(0, len(charts), 2):
        for column, chart in zip(st.columns(2), charts[start:start + 2]):
            column.altair_chart(chart)
    st.download_button("Download results (CSV)", rows.to_csv(index=False, lineterminator="\n"),
                       file_name="sweep_results.csv", mime="text/csv")


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
    st.dataframe(curve_table(summary), hide_index=True)
    if left_out:
        st.info(f"{left_out_note(left_out)}.")
    st.download_button("Download results (CSV)", rows.to_csv(index=False, lineterminator="\n"),
                       file_name="data_size_curve.csv", mime="text/csv")


# In the link, so that a shared link opens the data-size curve with its fractions; Streamlit opens
# the first choice for a value that is none of these.
source = st.radio("Results", [RUN, CURVE, UPLOAD], horizontal=True, key="sweep_source", bind="query-params")
if source == UPLOAD:
    rows = _upload_form()
    if rows is not None and is_curve(rows):
        show_curve(rows, [family for family in FAMILIES if family not in set(rows["family"])])
    elif rows is not None:
        show(rows)
elif source == CURVE:
    result = _run_form(curve=True)
    if result is None:
        if st.session_state.pop("sweep_curve_stopped", False):
            st.warning("The data-size curve was stopped; nothing from it was kept.")
        result = st.session_state.get("sweep_curve")
    if result is not None:
        show_curve(*result)
else:
    rows = _run_form(curve=False)
    if rows is None:
        if st.session_state.pop("sweep_stopped", False):
            st.warning("The sweep was stopped; nothing from it was kept.")
        rows = st.session_state.get("sweep_rows")
    if rows is not None:
        show(rows)
