"""nnreg's dashboard: ``streamlit run app.py``.

The server: when it starts, before any visitor, it begins loading the training engine and training
the models of the default page (``nnreg.dashboard.server``); then it serves ``frame.py``, Streamlit's
navigation around the pages.  A first visitor finds those models trained or in training, instead
of waiting for the imports, the engine and the training after opening the page.
"""

import streamlit as st

from nnreg.dashboard.server import lifespan

app = st.App("frame.py", lifespan=lifespan)
