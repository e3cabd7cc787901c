"""The math section's equations, with this run's numbers."""

from __future__ import annotations


def _number(value: float) -> str:
    """A number in LaTeX to three significant digits, small ones as 7.11 × 10⁻⁵ rather than 7.11e-05."""
    text = f"{value:.3g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def l2_latex(lambd: float, m: int, learning_rate: float) -> list[str]:
    """The L2 cost, its gradient term and the decay it causes, with this run's λ, m and α."""
    return [
        r"J = -\frac{1}{m}\sum_{i=1}^{m}\Big(y^{(i)}\log a^{[L](i)} + (1-y^{(i)})\log\big(1-a^{[L](i)}\big)\Big)"
        r" + \underbrace{\frac{\lambda}{2m}\sum_{l}\lVert W^{[l]}\rVert_F^2}_{\text{L2 penalty}}"
        rf",\qquad \frac{{\lambda}}{{2m}} = \frac{{{lambd:g}}}{{2 \cdot {m}}} = {_number(lambd / (2 * m))}",
        r"dW^{[l]} = \underbrace{\frac{1}{m}\,dZ^{[l]}A^{[l-1]\top}}_{\text{backprop}} + \frac{\lambda}{m}W^{[l]}",
        r"W^{[l]} \leftarrow \Big(1 - \frac{\alpha\lambda}{m}\Big)W^{[l]} - \frac{\alpha}{m}\,dZ^{[l]}A^{[l-1]\top}"
        rf",\qquad 1 - \frac{{\alpha\lambda}}{{m}} = 1 - \frac{{{learning_rate:g} \cdot {lambd:g}}}{{{m}}}"
        rf" = {1 - learning_rate * lambd / m:.6f}",
    ]


def dropout_latex(keep_prob: float) -> list[str]:
    """Inverted dropout forward and backward, with this run's keep_prob."""
    return [
        rf"D^{{[l]}} = \big(\mathrm{{rand}}(n^{{[l]}}, m) < {keep_prob:g}\big),\qquad "
        rf"A^{{[l]}} \leftarrow \frac{{A^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}}",
        rf"dA^{{[l]}} \leftarrow \frac{{dA^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}},\qquad "
        rf"\frac{{1}}{{\mathrm{{keep\_prob}}}} = {1 / keep_prob:.4g}",
    ]


def l1_latex(l1: float, m: int, learning_rate: float) -> list[str]:
    """The L1 penalty and its proximal step (a gradient step, then soft-thresholding), with this
    run's l1, m and α."""
    threshold = learning_rate * l1 / m
    return [
        r"J = J_{\text{cross-entropy}} + \underbrace{\frac{l_1}{m}\sum_{l}\sum_{j,k}\big|W^{[l]}_{jk}\big|}"
        r"_{\text{L1 penalty}}",
        r"V = W^{[l]} - \alpha\,\frac{1}{m}\,dZ^{[l]}A^{[l-1]\top},\qquad "
        r"W^{[l]} \leftarrow \mathrm{sign}(V)\,\max\!\Big(|V| - \frac{\alpha\,l_1}{m},\ 0\Big)",
        rf"\frac{{\alpha\,l_1}}{{m}} = \frac{{{learning_rate:g} \cdot {l1:g}}}{{{m}}} = {_number(threshold)}"
        r":\ \text{every weight within this of 0 becomes exactly 0}",
    ]


def early_stopping_latex(dev_fraction: float, num_iterations: int, record_every: int) -> list[str]:
    """Early stopping's choice: the recorded iteration with the best dev accuracy, the earliest on ties."""
    return [
        rf"t^{{*}} = \min\ \underset{{t \,\in\, \{{0,\ {record_every},\ 2\cdot{record_every},\ \dots,\ "
        rf"{num_iterations}\}}}}{{\arg\max}}\ \mathrm{{accuracy}}_{{\text{{dev}}}}\big(W_t\big),\qquad "
        rf"\text{{dev}} = {dev_fraction:.0%}\ \text{{of the training points, never fitted}}".replace("%", r"\%"),
    ]
