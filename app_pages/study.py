"""The study page: what regularization does to a small neural network, three models side by side.

This script only lays out widgets and results; the models, charts, table and messages come from
the nnreg package.  Every control is bound to the URL, so a copied link reproduces the view.
"""

import time

import streamlit as st

import nnreg
from app_pages import shared
from app_pages.player import player
from nnreg import charts, dashboard, limits
from nnreg.dashboard import CONTROLS, UPLOAD
from nnreg.specs import DEFAULT_SPECS, MAX_MODELS, parse_specs, parse_specs_kept


warm_up = shared.engine_warm_up()


# Each chart is drawn once per ``inputs`` (everything it shows) and replayed by Streamlit after:
# building and validating a Vega-Lite spec is most of what a rerun would otherwise spend.
@st.cache_data(max_entries=128, show_spinner=False)
def chart(inputs, height, _build, width="stretch"):
    st.altair_chart(_build(), height=height, width=width)


def progress_tracker(what):
    """A progress bar for training ``what``, and the heartbeat that redraws it while models train."""
    slot, started, shown = st.empty(), time.monotonic(), [0, 1]

    def update(done, total):
        shown[:] = done, total
        slot.progress(done / total, text=f"Training {what}: {done} of {total} done "
                                         f"({time.monotonic() - started:.0f} s)")

    def heartbeat():
        # Each redraw is a point where Streamlit ends this run if the page reran or closed; the
        # models this run trains then stop within an iteration.
        update(*shown)

    return slot, update, heartbeat


def model_columns(items):
    """A column for each model's item, in rows of ``dashboard.models_per_row``, every column as
    wide as in a full row."""
    items = list(items)
    per_row = dashboard.models_per_row(len(items))
    for start in range(0, len(items), per_row):
        yield from zip(st.columns(per_row, gap="medium"), items[start: start + per_row])


def model_ids(runs):
    """What identifies trained models: their data and their settings."""
    return tuple((run.dataset_fingerprint, run.settings) for run in runs)


def set_models(specs):
    """Make ``specs`` the page's list of models: for the models, in the link (one ``model``
    parameter each) and in a fresh table to edit."""
    texts = [str(spec) for spec in specs]
    st.session_state["nnreg_models"] = texts
    st.session_state["nnreg_editor"] = {"version": st.session_state.get("nnreg_editor", {}).get("version", 0) + 1,
                                        "models": texts}
    st.query_params["model"] = texts


def apply_preset(name):
    for key, value in dashboard.PRESETS[name].items():
        st.session_state[key] = dashboard.widget_value(key, value)
    set_models(parse_specs(DEFAULT_SPECS))


def load_settings():
    """A settings file from the download below, loaded back: its controls and its list of models;
    what it cannot use is named and the rest kept (in the callback, before the widgets exist)."""
    upload = st.session_state["settings_file"]
    if upload is None:
        return
    try:
        values, specs, problems = dashboard.read_settings(upload.getvalue(), dashboard.dataset_choices())
    except ValueError as error:
        typed_problems["settings_file"] = f"{upload.name}: {error}."
        return
    for key, value in values.items():
        st.session_state[key] = dashboard.widget_value(key, value)
    set_models(specs)
    for number, problem in enumerate(problems):
        typed_problems[f"settings_file_{number}"] = f"{upload.name}: {problem}"


def refuse_bad_typed(key, label):
    """A typed value the models cannot use is quoted in a message and the field goes back to the
    value the models use; one they can use stays as typed, less spaces around it (set here, in
    the callback, before the widget exists in the next run)."""
    typed = st.session_state[key]
    # A number goes back as it was typed when it was used ("1e9", not 1000000000).
    using = used_texts.get(key, used[key])
    problem = dashboard.typed_problem(key, label, typed, using, dashboard.dataset_choices())
    if problem:
        st.session_state[key] = dashboard.widget_value(key, using)
        typed_problems[key] = problem
    else:
        st.session_state[key] = typed.strip()


def editor_key():
    return f"models_{st.session_state['nnreg_editor']['version']}"


