"""The baseline ``python -m nnreg bench`` compares with: the course notebook's training loop as
written, one ``np.dot`` per layer per iteration on a dict of parameters, the cost computed every
iteration and dropout masks drawn as random doubles.  A measuring stick, not part of nnreg."""

from __future__ import annotations

import numpy as np

from nnreg.settings import Settings


def course_style_loop(X, Y, parameters, settings: Settings) -> dict:
    """The course notebook's training loop, as the baseline: forward, cost, backward, update.

    With K >= 3 outputs it is the same loop with the softmax and its cross-entropy written as the
    course's next exercise writes them, on the one-hot labels."""
    L = len(parameters) // 2
    m = X.shape[1]
    K = parameters["W" + str(L)].shape[0]
    if K > 1:
        Y = np.eye(K)[Y.reshape(-1).astype(int)].T
    lambd, keep_prob = settings.lambd, settings.keep_prob
    rng = np.random.RandomState(settings.dropout_seed)
    for i in range(settings.num_iterations):
        A, caches = X, [(X, None)]
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
            logprobs = np.multiply(-np.log(AL), Y)
        else:
            AL = 1 / (1 + np.exp(-ZL))
            logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
        cost = 1.0 / m * np.nansum(logprobs)
        if lambd:
            cost += lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))
        grads = {}
        dZ = AL - Y
        for l in range(L, 0, -1):
            A_prev = caches[l - 1][0]
            grads["dW" + str(l)] = 1.0 / m * np.dot(dZ, A_prev.T) + lambd / m * parameters["W" + str(l)]
            grads["db" + str(l)] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
            if l > 1:
                dA = np.dot(parameters["W" + str(l)].T, dZ)
                if keep_prob < 1:
                    dA = dA * caches[l - 1][1]
                    dA = dA / keep_prob
                dZ = np.multiply(dA, np.int64(A_prev > 0))
        for l in range(1, L + 1):
            parameters["W" + str(l)] = parameters["W" + str(l)] - settings.learning_rate * grads["dW" + str(l)]
            parameters["b" + str(l)] = parameters["b" + str(l)] - settings.learning_rate * grads["db" + str(l)]
    return parameters
