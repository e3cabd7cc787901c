"""The network's mathematics, written to be read next to the course's equations.

Layout follows the course: a layer's activations are (units, examples), so ``X`` is
(features, m), ``W1`` is (n1, features) and ``b1`` is (n1, 1); labels ``Y`` are a (1, m) row of
class codes 0 to K-1.  Hidden layers use ReLU.  Two classes keep the course's output, one sigmoid
unit giving P(label 1); K ≥ 3 classes have K output units and a softmax (``layer_sizes`` is the
rule, and every function below tells the two apart by the number of output rows).  This module
is the reference implementation: the oracle the tests and the compiled engine are checked
against, and the code the dashboard's math expander can show.
"""

from __future__ import annotations

import numpy as np


# The course's data (and football's, and the synthetic sets'): points (x1, x2) labelled 0 or 1.
COURSE_FEATURES, COURSE_CLASSES = 2, 2
# The hidden layers' activations (the course's is ReLU), and leaky ReLU's slope below 0.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
# The activations whose outputs can be below 0; ReLU's and sigmoid's never are.
SIGNED_ACTIVATIONS = ("tanh", "leaky_relu")
# How the page and the command line name them, and why only ReLU's units can die (a unit at 0 on
# every point passes no gradient back when the slope there is 0).
ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "leaky_relu": "leaky ReLU"}
UNDYING = {"tanh": "its slope, 1 − tanh², is never 0", "sigmoid": "its slope, σ·(1 − σ), is never 0",
           "leaky_relu": "below 0 its slope is 0.01, not 0"}
LEAKY_SLOPE = 0.01


def layer_sizes(layer_dims, n_features: int, n_classes: int) -> tuple[int, ...]:
    """Every layer's size for hidden layers ``layer_dims`` on data of ``n_features`` features and
    ``n_classes`` classes: (2, 20, 3, 1) for the course.  Two classes need one output unit (P(label
    1), the course's sigmoid); more need one unit per class (a softmax)."""
    if n_classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {n_classes}")
    return (int(n_features), *layer_dims, 1 if n_classes == 2 else int(n_classes))


def n_classes_of(parameters) -> int:
    """How many classes a network tells apart: two for one output unit, else one per output unit."""
    outputs = parameters[f"W{num_layers(parameters)}"].shape[-2]
    return 2 if outputs == 1 else outputs


def layer_sizes_of(parameters) -> tuple[int, ...]:
    """The layer sizes ``parameters`` were made for: inputs, then each layer's units."""
    L = num_layers(parameters)
    return (parameters["W1"].shape[-1], *(parameters[f"W{l}"].shape[-2] for l in range(1, L + 1)))


def initialize_parameters(layer_sizes, seed: int) -> dict[str, np.ndarray]:
    """He-style initial weights exactly as the course draws them (legacy generator, W1, W2, ...)."""
    rs = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layer_sizes)):
        # Dividing by sqrt(fan-in) keeps the pre-activations' scale roughly constant across layers.
        parameters[f"W{l}"] = rs.randn(layer_sizes[l], layer_sizes[l - 1]) / np.sqrt(layer_sizes[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_sizes[l], 1))
    return parameters


def num_layers(parameters) -> int:
    return len(parameters) // 2


def relu(Z):
    return np.maximum(0, Z)


def leaky_relu(Z):
    # A small slope below 0 keeps a unit's gradient alive where ReLU's would be 0 for ever.
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def hidden_activation(Z, activation: str = "relu"):
    """A hidden layer's output g(Z) for each of ACTIVATIONS."""
    if activation == "relu":
        return relu(Z)
    if activation == "leaky_relu":
        return leaky_relu(Z)
    if activation == "tanh":
        return np.tanh(Z)
    if activation == "sigmoid":
        return sigmoid(Z)
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")


def activation_derivative(Z, activation: str = "relu"):
    """g'(Z), what backpropagation multiplies a hidden layer's dA by."""
    if activation == "relu":
        return (Z > 0).astype(float)
    if activation == "leaky_relu":
        return np.where(Z > 0, 1.0, LEAKY_SLOPE)
    if activation == "tanh":
        # tanh' = 1 − tanh².
        return 1.0 - np.tanh(Z) ** 2
    if activation == "sigmoid":
        # σ' = σ·(1 − σ).
        s = sigmoid(Z)
        return s * (1.0 - s)
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")