def edited_models():
    """The list of models as the table's edits left it (read before the table is drawn, so that the
    models above it are already the edited ones), and a message for each row it cannot use.  A
    usable list becomes the page's list and the link's; otherwise the list stays as it was."""
    specs = parse_specs(st.session_state["nnreg_models"])
    edits = st.session_state.get(editor_key())
    if not edits:
        return specs, []
    frame = dashboard.edited_frame(dashboard.specs_frame(parse_specs(st.session_state["nnreg_editor"]["models"])),
                                   edits)
    typed_specs, problems = dashboard.frame_specs(frame)
    problems = [f"{problem}. The other models are compared." for problem in problems]
    if not typed_specs:
        return specs, [*problems, "The list has no model that can be used: the page keeps comparing "
                       + ", ".join(spec.name for spec in specs) + "."]
    if [str(spec) for spec in typed_specs] != st.session_state["nnreg_models"]:
        st.session_state["nnreg_models"] = [str(spec) for spec in typed_specs]
        st.query_params["model"] = st.session_state["nnreg_models"]
    return typed_specs, problems


def models_editor():
    """The table of models, from the list it started with (a preset or a settings file starts a new one)."""
    st.caption(f"One row per model, 1 to {MAX_MODELS}: add a row at the bottom, delete one by selecting it. A cell "
               "showing None takes the sidebar's value. Changes are measured against the first model. In a link, "
               "each model is one `model` parameter, written `NAME:key=value,...` (e.g. `L2 big:lambd=3`), as "
               "`python -m nnreg compare --model` takes it.")

    def number_column(label, key, help, width):
        # Text, read by the column's rules: a number column would store "1e9" as 19 and empty "abc".
        return st.column_config.TextColumn(label, help=f"{help}: {limits.RANGES[key].allowed()}", width=width)

    # Column widths in pixels: the whole table fits the page beside the sidebar at 1280 pixels.
    st.data_editor(
        dashboard.specs_frame(parse_specs(st.session_state["nnreg_editor"]["models"])), key=editor_key(),
        num_rows="dynamic", hide_index=True, width="content",
        column_config={
            "name": st.column_config.TextColumn("name", help="The model's name, its own on the page", width=170),
            "lambd": number_column("λ", "lambd", "L2's strength (lambd)", 60),
            "l1": number_column("l1", "l1", "L1's strength, which sets weights exactly to 0", 60),
            "keep_prob": number_column("keep_prob", "keep_prob", "Dropout: each hidden unit kept with this probability",
                                       95),
            "early_stopping": st.column_config.CheckboxColumn("stop early", help="Keeps its best dev iteration",
                                                              width=90),
            "layers": st.column_config.TextColumn("hidden layers", help=limits.LAYERS_HELP, width=110),
            "learning_rate": number_column("α", "learning_rate", "Learning rate", 60),
            "num_iterations": number_column("iterations", "num_iterations", "Gradient descent steps", 90)})


def bind(key):
    # A control whose link value was refused starts from its default, unbound for this run.
    return None if key in url_problems else "query-params"


def number(label, key, **options):
    # A number typed as text: a number field would turn "1e9" into 1, "1,5" into 15 and "abc" into
    # an empty field in the browser, before the page could say what was typed.  Every typed text
    # reaches refuse_bad_typed, which quotes it and says what is allowed, or keeps it as typed.
    control = CONTROLS[key]
    text = st.text_input(label, dashboard.shown_value(key, control.default), key=key, bind=bind(key),
                         on_change=refuse_bad_typed, args=(key, label),
                         help=" ".join(filter(None, [options.pop("help", None),
                                                     control.range.allowed().capitalize() + "."])),
                         **options)
    used_texts[key] = text
    return dashboard.parse_value(key, text, [])


def slider(label, key, **options):
    control = CONTROLS[key]
    return st.slider(label, control.low, control.high, control.default, control.step,
                     key=key, bind=bind(key), **options)


# Read the link before any widget exists, on the session's first run (later runs take the
# fields' values): Streamlit drops a value its widget cannot take without a word, so this is the
# only moment to say which one was not used.
url_problems = {}
if "nnreg_used" not in st.session_state:
    if st.query_params.get("view") in dashboard.RENAMED_VIEWS:
        # The tabs read a bound value from the session, not from a parameter changed in this run.
        st.session_state["view"] = st.query_params["view"] = dashboard.RENAMED_VIEWS[st.query_params["view"]]
    url_problems = dashboard.check_query_params(st.query_params.to_dict(), dashboard.dataset_choices())
    for key in url_problems:
        del st.query_params[key]
