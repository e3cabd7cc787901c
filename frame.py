"""The frame around the dashboard's pages (Streamlit's navigation), which ``app.py`` serves: the
page configuration and the training engine's warm-up (started by the server already, found
here), once; then the page the visitor opened.  The pages lay out widgets and results from the
nnreg package.
"""

import streamlit as st

from app_pages import shared

# No page_title: each page's title names the browser tab.
st.set_page_config(page_icon="⚽", layout="wide")
shared.engine_warm_up()

st.navigation([
    st.Page("app_pages/study.py", title="Regularization side by side", icon=":material/compare:", default=True),
    st.Page("app_pages/sweep.py", title="Sweep: choose λ, L1 and keep_prob", icon=":material/tune:", url_path="sweep"),
]).run()
