"""The reference math, checked the way scikit-learn checks its MLP: finite differences and hand-worked values."""

import numpy as np
import pytest

from nnreg import Settings, network


def _problem(layer_sizes, m=12, seed=0):
    """Random points, labels and parameters; K ≥ 3 output units get class codes 0 to K-1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (layer_sizes[0], m))
    if layer_sizes[-1] == 1:
        Y = (rng.uniform(size=(1, m)) < 0.5).astype(float)
    else:
        Y = rng.integers(0, layer_sizes[-1], size=(1, m)).astype(float)
    parameters = network.initialize_parameters(layer_sizes, seed=seed + 1)
    # Non-zero biases so that the bias gradients are exercised too.
    for name in parameters:
        if name.startswith("b"):
            parameters[name] = rng.normal(0, 0.1, parameters[name].shape)
    return X, Y, parameters


def _numeric_gradient(X, Y, parameters, lambd, keep_prob, masks, eps=1e-6, l1=0.0, activation="relu"):
    grads = {}
    for name, value in parameters.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in parameters.items()}
            shifted[name][index] = value[index] + eps
            plus = network.compute_cost(X, Y, shifted, lambd, keep_prob, masks, l1=l1, activation=activation)
            shifted[name][index] = value[index] - eps
            minus = network.compute_cost(X, Y, shifted, lambd, keep_prob, masks, l1=l1, activation=activation)
            grad[index] = (plus - minus) / (2 * eps)
        grads[f"d{name}"] = grad
    return grads


def _masks(layer_sizes, m, keep_prob):
    """One iteration's fresh masks for the hidden layers, or None without dropout."""
    if keep_prob == 1:
        return None
    return network.fresh_masks(np.random.default_rng(7), layer_sizes[1:-1], m, keep_prob)


def _relative_error(analytic, numeric):
    a = np.concatenate([analytic[k].ravel() for k in sorted(numeric)])
    n = np.concatenate([numeric[k].ravel() for k in sorted(numeric)])
    return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))


@pytest.mark.parametrize("layer_sizes, lambd, keep_prob", [
    ((2, 20, 3, 1), 0.0, 1.0),      # plain
    ((2, 20, 3, 1), 0.7, 1.0),      # the course's L2
    ((2, 20, 3, 1), 50.0, 1.0),     # a large λ, where the penalty dominates
    ((2, 20, 3, 1), 0.0, 0.86),     # dropout with given masks
    ((2, 20, 3, 1), 0.7, 0.7),      # L2 and dropout together
    ((2, 6, 5, 4, 3, 1), 0.3, 0.8), # a deeper network
])
def test_gradients_match_central_differences(layer_sizes, lambd, keep_prob):
    X, Y, parameters = _problem(layer_sizes)
    masks = _masks(layer_sizes, X.shape[1], keep_prob)
    ZL, activations = network.forward(X, parameters, keep_prob, masks)
    analytic = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks)
    numeric = _numeric_gradient(X, Y, parameters, lambd, keep_prob, masks)
    assert set(analytic) == set(numeric)
    assert _relative_error(analytic, numeric) < 1e-7


def test_initial_weights_are_the_courses():
    # Seed 3 and randn(n_l, n_{l-1}) / sqrt(n_{l-1}) in the order W1, W2, W3: the course's first weights.
    p = network.initialize_parameters((2, 20, 3, 1), 3)
    rs = np.random.RandomState(3)
    assert np.array_equal(p["W1"], rs.randn(20, 2) / np.sqrt(2))
    assert np.array_equal(p["W2"], rs.randn(3, 20) / np.sqrt(20))
    assert np.array_equal(p["W3"], rs.randn(1, 3) / np.sqrt(3))
    assert p["b1"].shape == (20, 1) and not p["b1"].any()
    assert p["W1"][0, 0] == pytest.approx(1.78862847 / np.sqrt(2))


