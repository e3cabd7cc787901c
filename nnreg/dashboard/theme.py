"""The theme a visitor picks in the menu (System, Light, Dark), kept on every page.

Streamlit remembers the choice in the browser's localStorage under a key naming the path the page
was loaded from (``stActiveTheme-/-v2``, ``stActiveTheme-/sweep-v2``): Dark picked on the study
page was lost when /sweep was opened from a link or reloaded, and the other way round.  This
invisible element copies the choice to every page's key, when the page loads and whenever the
visitor picks another, so that whichever page is loaded next starts in it.  The frame mounts it
after the page, where its empty box takes no room above the title.
"""

import streamlit as st

JS = """
export default function ({ data }) {
    // The path this document was loaded from names the key Streamlit reads and writes (it keeps
    // it after navigating to another page); the pages' paths are relative to the app's base.
    if (window.nnregThemeKeys) { window.nnregThemeKeys.pages = data.pages; return; }
    const loaded = location.pathname;
    const path = data.current && loaded.endsWith("/") ? loaded.slice(0, -1) : loaded;
    const base = path.slice(0, path.length - data.current.length);
    const state = window.nnregThemeKeys = { pages: data.pages };
    const key = /^stActiveTheme-(.*)(-v[0-9]+)$/;
    const store = window.localStorage;
    const setItem = Storage.prototype.setItem;
    const copy = (written, value) => {
        const [, , version] = written.match(key);
        for (const page of state.pages) {
            const other = `stActiveTheme-${base}${page}${version}`;
            if (other !== written) setItem.call(store, other, value);
        }
    };
    Storage.prototype.setItem = function (name, value) {
        setItem.call(this, name, value);
        if (this === store && key.test(name)) copy(name, value);
    };
    for (const name of Object.keys(store)) {
        const match = name.match(key);
        if (match && match[1] === loaded) copy(name, store.getItem(name));
    }
}
"""

_theme_keeper = st.components.v2.component("nnreg.theme_keeper", js=JS)


def keep_theme(pages: list[st.Page], current: st.Page) -> None:
    """Keep the visitor's theme choice on every one of ``pages``, ``current`` being the one shown."""
    if not st.runtime.exists():
        # The frame run bare, as a Dask worker's spawn runs the main script: no browser to keep a theme in.
        return
    _theme_keeper(data={"pages": [page.url_path for page in pages], "current": current.url_path},
                  key="theme_keeper")
