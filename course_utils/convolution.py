"""Convolutions by im2col, and a plain CNN that records its insides layer by layer.

Shapes follow the course's layout (the Keras one): an image batch is
``(n_samples, height, width, channels)``, a kernel is ``(kh, kw, c_in, c_out)``, so that the
kernel flattened to ``(kh kw c_in, c_out)`` is an ordinary ``(fan_in, fan_out)`` weight
matrix. PyTorch stores ``nn.Conv2d.weight`` as ``(c_out, c_in, kh, kw)``: the same numbers,
transposed by ``np.transpose(kernel, (3, 2, 0, 1))``.

A 'same'-padded stride-1 convolution is one GEMM: every output pixel's receptive field
(``kh kw c_in`` numbers, zero outside the image) is a row of the patch matrix ``cols``
(im2col), and ``z = cols @ K.reshape(-1, c_out) + b``. The backward pass is two more
GEMMs, ``dK = cols.T @ delta`` and ``dcols = delta @ K.T``, and col2im adds each
``dcols`` entry back onto the input pixel it was copied from (dropping the padding).
Notebook 08.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validation import as_float_array, as_rng, check_positive_int
from .activations import Activation, get_activation
from .frameworks import framework_bias, framework_default
from .initializers import compute_fans, initialize
from .recurrent import fast_kernels

__all__ = ["im2col", "col2im", "conv2d", "conv2d_backward", "pytorch_conv_default", "CNN"]


def _check_images(name: str, X, channels: int | None = None) -> np.ndarray:
    """``X`` as a finite float64 array ``(n, height, width, channels)``, or raise."""
    arr = as_float_array(name, X)
    want = f"(n_samples, height, width, {channels if channels is not None else 'channels'})"
    if arr.ndim != 4 or (channels is not None and arr.shape[3] != channels) or not arr.shape[0]:
        raise ValueError(f"{name} must have shape {want}; received shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds inf or nan entries; the data must be finite")
    return arr


def _check_kernel(kernel) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 4 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
        raise ValueError(
            "kernel must have shape (k, k, c_in, c_out) with an odd k (so that 'same' "
            f"padding is (k - 1) / 2 on each side); received shape {k.shape}"
        )
    return k


def im2col(X, kernel_size: int, *, out=None) -> np.ndarray:
    """The patch matrix of a 'same'-padded stride-1 convolution: ``(n h w, k k c)``.

    Row ``(i, y, x)`` holds the ``k x k x c`` window of image ``i`` centred on pixel
    ``(y, x)``, in the kernel's order ``(dy, dx, channel)``; pixels outside the image are
    zero (zero padding of ``(k - 1) / 2`` on each side). ``out`` is an optional buffer
    of that shape to write into.
    """
    X = _check_images("X", X)
    k = check_positive_int("kernel_size", kernel_size)
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be odd for 'same' padding; received {k}")
    return _im2col(X, k, out)


def _im2col(X: np.ndarray, k: int, out=None, pad=None) -> np.ndarray:
    """:func:`im2col` without the checks: one copy from a zero-padded X, rows of k taps.

    With X padded by ``p = (k - 1) / 2`` zeros, the taps ``(dx, channel)`` of one kernel
    row ``dy`` are ``k c`` consecutive numbers of the padded image, and they are
    consecutive in a row of ``cols`` too: the patch matrix is one strided view of the
    padded X, copied in runs of ``k c`` (half the time of copying each tap's ``c``
    numbers on its own, and no pass to zero the taps that fall on the padding). ``pad``
    is an optional ``(n, h + 2p, w + 2p, c)`` buffer; its border is zeroed here.
    """
    n, h, w, c = X.shape
    p = k // 2
    if out is None:
        out = np.empty((n * h * w, k * k * c))
    if pad is None:
        pad = np.zeros((n, h + 2 * p, w + 2 * p, c))
    else:
        pad[:, :p] = pad[:, p + h :] = 0.0
        pad[:, p : p + h, :p] = pad[:, p : p + h, p + w :] = 0.0
    pad[:, p : p + h, p : p + w] = X
    sn, sy, sx, sc = pad.strides
    windows = as_strided(
        pad, shape=(n, h, w, k, k * c), strides=(sn, sy, sx, sy, sc), writeable=False
    )
    np.copyto(out.reshape(n, h, w, k, k * c), windows)
    return out


def col2im(dcols, input_shape, kernel_size: int) -> np.ndarray:
    """The adjoint of :func:`im2col`: add each patch entry back onto its input pixel.

    ``dcols`` is ``(n h w, k k c)``; returns ``(n, h, w, c)``. Entries that fell on the
    zero padding are dropped (the padding is a constant, it has no gradient).
    """
    n, h, w, c = (int(s) for s in input_shape)
    k = int(kernel_size)
    p = k // 2
    view = np.asarray(dcols).reshape(n, h, w, k, k, c)
    padded = np.zeros((n, h + 2 * p, w + 2 * p, c))
    for dy in range(k):
        for dx in range(k):
            padded[:, dy : dy + h, dx : dx + w, :] += view[:, :, :, dy, dx, :]
    return padded[:, p : p + h, p : p + w]


def conv2d(X, kernel, bias=None) -> np.ndarray:
    """'same'-padded stride-1 convolution (cross-correlation, as every framework computes).

    ``z[i, y, x, o] = sum_{dy, dx, c} X[i, y + dy - p, x + dx - p, c] K[dy, dx, c, o] + b[o]``
    with zero outside the image. ``X`` is ``(n, h, w, c_in)``, ``kernel``
    ``(k, k, c_in, c_out)``; returns ``(n, h, w, c_out)``. One GEMM on the patch matrix.
    """
    K = _check_kernel(kernel)
    X = _check_images("X", X, K.shape[2])
    n, h, w, _ = X.shape
    z = im2col(X, K.shape[0]) @ K.reshape(-1, K.shape[3])
    if bias is not None:
        z += np.asarray(bias, dtype=np.float64)
    return z.reshape(n, h, w, K.shape[3])


def conv2d_backward(X, kernel, grad_z):
    """Gradients of :func:`conv2d`: ``(dL/dX, dL/dK, dL/db)`` from ``dL/dz``.

    ``dK = cols.T @ delta``, ``db = sum of delta``, and ``dX = col2im(delta @ K.T)``,
    computed as the 'same' conv of delta with the flipped kernel (one more im2col and
    GEMM), with ``delta = grad_z`` flattened to ``(n h w, c_out)``.
    """
    K = _check_kernel(kernel)
    X = _check_images("X", X, K.shape[2])
    k, c_out = K.shape[0], K.shape[3]
    delta = np.asarray(grad_z, dtype=np.float64)
    if delta.shape != X.shape[:3] + (c_out,):
        raise ValueError(
            f"grad_z must have shape {X.shape[:3] + (c_out,)} like conv2d's output; "
            f"received shape {delta.shape}"
        )
    delta = delta.reshape(-1, c_out)
    cols = im2col(X, k)
    grad_k = (cols.T @ delta).reshape(K.shape)
    grad_x = _input_grad(delta.reshape(X.shape[:3] + (c_out,)), K)
    return grad_x, grad_k, delta.sum(axis=0)


def _input_grad(delta, K, out=None, pad=None) -> np.ndarray:
    """dL/dX of a 'same' conv: the 'same' conv of delta with the flipped, transposed kernel.

    ``dX[u, v, c] = sum_{ey, ex, o} delta[u + ey - p, v + ex - p, o] K[k-1-ey, k-1-ex, c, o]``:
    equal to ``col2im(delta @ K.T)`` (the tests check it), but one im2col of delta and one
    GEMM, with no scattered additions.
    """
    k, _, c_in, c_out = K.shape
    n, h, w, _ = delta.shape
    flipped = np.ascontiguousarray(K[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(-1, c_in)
    return (_im2col(delta, k, out, pad) @ flipped).reshape(n, h, w, c_in)


def pytorch_conv_default(shape, *, rng=None) -> np.ndarray:
    """A ``(k, k, c_in, c_out)`` kernel as ``torch.nn.Conv2d`` draws it by default.

    ``_ConvNd.reset_parameters`` calls ``kaiming_uniform_(weight, a=sqrt(5))``, the same
    call as ``nn.Linear``, with fan_in = c_in k^2 (``_calculate_fan_in_and_fan_out``):
    U[-1/sqrt(fan_in), 1/sqrt(fan_in)], variance 1 / (3 c_in k^2). Drawn by
    :func:`course_utils.framework_default` ("pytorch_linear") on the flattened
    ``(k k c_in, c_out)`` matrix. (PyTorch also draws the bias from the same range; the
    course's CNN starts its biases at zero.)
    """
    shape = tuple(shape)
    fan_in, _ = compute_fans(shape)
    return framework_default("pytorch_linear", fan_in, shape[-1], rng=rng).reshape(shape)


def pytorch_conv_bias(shape, *, rng=None) -> np.ndarray:
    """The ``(c_out,)`` bias ``nn.Conv2d`` draws by default: U[+-1/sqrt(c_in k^2)]."""
    shape = tuple(shape)
    fan_in, _ = compute_fans(shape)
    return framework_bias("pytorch_linear", fan_in, shape[-1], rng=rng)


def _kernel_init(init):
    """``init(shape, *, rng)`` for a name of cu.INITIALIZERS, "pytorch_default" or a callable."""
    if callable(init):
        return init
    if init == "pytorch_default":
        return pytorch_conv_default
    initialize(init, (3, 3, 1, 1), rng=0)  # an unknown name fails here, with did-you-mean

    def draw(shape, *, rng=None):
        return initialize(init, shape, rng=rng)

    return draw


class CNN:
    """A plain CNN: 'same'-padded stride-1 convolutions by im2col, then a dense readout.

    ``h_0 = X``; for each conv layer ``z_l = conv(h_{l-1}, K_l) + b_l``,
    ``h_l = phi(z_l)``; the output is ``flatten(h_L) @ W + b`` (logits). No pooling: the
    image keeps its size, so every layer has ``height x width`` units per channel.

    Parameters
    ----------
    input_shape : (height, width, channels), default (8, 8, 1)
    channels : sequence of int, default (16, 32)
        Output channels of each conv layer (its length is the depth).
    n_classes : int, default 10
    kernel_size : int, default 3 (odd)
    activation : str or Activation, default "relu"
    init : str or callable, default "he_normal"
        A name of :data:`course_utils.INITIALIZERS` drawn by
        :func:`course_utils.initialize` with conv fans (fan_in = c_in k^2), or
        "pytorch_default" (:func:`pytorch_conv_default`), or ``init(shape, *, rng)``.
        The readout is drawn with the same rule as a dense ``(fan_in, fan_out)`` matrix.
    rng : int, np.random.Generator or None

    Attributes
    ----------
    weights : list of ndarray
        The kernels ``(k, k, c_in, c_out)`` then the readout ``(h w c_L, n_classes)``.
    biases : list of ndarray
    preactivations, activations : list of ndarray
        From the last :meth:`forward`: z_l and h_l of every conv layer, ``(n, h, w, c_l)``.
    weight_grads, bias_grads, activation_grads : list of ndarray
        From the last :meth:`backward`: dL/dK (and dL/dW), dL/db, and dL/dh_l per conv layer.
    input_grad : ndarray or None
        dL/dX, ``(n, h, w, c_0)``, after ``backward(..., compute_input_grad=True)``.

    Notes
    -----
    :func:`course_utils.fit` trains it: X may be ``(n, h, w, c)`` or flat
    ``(n, h w c)`` (the digits as :func:`course_utils.load_digits` returns them).
    """

    def __init__(
        self,
        input_shape=(8, 8, 1),
        channels: Sequence[int] = (16, 32),
        n_classes: int = 10,
        *,
        kernel_size: int = 3,
        activation="relu",
        init="he_normal",
        rng=None,
    ):
        if len(tuple(input_shape)) != 3:
            raise ValueError(
                f"input_shape must be (height, width, channels); received {input_shape!r}"
            )
        self.input_shape = tuple(
            check_positive_int(f"input_shape[{i}]", s) for i, s in enumerate(input_shape)
        )
        if isinstance(channels, (str, bytes)) or not isinstance(channels, Sequence) or not channels:
            raise TypeError(f"channels must be a non-empty list of ints; received {channels!r}")
        self.channels = [check_positive_int(f"channels[{i}]", c) for i, c in enumerate(channels)]
        self.n_classes = check_positive_int("n_classes", n_classes)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd for 'same' padding; received {kernel_size}")
        self.activation: Activation = get_activation(activation)
        self.init = init
        draw = _kernel_init(init)
        gen = as_rng(rng)
        h, w, c = self.input_shape
        k = self.kernel_size
        self.weights, self.biases = [], []
        for c_out in self.channels:
            K = np.ascontiguousarray(draw((k, k, c, c_out), rng=gen), dtype=np.float64)
            if K.shape != (k, k, c, c_out):
                raise ValueError(f"init returned shape {K.shape}; expected {(k, k, c, c_out)}")
            self.weights.append(K)
            self.biases.append(np.zeros(c_out))
            c = c_out
        readout = (h * w * c, self.n_classes)
        self.weights.append(np.ascontiguousarray(draw(readout, rng=gen), dtype=np.float64))
        self.biases.append(np.zeros(self.n_classes))
        self.preactivations: list[np.ndarray] = []
        self.activations: list[np.ndarray] = []
        self.weight_grads: list[np.ndarray] = []
        self.bias_grads: list[np.ndarray] = []
        self.activation_grads: list[np.ndarray] = []
        self.input_grad: np.ndarray | None = None
        self._cols: list[np.ndarray] = []
        self._input: np.ndarray | None = None

    def __repr__(self) -> str:
        init = self.init if isinstance(self.init, str) else getattr(self.init, "__name__", "init")
        return (
            f"CNN(input_shape={self.input_shape}, channels={self.channels}, "
            f"n_classes={self.n_classes}, kernel_size={self.kernel_size}, "
            f"activation={self.activation.name!r}, init={init!r})"
        )

    @property
    def params(self) -> list[np.ndarray]:
        """``[K_1, b_1, ..., K_L, b_L, W, b]`` (updated in place by the optimizers)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    @property
    def grads(self) -> list[np.ndarray]:
        """Gradients matching :attr:`params`, from the last backward pass."""
        return [g for pair in zip(self.weight_grads, self.bias_grads) for g in pair]

    def check_input(self, X, *, name: str = "X") -> np.ndarray:
        """``X`` as ``(n, height, width, channels)`` float64; a flat ``(n, h w c)`` is reshaped."""
        arr = as_float_array(name, X)
        size = int(np.prod(self.input_shape))
        if arr.ndim == 2 and arr.shape[1] == size:
            arr = arr.reshape((arr.shape[0],) + self.input_shape)
        if arr.ndim != 4 or arr.shape[1:] != self.input_shape or not arr.shape[0]:
            raise ValueError(
                f"{name} must have shape (n_samples, {', '.join(map(str, self.input_shape))}) "
                f"or (n_samples, {size}); received shape {np.shape(X)}"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} holds inf or nan entries; the data must be finite")
        return arr

    def forward(self, X) -> np.ndarray:
        """Logits ``(n, n_classes)``; records :attr:`preactivations` and :attr:`activations`."""
        X = self.check_input(X)
        self._input = X
        n, hh, ww, _ = X.shape
        k = self.kernel_size
        phi = self.activation.forward
        h = X
        self._cols, self.preactivations, self.activations = [], [], []
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for i, (K, b) in enumerate(zip(self.weights[:-1], self.biases[:-1])):
                c, p = h.shape[3], k // 2
                cols = self._buffer(("cols", i), (n * hh * ww, k * k * c))
                pad = self._buffer(("pad", i), (n, hh + 2 * p, ww + 2 * p, c))
                cols = _im2col(h, k, cols, pad)
                z = cols @ K.reshape(-1, K.shape[3])
                z += b
                z = z.reshape(n, hh, ww, K.shape[3])
                h = phi(z)
                self._cols.append(cols)
                self.preactivations.append(z)
                self.activations.append(h)
            return h.reshape(n, -1) @ self.weights[-1] + self.biases[-1]

    def backward(self, grad_out, *, compute_input_grad: bool = False) -> list[np.ndarray]:
        """Back-propagate dL/d(logits); returns :attr:`weight_grads` (kernels, then readout).

        ``compute_input_grad=True`` also computes :attr:`input_grad` (dL/dX: one more
        im2col and GEMM); training does not need it, so it is off by default.
        """
        if self._input is None:
            raise RuntimeError("call forward(X) before backward(grad_out)")
        n = self._input.shape[0]
        delta = np.asarray(grad_out, dtype=np.float64)
        if delta.shape != (n, self.n_classes):
            raise ValueError(
                f"grad_out must have shape ({n}, {self.n_classes}) like the last forward "
                f"output; received shape {delta.shape}"
            )
        L = len(self.channels)
        hh, ww = self.input_shape[:2]
        k = self.kernel_size
        dphi = self.activation.derivative
        back = fast_kernels(self.activation)[1]
        wg, bg, ag = [None] * (L + 1), [None] * (L + 1), [None] * L
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            h_last = self.activations[-1]
            wg[L] = h_last.reshape(n, -1).T @ delta
            bg[L] = delta.sum(axis=0)
            grad_h = (delta @ self.weights[L].T).reshape(h_last.shape)
            self.input_grad = None
            for i in range(L - 1, -1, -1):
                ag[i] = grad_h
                K = self.weights[i]
                if back is None:
                    d = grad_h * dphi(self.preactivations[i])
                else:
                    d = back(self.activations[i], grad_h, np.empty_like(grad_h))
                d = d.reshape(-1, K.shape[3])
                wg[i] = (self._cols[i].T @ d).reshape(K.shape)
                bg[i] = d.sum(axis=0)
                if i > 0 or compute_input_grad:
                    c, p = K.shape[3], k // 2
                    dcols = self._buffer(("dcols", i), (n * hh * ww, k * k * c))
                    dpad = self._buffer(("dpad", i), (n, hh + 2 * p, ww + 2 * p, c))
                    grad_h = _input_grad(d.reshape(n, hh, ww, c), K, dcols, dpad)
            if compute_input_grad:
                self.input_grad = grad_h
        self.weight_grads, self.bias_grads, self.activation_grads = wg, bg, ag
        return wg

    def _buffer(self, key, shape) -> np.ndarray:
        """A work array of ``shape`` kept across calls: no patch matrix allocated per step.

        A new batch size makes new ones.
        """
        bufs = self.__dict__.setdefault("_work", {})
        buf = bufs.get(key)
        if buf is None or buf.shape != shape:
            if len(bufs) > 4 * len(self.channels):
                bufs.clear()
            buf = bufs[key] = np.empty(shape)
        return buf

    def predict(self, X) -> np.ndarray:
        """Class predictions: the arg-max of the logits for each image."""
        return np.argmax(self.forward(X), axis=1)
