"""The math view's equations for how a model trains: each optimizer's update, weight decay and
mini-batches, with this run's numbers, checked by hand."""

import math

from nnreg.dashboard import latex


def test_momentum_gives_its_beta_and_how_many_gradients_it_averages():
    lines = " ".join(latex.momentum_latex(0.3))
    assert r"\beta = 0.9,\quad \alpha = 0.3" in lines and r"\frac{1}{1-\beta} = 10" in lines


def test_adam_gives_its_constants_and_when_its_correction_stops_mattering():
    lines = latex.adam_latex(0.01, 30000)
    assert r"\alpha = 0.01,\ \beta_1 = 0.9,\ \beta_2 = 0.999,\ \varepsilon = 1 \times 10^{-8}" in lines[2]
    # 0.999^4602 is just above 0.01 and 0.999^4603 just below: from t = 4,603 the correction is under 1 %.
    assert 0.999 ** 4602 > 0.01 > 0.999 ** 4603
    assert lines[-1] == r"1-\beta_2^{\,t} \ge 0.99 \text{ from } t = 4{,}603\ \text{of}\ 30{,}000"
    assert latex.adam_latex(0.01, 300)[-1].endswith(r"\ \text{(this run stops at }300\text{)}")
    assert r"\text{a first step of }\alpha = 0.01" in lines[3]


def test_weight_decay_gives_its_factor_and_the_l2_it_equals_under_gradient_descent():
    lines = " ".join(latex.weight_decay_latex(0.0033, 0.3, 211))
    assert f"1 - 0.3 \\cdot 0.0033 = {1 - 0.3 * 0.0033:.6g}" in lines
    assert r"\lambda = \mathrm{wd}\cdot m = 0.0033 \cdot 211 = 0.6963" in lines


def test_a_mini_batch_epoch_counts_its_updates_and_its_last_batch():
    lines = latex.mini_batch_latex(32, 211)
    assert r"|B| = 32" in lines[0]
    assert math.ceil(211 / 32) == 7 and 211 - 6 * 32 == 19
    assert lines[1] == (r"\text{an epoch} = \lceil m / |B| \rceil = \lceil 211 / 32 \rceil = 7\ \text{updates}"
                        r"\ \text{(the last of }19\text{ points)}")
    assert "the last" not in latex.mini_batch_latex(50, 200)[1]
