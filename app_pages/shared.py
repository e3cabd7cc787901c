"""What every page of the dashboard shares, once per server process."""

import streamlit as st

import nnreg
from nnreg import dashboard


# Shared by every session: trained models by the data's content and the settings, bounded (see
# ModelCache) so a long-running public server cannot grow without limit.
@st.cache_resource(show_spinner=False)
def model_cache() -> dashboard.ModelCache:
    return dashboard.ModelCache()


# Started when the server starts (app_pages.startup), or by the first page run where nothing
# started it (AppTest); later calls find it running or done.
@st.cache_resource(show_spinner=False)
def engine_warm_up():
    return dashboard.warm_up_in_background()


# Datasets by what names them, for both pages: a synthetic set is generated, an upload parsed, once.
@st.cache_data(max_entries=16, show_spinner=False)
def load_dataset(choice, n_points, noise, data_seed):
    return dashboard.load_choice(choice, n_points, noise, data_seed)


@st.cache_data(max_entries=4, show_spinner=False)
def read_upload(content, filename):
    return nnreg.read_dataset(content, filename)
