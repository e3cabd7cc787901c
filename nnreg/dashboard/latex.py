"""The math section's equations, with this run's numbers, each short enough for the page's
narrowest main column (1280 pixels wide with the sidebar open): an equation and its numbers go on
lines of their own."""

from __future__ import annotations

import math

from .. import network
from ..report.formatting import percent_cell


def latex_number(value: float, digits: int = 3) -> str:
    """A number in LaTeX to ``digits`` significant digits, small or large ones as 7.11 × 10⁻⁵
    rather than 7.11e-05."""
    text = f"{value:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def latex_count(count: int) -> str:
    """A whole number with thousands separators that LaTeX does not space: 4{,}603."""
    return f"{count:,}".replace(",", "{,}")


def decay_factor(lambd: float, m: int, learning_rate: float) -> float:
    """1 − αλ/m: what L2's update multiplies every weight by at each step, before the gradient step."""
    return 1 - learning_rate * lambd / m


# After an underbrace that ends a line: KaTeX draws the brace 2 pixels past the line's box, which
# then scrolls sideways.
UNDERBRACE_END = r"\,"

# Digits of the decay factor: it sits just below 1, and three would show 1.
DECAY_DIGITS = 6


def l2_latex(lambd: float, m: int, learning_rate: float, n_classes: int = 2) -> list[str]:
    """The L2 cost, its gradient term and the decay it causes, with this run's λ, m and α; the
    course's binary cross-entropy written out for two classes, named for more (``softmax_latex``)."""
    cross_entropy = (r"-\frac{1}{m}\sum_{i=1}^{m}\Big(y^{(i)}\log a^{[L](i)} + (1-y^{(i)})\log\big(1-a^{[L](i)}\big)\Big)"
                     if n_classes == 2 else r"J_{\text{cross-entropy}}")
    return [
        rf"J = {cross_entropy}"
        r" + \underbrace{\frac{\lambda}{2m}\sum_{l}\lVert W^{[l]}\rVert_F^2}_{\text{L2 penalty}}" + UNDERBRACE_END,
        rf"\frac{{\lambda}}{{2m}} = \frac{{{lambd:g}}}{{2 \cdot {m}}} = {latex_number(lambd / (2 * m))}",
        r"dW^{[l]} = \underbrace{\frac{1}{m}\,dZ^{[l]}A^{[l-1]\top}}_{\text{backprop}} + \frac{\lambda}{m}W^{[l]}",
        r"W^{[l]} \leftarrow \Big(1 - \frac{\alpha\lambda}{m}\Big)W^{[l]} - \frac{\alpha}{m}\,dZ^{[l]}A^{[l-1]\top}",
        rf"1 - \frac{{\alpha\lambda}}{{m}} = 1 - \frac{{{learning_rate:g} \cdot {lambd:g}}}{{{m}}}"
        rf" = {latex_number(decay_factor(lambd, m, learning_rate), DECAY_DIGITS)}",
    ]


def dropout_latex(keep_prob: float) -> list[str]:
    """Inverted dropout forward and backward, with this run's keep_prob."""
    return [
        rf"D^{{[l]}} = \big(\mathrm{{rand}}(n^{{[l]}}, m) < {keep_prob:g}\big),\qquad "
        rf"A^{{[l]}} \leftarrow \frac{{A^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}}",
        rf"dA^{{[l]}} \leftarrow \frac{{dA^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}},\qquad "
        rf"\frac{{1}}{{\mathrm{{keep\_prob}}}} = {latex_number(1 / keep_prob, 4)}",
    ]


def l1_latex(l1: float, m: int, learning_rate: float) -> list[str]:
    """The L1 penalty and its proximal step (a gradient step, then soft-thresholding), with this
    run's l1, m and α."""
    threshold = learning_rate * l1 / m
    return [
        r"J = J_{\text{cross-entropy}} + \underbrace{\frac{l_1}{m}\sum_{l}\sum_{j,k}\big|W^{[l]}_{jk}\big|}"
        r"_{\text{L1 penalty}}" + UNDERBRACE_END,
        r"V = W^{[l]} - \alpha\,\frac{1}{m}\,dZ^{[l]}A^{[l-1]\top}",
        r"W^{[l]} \leftarrow \mathrm{sign}(V)\,\max\!\Big(|V| - \frac{\alpha\,l_1}{m},\ 0\Big)",
        rf"\frac{{\alpha\,l_1}}{{m}} = \frac{{{learning_rate:g} \cdot {l1:g}}}{{{m}}} = {latex_number(threshold)}",
    ]


def early_stopping_latex(dev_fraction: float, num_iterations: int, record_every: int) -> list[str]:
    """Early stopping's choice: the recorded iteration with the best dev accuracy, the earliest on ties."""
    return [
        rf"t^{{*}} = \min\ \underset{{t \,\in\, \{{0,\ {record_every},\ 2\cdot{record_every},\ \dots,\ "
        rf"{num_iterations}\}}}}{{\arg\max}}\ \mathrm{{accuracy}}_{{\text{{dev}}}}\big(W_t\big)",
        rf"\text{{dev}} = {percent_cell(dev_fraction, 0)}\ \text{{of the training points, never fitted}}".replace("%", r"\%"),
    ]