def test_hand_checked_costs():
    # z = 0 is a coin toss: log 2 per example whatever the label.
    assert network.cross_entropy(np.zeros((1, 4)), np.array([[0, 1, 1, 0]])) == pytest.approx(np.log(2))
    # z = log 3 gives a = 0.75: -log 0.75 for label 1, -log 0.25 for label 0.
    z = np.full((1, 2), np.log(3))
    assert network.cross_entropy(z, np.array([[1, 0]])) == pytest.approx((-np.log(0.75) - np.log(0.25)) / 2)
    parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[5.0]])}
    # λ/(2m)·‖W‖² = 0.5/(2·5)·(1 + 4); the bias is not penalised.
    assert network.l2_penalty(parameters, 0.5, 5) == pytest.approx(0.25)


def test_stacked_costs_are_each_parameter_sets_own():
    # Two forward passes at once (shape (2, 1, m)), as training's history and the compiled loop use them.
    ZL = np.stack([np.zeros((1, 2)), np.full((1, 2), np.log(3))])
    Y = np.array([[1, 0]])
    costs = network.cross_entropy(ZL, Y)
    assert costs.shape == (2,)
    assert costs == pytest.approx([network.cross_entropy(ZL[0], Y), network.cross_entropy(ZL[1], Y)])
    stacked = {"W1": np.array([[[1.0, 2.0]], [[0.0, 3.0]]]), "b1": np.array([[[5.0]], [[7.0]]])}
    assert network.l2_penalty(stacked, 0.5, 5) == pytest.approx([0.25, 0.45])


def test_cost_is_finite_where_the_sigmoid_saturates():
    ZL = np.array([[1000.0, -1000.0, 800.0, -800.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    # Wrong and certain costs |z|; right and certain costs nothing: (1000 + 1000 + 0 + 0) / 4.
    assert network.cross_entropy(ZL, Y) == pytest.approx(500.0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        network.cross_entropy(ZL, Y)
    assert network.sigmoid(np.array([-1000.0]))[0] == 0.0


def test_inverted_dropout_keeps_the_expected_activation():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (2, 4000))
    parameters = network.initialize_parameters((2, 20, 3, 1), 3)
    _, plain = network.forward(X, parameters)
    keep_prob = 0.7
    means = []
    for _ in range(200):
        masks = network.fresh_masks(rng, (20, 3), X.shape[1], keep_prob)
        means.append(network.forward(X, parameters, keep_prob, masks)[1][1].mean())
    # Each of 200 draws averages 80,000 unit activations; their mean is within a few standard errors of the plain one.
    standard_error = np.std(means) / np.sqrt(len(means))
    assert abs(np.mean(means) - plain[1].mean()) < 4 * standard_error
    assert np.std(means) > 0


def test_masks_keep_about_keep_prob_and_drop_the_same_units_backward():
    rng = np.random.default_rng(1)
    masks = network.fresh_masks(rng, (20, 3), 5000, 0.86)
    assert abs(np.mean(masks[0]) - 0.86) < 0.005
    X, Y, parameters = _problem((2, 20, 3, 1), m=30)
    masks = network.fresh_masks(rng, (20, 3), 30, 0.5)
    masks[0][4, :] = False  # unit 4 of layer 1 dropped for every example
    ZL, activations = network.forward(X, parameters, 0.5, masks)
    assert not activations[1][4].any()
    grads = network.backward(Y, parameters, ZL, activations, 0.0, 0.5, masks)
    # A unit that was dropped for every example gets no gradient through its incoming weights or bias.
    assert not grads["dW1"][4].any() and grads["db1"][4, 0] == 0
    assert grads["dW1"][5].any()


def test_prediction_never_uses_dropout():
    X, _, parameters = _problem((2, 20, 3, 1))
    first = network.predict_proba(X, parameters)
    np.random.seed(0)
    assert np.array_equal(first, network.predict_proba(X, parameters))
    assert np.array_equal(first, network.sigmoid(network.forward(X, parameters)[0])[0])


def test_fixed_masks_are_the_notebooks():
    masks = network.fixed_masks((20, 3), 211, 0.86)
    rs = np.random.RandomState(1)
    assert np.array_equal(masks[0], rs.random_sample((20, 211)) < 0.86)
    assert np.array_equal(masks[1], rs.random_sample((3, 211)) < 0.86)


def test_a_unit_inactive_on_every_example_is_dead():
    # Unit 1 is w·x + b with w = (1, 0), b = -10: negative for every x1 below 10, so always 0.
    parameters = {"W1": np.array([[1.0, 0.0], [0.0, 1.0]]), "b1": np.array([[-10.0], [0.0]]),
                  "W2": np.array([[1.0, 1.0]]), "b2": np.zeros((1, 1))}
    X = np.array([[0.0, 1.0, 2.0], [-1.0, 0.5, 2.0]])
    [dead] = network.dead_units(X, parameters)
    assert dead.tolist() == [True, False]


def test_a_sampled_unit_mask_keeps_about_keep_prob_and_is_seeded():
    first, second = network.unit_mask((2000, 3), 0.86, seed=1)
    assert first.shape == (2000,) and second.shape == (3,)
    assert abs(first.mean() - 0.86) < 0.03
    assert [m.tolist() for m in network.unit_mask((2000, 3), 0.86, seed=1)] == [first.tolist(), second.tolist()]


def test_l1_penalty_and_cost_by_hand():
    parameters = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[-0.5]]),
                  "b2": np.array([[-7.0]])}
    # (l1/m)·Σ|W| = (0.3/4)·(1 + 2 + 0.5); biases are not penalized.
    assert network.l1_penalty(parameters, 0.3, 4) == pytest.approx(0.3 / 4 * 3.5)
    assert network.penalty(parameters, 0.2, 0.3, 4) == pytest.approx(0.2 / 8 * 5.25 + 0.3 / 4 * 3.5)
    X, Y = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 0.0, -1.0, 0.5]]), np.array([[1.0, 0.0, 1.0, 0.0]])
    plain = network.compute_cost(X, Y, parameters)
    assert network.compute_cost(X, Y, parameters, l1=0.3) == pytest.approx(plain + 0.3 / 4 * 3.5)


