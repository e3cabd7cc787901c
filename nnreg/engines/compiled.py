"""The compiled engine: ``reference.numpy_loop``'s mathematics compiled by Numba, for any depth,
any number of inputs and either output (one sigmoid unit for two classes, a softmax for more),
any hidden activation, gradient descent, momentum or Adam with decoupled weight decay, on the
full batch or on mini-batches.

A model is a few billion floating-point operations on arrays of a few hundred numbers, so NumPy
spends its time in call overhead, not arithmetic; loops over the examples compiled to machine code
do the same arithmetic without that overhead.  The parameters live in one flat vector (W1 row by
row, b1, W2, b2, ...) and the layers in one loop, so one compiled function serves every
network, of the sizes of the parameters it is given.  Dropout masks are ``network.fresh_masks``'s
own draws (SplitMix64 keyed by SFC64) or the notebook's fixed masks.  Sums run in another order
than NumPy's, so the parameters agree with the reference to rounding (about 1e-13 relative after
a thousand iterations), not bit for bit.  ``nogil=True`` lets threads train models side by
side; each call has its own buffers.

Each activation, optimizer and choice of full batch or mini-batches has a kernel of its own
(``_kernel``), compiled when first used and cached on disk: a kernel compiles only its variant's
code, so the course's (ReLU, gradient descent, full batch) compiles as before there were variants.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

# Numba caches compiled code next to this file; where the package is read-only (e.g. Streamlit
# Community Cloud) it must go elsewhere, and the setting is read when numba is first imported.
_PACKAGE_DIR = Path(__file__).resolve().parent
_CACHE_PARENT = _PACKAGE_DIR / "__pycache__" if (_PACKAGE_DIR / "__pycache__").is_dir() else _PACKAGE_DIR
if "NUMBA_CACHE_DIR" not in os.environ and not os.access(_CACHE_PARENT, os.W_OK):
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "nnreg-numba-cache")

import numba  # noqa: E402
import numpy as np  # noqa: E402
from llvmlite import ir  # noqa: E402
from numba.extending import intrinsic, overload  # noqa: E402

from .. import network  # noqa: E402
from ..settings import Settings  # noqa: E402
from .record import Record, TrainingStopped  # noqa: E402

NO_DROPOUT, FIXED_MASKS, FRESH_MASKS = 0, 1, 2
# The kernels' codes for network.ACTIVATIONS and network.OPTIMIZERS, in their order.
RELU, TANH, SIGMOID, LEAKY_RELU = range(len(network.ACTIVATIONS))
GD, MOMENTUM, ADAM = range(len(network.OPTIMIZERS))

# Reordering sums lets LLVM vectorize them; inf and NaN keep their meaning, which divergence
# detection relies on (so no "nnan"/"ninf", i.e. not fastmath=True).  error_model="numpy" makes
# division plain IEEE arithmetic instead of a Python ZeroDivisionError check that blocks vectorizing.
_FAST = dict(nogil=True, cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")
# The loop's helpers are called only from compiled code: no wrappers for calls from Python (they
# would be compiled for nothing, a few tenths of a second of the first compile).
_HELPER = dict(_FAST, no_cpython_wrapper=True, no_cfunc_wrapper=True)

# Unsigned integers for the generators' arithmetic and for array indices: Numba turns a mix of
# signed and unsigned 64-bit integers into floats, and gives signed indices negative-index
# handling that stops LLVM from vectorizing.
_U = np.uint64
_LOW_16 = _U(0xFFFF)
# SplitMix64's increment and multipliers.
_GAMMA, _MIX1, _MIX2 = _U(0x9E3779B97F4A7C15), _U(0xBF58476D1CE4E5B9), _U(0x94D049BB133111EB)

_LOG2_E = 1.4426950408889634
# ln 2 split so that n·_LN2_HI is exact for every n used (Cody and Waite's range reduction).
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10


def _float_from_bits(bits):
    """The float64 whose IEEE 754 bit pattern is the int64 ``bits`` (as Python, for NUMBA_DISABLE_JIT)."""
    return np.int64(bits).view(np.float64)


@intrinsic
def _bitcast_to_float(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return numba.float64(numba.int64), codegen


@overload(_float_from_bits, jit_options={"nogil": True, "cache": True})
def _float_from_bits_compiled(bits):
    # Compiled, the same bits are one register move.
    return lambda bits: _bitcast_to_float(bits)


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, error_model="numpy")
def _exp(x):
    """e**x to within one rounding, in arithmetic LLVM can vectorize (libm's exp is one call per number).

    e**x = 2**n · e**r with |r| <= ln2/2, where a degree-13 Taylor polynomial is exact to 1e-17.
    No "reassoc" here: it could undo the two-step subtraction that keeps r exact.
    """
    # Beyond these bounds e**x is 0 or inf in double precision anyway.
    x = min(max(x, -746.0), 710.0)
    n = np.floor(x * _LOG2_E + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO
    # Σ r^i/i! for i <= 13 by Horner's rule; literal coefficients stay in registers.
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    # 2**n as two factors, so that n past the normal exponent range still overflows or underflows.
    half = np.floor(n * 0.5)
    return (p * _float_from_bits((np.int64(half) + 1023) << 52)
            * _float_from_bits((np.int64(n - half) + 1023) << 52))


@numba.njit(**_FAST)
def _next_key(state):
    """The next raw output of NumPy's SFC64 bit generator, advancing its state in place."""
    a, b, c, counter = state[0], state[1], state[2], state[3]
    output = a + b + counter
    state[0], state[1] = b ^ (b >> _U(11)), c + (c << _U(3))
    state[2], state[3] = ((c << _U(24)) | (c >> _U(40))) + output, counter + _U(1)
    return output


@numba.njit(**_FAST)
def _splitmix64(state):
    """SplitMix64's output for the state key + counter·γ (its counter-th output when seeded with key)."""
    z = state
    z = (z ^ (z >> _U(30))) * _MIX1
    z = (z ^ (z >> _U(27))) * _MIX2
    return z ^ (z >> _U(31))


@numba.njit(**_HELPER)
def _dropout(v, draw, threshold, scale):
    """ReLU, then inverted dropout: the unit is kept (and scaled by 1/keep_prob) where draw < threshold.

    Multiplying by 0 rather than choosing 0 keeps NumPy's inf·0 = NaN.
    """
    return (0.0 if v < 0.0 else v) * (scale if draw < threshold else 0.0)


@numba.njit(**_HELPER)
def _activate(z, activation):
    """g(z) and g'(z) for a hidden unit (``network.hidden_activation`` and ``activation_derivative``),
    for every activation but ReLU, which the passes below fuse with their own arithmetic."""
    if activation == TANH:
        # 1 − 2/(1 + e^2z) vectorizes with _exp where libm's tanh is a call per number (ten times
        # slower); it is within a few roundings of 1 in absolute terms, not relative ones near 0.
        a = 1.0 - 2.0 / (1.0 + _exp(2.0 * z))
        return a, 1.0 - a * a
    if activation == SIGMOID:
        a = 1.0 / (1.0 + _exp(-z))
        return a, a * (1.0 - a)
    # Leaky ReLU; NaN takes the second branch, as in np.where(Z > 0, ...).
    return (z, 1.0) if z > 0.0 else (network.LEAKY_SLOPE * z, network.LEAKY_SLOPE)


@numba.njit(**_HELPER)
def _forward(acts, slopes, theta, sizes, w_off, b_off, row_off, mask_off, mp, m, mask_mode, masks, key, quarter,
             threshold, scale, activation):
    """``network.forward`` into ``acts``: every layer's rows, the logits last.  For an activation
    other than ReLU, ``slopes`` gets each hidden unit's g'(Z) times its dropout factor, at the
    unit's place in ``acts``: all that backward needs of it.

    Each product W_l·A_{l-1} runs as passes over the examples, each adding up to four rows of
    A_{l-1} at once; the first pass takes the 1 to 4 rows left over, so no pass multiplies padding.
    ReLU's ``slopes`` is None: Numba then drops every branch on ``slopes is None`` before it
    compiles, so the course's kernel compiles none of the other activations' code.
    """
    L = sizes.size - 1
    # Z_l = W_l·A_{l-1} + b_l; hidden layers then ReLU and inverted dropout.
    for l in range(1, L + 1):
        n, k = sizes[l], sizes[l - 1]
        a0, a1, a2, a3 = row_off[l - 1], row_off[l - 1] + mp, row_off[l - 1] + 2 * mp, row_off[l - 1] + 3 * mp
        hidden = l < L
        dropout = hidden and mask_mode != NO_DROPOUT
        head = (k - 1) % 4 + 1
        # ReLU joins the first pass when that pass is the only one (as a floor of 0, else -inf);
        # comparisons are written so that NaN passes through, as np.maximum(0, NaN) does.
        floor = 0.0 if hidden and k <= 4 and slopes is None else -math.inf
        for j in range(n):
            w, z = w_off[l] + j * k, row_off[l] + j * mp
            bias = theta[b_off[l] + j]
            if head == 1:
                c0 = theta[w]
                for e in range(mp):
                    v = bias + c0 * acts[_U(a0 + e)]
                    acts[_U(z + e)] = floor if v < floor else v
            elif head == 2:
                c0, c1 = theta[w], theta[w + 1]
                for e in range(mp):
                    v = bias + c0 * acts[_U(a0 + e)] + c1 * acts[_U(a1 + e)]
                    acts[_U(z + e)] = floor if v < floor else v
            elif head == 3:
                c0, c1, c2 = theta[w], theta[w + 1], theta[w + 2]
                for e in range(mp):
                    v = bias + c0 * acts[_U(a0 + e)] + c1 * acts[_U(a1 + e)] + c2 * acts[_U(a2 + e)]
                    acts[_U(z + e)] = floor if v < floor else v
            else:
                c0, c1, c2, c3 = theta[w], theta[w + 1], theta[w + 2], theta[w + 3]
                for e in range(mp):
                    v = (bias + c0 * acts[_U(a0 + e)] + c1 * acts[_U(a1 + e)] + c2 * acts[_U(a2 + e)]
                         + c3 * acts[_U(a3 + e)])
                    acts[_U(z + e)] = floor if v < floor else v
            for t in range(head, k, 4):
                c0, c1, c2, c3 = theta[w + t], theta[w + t + 1], theta[w + t + 2], theta[w + t + 3]
                a = row_off[l - 1] + t * mp
                for e in range(mp):
                    acts[_U(z + e)] += (c0 * acts[_U(a + e)] + c1 * acts[_U(a + mp + e)]
                                        + c2 * acts[_U(a + 2 * mp + e)] + c3 * acts[_U(a + 3 * mp + e)])
            if hidden and slopes is not None:
                for e in range(mp):
                    acts[_U(z + e)], slopes[_U(z + e)] = _activate(acts[_U(z + e)], activation)
            if dropout and mask_mode == FRESH_MASKS:
                # network.fresh_masks's draws, made where they are used: examples t, quarter + t,
                # 2·quarter + t and 3·quarter + t take the 16-bit quarters of this unit's output t.
                state_t = key + _U((mask_off[l] // m + j) * quarter) * _GAMMA
                for t in range(quarter):
                    state_t += _GAMMA
                    draw = _splitmix64(state_t)
                    for part in range(4):
                        e = z + part * quarter + t
                        bits = (draw >> _U(16 * part)) & _LOW_16
                        if slopes is None:
                            acts[_U(e)] = _dropout(acts[_U(e)], bits, threshold, scale)
                        else:
                            keep = scale if bits < threshold else 0.0
                            acts[_U(e)] *= keep
                            slopes[_U(e)] *= keep
            elif dropout:
                d = mask_off[l] + j * m
                for e in range(mp):
                    v = acts[_U(z + e)]
                    if slopes is None:
                        acts[_U(z + e)] = (0.0 if v < 0.0 else v) * np.float64(masks[_U(d + e)]) * scale
                    else:
                        keep = np.float64(masks[_U(d + e)]) * scale
                        acts[_U(z + e)] = v * keep
                        slopes[_U(z + e)] *= keep
            elif hidden and k > 4 and slopes is None:
                for e in range(mp):
                    v = acts[_U(z + e)]
                    acts[_U(z + e)] = 0.0 if v < 0.0 else v
            if hidden:
                for e in range(m, mp):
                    acts[z + e] = 0.0
                if slopes is not None:
                    # The padding's dZ must stay exactly 0 (g'(b) need not be).
                    for e in range(m, mp):
                        slopes[z + e] = 0.0


@numba.njit(**_HELPER)
def _finite_logits(acts, logits, outputs, mp, m):
    """Whether every logit is a finite number: training diverged when one is not."""
    finite = True
    for j in range(outputs):
        for e in range(m):
            finite &= math.isfinite(acts[logits + j * mp + e])
    return finite


@numba.njit(**_HELPER)
def _softmax_delta(deltas, acts, Y_padded, dz, logits, scratch, K, mp, m):
    """The K output rows of dZ for a softmax: softmax(ZL) − one-hot(Y) (``network.output_delta``),
    Y_padded holding each example's class code; the padding examples' dZ is 0.

    Row by row, so that every pass over the examples vectorizes like the sigmoid's: the largest
    logit of each example, then e^(z − max) in dZ's rows, their sum, the quotient.  ``scratch`` is
    a free row (layer 1's dZ row, not yet made) for the maxima and then the sums.
    """
    for e in range(mp):
        deltas[_U(scratch + e)] = acts[_U(logits + e)]
    for j in range(1, K):
        z = logits + j * mp
        for e in range(mp):
            v = acts[_U(z + e)]
            top = deltas[_U(scratch + e)]
            deltas[_U(scratch + e)] = v if v > top else top
    for j in range(K):
        z, d = logits + j * mp, dz + j * mp
        for e in range(mp):
            deltas[_U(d + e)] = _exp(acts[_U(z + e)] - deltas[_U(scratch + e)])
    for e in range(mp):
        deltas[_U(scratch + e)] = deltas[_U(dz + e)]
    for j in range(1, K):
        d = dz + j * mp
        for e in range(mp):
            deltas[_U(scratch + e)] += deltas[_U(d + e)]
    for j in range(K):
        d = dz + j * mp
        for e in range(mp):
            deltas[_U(d + e)] = deltas[_U(d + e)] / deltas[_U(scratch + e)] - (1.0 if Y_padded[e] == j else 0.0)
        for e in range(m, mp):
            deltas[d + e] = 0.0


@numba.njit(**_HELPER)
def _backward(grad, deltas, acts, slopes, theta, Y_padded, sizes, w_off, b_off, row_off, delta_off, mp, m, inv_m,
              lambd_m, scale):
    """``network.backward`` into ``grad``, with L2's term (λ/m)·W_l in dW_l; ``deltas`` holds the dZ rows.

    With ReLU a hidden unit's factor g'(Z)·dropout is scale·[A > 0]; for other activations
    ``_forward`` left it in ``slopes``."""
    L = sizes.size - 1
    # Backward, from the output layer down, one unit j of layer l at a time: first its row of
    # dZ_l (σ(ZL) - Y at a single output, softmax(ZL) - one-hot(Y) at K outputs; below,
    # (W_{l+1}ᵀ·dZ_{l+1})[j] times scale·[A_l[j] > 0]: gradient flows only through active units,
    # and a dropped unit's activation is 0), then at once its gradients
    # dW_l[j] = (1/m)·dZ_l[j]·A_{l-1}ᵀ + (λ/m)·W_l[j] and db_l[j] = (1/m)·Σ dZ_l[j], as
    # network.backward has them.  Layer 1's rows are used and dropped, which keeps the working
    # set in the fastest cache.
    for l in range(L, 0, -1):
        n, k = sizes[l], sizes[l - 1]
        a0, a1, a2, a3 = row_off[l - 1], row_off[l - 1] + mp, row_off[l - 1] + 2 * mp, row_off[l - 1] + 3 * mp
        head = (k - 1) % 4 + 1
        if l == L and n > 1:
            # Each example's K probabilities need all K logits: the rows of dZ_L are made together.
            _softmax_delta(deltas, acts, Y_padded, delta_off[L], row_off[L], delta_off[1], n, mp, m)
        up = min(l + 1, L)
        n_up = sizes[up] if l < L else 0
        u0, u1, u2, u3 = delta_off[up], delta_off[up] + mp, delta_off[up] + 2 * mp, delta_off[up] + 3 * mp
        head_up = (n_up - 1) % 4 + 1
        # The ReLU/dropout factor joins the first pass over dZ_{l+1} when that pass is the only one.
        on, off = (scale, 0.0) if n_up <= 4 and slopes is None else (1.0, 1.0)
        for j in range(n):
            dz, act = delta_off[l] + (j * mp if l > 1 else 0), row_off[l] + j * mp
            w_up = w_off[up] + j
            if l == L:
                # A softmax's rows were all made above, before this loop.
                if n == 1:
                    for e in range(mp):
                        deltas[_U(dz + e)] = 1.0 / (1.0 + _exp(-acts[_U(act + e)])) - Y_padded[e]
                    for e in range(m, mp):
                        deltas[dz + e] = 0.0
            elif head_up == 1:
                c0 = theta[w_up]
                for e in range(mp):
                    deltas[_U(dz + e)] = c0 * deltas[_U(u0 + e)] * (on if acts[_U(act + e)] > 0.0 else off)
            elif head_up == 2:
                c0, c1 = theta[w_up], theta[w_up + n]
                for e in range(mp):
                    deltas[_U(dz + e)] = ((c0 * deltas[_U(u0 + e)] + c1 * deltas[_U(u1 + e)])
                                          * (on if acts[_U(act + e)] > 0.0 else off))
            elif head_up == 3:
                c0, c1, c2 = theta[w_up], theta[w_up + n], theta[w_up + 2 * n]
                for e in range(mp):
                    deltas[_U(dz + e)] = ((c0 * deltas[_U(u0 + e)] + c1 * deltas[_U(u1 + e)]
                                           + c2 * deltas[_U(u2 + e)]) * (on if acts[_U(act + e)] > 0.0 else off))
            else:
                c0, c1, c2, c3 = theta[w_up], theta[w_up + n], theta[w_up + 2 * n], theta[w_up + 3 * n]
                for e in range(mp):
                    deltas[_U(dz + e)] = ((c0 * deltas[_U(u0 + e)] + c1 * deltas[_U(u1 + e)]
                                           + c2 * deltas[_U(u2 + e)] + c3 * deltas[_U(u3 + e)])
                                          * (on if acts[_U(act + e)] > 0.0 else off))
            if l < L:
                for t in range(head_up, n_up, 4):
                    c0, c1 = theta[w_up + t * n], theta[w_up + (t + 1) * n]
                    c2, c3 = theta[w_up + (t + 2) * n], theta[w_up + (t + 3) * n]
                    u = delta_off[up] + t * mp
                    for e in range(mp):
                        deltas[_U(dz + e)] += (c0 * deltas[_U(u + e)] + c1 * deltas[_U(u + mp + e)]
                                               + c2 * deltas[_U(u + 2 * mp + e)]
                                               + c3 * deltas[_U(u + 3 * mp + e)])
                if slopes is not None:
                    for e in range(mp):
                        deltas[_U(dz + e)] *= slopes[_U(act + e)]
                elif n_up > 4:
                    # Multiplying rather than selecting keeps inf·0 = NaN, as in NumPy.
                    for e in range(mp):
                        deltas[_U(dz + e)] *= scale * (1.0 if acts[_U(act + e)] > 0.0 else 0.0)

            w = w_off[l] + j * k
            s, s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0, 0.0
            if head == 1:
                for e in range(mp):
                    d = deltas[_U(dz + e)]
                    s += d
                    s0 += d * acts[_U(a0 + e)]
            elif head == 2:
                for e in range(mp):
                    d = deltas[_U(dz + e)]
                    s += d
                    s0 += d * acts[_U(a0 + e)]
                    s1 += d * acts[_U(a1 + e)]
            elif head == 3:
                for e in range(mp):
                    d = deltas[_U(dz + e)]
                    s += d
                    s0 += d * acts[_U(a0 + e)]
                    s1 += d * acts[_U(a1 + e)]
                    s2 += d * acts[_U(a2 + e)]
            else:
                for e in range(mp):
                    d = deltas[_U(dz + e)]
                    s += d
                    s0 += d * acts[_U(a0 + e)]
                    s1 += d * acts[_U(a1 + e)]
                    s2 += d * acts[_U(a2 + e)]
                    s3 += d * acts[_U(a3 + e)]
            grad[b_off[l] + j] = inv_m * s
            for q, total in enumerate((s0, s1, s2, s3)):
                if q < head:
                    grad[w + q] = inv_m * total + lambd_m * theta[w + q]
            for t in range(head, k, 4):
                a = row_off[l - 1] + t * mp
                s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
                for e in range(mp):
                    d = deltas[_U(dz + e)]
                    s0 += d * acts[_U(a + e)]
                    s1 += d * acts[_U(a + mp + e)]
                    s2 += d * acts[_U(a + 2 * mp + e)]
                    s3 += d * acts[_U(a + 3 * mp + e)]
                for q, total in enumerate((s0, s1, s2, s3)):
                    grad[w + t + q] = inv_m * total + lambd_m * theta[w + t + q]


@numba.njit(**_HELPER)
def _update(theta, updated, step, learning_rate, decay_step, l1_step, w_off, b_off):
    """``network.optimizer_step``'s last part into ``updated``: θ − α·step (the gradient itself for
    gradient descent), then with weight decay every weight less ``decay_step``·W (α·wd times its
    value before this update; None without, which Numba then leaves out), then with L1 every
    weight soft-thresholded by ``l1_step`` = α·l1/m.  False if a parameter overflowed."""
    finite = True
    for p in range(theta.size):
        updated[p] = theta[p] - learning_rate * step[p]
        finite &= math.isfinite(updated[p])
    if decay_step is not None:
        for l in range(1, w_off.size):
            for p in range(w_off[l], b_off[l]):
                updated[p] -= decay_step * theta[p]
                finite &= math.isfinite(updated[p])
    if l1_step > 0.0:
        for l in range(1, w_off.size):
            for p in range(w_off[l], b_off[l]):
                # sign(w)·max(|w| − t, 0), as network.soft_threshold; NaN stays NaN (NaN <= 0 is false).
                shrunk = abs(updated[p]) - l1_step
                updated[p] = 0.0 if shrunk <= 0.0 else math.copysign(shrunk, updated[p])
    return finite


# The smallest normal double.  A running average whose gradient has gone to 0 for good (a dead
# unit's) decays into the subnormals and sticks at the smallest one, since β times it rounds back
# to it; every operation on a subnormal costs the CPU about a hundred cycles, which made Adam's
# kernel 20 % slower after a few thousand updates.  Set to 0 instead, it moves no parameter by less
# than the subnormal step it would have taken (below 10^-300 at any learning rate), so the two
# engines still agree.
_NORMAL = 2.2250738585072014e-308


@numba.njit(**_HELPER)
def _normal_or_zero(value):
    return value if abs(value) >= _NORMAL else 0.0


@numba.njit(**_HELPER)
def _momentum(grad, velocity):
    """Momentum's step into ``grad``: v ← β·v + (1 − β)·dθ, the step is v."""
    for p in range(grad.size):
        velocity[p] = _normal_or_zero(network.MOMENTUM_BETA * velocity[p] + (1 - network.MOMENTUM_BETA) * grad[p])
        grad[p] = velocity[p]


@numba.njit(**_HELPER)
def _adam(grad, velocity, squares, t):
    """Adam's step into ``grad`` at update t (from 1): v ← β1·v + (1 − β1)·dθ,
    s ← β2·s + (1 − β2)·dθ², the step is v̂/(√ŝ + ε) with v̂ = v/(1 − β1ᵗ), ŝ = s/(1 − β2ᵗ)."""
    # math.pow is the C library's pow, as Python's float ** int is.
    correction1 = 1 - math.pow(network.ADAM_BETA1, t)
    correction2 = 1 - math.pow(network.ADAM_BETA2, t)
    for p in range(grad.size):
        g = grad[p]
        velocity[p] = _normal_or_zero(network.ADAM_BETA1 * velocity[p] + (1 - network.ADAM_BETA1) * g)
        squares[p] = _normal_or_zero(network.ADAM_BETA2 * squares[p] + (1 - network.ADAM_BETA2) * (g * g))
        grad[p] = (velocity[p] / correction1) / (math.sqrt(squares[p] / correction2) + network.ADAM_EPSILON)


@numba.njit(**_FAST)
def _shuffle(order, seed, epoch):
    """``network.batch_order(m, seed, epoch)`` into ``order``: Fisher–Yates over SplitMix64."""
    m = order.size
    for i in range(m):
        order[i] = i
    state = _U(seed) * _GAMMA + _U(epoch)
    for i in range(m - 1, 0, -1):
        state += _GAMMA
        j = _splitmix64(state) % _U(i + 1)
        order[i], order[j] = order[j], order[i]


@numba.njit(**_HELPER)
def _gather(order, start, count, acts, acts_b, Y_padded, Y_b, features, mp, bp, m, mask_off, mask_off_b, mask_mode,
            masks, masks_b, key, quarter, threshold):
    """The mini-batch ``order[start: start + count]`` into its own buffers (rows of ``bp``): its
    points' inputs and labels, and their dropout masks as rows of ``count`` (``_forward`` then
    applies them as fixed masks): the fixed masks' columns, or ``network.fresh_masks``'s draws
    for these points, each computed from the point's place among all m as ``_forward`` does."""
    for r in range(features):
        for pos in range(count):
            acts_b[r * bp + pos] = acts[r * mp + order[start + pos]]
        for pos in range(count, bp):
            acts_b[r * bp + pos] = 0.0
    for pos in range(count):
        Y_b[pos] = Y_padded[order[start + pos]]
    for l in range(mask_off.size):
        mask_off_b[l] = mask_off[l] // m * count
    for u in range(mask_off[-1] // m):
        for pos in range(count):
            o = order[start + pos]
            if mask_mode == FIXED_MASKS:
                masks_b[u * count + pos] = masks[u * m + o]
            elif mask_mode == FRESH_MASKS:
                # Point o is draw o % quarter's 16-bit part o // quarter of this unit's row.
                draw = _splitmix64(key + _U(u * quarter + o % quarter + 1) * _GAMMA)
                masks_b[u * count + pos] = ((draw >> _U(16 * (o // quarter))) & _LOW_16) < threshold


def _kernel(activation: int, optimizer: int, batched: int):
    """The training loop for one activation and optimizer (their codes), on the full batch or
    (``batched`` 1) on mini-batches.

    Numba caches a closure on disk by its code and the values it holds, so a closure over these
    integers is one cached kernel per variant (a closure holding functions would not be: they
    pickle differently in every process).  The branches on them are resolved before the kernel
    compiles, and ``_forward`` is compiled for each activation, given as a constant.
    """

    def _train(theta, updated, grad, acts, slopes, deltas, Y_padded, m, sizes, w_off, b_off, row_off, delta_off,
               mask_off, learning_rate, lambd, decay_step, l1_step, scale, num_iterations, record_every, mask_mode,
               masks, rng_state, threshold, velocity, squares, batch, record_iterations, recorded_logits, snapshots,
               stop):
        """Training exactly as ``reference.numpy_loop`` does it: each iteration ``_forward``,
        ``_finite_logits`` (divergence), a snapshot every ``record_every``, ``_backward``, the
        optimizer's step (``_momentum``, ``_adam``; gradient descent's is the gradient) and
        ``_update``.  ``velocity`` and ``squares`` are the optimizer's state (v and s), zeros at first.
        With mini-batches, ``batch`` holds their size, the seed of their order and their buffers
        (``numba_loop``); all m points go forward only to be recorded, and each update's batch
        goes forward and backward in buffers of its own.

        All arrays are flat, laid out by ``_Layout``: a matrix row is a run of ``mp`` numbers (one per
        example) at a known offset; the helpers' passes over the examples are the vectorized, innermost
        loops.  Every buffer comes from the caller: allocating here would compile NumPy's allocators
        with the loop, a second of the first compile.  Returns the last finite parameters, how many
        iterations were recorded, the iteration it diverged at (0: it did not) and whether ``stop[0]``
        was set before it finished.
        """
        L = sizes.size - 1
        P = theta.size
        # _Layout's row length, computed here so that the compiler knows it is a multiple of 8.
        mp = (m + 7) // 8 * 8
        # Fresh masks: each hidden unit's row takes `quarter` SplitMix64 outputs, four draws from each.
        quarter = (m + 3) // 4
        key = _U(0)
        inv_m, lambd_m = 1.0 / m, lambd / m
        logits = row_off[L]
        recorded = 0
        diverged_at = 0
        stopped = False
        if batched:
            batch_size, seed, order, acts_b, slopes_b, deltas_b, Y_b, row_off_b, delta_off_b, mask_off_b, masks_b = batch
            bp = (batch_size + 7) // 8 * 8
            # A batch's masks are the fixed masks' or the fresh draws' columns for its points.
            batch_mask_mode = NO_DROPOUT if mask_mode == NO_DROPOUT else FIXED_MASKS
            epoch, start = 0, 0
            _shuffle(order, seed, epoch)

        for i in range(num_iterations):
            # Another thread sets the flag to stop this model (its page went away); one load a step.
            if stop[0] != 0:
                stopped = True
                break
            if mask_mode == FRESH_MASKS:
                key = _next_key(rng_state)

            if not batched or i % record_every == 0:
                _forward(acts, slopes, theta, sizes, w_off, b_off, row_off, mask_off, mp, m, mask_mode, masks, key,
                         quarter, threshold, scale, activation)
                if not _finite_logits(acts, logits, sizes[L], mp, m):
                    diverged_at = i + 1
                    break
            if i % record_every == 0:
                # The objective is computed from these by the reference's own network.cross_entropy.
                record_iterations[recorded] = i
                for e in range(recorded_logits.shape[1]):
                    recorded_logits[recorded, e] = acts[logits + e]
                for p in range(P):
                    snapshots[recorded, p] = theta[p]
                recorded += 1

            if batched:
                if start >= m:
                    epoch, start = epoch + 1, 0
                    _shuffle(order, seed, epoch)
                count = min(batch_size, m - start)
                _gather(order, start, count, acts, acts_b, Y_padded, Y_b, sizes[0], mp, bp, m, mask_off, mask_off_b,
                        mask_mode, masks, masks_b, key, quarter, threshold)
                _forward(acts_b, slopes_b, theta, sizes, w_off, b_off, row_off_b, mask_off_b, bp, count,
                         batch_mask_mode, masks_b, key, quarter, threshold, scale, activation)
                if not _finite_logits(acts_b, row_off_b[L], sizes[L], bp, count):
                    diverged_at = i + 1
                    break
                # The batch's own mean loss, the whole set's λ/m (network.backward).
                _backward(grad, deltas_b, acts_b, slopes_b, theta, Y_b, sizes, w_off, b_off, row_off_b, delta_off_b,
                          bp, count, 1.0 / count, lambd_m, scale)
                start += count
            else:
                _backward(grad, deltas, acts, slopes, theta, Y_padded, sizes, w_off, b_off, row_off, delta_off, mp,
                          m, inv_m, lambd_m, scale)
            if optimizer == MOMENTUM:
                _momentum(grad, velocity)
            elif optimizer == ADAM:
                _adam(grad, velocity, squares, i + 1)
            if not _update(theta, updated, grad, learning_rate, decay_step, l1_step, w_off, b_off):
                # Keep the last finite parameters: a result must never carry NaN or inf.
                diverged_at = i + 1
                break
            theta, updated = updated, theta

        return theta, recorded, diverged_at, stopped

    # A name of its own for each variant: cached kernels compiled in different processes carry the
    # symbol names of their qualified name and a per-process counter, so two variants named alike
    # could collide once loaded into one process (the course's kernel, then Adam's, failed so).
    _train.__qualname__ = _train.__name__ = "_train_" + "_".join(
        (network.ACTIVATIONS[activation], network.OPTIMIZERS[optimizer], ("full", "batched")[batched]))
    return numba.njit(**_FAST)(_train)


# The course's kernel, made now; the others when first asked for.
_train = _kernel(RELU, GD, 0)
_KERNELS = {(RELU, GD, 0): _train}


def _batched(settings: Settings, m: int) -> bool:
    """Whether ``settings`` train on mini-batches of m points (a batch of all m is the full batch)."""
    return settings.batch_size is not None and settings.batch_size < m


def _kernel_for(settings: Settings, m: int):
    """The kernel of ``settings``' activation, optimizer and batches on m points, made on first use."""
    codes = (network.ACTIVATIONS.index(settings.activation), network.OPTIMIZERS.index(settings.optimizer),
             int(_batched(settings, m)))
    kernel = _KERNELS.get(codes)
    if kernel is None:
        # Threads asking at once all get the one stored first.
        kernel = _KERNELS.setdefault(codes, _kernel(*codes))
    return kernel


class _Layout:
    """Where everything lives in the kernel's flat arrays, for layer sizes ``sizes`` and m examples.

    Rows are padded to a whole number of vectors (8 examples): a pass with a remainder of 1 to 3
    ends in scalar code, which costs a fifth of the time at the course's 211 examples.  Padding
    examples have X = 0 and their activations and dZ are kept at exactly 0, so they add nothing.
    """

    def __init__(self, sizes, m: int):
        L = len(sizes) - 1
        self.mp = mp = (m + 7) // 8 * 8
        # Where W_l (row by row) and b_l start in the parameter vector, and where layer l's rows
        # start among the activations (layer 0 is X, layer L the logits), the dZ rows and the
        # fixed dropout masks (rows of m, as the reference has them).
        self.w_off, self.b_off = np.zeros(L + 1, np.int64), np.zeros(L + 1, np.int64)
        self.row_off, self.delta_off = np.zeros(L + 2, np.int64), np.zeros(L + 2, np.int64)
        self.mask_off = np.zeros(L + 1, np.int64)
        self.P = 0
        for l in range(1, L + 1):
            self.w_off[l] = self.P
            self.b_off[l] = self.P + sizes[l] * sizes[l - 1]
            self.P = int(self.b_off[l] + sizes[l])
        for l in range(L + 1):
            self.row_off[l + 1] = self.row_off[l] + sizes[l] * mp
            # Layer 1's dZ rows are used one at a time and dropped: nothing below needs them.
            self.delta_off[l + 1] = self.delta_off[l] + (0 if l == 0 else sizes[l] if l > 1 else 1) * mp
        for l in range(1, L):
            self.mask_off[l + 1] = self.mask_off[l] + sizes[l] * m


def _aligned_zeros(n: int) -> np.ndarray:
    """n zeros starting on a 64-byte boundary: NumPy aligns to 16 bytes, and then half of the
    kernel's 32-byte vector loads straddle two cache lines (measured: a tenth more time)."""
    block = np.zeros(n + 8)
    start = (-block.ctypes.data % 64) // 8
    return block[start: start + n]


def _flatten(parameters, layer_count: int) -> np.ndarray:
    return np.concatenate([parameters[f"{kind}{l}"].ravel()
                           for l in range(1, layer_count + 1) for kind in "Wb"])


def _unflatten(theta: np.ndarray, sizes) -> dict[str, np.ndarray]:
    """The parameters in ``theta``; a 2-D ``theta`` holds one parameter set per row, and gives
    a stack of each (R, n, k) weight and (R, n, 1) bias."""
    parameters, start, stack = {}, 0, theta.shape[:-1]
    for l in range(1, len(sizes)):
        n, k = sizes[l], sizes[l - 1]
        parameters[f"W{l}"] = theta[..., start: start + n * k].reshape(*stack, n, k)
        parameters[f"b{l}"] = theta[..., start + n * k: start + n * k + n].reshape(*stack, n, 1)
        start += n * k + n
    return parameters


def numba_loop(X, Y, parameters, settings: Settings, stop=None) -> Record:
    """Same arguments and result as ``reference.numpy_loop``, computed by the compiled kernel."""
    layer_sizes = network.layer_sizes_of(parameters)
    sizes = np.array(layer_sizes, dtype=np.int64)
    L, m = len(sizes) - 1, X.shape[1]
    layout = _Layout(sizes, m)
    mp = layout.mp
    acts = _aligned_zeros(layout.row_off[-1])
    acts[: sizes[0] * mp].reshape(sizes[0], mp)[:, :m] = X
    Y_padded = _aligned_zeros(mp)
    Y_padded[:m] = Y[0]
    mask_mode, masks = NO_DROPOUT, np.zeros(0, np.uint8)
    rng_state, threshold = np.zeros(4, np.uint64), np.uint64(0)
    if settings.keep_prob < 1.0 and settings.dropout_mask == "fixed":
        mask_mode = FIXED_MASKS
        # The reference's layout (rows of m); a pass reads a row's padding from the next row, or
        # from mp spare zeros after the last, and the result there is set to 0 anyway.
        fixed = network.fixed_masks(settings.layer_dims, m, settings.keep_prob)
        masks = np.concatenate([*(mask.ravel() for mask in fixed), np.zeros(mp)]).astype(np.uint8)
    elif settings.keep_prob < 1.0:
        mask_mode = FRESH_MASKS
        # The stream masks.dropout_masks draws from, and network.fresh_masks's threshold.
        rng_state = np.random.SFC64(settings.dropout_seed).state["state"]["state"].astype(np.uint64)
        threshold = np.uint64(round(settings.keep_prob * 2**16))
    # Multiplying by 1/keep_prob where the reference divides by keep_prob: equal to within a rounding.
    scale = 1.0 / settings.keep_prob if mask_mode != NO_DROPOUT else 1.0
    n_records = settings.n_records
    snapshots = np.empty((n_records, layout.P))
    record_iterations = np.empty(n_records, np.int64)
    recorded_logits = np.empty((n_records, sizes[L] * mp))
    theta = _aligned_zeros(layout.P)
    theta[:] = _flatten(parameters, L)
    # Only what a variant uses is allocated: ReLU's slopes are read from the activations (None
    # takes the other activations' code out of its kernel), and gradient descent keeps no state.
    slopes = None if settings.activation == "relu" else _aligned_zeros(layout.row_off[-1])
    velocity = _aligned_zeros(0 if settings.optimizer == "gd" else layout.P)
    squares = _aligned_zeros(layout.P if settings.optimizer == "adam" else 0)
    batch = None
    if _batched(settings, m):
        # The batches' buffers, laid out for the largest batch; the last of an epoch is smaller.
        size = settings.batch_size
        batch_layout = _Layout(sizes, size)
        hidden_units = int(layout.mask_off[L]) // m
        batch = (size, settings.seed, np.zeros(m, np.int64), _aligned_zeros(batch_layout.row_off[-1]),
                 None if slopes is None else _aligned_zeros(batch_layout.row_off[-1]),
                 _aligned_zeros(batch_layout.delta_off[-1]), _aligned_zeros(batch_layout.mp), batch_layout.row_off,
                 batch_layout.delta_off, np.zeros(L + 1, np.int64),
                 np.zeros(hidden_units * size + batch_layout.mp, np.uint8))
    # The generators' integers wrap around by design; run uncompiled (NUMBA_DISABLE_JIT=1, for
    # debugging), NumPy would warn about each wrap.
    with np.errstate(over="ignore"):
        theta, recorded, diverged_at, stopped = _kernel_for(settings, m)(
            theta, _aligned_zeros(layout.P), _aligned_zeros(layout.P), acts, slopes,
            _aligned_zeros(layout.delta_off[-1]), Y_padded, m, sizes, layout.w_off, layout.b_off,
            layout.row_off, layout.delta_off, layout.mask_off, float(settings.learning_rate),
            float(settings.lambd),
            float(settings.learning_rate * settings.weight_decay) if settings.weight_decay > 0 else None,
            settings.learning_rate * settings.l1 / m, scale, settings.num_iterations, settings.record_every,
            mask_mode, masks, rng_state, threshold, velocity, squares, batch, record_iterations, recorded_logits,
            snapshots, np.zeros(1, np.uint8) if stop is None else stop.array)
    if stopped:
        raise TrainingStopped("training was stopped before it finished")
    stacked = _unflatten(snapshots[:recorded], layer_sizes)
    ZL = recorded_logits[:recorded].reshape(recorded, sizes[L], mp)[:, :, :m]
    # The reference's objective for all the recorded iterations at once; as there, a diverging
    # model's may overflow to inf.
    with np.errstate(over="ignore", invalid="ignore"):
        objectives = (network.cross_entropy(ZL, Y) + network.penalty(stacked, settings.lambd, settings.l1, m)
                      if recorded else [])
    return Record(
        parameters=_unflatten(theta, layer_sizes),
        record_iterations=record_iterations[:recorded].tolist(),
        objectives=list(map(float, objectives)),
        snapshots=[_unflatten(row, layer_sizes) for row in snapshots[:recorded]],
        diverged_at=int(diverged_at) or None,
    )


def warm_up() -> float:
    """Compile the kernel, or load it from Numba's disk cache, by training a tiny model.

    Returns the seconds it took.  Safe to call from a background thread while others train.
    """
    start = time.perf_counter()
    settings = Settings(layer_dims=(2,), num_iterations=2, keep_prob=0.5)
    X = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.5]])
    Y = np.array([[0.0, 1.0, 1.0]])
    numba_loop(X, Y, network.initialize_parameters(settings.layer_sizes, 0), settings)
    return time.perf_counter() - start
