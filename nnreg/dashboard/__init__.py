"""The dashboard's logic that is not layout, testable without Streamlit, one job per module:
``controls`` (what each control accepts, link and typed values), ``models`` (the models a set of
control values means), ``cache`` (trained models shared between sessions, the engine's warm-up),
``captions`` (sentences computed from the numbers beside them), ``downloads``, ``latex``,
``layout`` (how many models to a row) and ``lessons`` (the example links a teacher can share).  The
pages import them from here, and with them what the page shares with the command line
(``nnreg.report``: the accuracy table, a model's title, why a run did not train); the Sweep page
imports its links from their module, ``sweep_links``.
"""

from ..report.outcomes import training_problem
from ..report.table import (PERCENT_COLUMNS, accuracy_change, accuracy_table, change_in_points, comparable,
                            outcome_note, shown_table, style_table, table_csv, table_text)
from ..report.titles import model_strength, model_title
from .cache import CACHE_BYTES, CACHE_ENTRIES, ModelCache, result_bytes, warm_up_in_background
from .captions import (curves_notice, data_notice, dropout_note, masks_caption, masks_notice, math_notice,
                       network_caption, network_notice, points_caption, replay_caption, replay_notice, units_caption,
                       units_notice, weight_decay_caption, weights_notice)
from .controls import (CONTROLS, COURSE_PRESET, NOTEBOOK_PRESET, PRESETS, RENAMED_VIEWS, UPLOAD, VIEWS, Control,
                       check_query_params, dataset_choices, load_choice, parse_value, shown_value, typed_problem,
                       widget_value)
from .downloads import read_settings, settings_json, weights_npz
from .latex import dropout_latex, early_stopping_latex, l1_latex, l2_latex
from .layout import models_per_row
from .lessons import LESSONS, Lesson, lessons_markdown
from .models import (EDITOR_COLUMNS, LEGACY_KEYS, data_problem, default_runs, default_values, edited_frame, first_using,
                     frame_specs, legacy_specs, model_settings, seed_runs, shared_settings, specs_frame)

__all__ = [
    "CACHE_BYTES", "CACHE_ENTRIES", "CONTROLS", "COURSE_PRESET", "Control", "EDITOR_COLUMNS", "LEGACY_KEYS",
    "LESSONS", "Lesson", "ModelCache", "NOTEBOOK_PRESET", "PERCENT_COLUMNS", "PRESETS", "RENAMED_VIEWS", "UPLOAD", "VIEWS",
    "accuracy_change", "accuracy_table", "change_in_points", "check_query_params", "comparable", "curves_notice",
    "data_notice", "data_problem", "dataset_choices", "default_runs", "default_values", "dropout_latex",
    "dropout_note", "early_stopping_latex", "edited_frame", "first_using", "frame_specs", "l1_latex", "l2_latex",
    "legacy_specs", "lessons_markdown", "load_choice", "masks_caption", "masks_notice", "math_notice", "model_settings",
    "model_strength", "model_title", "models_per_row", "network_caption", "network_notice", "outcome_note",
    "parse_value", "points_caption", "read_settings", "replay_caption", "replay_notice", "result_bytes",
    "seed_runs", "settings_json", "shared_settings", "shown_table", "shown_value", "specs_frame", "style_table",
    "table_csv", "table_text", "training_problem", "typed_problem", "units_caption", "units_notice",
    "warm_up_in_background", "weight_decay_caption", "weights_notice", "weights_npz", "widget_value",
]