@pytest.mark.parametrize("layer_sizes, lambd, keep_prob", [((2, 20, 3, 1), 0.0, 1.0), ((2, 6, 5, 1), 0.7, 0.8)])
def test_with_l1_backward_is_the_gradient_of_the_smooth_part(layer_sizes, lambd, keep_prob):
    # The proximal step handles Σ|W|; backward must be the gradient of everything else, so the
    # cost with L1 less its penalty is what the finite differences see.
    X, Y, parameters = _problem(layer_sizes)
    masks = _masks(layer_sizes, X.shape[1], keep_prob)
    ZL, activations = network.forward(X, parameters, keep_prob, masks)
    analytic = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks)
    smooth = (network.compute_cost(X, Y, parameters, lambd, keep_prob, masks, l1=0.5)
              - network.l1_penalty(parameters, 0.5, X.shape[1]))
    assert smooth == pytest.approx(network.compute_cost(X, Y, parameters, lambd, keep_prob, masks))
    assert _relative_error(analytic, _numeric_gradient(X, Y, parameters, lambd, keep_prob, masks)) < 1e-7


def test_the_proximal_step_soft_thresholds_weights_only():
    parameters = {"W1": np.array([[0.30, -0.30, 0.05, -0.02, 1.0]]), "b1": np.array([[0.01]])}
    grads = {"dW1": np.array([[0.0, 0.0, 0.0, 0.0, 1.0]]), "db1": np.array([[0.0]])}
    # α·l1/m = 0.5·0.4/2 = 0.1: each weight moves 0.1 towards 0 and stops there; the bias does not.
    updated = network.update_parameters(parameters, grads, 0.5, l1=0.4, m=2)
    np.testing.assert_allclose(updated["W1"], [[0.20, -0.20, 0.0, 0.0, 0.4]])
    assert np.count_nonzero(updated["W1"]) == 3
    assert updated["b1"][0, 0] == 0.01
    np.testing.assert_array_equal(network.update_parameters(parameters, grads, 0.5)["W1"], [[0.3, -0.3, 0.05, -0.02, 0.5]])


