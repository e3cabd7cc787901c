"""The dashboard's logic that is not layout, testable without Streamlit, one job per module:
``controls`` (what each control accepts, link and typed values), ``models`` (the models a set of
control values means), ``cache`` (trained models shared between sessions, the engine's warm-up),
``table`` (the accuracy table and how a change reads), ``captions`` (sentences computed from the
numbers beside them), ``downloads`` and ``latex``.  The pages import them from here.
"""

from .cache import CACHE_BYTES, CACHE_ENTRIES, ModelCache, result_bytes, warm_up_in_background
from .captions import (dropout_note, masks_caption, network_caption, points_caption, replay_caption, training_problem,
                       units_caption, weight_decay_caption)
from .controls import (CONTROLS, COURSE_PRESET, NOTEBOOK_PRESET, PRESETS, UPLOAD, VIEWS, Control,
                       check_query_params, dataset_choices, load_choice, parse_value, shown_value, typed_problem)
from .downloads import read_settings, settings_json, weights_npz
from .latex import dropout_latex, early_stopping_latex, l1_latex, l2_latex
from .models import (EDITOR_COLUMNS, LEGACY_KEYS, data_problem, default_runs, default_values, edited_frame, first_using,
                     frame_specs, legacy_specs, model_settings, model_strength, model_title, seed_runs, shared_settings,
                     specs_frame)
from .table import (PERCENT_COLUMNS, accuracy_change, accuracy_table, change_in_points, comparable, diverged, shown_table,
                    style_table, table_text)

__all__ = [
    "CACHE_BYTES", "CACHE_ENTRIES", "CONTROLS", "COURSE_PRESET", "Control", "EDITOR_COLUMNS", "LEGACY_KEYS",
    "ModelCache", "NOTEBOOK_PRESET", "PERCENT_COLUMNS", "PRESETS", "UPLOAD", "VIEWS", "accuracy_change",
    "accuracy_table", "change_in_points", "check_query_params", "comparable", "data_problem", "dataset_choices",
    "default_runs", "default_values", "diverged", "dropout_latex", "dropout_note", "early_stopping_latex",
    "edited_frame", "first_using", "frame_specs", "l1_latex", "l2_latex", "legacy_specs", "load_choice",
    "masks_caption", "model_settings", "model_strength", "model_title", "network_caption", "parse_value",
    "points_caption", "read_settings", "replay_caption", "result_bytes", "seed_runs", "settings_json",
    "shared_settings", "shown_table", "shown_value", "specs_frame", "style_table", "table_text",
    "training_problem", "typed_problem", "units_caption", "warm_up_in_background", "weight_decay_caption",
    "weights_npz",
]