# The list of models, read once per session from the link: one `model` parameter per model, or an
# older link's λ, keep_prob and optional models, or the course's three.
model_problems = []
if "nnreg_models" not in st.session_state:
    listed = st.query_params.get_all("model")
    specs, model_problems = (parse_specs_kept(listed) if listed else dashboard.legacy_specs(st.query_params.to_dict()))
    if listed and not specs:
        model_problems.append("None of the link's models could be used: the page compares the course's three.")
    for key in dashboard.LEGACY_KEYS:
        if key in st.query_params:
            del st.query_params[key]
    set_models(specs or parse_specs(DEFAULT_SPECS))
    if not listed and specs is None:
        # The course's three need no parameters: a link without them means this list.
        del st.query_params["model"]
# The values the models used in the last run, which a refused typed value falls back to.
used = st.session_state.setdefault("nnreg_used", {key: control.default for key, control in CONTROLS.items()})
typed_problems = st.session_state.setdefault("nnreg_typed_problems", {})
used_texts = st.session_state.setdefault("nnreg_used_texts", {})
chosen = {key: control.default for key, control in CONTROLS.items()}

# --- Sidebar: every setting of the study --------------------------------------------------------
with st.sidebar:
    st.button(dashboard.COURSE_PRESET, on_click=apply_preset, args=(dashboard.COURSE_PRESET,),
              icon=":material/school:", width="stretch",
              help="The course's network, training and regularizers, with fresh dropout masks at every "
                   "iteration: inverted dropout as the course teaches it. The data stays as chosen.")
    st.button(dashboard.NOTEBOOK_PRESET, on_click=apply_preset, args=(dashboard.NOTEBOOK_PRESET,),
              icon=":material/menu_book:", width="stretch",
              help="The same with the notebook's fixed dropout masks, drawn once and reused at every "
                   "iteration. With the course's own data file uploaded, this gives the published table.")

    st.header("Data")
    chosen["data"] = st.selectbox("Dataset", dashboard.dataset_choices(), key="data", bind="query-params",
                                  help="The built-in football field, a synthetic set, a file in data/, "
                                       "or your own .csv, .mat or .npz file.")
    if chosen["data"] in nnreg.data.SYNTHETIC:
        chosen["n_points"] = number("Number of points", "n_points", help="Split half and half into train and test.")
        chosen["noise"] = slider("Noise", "noise", help="Jitter added to every point: more noise, more to overfit.")
        chosen["data_seed"] = number("Data seed", "data_seed")
    chosen["train_fraction"] = slider("Share of training points used", "train_fraction", format="%.2f",
                                      help="More data is a regularizer too: every model trains on this seeded, "
                                           "stratified share of the training points (the same share of each label; "
                                           "the test points stay all). 1 uses them all, as the course does.")
    upload = None
    if chosen["data"] == UPLOAD:
        upload = st.file_uploader("Your data", type=["csv", "mat", "npz"],
                                  help="CSV with columns x1, x2, y and optionally split (train/test); "
                                       ".mat or .npz with arrays X, y, Xval, yval as in the course.")

    st.header("Network and training")
    chosen["learning_rate"] = number("Learning rate α", "learning_rate")
    chosen["num_iterations"] = number("Iterations", "num_iterations")
    layers_text = st.text_input("Hidden layer sizes", CONTROLS["layers"].default, key="layers",
                                bind=bind("layers"), on_change=refuse_bad_typed, args=("layers", "Hidden layer sizes"),
                                help=f"2-20-3-1 in the course: hidden layers 20, 3. {limits.LAYERS_HELP}.")
    chosen["layers"] = limits.parse_layers(layers_text)
    chosen["n_seeds"] = number("Number of seeds", "n_seeds",
                               help="Above 1, every model is trained from init seeds 0 to N − 1, the dropout "
                                    "seed following the init seed, as `python -m nnreg reproduce --seeds N` "
                                    "does: the table shows mean ± std, the boundary the mean probability.")
    chosen["seed"] = number("Init seed", "seed", disabled=chosen["n_seeds"] > 1,
                            help="Seeds the initial weights (3 in the course)"
                                 + (f"; with {chosen['n_seeds']} seeds, init seeds 0 to {chosen['n_seeds'] - 1} "
                                    "are used." if chosen["n_seeds"] > 1 else "."))

    st.header("Regularization")
    st.caption("Each model's λ, l1, keep_prob and more are in the table of models below their columns "
               "(Edit the models); these apply to every model.")
    chosen["dropout_mask"] = st.radio("Dropout masks", CONTROLS["dropout_mask"].options, key="dropout_mask",
                                      bind="query-params", horizontal=True,
                                      help="fresh: new masks every iteration; fixed: the same masks every "
                                           "iteration, as the original notebook drew them.")
    chosen["dev_fraction"] = slider("Early stopping's dev share", "dev_fraction", format="%.2f",
                                    help="A model that stops early holds this seeded, stratified share of its "
                                         "training points out, and keeps the recorded iteration with the best "
                                         "accuracy on them (the earliest of ties). The test set never chooses.")
    chosen["stop_early"] = st.toggle("Every model stops early", key="stop_early", bind="query-params",
                                     help="Each model keeps its best dev iteration instead of its last.")

    st.header("Settings file")
    st.file_uploader("Load settings (JSON)", type=["json"], key="settings_file", on_change=load_settings,
                     help="A file from this page's Settings (JSON) download: its controls and its models.")