def test_the_proximal_step_minimizes_its_objective():
    # prox_t(v) = argmin_w ½(w − v)² + t·|w|, checked against a fine grid of candidates.
    v, t = np.array([[-1.3, -0.2, 0.0, 0.15, 0.9]]), 0.25
    grid = np.linspace(-2, 2, 400_001)
    expected = [grid[np.argmin(0.5 * (grid - x) ** 2 + t * np.abs(grid))] for x in v[0]]
    np.testing.assert_allclose(network.soft_threshold(v, t)[0], expected, atol=1e-5)


def test_the_output_layer_is_one_sigmoid_unit_for_two_classes_and_one_unit_a_class_for_more():
    assert network.layer_sizes((20, 3), 2, 2) == (2, 20, 3, 1)
    assert network.layer_sizes((20, 3), 30, 3) == (30, 20, 3, 3)
    assert network.layer_sizes((5,), 4, 20) == (4, 5, 20)
    with pytest.raises(ValueError, match="at least 2 classes, got 1"):
        network.layer_sizes((20, 3), 4, 1)
    for sizes in ((2, 20, 3, 1), (30, 20, 3, 3)):
        parameters = network.initialize_parameters(sizes, 0)
        assert network.layer_sizes_of(parameters) == sizes
        assert network.n_classes_of(parameters) == max(2, sizes[-1])


# Softmax networks on four and more features, K = 3 and 5 classes.
SOFTMAX = [(4, 6, 5, 3), (6, 7, 5), (5, 9, 4, 3, 5)]


@pytest.mark.parametrize("layer_sizes", SOFTMAX)
@pytest.mark.parametrize("lambd, keep_prob", [(0.0, 1.0), (0.7, 1.0), (0.0, 0.7), (0.5, 0.8)])
def test_softmax_gradients_match_central_differences(layer_sizes, lambd, keep_prob):
    X, Y, parameters = _problem(layer_sizes, m=14)
    # The notebook's fixed masks: the same thinned network for every evaluation of the cost.
    masks = None if keep_prob == 1 else network.fixed_masks(layer_sizes[1:-1], X.shape[1], keep_prob)
    ZL, activations = network.forward(X, parameters, keep_prob, masks)
    assert ZL.shape == (layer_sizes[-1], 14)
    analytic = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks)
    numeric = _numeric_gradient(X, Y, parameters, lambd, keep_prob, masks)
    assert set(analytic) == set(numeric)
    assert _relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("layer_sizes", SOFTMAX)
def test_softmax_gradients_with_l1_away_from_zero(layer_sizes):
    # Away from 0, |w| has the gradient sign(w): the full cost with L1 differentiates to backward's
    # gradient (that of the smooth part) plus (l1/m)·sign(W).
    X, Y, parameters = _problem(layer_sizes, m=14, seed=2)
    l1, lambd, m = 0.4, 0.3, X.shape[1]
    assert min(np.abs(v).min() for name, v in parameters.items() if name.startswith("W")) > 1e-4
    ZL, activations = network.forward(X, parameters)
    analytic = network.backward(Y, parameters, ZL, activations, lambd)
    for name, value in parameters.items():
        if name.startswith("W"):
            analytic[f"d{name}"] = analytic[f"d{name}"] + l1 / m * np.sign(value)
    numeric = _numeric_gradient(X, Y, parameters, lambd, 1.0, None, l1=l1)
    assert _relative_error(analytic, numeric) < 1e-7