def sigmoid(Z):
    # The course's formula, kept for bit-identical training; exp overflow correctly gives 0.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-Z))


def softmax(Z):
    """Each column of Z (K logits) turned into K probabilities summing to 1, along axis -2 (so a
    stack (R, K, m) works too).  Subtracting the column's largest logit first changes nothing
    mathematically and keeps exp from overflowing."""
    E = np.exp(Z - np.max(Z, axis=-2, keepdims=True))
    return E / np.sum(E, axis=-2, keepdims=True)


def one_hot(Y, n_classes: int):
    """Class codes Y of shape (1, m) as a (K, m) array of 0s and 1s: column e has its 1 in row Y[e]."""
    return (np.arange(n_classes).reshape(-1, 1) == np.reshape(Y, (1, -1))).astype(float)


def forward(X, parameters, keep_prob: float = 1.0, masks=None, activation: str = "relu"):
    """Forward pass; returns the output logits ZL and the cache for ``backward``.

    Hidden layers apply ``activation`` (one of ACTIVATIONS).  With ``masks`` (one boolean array
    per hidden layer), inverted dropout: each hidden unit's activation is kept where its mask is
    True and divided by keep_prob, so its expected value is unchanged and prediction needs no
    rescaling.  The input and output are never dropped.
    """
    L = num_layers(parameters)
    A = X
    activations = [X]
    for l in range(1, L):
        Z = np.dot(parameters[f"W{l}"], A) + parameters[f"b{l}"]
        A = hidden_activation(Z, activation)
        if masks is not None:
            A = A * masks[l - 1]
            A = A / keep_prob
        activations.append(A)
    ZL = np.dot(parameters[f"W{L}"], A) + parameters[f"b{L}"]
    return ZL, activations


def _per_stack(total):
    """A float for one forward pass, an array for a stack of them."""
    return float(total) if np.ndim(total) == 0 else total


def cross_entropy(ZL, Y):
    """Mean cross-entropy of the class codes Y (shape (1, m)) computed from the logits ZL: the
    course's binary cross-entropy for one output row (``sigmoid_cross_entropy``), the multi-class
    one for K rows (``softmax_cross_entropy``).  ZL may be a stack (R, rows, m) of R forward
    passes (then one cost each)."""
    if ZL.shape[-2] == 1:
        return sigmoid_cross_entropy(ZL, Y)
    return softmax_cross_entropy(ZL, Y)


def sigmoid_cross_entropy(ZL, Y):
    """Mean binary cross-entropy computed from logits ZL of shape (1, m), or of shape (R, 1, m)
    for R parameter sets at once (then one cost each).

    log σ(z) = -log(1 + e^(-z)), so y·log a + (1-y)·log(1-a) = y·z - max(z, 0) - log(1 + e^(-|z|)):
    finite even where the sigmoid saturates to exactly 0 or 1 in floating point.
    """
    m = ZL.shape[-1]
    losses = np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))
    return _per_stack(np.sum(losses, axis=(-2, -1)) / m)


def softmax_cross_entropy(ZL, Y):
    """Mean multi-class cross-entropy −(1/m)·Σ_e log softmax(ZL)[Y_e, e] from logits ZL of shape
    (K, m), or (R, K, m) for R parameter sets at once (then one cost each).

    log softmax(z)_k = z_k − c − log Σ_j e^(z_j − c) with c = max_j z_j (log-sum-exp): every
    exponent is at most 0, so the cost is finite for any finite logits, where the softmax itself
    rounds to exactly 0 or 1.
    """
    m = ZL.shape[-1]
    top = np.max(ZL, axis=-2, keepdims=True)
    log_total = top + np.log(np.sum(np.exp(ZL - top), axis=-2, keepdims=True))
    codes = np.broadcast_to(np.reshape(Y, (1, m)).astype(np.intp), (*ZL.shape[:-2], 1, m))
    chosen = np.take_along_axis(ZL, codes, axis=-2)
    return _per_stack(np.sum(log_total - chosen, axis=(-2, -1)) / m)


