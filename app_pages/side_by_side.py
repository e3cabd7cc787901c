"""The main page: what regularization does to a small neural network, models side by side.

Widgets and layout only: the models, charts, table and sentences come from the nnreg package,
what the page keeps between runs from ``nnreg.dashboard.session``.  Every control is bound to the
URL, so a copied link reproduces the view.
"""

import streamlit as st

import nnreg
from nnreg import charts, dashboard, limits
from nnreg.dashboard import ADAM_PRESET, COURSE_PRESET, NOTEBOOK_PRESET, UPLOAD, views
from nnreg.dashboard.resources import chosen_dataset, engine_warm_up, load_dataset, model_cache
from nnreg.dashboard.session import StudyState
from nnreg.dashboard.widgets import Fields, Progress, chart, model_columns, model_ids, models_editor
from nnreg.report.formatting import percent_cell, plural
from nnreg.specs import MAX_MODELS

warm_up = engine_warm_up()
page = StudyState(st.session_state, st.query_params)
fields = Fields(page)
values = dashboard.default_values()

# --- Sidebar: every setting shared by the models -----------------------------------------------------
with st.sidebar:
    st.button(COURSE_PRESET, on_click=page.apply_preset, args=(COURSE_PRESET,), icon=":material/school:",
              width="stretch", help="The course's network, training and regularizers, with fresh dropout masks at "
                                    "every iteration: inverted dropout as the course teaches it. The data stays as "
                                    "chosen.")
    st.button(NOTEBOOK_PRESET, on_click=page.apply_preset, args=(NOTEBOOK_PRESET,), icon=":material/menu_book:",
              width="stretch", help="The same with the notebook's fixed dropout masks, drawn once and reused at every "
                                    "iteration. With the course's own data file uploaded, this gives the published "
                                    "table.")
    # Its weight decay depends on the number of training points: those of the data shown.
    st.button(ADAM_PRESET, on_click=page.apply_preset, args=(ADAM_PRESET,), icon=":material/balance:",
              width="stretch", help=dashboard.adam_preset_help(nnreg.specs.l2_or_weight_decay_specs(page.points),
                                                               page.points))

    st.header("Data")
    data_values, upload = fields.data()
    values |= data_values
    dataset, dataset_problem = chosen_dataset(values, upload)
    if dataset is not None:
        fields.notes(dataset)
    values["train_fraction"] = fields.slider("train_fraction", format="%.2f")

    st.header("Network and training")
    values["layers"] = fields.typed("layers")
    values["activation"] = fields.choice("activation")
    values["learning_rate"] = fields.typed("learning_rate")
    values["optimizer"] = fields.choice("optimizer")
    for key in ("batch_size", "num_iterations", "n_seeds"):
        values[key] = fields.typed(key)
    n_seeds = values["n_seeds"]
    values["seed"] = fields.typed("seed", disabled=n_seeds > 1, help_text=None if n_seeds == 1 else (
        f"Seeds the initial weights; with {n_seeds} seeds, init seeds 0 to {n_seeds - 1} are used."))

    st.header("Regularization")
    st.caption("Each model's λ, l1, keep_prob, weight decay and more are in the table of models below their "
               "columns (Edit the models); these apply to every model.")
    values["dropout_mask"] = fields.radio("dropout_mask", horizontal=True)
    values["dev_fraction"] = fields.slider("dev_fraction", format="%.2f")
    values["stop_early"] = fields.toggle("stop_early")

    st.header("Settings file")
    st.file_uploader("Load settings (JSON)", type=["json"], key="settings_file",
                     on_change=lambda: page.load_settings(st.session_state["settings_file"]),
                     help="A file from this page's Settings (JSON) download: its controls and its models.")

# --- The list of models as the table below the models' columns has it ----------------------------------
specs, list_problems = page.edited_models()

st.title("What regularization does to a network")
for problem in [*page.link_problems.values(), *page.model_problems]:
    st.warning(problem, icon=":material/link_off:")
for problem in page.pop_problems():
    st.warning(problem, icon=":material/edit_off:")