used.update(chosen)

# --- Data -------------------------------------------------------------------------------------------
dataset, dataset_problem = None, None
try:
    if chosen["data"] != UPLOAD:
        dataset = shared.load_dataset(chosen["data"], chosen["n_points"], chosen["noise"], chosen["data_seed"])
    elif upload is not None:
        dataset = shared.read_upload(upload.getvalue(), upload.name)
except nnreg.DatasetError as error:
    dataset_problem = f"{error}. The page shows the built-in football data instead."
if dataset is None:
    dataset = shared.load_dataset(nnreg.data.BUILTIN, None, None, None)

# The list of models, as the table below the models' columns has it.
specs, list_problems = edited_models()


st.title("What regularization does to a network")
for problem in [*url_problems.values(), *model_problems]:
    st.warning(problem, icon=":material/link_off:")
for key in list(typed_problems):
    st.warning(typed_problems.pop(key), icon=":material/edit_off:")
if chosen["data"] == UPLOAD and upload is None:
    st.info("Choose a file in the sidebar; until then the page shows the built-in football data.",
            icon=":material/upload_file:")
if dataset_problem:
    st.error(dataset_problem)

if dataset.name == nnreg.data.BUILTIN:
    st.markdown(
        "France's goalkeeper kicks the ball up the field; each point is where a header happened: "
        "**:blue[blue]** (label 1) where a French player won it, **:red[red]** (label 0) where the opponent "
        "did. A few were won against the odds: noise that an unregularized network learns by heart, and "
        "that L2 and dropout teach it to ignore.")
else:
    st.markdown("Each point is one example with two features, x1 and x2: **:blue[blue]** is label 1, "
                "**:red[red]** is label 0. The network learns to tell them apart from the training points; "
                "the test points show how well that generalizes.")
st.caption(f"Dataset **{dataset.name}**: {len(dataset.train_Y)} training points (circles), "
           f"{len(dataset.test_Y)} test points (triangles).")
toggles, legend = st.columns([2, 1], vertical_alignment="center")
with toggles.container(horizontal=True, gap="medium"):
    show_test = st.toggle("Show test points", CONTROLS["test_points"].default, key="test_points",
                          bind="query-params")
    discretize = st.toggle("Discretize the boundaries (hard regions)", key="discretize", bind="query-params",
                           help="Each point of the field takes the color of the label the model predicts "
                                "there: blue where P(label 1) > 0.5, red elsewhere.")
    ring_errors = st.toggle("Ring misclassified points", key="ring_errors", bind="query-params",
                            help="Rings every point drawn that the model labels wrong: P(label 1) > 0.5 for a red "
                                 "point, at most 0.5 for a blue one (the mean P over the seeds when there are "
                                 "several). Hover anywhere on a boundary for P(label 1) there.")