def l2_penalty(parameters, lambd: float, m: int):
    """λ/(2m)·Σ_l ‖W_l‖²_F: weights only, biases are not regularized.  Weights of shape (R, n, k)
    are R parameter sets at once (then one penalty each)."""
    L = num_layers(parameters)
    squares = sum(np.sum(np.square(parameters[f"W{l}"]), axis=(-2, -1)) for l in range(1, L + 1))
    return _per_stack(lambd / (2 * m) * squares)


def l1_penalty(parameters, l1: float, m: int):
    """(l1/m)·Σ_l Σ|W_l|: weights only.  Weights of shape (R, n, k) are R parameter sets at once."""
    L = num_layers(parameters)
    sizes = sum(np.sum(np.abs(parameters[f"W{l}"]), axis=(-2, -1)) for l in range(1, L + 1))
    return _per_stack(l1 / m * sizes)


def penalty(parameters, lambd: float, l1: float, m: int):
    """What the regularizers add to the cost: L2's and L1's penalties."""
    return l2_penalty(parameters, lambd, m) + l1_penalty(parameters, l1, m)


def compute_cost(X, Y, parameters, lambd: float = 0.0, keep_prob: float = 1.0, masks=None, l1: float = 0.0,
                 activation: str = "relu") -> float:
    """The objective gradient descent minimizes: cross-entropy plus the L2 and L1 penalties.

    With masks it is the cost of the thinned network of that iteration; without, the model's cost.
    """
    ZL, _ = forward(X, parameters, keep_prob, masks, activation)
    return cross_entropy(ZL, Y) + penalty(parameters, lambd, l1, X.shape[1])


def output_delta(ZL, Y):
    """dJ/dZL per example (times m): the output's probabilities less the labels, a − y."""
    if ZL.shape[-2] == 1:
        # For a sigmoid output with cross-entropy loss, dJ/dZL per example is simply a - y.
        return sigmoid(ZL) - Y
    # The same form for softmax: both pair an output with the cross-entropy of its own likelihood
    # (its canonical link), so ∂(−log p_y)/∂z_k = p_k − [k = y].
    return softmax(ZL) - one_hot(Y, ZL.shape[-2])


def backward(Y, parameters, ZL, activations, lambd: float = 0.0, keep_prob: float = 1.0, masks=None,
             activation: str = "relu", m: int | None = None):
    """Gradients of ``compute_cost`` with respect to every W and b, as the course writes them.

    ``m``, the number of points the penalty is divided by, is Y's by default; a mini-batch's
    gradient averages its loss over its own points but keeps the whole training set's λ/m, so
    that it estimates the gradient of the same objective."""
    L = num_layers(parameters)
    batch = Y.shape[1]
    m = batch if m is None else m
    grads = {}
    dZ = output_delta(ZL, Y)
    for l in range(L, 0, -1):
        A_prev = activations[l - 1]
        # L2 adds (λ/m)·W to each weight gradient: the "weight decay" that shrinks weights.
        grads[f"dW{l}"] = 1.0 / batch * np.dot(dZ, A_prev.T) + lambd / m * parameters[f"W{l}"]
        grads[f"db{l}"] = 1.0 / batch * np.sum(dZ, axis=1, keepdims=True)
        if l == 1:
            break
        dA = np.dot(parameters[f"W{l}"].T, dZ)
        if masks is not None:
            # Units dropped in the forward pass get no gradient; kept ones the same 1/keep_prob scale.
            dA = dA * masks[l - 2]
            dA = dA / keep_prob
        if activation == "relu":
            # ReLU passes gradient only where the unit was active (A > 0 also excludes dropped units).
            dZ = np.multiply(dA, np.int64(A_prev > 0))
        else:
            # g'(Z) at the pre-activation, recomputed as forward computed it (dropped units' dA is 0).
            Z_prev = np.dot(parameters[f"W{l - 1}"], activations[l - 2]) + parameters[f"b{l - 1}"]
            dZ = dA * activation_derivative(Z_prev, activation)
    return grads


def soft_threshold(W, threshold: float):
    """sign(W)·max(|W| − threshold, 0): the proximal step of threshold·Σ|W|, which sets every
    weight within ``threshold`` of 0 to exactly 0."""
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 0)