def test_hand_checked_softmax_costs():
    # Two points, three classes.  Point 1: logits (0, 0, ln 2), so e^z = (1, 1, 2) and P = (1/4, 1/4, 1/2);
    # label 2 costs -ln(1/2) = ln 2.  Point 2: logits (ln 2, 0, 0), P = (1/2, 1/4, 1/4); label 1 costs
    # -ln(1/4) = 2 ln 2.  The mean: 1.5 ln 2.
    ZL = np.array([[0.0, np.log(2)], [0.0, 0.0], [np.log(2), 0.0]])
    Y = np.array([[2.0, 1.0]])
    assert network.cross_entropy(ZL, Y) == pytest.approx(1.5 * np.log(2), rel=1e-15)
    np.testing.assert_allclose(network.softmax(ZL), [[0.25, 0.5], [0.25, 0.25], [0.5, 0.25]], rtol=1e-15)
    # dZL = P − one-hot(Y): column 1 (1/4, 1/4, 1/2 − 1), column 2 (1/2, 1/4 − 1, 1/4).
    np.testing.assert_allclose(network.output_delta(ZL, Y), [[0.25, 0.5], [0.25, -0.75], [-0.5, 0.25]],
                               rtol=1e-15)
    # The most probable class is predicted: 2 for point 1, 0 for point 2.
    assert network.labels_of(ZL).tolist() == [2, 0]
    # A stack of two forward passes gives one cost each.
    stacked = np.stack([ZL, np.zeros((3, 2))])
    np.testing.assert_allclose(network.cross_entropy(stacked, Y), [1.5 * np.log(2), np.log(3)], rtol=1e-15)


