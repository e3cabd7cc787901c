"""Every colour of the charts and the page, in one place, so that none means two things.

Blue and red are the two labels on every chart (a table of more classes: one colour a class, red
and blue first); each model has a colour of its own, and so does each data split and each sign of a
weight; none of them is a class's, and any two are far apart (tested).  Every colour drawn as a
line or a mark reads on the light theme's white and on the dark theme's near-black (tested), so no
chart needs a second palette.  The Streamlit theme
(.streamlit/config.toml) lists the model colours first among its categorical colours, in this
order (tested), since the theme cannot import them.
"""

# The labels: 1 (a French player won the header) and 0 (the opponent did).
BLUE = "#1d4ed8"
RED = "#dc2626"
# The probability field uses pale versions of the same two colours, white where the model is
# unsure (0.5), so the points drawn on top stay readable.
PALE_BLUE = "#8fb0f4"
PALE_RED = "#f4a3a3"
UNSURE = "#ffffff"

# The classes of a table with three or more, by class code: red and blue first, as the two labels,
# then colours picked greedily, each the farthest (CIE76) from those before it, among those that
# read on both themes and lie far from every model's, split's and sign's colour (tested).
CLASS_COLORS = (RED, BLUE, "#22cc22", "#22bbcc", "#ee22aa", "#ccaa55", "#664466", "#225522", "#5599ee",
                "#ee8888", "#cc22ee", "#77bb66", "#cc77ee", "#882233", "#aa5522", "#882277", "#6655aa", "#ee77bb",
                "#558877", "#996655")
# A class's region on a decision boundary: its colour this far towards white (PALE_RED and PALE_BLUE
# are red's and blue's for two classes), so that the points drawn on top stay readable.
PALE_SHARE = 0.5


def class_colors(n_classes: int) -> tuple[str, ...]:
    """The colours of classes 0 to ``n_classes`` - 1: red and blue for two (label 0 and label 1),
    the first ``n_classes`` of CLASS_COLORS for more."""
    if not 2 <= n_classes <= len(CLASS_COLORS):
        raise ValueError(f"n_classes must be 2 to {len(CLASS_COLORS)}, got {n_classes}")
    return (RED, BLUE) if n_classes == 2 else CLASS_COLORS[:n_classes]


def pale_class_colors(n_classes: int) -> tuple[str, ...]:
    """The classes' regions: PALE_RED and PALE_BLUE for two classes, else each class colour
    PALE_SHARE of the way to white."""
    if n_classes == 2:
        return PALE_RED, PALE_BLUE
    return tuple("#" + "".join(f"{round(int(color[i: i + 2], 16) + PALE_SHARE * (255 - int(color[i: i + 2], 16))):02x}"
                               for i in (1, 3, 5)) for color in class_colors(n_classes))

# The models, by their names in nnreg.settings.STUDY_TITLES (the sweeps' regularizer families too).
MODEL_COLORS = {"none": "#57534e", "l2": "#059669", "l1": "#b682c9", "dropout": "#d97706",
                "early_stopping": "#73520d", "l2_dropout": "#7c3aed"}
# The colours a list of models compared on the page takes: each model its regularizer's above, and
# a model whose colour is taken (a second L2, or a mix) the first of these no model has.
MODEL_PALETTE = tuple(MODEL_COLORS[name] for name in ("none", "l2", "dropout", "l1", "early_stopping", "l2_dropout"))
# The thinned network's noisy objective beside a dropout model's cost.
THINNED_COLOR = "#a8a29e"

# The data splits, in the learning curves and on the Sweep page; the Sweep page marks the
# retrained choice in the test split's colour, as what it shows is a test accuracy.
SPLIT_COLORS = {"train": "#0e7490", "dev": "#a21caf", "test": "#a3a300"}

# A weight's sign in the drawing of the network (biases too).
SIGN_COLORS = {"positive": "#65a30d", "negative": "#db2777"}

# Legends that show shapes only (train circles, test triangles), and the marks of a mean or of one
# chosen run: a grey that is no model's.
NEUTRAL = "#6b7280"
# The ring around a point the model labels wrong: drawn on the pale probability field (never on the
# page), so it is dark enough to read on PALE_BLUE, PALE_RED and UNSURE alike (tested).
MISCLASSIFIED = "#111827"

# A hidden unit's output, painted as this grey with an opacity that grows with the output: 0 is
# fully transparent, so the page's own background shows and "nothing" reads as nothing in both
# themes; the grey itself reads on both (tested).  A unit that dropout drops is crossed out in
# dropout's colour.
UNIT_OUTPUT = "#64748b"
# A negative output (tanh's, leaky ReLU's) in the negative sign's colour, with the same opacity rule
# on its size, so that the two signs never read as one.
UNIT_NEGATIVE = SIGN_COLORS["negative"]
DROPPED_UNIT = MODEL_COLORS["dropout"]
# The page backgrounds of Streamlit's light and dark themes, which every colour above must read on.
BACKGROUNDS = {"light": "#ffffff", "dark": "#171614"}
# The thin outline of a point drawn over a field or a line (a data point, early stopping's kept
# iteration) that keeps it apart from its neighbours, and the fill of the network drawing's input
# nodes (which have no bias to colour them).
OUTLINE = "#ffffff"
# A change worth a colour beside a metric (st.metric's delta_color): Streamlit's own green and red,
# named, so that they follow its light and dark themes.
RISE, FALL = "green", "red"
# The best test accuracy in the table: a pale background, with dark text that reads on it in both
# themes (the dark theme's own text is light).
HIGHLIGHT = "#fde68a"
HIGHLIGHT_TEXT = "#1c1917"