def update_parameters(parameters, grads, learning_rate: float, l1: float = 0.0, m: int = 1):
    """One gradient-descent step: θ ← θ - α·dθ (new arrays; the old ones stay valid).

    With L1, a proximal step: the gradient step on the smooth cost, then every weight
    soft-thresholded by α·l1/m.  |w| has no gradient at 0, and its subgradient would make weights
    hop around 0 for ever; the proximal step lands them on exactly 0.
    """
    updated = {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}
    if l1 > 0:
        for name in updated:
            if name.startswith("W"):
                updated[name] = soft_threshold(updated[name], learning_rate * l1 / m)
    return updated


# The course's optimizers ("Optimization methods") and their constants.
OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM_BETA = 0.9
ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.9, 0.999, 1e-8
OPTIMIZER_NAMES = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}


def initialize_optimizer(parameters, optimizer: str) -> dict[str, np.ndarray]:
    """The optimizer's state, zeros shaped like the parameters: momentum's velocity ``v<name>``,
    and Adam's ``s<name>`` too (plain gradient descent keeps none)."""
    kinds = {"gd": (), "momentum": ("v",), "adam": ("v", "s")}[optimizer]
    return {f"{kind}{name}": np.zeros_like(value) for kind in kinds for name, value in parameters.items()}


def optimizer_step(parameters, grads, state, optimizer: str, learning_rate: float, t: int,
                   weight_decay: float = 0.0, l1: float = 0.0, m: int = 1):
    """One update of every parameter by ``optimizer`` (t: the update's number, from 1), with
    decoupled weight decay beside it and L1's proximal step after; returns the new parameters
    and state (new arrays; the old ones stay valid).

    gd: θ ← θ − α·dθ.  momentum: v ← β·v + (1 − β)·dθ, θ ← θ − α·v.  adam: v ← β1·v + (1 − β1)·dθ,
    s ← β2·s + (1 − β2)·dθ², θ ← θ − α·v̂/(√ŝ + ε) with the bias corrections v̂ = v/(1 − β1ᵗ),
    ŝ = s/(1 − β2ᵗ).  Weight decay shrinks each weight by α·wd·W from where it was, whatever the
    optimizer did: with gd that is L2 with λ = wd·m; with Adam it is not, since Adam rescales L2's
    gradient but not this.
    """
    if optimizer == "gd" and weight_decay == 0.0:
        return update_parameters(parameters, grads, learning_rate, l1, m), state
    state = dict(state)
    updated = {}
    for name, value in parameters.items():
        gradient = grads[f"d{name}"]
        if optimizer == "gd":
            step = gradient
        elif optimizer == "momentum":
            state[f"v{name}"] = MOMENTUM_BETA * state[f"v{name}"] + (1 - MOMENTUM_BETA) * gradient
            step = state[f"v{name}"]
        else:
            state[f"v{name}"] = ADAM_BETA1 * state[f"v{name}"] + (1 - ADAM_BETA1) * gradient
            state[f"s{name}"] = ADAM_BETA2 * state[f"s{name}"] + (1 - ADAM_BETA2) * gradient ** 2
            v_corrected = state[f"v{name}"] / (1 - ADAM_BETA1 ** t)
            s_corrected = state[f"s{name}"] / (1 - ADAM_BETA2 ** t)
            step = v_corrected / (np.sqrt(s_corrected) + ADAM_EPSILON)
        updated[name] = value - learning_rate * step
        if weight_decay > 0.0 and name.startswith("W"):
            updated[name] = updated[name] - learning_rate * weight_decay * value
    if l1 > 0:
        for name in updated:
            if name.startswith("W"):
                updated[name] = soft_threshold(updated[name], learning_rate * l1 / m)
    return updated, state


def batch_order(m: int, seed: int, epoch: int) -> np.ndarray:
    """The order of the m training points in mini-batch epoch ``epoch``: a Fisher–Yates shuffle
    drawn from SplitMix64 keyed by (seed, epoch), simple enough for the compiled engine to draw
    the same one."""
    order = np.arange(m)
    with np.errstate(over="ignore"):
        state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(epoch)
        for i in range(m - 1, 0, -1):
            state = state + np.uint64(0x9E3779B97F4A7C15)
            z = state
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            # Modulo bias is below 2⁻⁵⁰ for any m a page allows: negligible for a shuffle.
            j = int(z % np.uint64(i + 1))
            order[i], order[j] = order[j], order[i]
    return order


