"""The dashboard: what its pages show and keep, one job per module.

Testable without Streamlit, and imported from here: ``controls`` (what each control accepts, its
label and help, link and typed values), ``models`` (the models a set of control values means),
``session`` (what a page keeps between runs: the link read once, typed values refused, the list of
models and its table, a settings file loaded back), ``cache`` (trained models shared between
sessions, the engine's warm-up), ``captions`` (sentences computed from the numbers beside them;
the Sensitivity view's in ``sensitivity_captions``),
``downloads``, ``latex``, ``layout`` (how many models to a row), ``lessons`` (the example links a
teacher can share) and ``sweep_links`` (the Sweep page's links).  With them, what the page shares
with the command line (``nnreg.report``: the accuracy table, a model's title, why a run did not
train).

Streamlit's side, imported by the pages from their modules: ``widgets`` (the fields, the table of
models, a progress bar with its heartbeat, charts drawn once), ``views`` (the main page's deeper
views) and ``sweep_views`` (the Sweep page's results), ``resources`` (what one server process
shares: the model cache, the warm-up, the datasets), ``server`` (what the server does when it
starts), and two components of the browser's side, ``player`` (the replay's play button) and
``theme`` (the visitor's theme kept on every page).
"""

from ..report.outcomes import training_problem
from ..report.table import (IMBALANCE, PERCENT_COLUMNS, accuracy_change, accuracy_table, baseline_note,
                            change_in_points, comparable, imbalance_warning, majority_class, outcome_note, shown_table,
                            standardized_note, style_table, table_csv, table_text)
from ..report.titles import model_strength, model_title
from .cache import CACHE_BYTES, CACHE_ENTRIES, ModelCache, result_bytes, warm_up_in_background
from .captions import (adam_preset_help, change_help, curves_notice, data_notice, dropout_note, masks_caption, masks_notice, math_notice,
                       network_caption, network_notice, points_caption, replay_caption, replay_notice, units_caption,
                       table_caption, units_notice, weight_decay_caption, weights_notice)
from .controls import (ADAM_PRESET, CONTROLS, COURSE_PRESET, NOTEBOOK_PRESET, PRESETS, RENAMED_VIEWS, UPLOAD, UPLOAD_HELP,
                       UPLOAD_TYPES, VIEWS, Control,
                       check_query_params, dataset_choices, load_choice, parse_value, shown_value, table_words,
                       typed_problem, widget_value)
from .downloads import read_settings, settings_json, weights_npz
from .latex import dropout_latex, early_stopping_latex, l1_latex, l2_latex
from .layout import models_per_row
from .lessons import COURSE_VIEWS, LESSONS, Lesson, lessons_markdown, views_for
from .models import (EDITOR_COLUMNS, LEGACY_KEYS, data_problem, default_runs, default_values, edited_frame, first_using,
                     frame_specs, legacy_specs, model_settings, seed_runs, shared_settings, specs_frame)

__all__ = [
    "ADAM_PRESET", "CACHE_BYTES", "adam_preset_help", "CACHE_ENTRIES", "CONTROLS", "COURSE_PRESET", "COURSE_VIEWS", "Control", "EDITOR_COLUMNS",
    "IMBALANCE", "LEGACY_KEYS", "LESSONS", "Lesson", "ModelCache", "NOTEBOOK_PRESET", "PERCENT_COLUMNS", "PRESETS",
    "RENAMED_VIEWS", "UPLOAD", "UPLOAD_HELP", "UPLOAD_TYPES", "VIEWS", "accuracy_change", "accuracy_table",
    "baseline_note", "change_help", "change_in_points", "check_query_params", "comparable",
    "curves_notice", "data_notice", "data_problem", "dataset_choices", "default_runs", "default_values",
    "dropout_latex", "dropout_note", "early_stopping_latex", "edited_frame", "first_using", "frame_specs",
    "imbalance_warning", "l1_latex", "l2_latex", "legacy_specs", "lessons_markdown", "load_choice", "majority_class",
    "masks_caption", "masks_notice", "math_notice", "model_settings", "model_strength", "model_title", "models_per_row",
    "network_caption", "network_notice", "outcome_note", "parse_value", "points_caption", "read_settings",
    "replay_caption", "replay_notice", "result_bytes", "seed_runs", "settings_json", "shared_settings", "shown_table",
    "shown_value", "specs_frame", "standardized_note", "style_table", "table_caption", "table_csv", "table_text",
    "table_words", "training_problem", "typed_problem", "units_caption", "units_notice", "views_for",
    "warm_up_in_background", "weight_decay_caption", "weights_notice", "weights_npz", "widget_value",
]