with legend:
    chart(("boundary legend", discretize), "content", lambda: charts.boundary_legend(discretize), width="content")

# --- The models -------------------------------------------------------------------------------------
models = dashboard.model_settings(specs, chosen)
titles = {spec.name: dashboard.model_title(spec, models[spec.name]) for spec in specs}
model_runs = {name: dashboard.seed_runs(settings, chosen["n_seeds"]) for name, settings in models.items()}
every_run = [run for model in model_runs.values() for run in model]
try:
    limits.check_budget(every_run, len(dataset.train_Y))
except limits.LimitError as error:
    # Refused before anything trains: a shared link must not hold a public server for long.
    st.error(f"This page would train too much: {error}", icon=":material/block:")
    st.stop()
data_problem = dashboard.data_problem(dataset, models)
if data_problem:
    st.error(f"The models cannot train on this data: {data_problem}. Change the share of training points used "
             "or early stopping's dev share, or choose more points.", icon=":material/block:")
    st.stop()
to_train = shared.model_cache().missing(dataset, every_run)
if to_train and warm_up is not None and warm_up.is_alive():
    with st.spinner("Compiling the fast training engine (first start only)…"):
        warm_up.join()
progress, show_progress, still_wanted = progress_tracker("models")
if to_train:
    show_progress(0, len(to_train))
trained = dict(zip(every_run, shared.model_cache().results(dataset, every_run, show_progress, still_wanted)))
progress.empty()
results = {name: [trained[run] for run in model] for name, model in model_runs.items()}
table = dashboard.accuracy_table(results, titles)
first = {name: runs[0] for name, runs in results.items()}
baseline = specs[0].name
points_note = dashboard.points_caption(first, len(dataset.train_Y))
if points_note:
    st.caption(points_note)
# The deeper views show one run per model; with several seeds, they say which.
first_runs = (f" The runs with init seed {first[baseline].settings.seed}." if chosen["n_seeds"] > 1 else "")

for index, (column, (spec, runs)) in enumerate(model_columns(zip(specs, results.values()))):
    name = spec.name
    with column:
        st.subheader(nnreg.settings.title(name), anchor=False)
        st.caption(dashboard.model_strength(spec, runs[0].settings) or "the shared settings, no regularizer")
        # A diverged run is no result (an error); a collapsed model is one that learned nothing.
        for kind, problem in sorted({(run.outcome.kind, dashboard.training_problem(run)) for run in runs
                                     if run.outcome.kind != nnreg.training.TRAINED}):
            (st.error if kind == nnreg.training.DIVERGED else st.warning)(problem)
        several = len(runs) > 1
        train_metric, test_metric = st.columns(2)
        train_metric.metric("Mean train" if several else "Train accuracy",
                            f"{table.loc[name, 'Train accuracy']:.1%}")
        change = dashboard.accuracy_change(table, name)
        test_metric.metric("Mean test" if several else "Test accuracy",
                           f"{table.loc[name, 'Test accuracy']:.1%}", delta=change.text,
                           delta_color=change.color, delta_arrow=change.arrow,
                           help=None if name == baseline else f"The change is against {nnreg.settings.title(baseline)}"
                           + (": colored when beyond noise, \"≈ noise\" when it is at most the spread (the larger "
                              "standard deviation) of test accuracy over the seeds." if several else "."))
        with st.container(key=f"boundary_{index}"):
            chart(("boundary", model_ids(runs), discretize, show_test, ring_errors), "content",
                  lambda: charts.decision_boundary(runs, dataset, discretize=discretize, show_test=show_test,
                                                   ring_errors=ring_errors),
                  width="content")
        if several:
            st.caption(f"Means over {len(runs)} runs, init seeds 0 to {len(runs) - 1}.")
        st.download_button("Weights (.npz)", dashboard.weights_npz(runs[0]), f"nnreg-model-{index + 1}-weights.npz",
                           "application/octet-stream", on_click="ignore", icon=":material/download:",
                           key=f"weights_{index}", help="W1, b1, ... in the course's shapes"
                           + (f", from the run with init seed {runs[0].settings.seed}." if len(runs) > 1 else "."))

