"""A play button for a chart's slider: it moves the slider one step at a time, in the browser.

The training replay scrubs through its checkpoints with a Vega-Lite slider; Vega-Lite's own
animation does not work in a chart of several views, so this button steps that slider as a visitor
would drag it (an "input" event each step), by a stride the page gives (the slider's own step can
be finer), looping to the start, until pressed again.  Nothing
is sent to the server: the button never sets a value.
"""

import streamlit as st

HTML = '<button type="button" class="nnreg-play">▶ Play</button>'
CSS = """
.nnreg-play { font: inherit; font-size: 0.9rem; padding: 0.3rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
              border: 1px solid rgba(128, 128, 128, 0.5); background: transparent; color: inherit; }
"""
JS = """
export default function ({ parentElement, data }) {
    const button = parentElement.querySelector("button");
    let timer = null;
    const slider = () => document.querySelector(`${data.selector} input[type=range]`);
    const stop = () => { clearInterval(timer); timer = null; button.textContent = "▶ Play"; };
    const step = () => {
        const input = slider();
        if (!input) { stop(); return; }
        const value = Number(input.value), max = Number(input.max);
        const next = value >= max ? Number(input.min) : Math.min(value + data.stride, max);
        input.value = String(next);
        input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    button.onclick = () => {
        if (timer) { stop(); return; }
        button.textContent = "❚❚ Pause";
        step();
        timer = setInterval(step, data.frame_ms);
    };
    return () => clearInterval(timer);
}
"""

_player = st.components.v2.component("nnreg.slider_player", html=HTML, css=CSS, js=JS)


def player(selector: str, frame_ms: int, stride: float, key: str) -> None:
    """A play button moving the first slider inside the elements matching ``selector`` (a CSS
    selector) on by ``stride`` (the slider's end at most) every ``frame_ms`` milliseconds."""
    _player(data={"selector": selector, "frame_ms": frame_ms, "stride": stride}, key=key)