def predict_proba(X, parameters, activation: str = "relu"):
    """P(label 1) for each column of X (shape (m,)), with the full network: dropout is never used
    at prediction.  With K ≥ 3 classes there is no single label 1: P(class k) for each, (K, m)."""
    ZL, _ = forward(X, parameters, activation=activation)
    return sigmoid(ZL)[0] if ZL.shape[-2] == 1 else softmax(ZL)


def probabilities(X, parameters, activation: str = "relu"):
    """P(class k) for each column of X, shape (K, m) for any number of classes: for two, the rows
    P(0) = 1 − P(label 1) and P(1)."""
    ZL, _ = forward(X, parameters, activation=activation)
    if ZL.shape[-2] == 1:
        p = sigmoid(ZL)
        return np.vstack([1 - p, p])
    return softmax(ZL)


# The course predicts label 1 where P(label 1) exceeds one half.
THRESHOLD = 0.5


def labels_of(ZL):
    """The class each column of the logits ZL predicts (shape (..., m), of a stack too): label 1
    where P(label 1) exceeds THRESHOLD for one output row, the most probable class (the largest
    logit) for K rows."""
    if ZL.shape[-2] == 1:
        return (sigmoid(ZL) > THRESHOLD)[..., 0, :].astype(np.int64)
    return np.argmax(ZL, axis=-2)


def predict(X, parameters, activation: str = "relu"):
    """Class codes for each column of X: labels 0/1 as the course predicts them, for more classes
    the most probable one."""
    ZL, _ = forward(X, parameters, activation=activation)
    return labels_of(ZL)


def count_correct(X, Y, parameters, activation: str = "relu") -> int:
    """How many columns of X ``predict`` labels as Y does (Y of shape (1, m) or (m,))."""
    return int(np.sum(predict(X, parameters, activation) == np.ravel(Y)))


def dead_units(X, parameters, activation: str = "relu") -> list[np.ndarray]:
    """Per hidden layer, which units output 0 on every example of X: a ReLU unit that is
    inactive everywhere passes no gradient back, so training cannot revive it."""
    _, activations = forward(X, parameters, activation=activation)
    return [np.all(A == 0, axis=1) for A in activations[1:]]


def unit_mask(hidden_sizes, keep_prob: float, seed: int) -> list[np.ndarray]:
    """One dropout draw over the hidden units (True: kept), as a picture of what one training
    step sees; training itself draws a new one per example and step."""
    rng = np.random.default_rng(seed)
    return [rng.random(n) < keep_prob for n in hidden_sizes]


def fixed_masks(hidden_sizes, m: int, keep_prob: float):
    """The original notebook's masks: it re-seeded the legacy generator with 1 at every iteration,
    so every iteration drew these same masks (D1 first, then D2, ...)."""
    rs = np.random.RandomState(1)
    return [rs.random_sample((n, m)) < keep_prob for n in hidden_sizes]


def fresh_masks(rng: np.random.Generator, hidden_sizes, m: int, keep_prob: float):
    """New masks for one iteration: each unit of each example kept with probability keep_prob.

    One raw 64-bit draw from ``rng`` seeds SplitMix64, whose t-th output is a hash of seed + t·γ.
    Each hidden unit in turn, layer by layer, takes the next ⌈m/4⌉ outputs; their four 16-bit
    quarters, lowest first, are the draws for its examples, a quarter of them at a time.  A unit
    is kept where its draw is below keep_prob·2¹⁶, which honours keep_prob to within 2⁻¹⁷.
    """
    # Hashes of a counter, not random doubles: compiled code computes the same draws side by side, far faster.
    units, quarter = sum(hidden_sizes), (m + 3) // 4
    t = np.arange(1, units * quarter + 1, dtype=np.uint64).reshape(units, quarter)
    z = np.uint64(rng.bit_generator.random_raw()) + t * 0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    z = z ^ (z >> 31)
    draws = np.concatenate([(z >> shift) & 0xFFFF for shift in (0, 16, 32, 48)], axis=1)[:, :m]
    return np.split(draws < round(keep_prob * 2**16), np.cumsum(hidden_sizes)[:-1])