# --- The list of models, as a table to edit ----------------------------------------------------------
with st.expander("Edit the models: change, add or remove them (1 to 6)", icon=":material/edit_note:",
                 key="models_expander"):
    models_editor()
for problem in list_problems:
    st.warning(problem, icon=":material/edit_off:")

# --- Lessons: example links a teacher can share ----------------------------------------------------------
with st.expander("Lessons: open an example in one click, or copy its link to share", key="lessons_expander",
                 icon=":material/cast_for_education:"):
    st.markdown(dashboard.lessons_markdown(chosen))
    if chosen["data"] == UPLOAD:
        st.caption("An uploaded file cannot travel in a link: these open on the built-in data. A file placed in the "
                   "server's data/ folder can (docs/dashboard.md, \"Hosting the course's file for a class\").")

# --- Accuracy table ---------------------------------------------------------------------------------
st.header("Accuracy")
with st.container(key="accuracy_table"):
    st.table(dashboard.style_table(table), hide_index=True)
st.caption(" ".join(filter(None, [
    "The best test accuracy is highlighted. Gap = train − test accuracy: how much a model overfits.",
    dashboard.outcome_note(table),
    (f"Mean and standard deviation over {chosen['n_seeds']} init seeds. Test change: the mean test accuracy minus "
     f"{nnreg.settings.title(baseline)}'s, within noise when it is at most the larger of their standard deviations."
     if chosen["n_seeds"] > 1 else "")])))
with st.container(horizontal=True):
    st.download_button("Table (CSV)", dashboard.table_csv(table), "nnreg-accuracy.csv", "text/csv",
                       on_click="ignore", icon=":material/download:")
    st.download_button("Settings (JSON)", dashboard.settings_json(chosen, dataset, specs, models, chosen["n_seeds"]),
                       "nnreg-settings.json", "application/json", on_click="ignore", icon=":material/download:")

# --- Deeper views, each drawn only while its tab is open ------------------------------------------------
# A first visit draws the one tab it opens; the open tab is in the link.
weights_tab, network_tab, curves_tab, replay_tab, units_tab, masks_tab, data_tab, math_tab = st.tabs(
    dashboard.VIEWS, key="view", bind="query-params", on_change="rerun")

if weights_tab.open:
    with weights_tab:
        st.markdown(dashboard.weights_notice(first))
        st.caption(dashboard.weight_decay_caption(first))
        if chosen["n_seeds"] > 1:
            st.caption(f"Weights of the runs with init seed {first[baseline].settings.seed}.")
        bars, spread, over_time = st.container(key="weight_charts").columns(3, gap="medium")
        height = charts.model_chart_height(list(first))
        with bars:
            st.subheader("‖W‖ per layer", anchor=False)
            chart(("norms", tuple(first), model_ids(first.values())), height, lambda: charts.weight_norms(first))
        with spread:
            st.subheader("Every weight, |w|", anchor=False)
            chart(("distribution", tuple(first), model_ids(first.values())), height,
                  lambda: charts.weight_distribution(first))
        with over_time:
            st.subheader("‖W‖ while training", anchor=False)
            chart(("norm history", tuple(first), model_ids(first.values())), height,
                  lambda: charts.norm_history(first))

if network_tab.open:
    with network_tab:
        weight_max, bias_max = charts.network_scale(first)
        st.markdown(dashboard.network_notice(first))
        st.caption(dashboard.network_caption(first) + first_runs)
        for index, (column, (name, result)) in enumerate(model_columns(first.items())):
            with column, st.container(key=f"network_{index}"):
                st.subheader(nnreg.settings.title(name), anchor=False)
                chart(("network", model_ids(first.values()), name), "content",
                      lambda: charts.network_graph(result, weight_max, bias_max, result.fitted(dataset)[0].T),
                      width="content")