def test_the_softmax_cost_is_finite_for_any_logits():
    # Point 1 right and certain costs nothing; point 2 certain of class 2 but labelled 0 costs
    # z_2 − z_0 = 2000: the mean is 1000, where exp(1000) alone would overflow.
    ZL = np.array([[1000.0, -1000.0], [0.0, 0.0], [-1000.0, 1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert network.cross_entropy(ZL, np.array([[0.0, 0.0]])) == pytest.approx(1000.0)
        np.testing.assert_array_equal(network.softmax(ZL), [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])


def test_probabilities_of_every_class_sum_to_one_and_two_classes_keep_p_of_label_1():
    X, _, parameters = _problem((4, 6, 5, 3))
    P = network.probabilities(X, parameters)
    assert P.shape == (3, 12) and np.allclose(P.sum(axis=0), 1)
    np.testing.assert_array_equal(network.predict(X, parameters), np.argmax(P, axis=0))
    np.testing.assert_array_equal(network.predict_proba(X, parameters), P)
    X, _, parameters = _problem((2, 20, 3, 1))
    p1 = network.predict_proba(X, parameters)
    assert p1.shape == (12,)
    np.testing.assert_array_equal(network.probabilities(X, parameters), np.vstack([1 - p1, p1]))
    np.testing.assert_array_equal(network.predict(X, parameters), (p1 > 0.5).astype(np.int64))


# How the network trains: activations, optimizers, mini-batches, decoupled weight decay


@pytest.mark.parametrize("activation", network.ACTIVATIONS)
@pytest.mark.parametrize("layer_sizes, lambd, keep_prob", [
    ((2, 20, 3, 1), 0.7, 1.0), ((2, 20, 3, 1), 0.0, 0.86), ((4, 6, 5, 3), 0.3, 0.8)])
def test_every_activations_gradients_match_central_differences(activation, layer_sizes, lambd, keep_prob):
    X, Y, parameters = _problem(layer_sizes)
    masks = _masks(layer_sizes, X.shape[1], keep_prob)
    ZL, activations = network.forward(X, parameters, keep_prob, masks, activation)
    analytic = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks, activation)
    numeric = _numeric_gradient(X, Y, parameters, lambd, keep_prob, masks, activation=activation)
    assert _relative_error(analytic, numeric) < 1e-7


def test_activations_and_their_derivatives_by_hand():
    Z = np.array([[-2.0, 0.0, 3.0]])
    assert network.hidden_activation(Z, "leaky_relu").tolist() == [[-0.02, 0.0, 3.0]]
    assert network.activation_derivative(Z, "leaky_relu").tolist() == [[0.01, 0.01, 1.0]]
    assert network.activation_derivative(np.array([[0.0]]), "tanh").tolist() == [[1.0]]
    assert network.activation_derivative(np.array([[0.0]]), "sigmoid").tolist() == [[0.25]]
    with pytest.raises(ValueError, match="activation must be one of relu, tanh, sigmoid, leaky_relu, got 'elu'"):
        network.hidden_activation(Z, "elu")


def test_a_mini_batch_gradient_keeps_the_whole_sets_penalty():
    # The batch's loss is averaged over its own points; λ/m is the whole training set's.
    X, Y, parameters = _problem((2, 5, 1), m=12)
    ZL, activations = network.forward(X[:, :4], parameters)
    grads = network.backward(Y[:, :4], parameters, ZL, activations, lambd=0.7, m=12)
    plain = network.backward(Y[:, :4], parameters, ZL, activations)
    assert np.allclose(grads["dW1"] - plain["dW1"], 0.7 / 12 * parameters["W1"])


def test_momentum_and_adam_steps_by_hand():
    W, dW = np.array([[1.0, -2.0]]), np.array([[0.5, -0.1]])
    parameters, grads = {"W1": W, "b1": np.zeros((1, 1))}, {"dW1": dW, "db1": np.zeros((1, 1))}
    state = network.initialize_optimizer(parameters, "momentum")
    updated, state = network.optimizer_step(parameters, grads, state, "momentum", 0.1, 1)
    # v = 0.1·dW; W − α·v.
    assert np.allclose(state["vW1"], 0.1 * dW) and np.allclose(updated["W1"], W - 0.01 * dW)
    state = network.initialize_optimizer(parameters, "adam")
    updated, state = network.optimizer_step(parameters, grads, state, "adam", 0.1, 1)
    # At t = 1 the corrected moments are dW and dW²: the step is α·dW/(|dW| + ε), α·sign(dW).
    assert np.allclose(updated["W1"], W - 0.1 * dW / (np.abs(dW) + 1e-8))
    assert np.allclose(state["vW1"], 0.1 * dW) and np.allclose(state["sW1"], 0.001 * dW ** 2)


def test_weight_decay_with_gradient_descent_is_l2_with_lambd_wd_times_m():
    X, Y, parameters = _problem((2, 6, 1), m=12)
    wd, m = 0.01, 12
    ZL, activations = network.forward(X, parameters)
    l2 = network.update_parameters(parameters, network.backward(Y, parameters, ZL, activations, lambd=wd * m), 0.3)
    decayed, _ = network.optimizer_step(parameters, network.backward(Y, parameters, ZL, activations), {}, "gd", 0.3, 1,
                                        weight_decay=wd)
    for name in parameters:
        assert np.allclose(decayed[name], l2[name], rtol=0, atol=1e-15)
    # The biases are not decayed.
    assert np.array_equal(decayed["b1"], l2["b1"])


def test_batch_order_is_a_seeded_shuffle_new_each_epoch():
    first, again, second = network.batch_order(50, 3, 0), network.batch_order(50, 3, 0), network.batch_order(50, 3, 1)
    assert sorted(first) == list(range(50)) and np.array_equal(first, again) and not np.array_equal(first, second)
    assert not np.array_equal(first, network.batch_order(50, 4, 0))


def test_the_defaults_train_with_the_course_s_own_loop_and_kernel(football):
    # The new settings at their defaults take the course's path, not an equal one: the reference
    # loop's parameters are bit for bit those of forward, backward and update_parameters alone, and
    # the compiled engine runs the course's kernel, made at import.
    from nnreg.engines import compiled, reference

    settings = Settings(num_iterations=200, lambd=0.7)
    X, Y = football.train_X.T, football.train_Y.reshape(1, -1)
    start = network.initialize_parameters((2, 20, 3, 1), settings.seed)
    parameters = start
    for _ in range(settings.num_iterations):
        ZL, activations = network.forward(X, parameters)
        grads = network.backward(Y, parameters, ZL, activations, lambd=settings.lambd)
        parameters = network.update_parameters(parameters, grads, settings.learning_rate)
    record = reference.numpy_loop(X, Y, start, settings)
    for name, value in parameters.items():
        assert np.array_equal(record.parameters[name], value)
    assert compiled._kernel_for(settings, X.shape[1]) is compiled._train
    assert compiled._train.py_func.__name__ == "_train_relu_gd_full"