if values["data"] == UPLOAD and upload is None:
    st.info("Choose a file in the sidebar; until then the page shows the built-in football data.",
            icon=":material/upload_file:")
if dataset_problem:
    st.error(f"{dataset_problem}. The page shows the built-in football data instead.")
dataset = dataset or load_dataset(nnreg.data.BUILTIN, None, None, None)

page.points = len(dataset.train_Y)

if dataset.name == nnreg.data.BUILTIN:
    st.markdown(
        "France's goalkeeper kicks the ball up the field; each point is where a header happened: "
        "**:blue[blue]** (label 1) where a French player won it, **:red[red]** (label 0) where the opponent "
        "did. A few were won against the odds: noise that an unregularized network learns by heart, and "
        "that L2 and dropout teach it to ignore.")
elif not dashboard.table_words(dataset):
    st.markdown("Each point is one example with two features, x1 and x2: **:blue[blue]** is label 1, "
                "**:red[red]** is label 0. The network learns to tell them apart from the training points; "
                "the test points show how well that generalizes.")
else:
    # A table's first few feature names: enough to recognize it.
    features = ", ".join(dataset.feature_names[:6]) + (
        f" and {dataset.n_features - 6} more" if dataset.n_features > 6 else "")
    colors = (f"**:blue[blue]** is {dataset.class_names[1]}, **:red[red]** is {dataset.class_names[0]}"
              if dataset.n_classes == 2 else f"each of its {dataset.n_classes} classes has its own color")
    st.markdown(f"Each point is one example with {plural(dataset.n_features, 'feature')} ({features}): {colors}. "
                "The network learns to tell the classes apart from the training points; the test points show how "
                "well that generalizes.")
st.caption(f"Dataset **{dataset.name}**: {len(dataset.train_Y)} training points (circles), "
           f"{len(dataset.test_Y)} test points (triangles){dashboard.table_words(dataset)}.")
imbalance = dashboard.imbalance_warning(dataset)
if imbalance:
    st.warning(imbalance, icon=":material/balance:")
toggles, legend = st.columns([2, 1], vertical_alignment="center")
with toggles.container(horizontal=True, gap="medium"):
    show_test, discretize, ring_errors = (fields.toggle(key) for key in ("test_points", "discretize", "ring_errors"))
with legend:
    chart(("boundary legend", discretize, dataset.class_names), "content",
          lambda: charts.boundary_legend(discretize, dataset.class_names), width="content")

# --- Training: refused before anything trains when it is too much or the data too small --------------------
models = dashboard.model_settings(specs, values)
model_runs = {name: dashboard.seed_runs(settings, n_seeds) for name, settings in models.items()}
every_run = [run for runs in model_runs.values() for run in runs]
try:
    # A shared link must not hold a public server for long.
    limits.check_budget(every_run, len(dataset.train_Y), n_features=dataset.n_features, n_classes=dataset.n_classes)
except limits.LimitError as error:
    st.error(f"This page would train too much: {error}", icon=":material/block:")
    st.stop()
data_problem = dashboard.data_problem(dataset, models)
if data_problem:
    st.error(f"The models cannot train on this data: {data_problem}. Change the share of training points used "
             "or early stopping's dev share, or choose more points.", icon=":material/block:")
    st.stop()
to_train = model_cache().missing(dataset, every_run)
if to_train and warm_up is not None and warm_up.is_alive():
    with st.spinner("Compiling the fast training engine (first start only)…"):
        warm_up.join()
progress = Progress("the models")
if to_train:
    progress.update(0, len(to_train))
trained = dict(zip(every_run, model_cache().results(dataset, every_run, progress.update, progress.heartbeat)))
progress.clear()
shown = views.Compared(dataset, models, {name: [trained[run] for run in runs] for name, runs in model_runs.items()},
                       values)
table = dashboard.accuracy_table(shown.results, {spec.name: dashboard.model_title(spec, models[spec.name])
                                                 for spec in specs}, dataset)
points_note = dashboard.points_caption(shown.first, len(dataset.train_Y))
if points_note:
    st.caption(points_note)
pair = views.feature_pair(shown)

