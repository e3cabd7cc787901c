"""The baseline ``python -m nnreg bench`` compares with: the course notebooks' training loops as
written, one ``np.dot`` per layer per update on a dict of parameters, the cost computed every
update and dropout masks drawn as random doubles.  A measuring stick, not part of nnreg."""

from __future__ import annotations

import math

import numpy as np

from nnreg import network
from nnreg.settings import Settings


def epoch_orders(m: int, settings: Settings) -> list[np.ndarray]:
    """The shuffle of each epoch a mini-batch run of ``settings`` starts, the engines' own
    (``network.batch_order``).  Drawn before the clock starts: the course's ``np.random.permutation``
    takes microseconds, batch_order's Python loop longer than an epoch's updates.  The full
    batch is not shuffled: an empty list."""
    if settings.batch_size is None or settings.batch_size >= m:
        return []
    epochs = math.ceil(settings.num_iterations / math.ceil(m / settings.batch_size))
    return [network.batch_order(m, settings.seed, epoch) for epoch in range(epochs)]


def course_style_loop(X, Y, parameters, settings: Settings, orders=None) -> dict:
    """The course notebooks' training loop, as the baseline: forward, cost, backward, update.

    With K >= 3 outputs it is the same loop with the softmax and its cross-entropy written as the
    course's next exercise writes them, on the one-hot labels.  The update is the Optimization
    notebook's ``update_parameters_with_momentum`` or ``update_parameters_with_adam`` as
    ``optimizer`` says, and with ``batch_size`` the loop is that notebook's ``model()``: each epoch
    shuffles the points (``random_mini_batches``: ``X[:, permutation]``, then consecutive slices, the
    last one smaller) and updates once per mini-batch, until ``num_iterations`` updates are made.
    ``orders[epoch]`` is an epoch's permutation (``epoch_orders``, drawn here if not given: a
    timing passes them)."""
    unmodelled = [name for name, used in (("l1", settings.l1 > 0), ("weight_decay", settings.weight_decay > 0),
                                          ("activation", settings.activation != "relu")) if used]
    if unmodelled:
        raise ValueError(f"the course-style loop has no {', '.join(unmodelled)}: it trains the course's ReLU "
                         "network with L2, dropout, the course's optimizers and mini-batches")
    L = len(parameters) // 2
    m = X.shape[1]
    K = parameters["W" + str(L)].shape[0]
    if K > 1:
        Y = np.eye(K)[Y.reshape(-1).astype(int)].T
    lambd, keep_prob, learning_rate = settings.lambd, settings.keep_prob, settings.learning_rate
    batch_size = m if settings.batch_size is None else min(settings.batch_size, m)
    orders = epoch_orders(m, settings) if orders is None else orders
    rng = np.random.RandomState(settings.dropout_seed)
    # The course's initialize_velocity and initialize_adam: zeros shaped like each gradient.
    v = {"d" + name: np.zeros_like(value) for name, value in parameters.items()}
    s = {"d" + name: np.zeros_like(value) for name, value in parameters.items()}
    beta, beta1, beta2, epsilon = network.MOMENTUM_BETA, network.ADAM_BETA1, network.ADAM_BETA2, network.ADAM_EPSILON
    t = 0
    epoch = 0
    while t < settings.num_iterations:
        if batch_size == m:
            minibatches = [(X, Y)]
        else:
            permutation = orders[epoch]
            shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
            minibatches = [(shuffled_X[:, k:k + batch_size], shuffled_Y[:, k:k + batch_size])
                           for k in range(0, m, batch_size)]
        epoch += 1
        for minibatch_X, minibatch_Y in minibatches[:settings.num_iterations - t]:
            t += 1
            mb = minibatch_X.shape[1]
            A, caches = minibatch_X, [(minibatch_X, None)]
            for l in range(1, L):
                Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
                A = np.maximum(0, Z)
                D = None
                if keep_prob < 1:
                    D = rng.rand(A.shape[0], A.shape[1]) < keep_prob
                    A = A * D
                    A = A / keep_prob
                caches.append((A, D))
            ZL = np.dot(parameters["W" + str(L)], A) + parameters["b" + str(L)]
            if K > 1:
                T = np.exp(ZL - np.max(ZL, axis=0, keepdims=True))
                AL = T / np.sum(T, axis=0, keepdims=True)
                logprobs = np.multiply(-np.log(AL), minibatch_Y)
            else:
                AL = 1 / (1 + np.exp(-ZL))
                logprobs = np.multiply(-np.log(AL), minibatch_Y) + np.multiply(-np.log(1 - AL), 1 - minibatch_Y)
            cost = 1.0 / mb * np.nansum(logprobs)
            if lambd:
                cost += lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))
            # A mini-batch averages its own loss; L2 keeps the whole set's λ/m, as nnreg's engines do.
            grads = {}
            dZ = AL - minibatch_Y
            for l in range(L, 0, -1):
                A_prev = caches[l - 1][0]
                grads["dW" + str(l)] = 1.0 / mb * np.dot(dZ, A_prev.T) + lambd / m * parameters["W" + str(l)]
                grads["db" + str(l)] = 1.0 / mb * np.sum(dZ, axis=1, keepdims=True)
                if l > 1:
                    dA = np.dot(parameters["W" + str(l)].T, dZ)
                    if keep_prob < 1:
                        dA = dA * caches[l - 1][1]
                        dA = dA / keep_prob
                    dZ = np.multiply(dA, np.int64(A_prev > 0))
            for name in parameters:
                d = "d" + name
                if settings.optimizer == "gd":
                    parameters[name] = parameters[name] - learning_rate * grads[d]
                elif settings.optimizer == "momentum":
                    v[d] = beta * v[d] + (1 - beta) * grads[d]
                    parameters[name] = parameters[name] - learning_rate * v[d]
                else:
                    v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
                    v_corrected = v[d] / (1 - np.power(beta1, t))
                    s[d] = beta2 * s[d] + (1 - beta2) * np.power(grads[d], 2)
                    s_corrected = s[d] / (1 - np.power(beta2, t))
                    parameters[name] = parameters[name] - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return parameters
