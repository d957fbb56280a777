"""What makes :class:`course_utils.RNN`'s numpy step cheap: the kernels of its hot loops.

Measured on the course's 2-core machine at notebook 08's sizes (32 sequences x 32 units):
one step's GEMM costs ~11 us while np.tanh costs ~36 us and np.exp ~9 us (numpy's float64
tanh and exp are scalar code without AVX-512), so the element-wise work of a step costs
more than its GEMM (``benchmarks/training.py`` measures that floor); a fresh 4 MB array
costs ~1 ms of page faults when it is first written; and a GEMM that OpenBLAS splits over
two threads waits for the second core when another process keeps it busy (a mean of 4 ms
instead of 0.3 ms).
"""

from __future__ import annotations

import functools
import sys

import numpy as np


def tanh_exp(z, out, tmp):
    """tanh(z) = 1 - 2 / (exp(2z) + 1) into ``out`` (``tmp``: scratch shaped like z).

    Off np.tanh by at most 2^-51 (rounding at the scale |tanh| <= 1, as a sum of such
    terms is) and by at most 6 ulp where |z| >= 0.5 (the roundings of exp, + and / times
    2 / (e^{2|z|} - 1) <= 1.2, plus the last one's); near 0 the relative error grows as
    2^-52 / |z|, since exp(2z) - 1 cancels. Exact at +-inf, nan and 0 (it drops the sign
    of -0); exp(2z) = inf gives 1. (The expm1 form keeps 3 ulp everywhere, 2x slower.)
    """
    np.multiply(z, 2.0, out=tmp)
    np.exp(tmp, out=tmp)
    np.add(tmp, 1.0, out=tmp)
    np.divide(2.0, tmp, out=tmp)
    return np.subtract(1.0, tmp, out=out)


def _numpy_has_simd_tanh() -> bool:
    """Whether numpy dispatches float64 tanh to SIMD code here (x86 AVX-512: SVML)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__
    return bool(__cpu_features__.get("AVX512_SKX", False))


@functools.cache
def tanh_kernel():
    """np.tanh where numpy has a SIMD float64 tanh (AVX-512), else :func:`tanh_exp`.

    Without one (x86 with AVX2: libm, ~35 ns a value) the exp form is 2-3x faster; with
    one, np.tanh is. Both are tanh up to rounding. The choice reads the CPU's features,
    never a timing, so the same machine always computes the same numbers.
    """
    if _numpy_has_simd_tanh():
        return lambda z, out, tmp: np.tanh(z, out=out)
    return tanh_exp


#: phi'(z) read off h = phi(z) into ``out``, in the operations of the MLP's kernels (so
#: dL/dz rounds as theirs does): tanh' = 1 - h^2, relu' = [h > 0], sigmoid' = (1 - h) h.
PRIME_FROM_OUTPUT = {
    "tanh": lambda h, out: np.subtract(1.0, np.multiply(h, h, out=out), out=out),
    "relu": lambda h, out: np.greater(h, 0.0, out=out),
    "sigmoid": lambda h, out: np.multiply(np.subtract(1.0, h, out=out), h, out=out),
}


def steps_product(A, B) -> np.ndarray:
    """``sum_t A[t].T @ B[t]`` for stacks ``(S, n, p)`` and ``(S, n, q)``: a weight gradient.

    One GEMM over the ``S n`` stacked rows, unless OpenBLAS would run it on two threads
    while blocks of steps stay on one (it keeps m n k <= 2^18 on one thread; 2^19 takes
    two, measured): then one GEMM per block, summed. At notebook 08's pixel-by-pixel size
    the single (32 x 2016) @ (2016 x 32) GEMM beside a busy core doubled its RNN training.
    """
    (S, n, p), q = A.shape, B.shape[2]
    block = (1 << 18) // max(n * p * q, 1)
    if block == 0 or block >= S:
        return A.reshape(S * n, p).T @ B.reshape(S * n, q)
    out, tmp = np.zeros((p, q)), np.empty((p, q))
    for a in range(0, S, block):
        e = min(a + block, S)
        out += np.matmul(A[a:e].reshape(-1, p).T, B[a:e].reshape(-1, q), out=tmp)
    return out


def _refs(store: dict, name: str) -> int:
    return sys.getrefcount(store[name])


_UNSHARED = _refs({"probe": np.empty(0)}, "probe")  # an array that only its dict holds


def reuse_or_new(store: dict, name: str, shape: tuple, *, known_holders: int = 0):
    """``store[name]`` again if it has ``shape`` and no one else holds it; else a new one.

    "No one else": nothing but ``store`` and the ``known_holders`` the caller counts (its
    own record of the array, say). A record a user kept from the last call (or any view of
    it) is one more holder, so it is never overwritten: the call writes into a new array.
    """
    if (
        name in store
        and store[name].shape == shape
        and _refs(store, name) <= _UNSHARED + known_holders
    ):
        return store[name]
    store[name] = np.empty(shape)
    return store[name]