# --- The models, side by side ---------------------------------------------------------------------------
for index, (column, (spec, runs)) in enumerate(model_columns(zip(specs, shown.results.values()))):
    with column:
        st.subheader(nnreg.settings.title(spec.name), anchor=False)
        st.caption(dashboard.model_strength(spec, runs[0].settings, runs[0].train_size)
                   or "the shared settings, no regularizer")
        # A diverged run is no result (an error); a collapsed model is one that learned nothing.
        for kind, problem in sorted({(run.outcome.kind, dashboard.training_problem(run)) for run in runs
                                     if run.outcome.kind != nnreg.training.TRAINED}):
            (st.error if kind == nnreg.training.DIVERGED else st.warning)(problem)
        train_metric, test_metric = st.columns(2)
        train_metric.metric("Mean train" if shown.several else "Train accuracy",
                            percent_cell(table.loc[spec.name, "Train accuracy"]))
        change = dashboard.accuracy_change(table, spec.name)
        test_metric.metric("Mean test" if shown.several else "Test accuracy", percent_cell(table.loc[spec.name,
                           "Test accuracy"]), delta=change.text, delta_color=change.color, delta_arrow=change.arrow,
                           help=dashboard.change_help(spec.name, shown.baseline, shown.several))
        with st.container(key=f"boundary_{index}"):
            chart(("boundary", model_ids(runs), discretize, show_test, ring_errors, pair), "content",
                  lambda: charts.decision_boundary(runs, dataset, discretize=discretize, show_test=show_test,
                                                   ring_errors=ring_errors, pair=pair), width="content")
        if shown.several:
            st.caption(f"Means over {len(runs)} runs, init seeds 0 to {len(runs) - 1}.")
        st.download_button("Weights (.npz)", dashboard.weights_npz(runs[0]), f"nnreg-model-{index + 1}-weights.npz",
                           "application/octet-stream", on_click="ignore", icon=":material/download:",
                           key=f"weights_{index}", help="W1, b1, ... in the course's shapes"
                           + (f", from the run with init seed {runs[0].settings.seed}." if shown.several else "."))

# --- The list of models, as a table to edit ----------------------------------------------------------
with st.expander(f"Edit the models: change, add or remove them (1 to {MAX_MODELS})", icon=":material/edit_note:",
                 key="models_expander"):
    models_editor(page)
for problem in list_problems:
    st.warning(problem, icon=":material/edit_off:")

# --- Lessons: example links a teacher can share ----------------------------------------------------------
with st.expander("Lessons: open an example in one click, or copy its link to share", key="lessons_expander",
                 icon=":material/cast_for_education:"):
    st.markdown(dashboard.lessons_markdown(values, dashboard.views_for(dataset)))
    if values["data"] == UPLOAD:
        st.caption("An uploaded file cannot travel in a link: these open on the built-in data. A file placed in the "
                   "server's data/ folder can (docs/dashboard.md, \"Hosting the course's file for a class\").")

# --- Accuracy table ---------------------------------------------------------------------------------
st.header("Accuracy")
with st.container(key="accuracy_table"):
    st.table(dashboard.style_table(table), hide_index=True)
st.caption(dashboard.table_caption(table, shown.baseline, n_seeds))
st.caption(" ".join(filter(None, [dashboard.baseline_note(dataset), dashboard.standardized_note(table)])))
with st.container(horizontal=True):
    st.download_button("Table (CSV)", dashboard.table_csv(table), "nnreg-accuracy.csv", "text/csv",
                       on_click="ignore", icon=":material/download:")
    st.download_button("Settings (JSON)", dashboard.settings_json(values, dataset, specs, models, n_seeds),
                       "nnreg-settings.json", "application/json", on_click="ignore", icon=":material/download:")

# --- Deeper views, each drawn only while its tab is open (a first visit draws one; the open one is in the link) ---
draws = views.view_draws(shown, show_test, pair)
views.missing_view_notice(shown, draws)
tabs = st.tabs(list(draws), key="view", bind="query-params", on_change="rerun")
for tab, draw in zip(tabs, draws.values()):
    if tab.open:
        with tab:
            draw()