if curves_tab.open:
    with curves_tab:
        # One y-range for every model's curves, so that gaps compare across the columns.
        cost_domain, accuracy_domain = charts.curve_domains(first.values())
        curve_inputs = (model_ids(first.values()), tuple(cost_domain), tuple(accuracy_domain))
        # Its accuracies are one run's, where the table's are means over the seeds.
        st.markdown(dashboard.curves_notice(first) + first_runs)
        if chosen["n_seeds"] > 1:
            st.caption(f"The curves of the runs with init seed {first[baseline].settings.seed}.")
        for index, (column, (name, result)) in enumerate(model_columns(first.items())):
            with column, st.container(key=f"curves_{index}"):
                st.subheader(nnreg.settings.title(name), anchor=False)
                chart(("cost curves", model_ids([result]), curve_inputs), "content",
                      lambda: charts.cost_curves(result, cost_domain))
                chart(("accuracy curves", model_ids([result]), curve_inputs), "content",
                      lambda: charts.accuracy_curves(result, accuracy_domain))
                note = dashboard.dropout_note(result, dataset)
                if note:
                    st.caption(note)

if replay_tab.open:
    with replay_tab:
        checkpoint_accuracies = {name: nnreg.study.checkpoint_accuracies(result, dataset)
                                 for name, result in first.items()}
        st.markdown(dashboard.replay_notice(first, checkpoint_accuracies))
        st.caption(dashboard.replay_caption(first, checkpoint_accuracies) + first_runs)
        player(".st-key-replay", charts.FRAME_MS, charts.replay_steps(first)[1], key="replay_player")
        with st.container(key="replay"):
            chart(("replay", model_ids(first.values()), show_test), "content",
                  lambda: charts.replay(first, dataset, show_test), width="content")
        st.caption("Drag the slider, or play: every checkpoint was sent with the page, so the models move in "
                   "your browser. The boundary, accuracies and ‖W‖ are the model's after that many updates; "
                   "the grey line marks the checkpoint on the accuracy curves, whose y-range all models share.")

if units_tab.open:
    with units_tab:
        st.markdown(dashboard.units_notice(first, dataset))
        scale_max = charts.unit_scale_max(first.values(), dataset)
        st.caption("Each picture is one hidden unit's output over the field, on one scale per hidden layer that every "
                   "model shares: empty (the page shows through) where the output is 0, solid grey at the layer's "
                   "largest output in any of these models ("
                   + ", ".join(f"hidden layer {l}: {top:.2f}" for l, top in enumerate(scale_max, start=1))
                   + f"). The scale is logarithmic, so that outputs {10 ** charts.UNIT_DECADES:,} times smaller than "
                   "the largest still show; each layer's legend gives its values."
                   + (" An amber cross marks a unit that one sampled dropout mask drops."
                      if any(result.settings.keep_prob < 1 for result in first.values()) else "")
                   + first_runs)
        for index, (column, (name, result)) in enumerate(model_columns(first.items())):
            with column, st.container(key=f"units_{index}"):
                st.subheader(nnreg.settings.title(name), anchor=False)
                settings = result.settings
                mask = (nnreg.network.unit_mask(settings.layer_dims, settings.keep_prob, settings.dropout_seed)
                        if settings.keep_prob < 1 else None)
                chart(("units", model_ids([result]), tuple(scale_max)), "content",
                      lambda: charts.hidden_units(result, dataset, scale_max, mask), width="content")
                st.caption(dashboard.units_caption(result, result.fitted(dataset)[0], mask))

if masks_tab.open:
    with masks_tab:
        # Twenty more models, which only this tab needs: the first dropout model of the list, or the
        # course's on the shared settings.
        using = dashboard.first_using(models, "keep_prob")
        dropout_model = (using[1] if using else dashboard.shared_settings(chosen).replace(
            keep_prob=nnreg.STUDY["dropout"].keep_prob)).replace(seed=chosen["seed"])
        single_run = dropout_model.replace(dropout_mask="fixed")
        mask_runs = nnreg.study.mask_runs(dropout_model)
        section_runs = [single_run, *(run for runs in mask_runs.values() for run in runs)]
        try:
            limits.check_budget(section_runs, len(dataset.train_Y))
        except limits.LimitError as error:
            st.error(f"This view would train too much: {error}", icon=":material/block:")
        else:
            bar, show_section_progress, section_wanted = progress_tracker("dropout, each seed and mask")
            done = dict(zip(section_runs, shared.model_cache().results(dataset, section_runs, show_section_progress,
                                                                       section_wanted)))
            bar.empty()
            single = done[single_run]
            mask_results = {mask: [done[run] for run in runs] for mask, runs in mask_runs.items()}
            mask_summary = nnreg.study.mask_summary(mask_results, single)
            st.markdown(dashboard.masks_notice(mask_summary, single))
            st.markdown(dashboard.masks_caption(mask_summary, single))
            chart(("mask runs", model_ids(done.values())), 220, lambda: charts.mask_runs(mask_results, single))
            st.caption((f"{nnreg.settings.title(using[0])}: e" if using else "No model of the list uses dropout: the "
                        "course's dropout on the shared settings. E")
                       + f"ach dot is one init seed's test accuracy (keep_prob = {dropout_model.keep_prob:g}); the "
                       f"grey bar is each row's mean; the ringed diamond is the notebook's run (init seed "
                       f"{single.settings.seed}, fixed masks). Fixed: one set of masks drawn once, as the notebook "
                       "did; fresh: new masks at every iteration, dropout seed = init seed.")

