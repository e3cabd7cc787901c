"""The frame around the dashboard's pages (Streamlit's navigation), which ``app.py`` serves: the
page configuration, the page the visitor opened, and the visitor's theme choice, kept on every
page.  The pages lay out widgets and results from the nnreg package; the training engine's
warm-up was started by the server (``nnreg.dashboard.server``), and the main page waits for it.
"""

import streamlit as st

from nnreg.dashboard.theme import keep_theme

# No page_title: each page's title names the browser tab.  Embedded (?embed=true, e.g. to project a
# lesson) the page hides its toolbar, and the sidebar's controls are folded away too.
st.set_page_config(page_icon="⚽", layout="wide",
                   initial_sidebar_state="collapsed" if st.context.is_embedded else "auto")

pages = [
    st.Page("app_pages/side_by_side.py", title="Regularization side by side", icon=":material/compare:", default=True),
    st.Page("app_pages/sweep.py", title="Sweep: choose the regularization", icon=":material/tune:", url_path="sweep"),
]
page = st.navigation(pages)
page.run()
keep_theme(pages, page)