def softmax_latex(n_classes: int, m: int, cost: float) -> list[str]:
    """The softmax output of ``n_classes`` units and its cross-entropy, with this run's K, m and
    its cost on the points it fitted (without penalty), and the gradient at the output."""
    return [
        rf"a^{{[L]}}_k = \frac{{e^{{z^{{[L]}}_k}}}}{{\sum_{{j=1}}^{{K}} e^{{z^{{[L]}}_j}}}},\qquad K = {n_classes}",
        r"J_{\text{cross-entropy}} = -\frac{1}{m}\sum_{i=1}^{m}\sum_{k=1}^{K} y^{(i)}_k \log a^{[L](i)}_k"
        rf" = {latex_number(cost)}\quad (m = {m})",
        r"dZ^{[L]} = A^{[L]} - Y\quad\text{(}Y\text{ one-hot: } y^{(i)}_k = 1 \text{ for the point's class)}",
    ]


def momentum_latex(learning_rate: float) -> list[str]:
    """Momentum's update (the course's "Optimization methods"), with this run's α and β."""
    beta = network.MOMENTUM_BETA
    return [
        r"v_{dW} \leftarrow \beta\,v_{dW} + (1-\beta)\,dW,\qquad W \leftarrow W - \alpha\,v_{dW}",
        rf"\beta = {beta:g},\quad \alpha = {learning_rate:g}:\quad \text{{about the last }} \frac{{1}}{{1-\beta}} = "
        rf"{latex_number(1 / (1 - beta))}\ \text{{gradients averaged}}",
    ]


def adam_latex(learning_rate: float, num_iterations: int) -> list[str]:
    """Adam's update with bias correction, with this run's α, the βs and ε: its first step (α for
    every weight whose gradient is not 0, |v̂|/√ŝ = 1) and when the correction stops mattering."""
    beta1, beta2, epsilon = network.ADAM_BETA1, network.ADAM_BETA2, network.ADAM_EPSILON
    # The update from which s's bias correction is under 1 %: β2^t ≤ 0.01.
    settled = math.ceil(math.log(0.01) / math.log(beta2))
    return [
        r"v_{dW} \leftarrow \beta_1 v_{dW} + (1-\beta_1)\,dW,\qquad s_{dW} \leftarrow \beta_2 s_{dW} + (1-\beta_2)\,dW^2",
        r"\hat v = \frac{v_{dW}}{1-\beta_1^{\,t}},\quad \hat s = \frac{s_{dW}}{1-\beta_2^{\,t}},\qquad "
        r"W \leftarrow W - \alpha\,\frac{\hat v}{\sqrt{\hat s} + \varepsilon}",
        rf"\alpha = {learning_rate:g},\ \beta_1 = {beta1:g},\ \beta_2 = {beta2:g},\ \varepsilon = "
        rf"{latex_number(epsilon)}",
        rf"t = 1:\ \hat v = dW,\ \hat s = dW^2,\ \text{{a first step of }}\alpha = {learning_rate:g}"
        r"\text{ for every weight}",
        rf"1-\beta_2^{{\,t}} \ge 0.99 \text{{ from }} t = {latex_count(settled)}"
        + (rf"\ \text{{of}}\ {latex_count(num_iterations)}" if settled <= num_iterations else
           rf"\ \text{{(this run stops at }}{latex_count(num_iterations)}\text{{)}}"),
    ]


def weight_decay_latex(weight_decay: float, learning_rate: float, m: int) -> list[str]:
    """Decoupled weight decay beside the optimizer's step, its factor with this run's α and wd, and
    the L2 strength it equals under gradient descent (λ = wd·m)."""
    return [
        r"W \leftarrow \big(1 - \alpha\,\mathrm{wd}\big)\,W - \alpha\cdot\big(\text{the optimizer's step on }"
        r"dW\big)",
        rf"1 - \alpha\,\mathrm{{wd}} = 1 - {learning_rate:g} \cdot {weight_decay:g} = "
        rf"{latex_number(1 - learning_rate * weight_decay, DECAY_DIGITS)}",
        rf"\text{{gradient descent: the same as L2 with }}\lambda = \mathrm{{wd}}\cdot m = {weight_decay:g} \cdot {m}"
        rf" = {latex_number(weight_decay * m, 4)}",
    ]


def mini_batch_latex(batch_size: int, m: int) -> list[str]:
    """A mini-batch's gradient: the mean over its points only, with this run's batch size and m."""
    batches = -(-m // batch_size)
    last = m - (batches - 1) * batch_size
    return [
        r"dW = \frac{1}{|B|}\,dZ_B^{[l]}A_B^{[l-1]\top}\ \ (+\ \frac{\lambda}{m}W),\qquad |B| = "
        rf"{batch_size}",
        rf"\text{{an epoch}} = \lceil m / |B| \rceil = \lceil {m} / {batch_size} \rceil = {batches}\ \text{{updates}}"
        + (rf"\ \text{{(the last of }}{last}\text{{ points)}}" if last != batch_size else ""),
    ]
