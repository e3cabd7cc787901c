"""The frame around the dashboard's pages (Streamlit's navigation), which ``app.py`` serves: the
page configuration and the training engine's warm-up (started by the server already, found
here), once; the visitor's theme choice, kept on every page; then the page the visitor opened.
The pages lay out widgets and results from the nnreg package.
"""

import streamlit as st

from app_pages import shared
from app_pages.theme import keep_theme

# No page_title: each page's title names the browser tab.  Embedded (?embed=true, e.g. to project a
# lesson) the page hides its toolbar, and the sidebar's controls are folded away too.
st.set_page_config(page_icon="⚽", layout="wide",
                   initial_sidebar_state="collapsed" if st.context.is_embedded else "auto")
shared.engine_warm_up()

pages = [
    st.Page("app_pages/study.py", title="Regularization side by side", icon=":material/compare:", default=True),
    st.Page("app_pages/sweep.py", title="Sweep: choose λ, L1 and keep_prob", icon=":material/tune:", url_path="sweep"),
]
page = st.navigation(pages)
page.run()
keep_theme(pages, page)