if data_tab.open:
    with data_tab:
        st.markdown(dashboard.data_notice(dataset, show_test))
        chart(("field", dataset.fingerprint, show_test), "content", lambda: charts.dataset_points(dataset, show_test),
              width="content")

if math_tab.open:
    # Each regularizer's numbers from the first model that uses it, else the course's.
    l2, dropout, l1 = (dashboard.first_using(models, field) for field in ("lambd", "keep_prob", "l1"))
    lambd = l2[1].lambd if l2 else nnreg.STUDY["l2"].lambd
    keep_prob = dropout[1].keep_prob if dropout else nnreg.STUDY["dropout"].keep_prob
    # m in the formulas: the points a model fits.
    l2_result = first[l2[0]] if l2 else first[baseline]
    course = " (the course's: no model of the list uses it)"
    with math_tab:
        st.markdown(dashboard.math_notice(lambd, l2_result.train_size, l2_result.settings.learning_rate,
                                          l2_result.settings.num_iterations))
        st.markdown(f"**L2 regularization** adds the weights' squared size to the cost, so gradient descent "
                    f"also shrinks every weight a little at each step (λ = {lambd:g}{'' if l2 else course}, "
                    f"m = {l2_result.train_size} training points, α = {l2_result.settings.learning_rate:g}). Biases "
                    "are not regularized.")
        for line in dashboard.l2_latex(lambd, l2_result.train_size, l2_result.settings.learning_rate):
            st.latex(line)
        st.markdown(f"**Inverted dropout** keeps each hidden unit with probability keep_prob = "
                    f"{keep_prob:g}{'' if dropout else course} at every training step and scales the kept ones up, "
                    f"so their expected value is unchanged and prediction uses the full network as is. The input "
                    f"and output layers are never dropped.")
        for line in dashboard.dropout_latex(keep_prob):
            st.latex(line)
        if l1:
            l1_result = first[l1[0]]
            st.markdown(f"**L1 regularization** adds the weights' absolute size to the cost (l1 = "
                        f"{l1_result.settings.l1:g}, {nnreg.settings.title(l1[0])}). |w| has no slope at 0, so "
                        "each step is a proximal one: the usual gradient step on the rest of the cost, then every "
                        "weight moved towards 0 by a fixed amount (α·l1/m, the last line), and set to exactly 0 if it "
                        "is within that amount of 0. That "
                        "is why L1 leaves many weights at exactly 0, where L2 only makes them small.")
            for line in dashboard.l1_latex(l1_result.settings.l1, l1_result.train_size,
                                           l1_result.settings.learning_rate):
                st.latex(line)
        stopping = [result for result in first.values() if result.best_iteration is not None]
        if stopping:
            shown = stopping[0]
            st.markdown(f"**Early stopping** holds {len(shown.dev_index)} of the training points out as a dev set "
                        f"({shown.settings.dev_fraction:.0%}), trains for all {shown.settings.num_iterations:,} "
                        "iterations, and keeps the parameters of the recorded iteration with the best dev accuracy, "
                        "the earliest of ties. Stopping before the weights have grown large acts much like L2; the "
                        "test set never takes part in the choice.")
            for line in dashboard.early_stopping_latex(shown.settings.dev_fraction, shown.settings.num_iterations,
                                                       shown.settings.record_every):
                st.latex(line)
