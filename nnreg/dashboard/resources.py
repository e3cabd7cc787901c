"""What every page of the dashboard shares, once per server process: the trained models, the
engine's warm-up and the datasets."""

import streamlit as st

from .. import data
from ..sensitivity import NUDGE
from .cache import CACHE_BYTES, CACHE_ENTRIES, ModelCache, warm_up_in_background
from .controls import UPLOAD, Upload, load_choice


# Shared by every session: trained models by the data's content and the settings, bounded (see
# ModelCache) so a long-running public server cannot grow without limit.
@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    return ModelCache()


# The same models trained from their initial parameters nudged by one part in 10^12, for the
# Sensitivity view: a cache of their own, so that a nudged run is never taken for its model; a
# quarter of model_cache's bounds, as the view retrains one run of each model, not every seed's.
@st.cache_resource(show_spinner=False)
def nudged_cache() -> ModelCache:
    return ModelCache(CACHE_ENTRIES // 4, CACHE_BYTES // 4, nudge=NUDGE)


# Started when the server starts (nnreg.dashboard.server), or by the first page run where nothing
# started it (AppTest); later calls find it running or done.
@st.cache_resource(show_spinner=False)
def engine_warm_up():
    return warm_up_in_background()


# Datasets by what names them, for both pages: a synthetic set is generated, an upload parsed, once.
@st.cache_data(max_entries=16, show_spinner=False)
def load_dataset(choice, n_points, noise, data_seed):
    return load_choice(choice, n_points, noise, data_seed)


@st.cache_data(max_entries=4, show_spinner=False)
def read_upload(upload: Upload, test_fraction: float, drop_missing: bool):
    return data.read_dataset(upload.content, upload.name, label=upload.label, split=upload.split,
                             test_fraction=test_fraction, drop_missing=drop_missing)


def chosen_dataset(values, upload: Upload | None) -> tuple[data.Dataset | None, str | None]:
    """The dataset the data's fields name (``values`` by control, ``upload`` the uploaded file or
    None), or None and why it cannot be had: a file that cannot be read, a synthetic set's
    option refused (None and None while no file is uploaded)."""
    try:
        if values["data"] != UPLOAD:
            return load_dataset(values["data"], values["n_points"], values["noise"], values["data_seed"]), None
        if upload is None:
            return None, None
        return read_upload(upload, values["test_fraction"], values["drop_missing"]), None
    except data.DatasetError as error:
        return None, str(error)
