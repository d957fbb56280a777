"""A recurrent net that applies one matrix T times, back-propagated through time.

Shapes: a batch of sequences ``X`` is ``(n_samples, T, n_in)``; the input weights
``W_x`` are ``(n_in, n_hidden)``, the recurrent ``W_h`` ``(n_hidden, n_hidden)``, so that

.. math:: z_t = x_t W_x + h_{t-1} W_h + b,\\qquad h_t = \\phi(z_t),\\qquad h_0 = 0,

and the net classifies from the last state, ``h_T W_out + b_out``. Back-propagation
through time (Werbos 1990) walks the same recursion backwards:
``dL/dh_{t-1} = (dL/dh_t * phi'(z_t)) W_h^T``, so ``dL/dh_t`` is a product of T - t
Jacobians that all share ``W_h``: whether it vanishes or explodes depends on that one
matrix (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013). PyTorch's
``nn.RNN`` stores ``weight_hh`` as ``(out, in)``, the transpose. Notebook 08.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._rnn_kernels import PRIME_FROM_OUTPUT, reuse_or_new, steps_product, tanh_kernel
from ._validation import (
    as_float_array,
    as_rng,
    check_choice,
    check_finite_number,
    check_positive_int,
)
from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import get_initializer, orthogonal
from .network import _FAST_KERNELS

__all__ = [
    "RECURRENT_INITS",
    "recurrent_matrix",
    "pytorch_rnn_default",
    "spectral_radius",
    "fast_kernels",
    "RNN",
    "GradientThroughTime",
    "gradient_through_time",
]

#: The recurrent initializations the lesson compares, each times a ``scale``.
RECURRENT_INITS = ("gaussian", "orthogonal", "identity", "spectral_radius", "pytorch_rnn")


def fast_kernels(activation: Activation):
    """``(forward_into, backward_from_output)`` of a built-in activation, else ``(None, None)``.

    ``backward_from_output(h, grad_h, out)`` is ``grad_h * phi'(z)`` read off h = phi(z)
    (tanh' = 1 - h^2, relu' = [h > 0]): no second tanh in the backward pass. The kernels
    are :class:`course_utils.MLP`'s; a custom activation uses its own derivative.
    """
    if ACTIVATIONS.get(activation.name) is not activation:
        return None, None
    return _FAST_KERNELS.get(activation.name, (None, None))


def spectral_radius(W) -> float:
    """The largest modulus of an eigenvalue of the square matrix ``W``."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix; received shape {W.shape}")
    return float(np.abs(np.linalg.eigvals(W)).max())


def pytorch_rnn_default(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """A ``(fan_in, fan_out)`` weight of ``torch.nn.RNN`` by default: U[+-1/sqrt(hidden)].

    ``RNNBase.reset_parameters`` draws every weight and bias from
    U[-1/sqrt(hidden_size), 1/sqrt(hidden_size)] (variance 1 / (3 hidden_size)), the input
    weights too: the hidden size is ``fan_out`` here, whatever ``fan_in`` is.
    """
    fan_in = check_positive_int("fan_in", fan_in)
    fan_out = check_positive_int("fan_out", fan_out)
    bound = 1.0 / math.sqrt(fan_out)
    return as_rng(rng).uniform(-bound, bound, size=(fan_in, fan_out))


def recurrent_matrix(name: str, n: int, *, scale: float = 1.0, rng=None) -> np.ndarray:
    """An ``(n, n)`` recurrent matrix drawn by one of :data:`RECURRENT_INITS`, times ``scale``.

    - ``"gaussian"``: N(0, scale^2 / n) entries; by the circular law (Girko 1984; Bai
      1997) its eigenvalues fill the disc of radius ``scale`` as n grows.
    - ``"orthogonal"``: Haar-orthogonal times ``scale`` (Saxe et al. 2014): every
      eigenvalue and every singular value has modulus ``scale``.
    - ``"identity"``: ``scale * I``, the IRNN of Le, Jaitly & Hinton (2015), with ReLU.
    - ``"spectral_radius"``: a Gaussian matrix rescaled so that its spectral radius is
      exactly ``scale`` (the echo-state recipe, Jaeger 2001).
    - ``"pytorch_rnn"``: U[+-scale/sqrt(n)] (``torch.nn.RNN``'s default at scale 1,
      :func:`pytorch_rnn_default`): variance 1 / (3 n), spectral radius near 1/sqrt(3).
    """
    check_choice("recurrent_init", name, RECURRENT_INITS, what="recurrent init")
    n = check_positive_int("n", n)
    scale = check_finite_number("scale", scale, minimum=0.0, strict=True)
    gen = as_rng(rng)
    if name == "gaussian":
        return gen.normal(0.0, scale / math.sqrt(n), size=(n, n))
    if name == "orthogonal":
        return orthogonal(n, n, gain=scale, rng=gen)
    if name == "identity":
        return scale * np.eye(n)
    if name == "spectral_radius":
        return _spectral_radius_draw(n, scale, gen)[0]
    return scale * pytorch_rnn_default(n, n, rng=gen)


def _spectral_radius_draw(n: int, scale: float, gen) -> tuple[np.ndarray, np.ndarray]:
    """``recurrent_matrix("spectral_radius", ...)`` and its eigenvalues, from one eig."""
    W = gen.normal(0.0, 1.0 / math.sqrt(n), size=(n, n))
    eig = np.linalg.eigvals(W)
    factor = scale / float(np.abs(eig).max())
    return W * factor, eig * factor


def _dense_init(init, *, recurrent_scale: float | None = None):
    """``init(fan_in, fan_out, *, rng)`` for a name, a recurrent init name or a callable."""
    if isinstance(init, str) and init in RECURRENT_INITS and recurrent_scale is not None:

        def draw(fan_in, fan_out, *, rng=None):
            return recurrent_matrix(init, fan_in, scale=recurrent_scale, rng=rng)

        return draw
    if init == "pytorch_rnn":
        return pytorch_rnn_default
    return get_initializer(init)


class RNN:
    """An Elman RNN that reads ``(n_samples, T, n_in)`` and classifies from its last state.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
    activation : str or Activation, default "tanh"
    init : str or callable, default "xavier_normal"
        Initializer of ``W_x`` and ``W_out`` (a name of :data:`course_utils.INITIALIZERS`,
        or ``init(fan_in, fan_out, *, rng)``), or "pytorch_rnn": ``W_x`` from
        :func:`pytorch_rnn_default` and ``W_out`` as ``nn.Linear`` draws it.
    recurrent_init : str or callable, default "orthogonal"
        One of :data:`RECURRENT_INITS` (times ``recurrent_scale``, see
        :func:`recurrent_matrix`), another initializer name, or a callable.
    recurrent_scale : float, default 1.0
    rng : int, np.random.Generator or None

    Attributes
    ----------
    weights : [W_x, W_h, W_out]; biases : [b, b_out]
    preactivations, hidden_states : ndarray (n_samples, T, n_hidden)
        From the last :meth:`forward`: z_t and h_t for t = 1..T.
    hidden_grads : ndarray (n_samples, T, n_hidden)
        From the last backward pass: dL/dh_t for t = 1..T (through every later step).
    weight_grads, bias_grads : lists matching weights and biases
    input_grad : ndarray (n_samples, T, n_in) or None
        After ``backward(..., compute_input_grad=True)``.

    Notes
    -----
    Biases start at zero. :func:`course_utils.fit` trains it (``clip_norm=`` clips the
    global gradient norm, Pascanu et al. 2013). PyTorch's ``nn.RNN`` also draws its two
    biases from U[+-1/sqrt(n_hidden)].
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        n_out: int,
        *,
        activation="tanh",
        init="xavier_normal",
        recurrent_init="orthogonal",
        recurrent_scale: float = 1.0,
        rng=None,
    ):
        self.n_in = check_positive_int("n_in", n_in)
        self.n_hidden = check_positive_int("n_hidden", n_hidden)
        self.n_out = check_positive_int("n_out", n_out)
        self.activation: Activation = get_activation(activation)
        self.init, self.recurrent_init = init, recurrent_init
        self.recurrent_scale = check_finite_number(
            "recurrent_scale", recurrent_scale, minimum=0.0, strict=True
        )
        dense = _dense_init(init)
        recurrent = _dense_init(recurrent_init, recurrent_scale=self.recurrent_scale)
        gen = as_rng(rng)
        h = self.n_hidden
        shapes = [(self.n_in, h), (h, h), (h, self.n_out)]
        self.weights = []
        # with init="pytorch_rnn" the readout is an nn.Linear: its own default
        readout = get_initializer("standard_uniform") if init == "pytorch_rnn" else dense
        for fn, shape in zip((dense, recurrent, readout), shapes):
            w = np.ascontiguousarray(fn(*shape, rng=gen), dtype=np.float64)
            if w.shape != shape:
                raise ValueError(f"init returned shape {w.shape}; expected {shape}")
            self.weights.append(w)
        self.biases = [np.zeros(h), np.zeros(self.n_out)]
        self.weight_grads: list[np.ndarray] = []
        self.bias_grads: list[np.ndarray] = []
        self.input_grad: np.ndarray | None = None
        self._Z = self._H = self._G = self._Xt = None
        self._buffers: dict = {}  # work arrays kept for the next call (see _buffer)

    def __repr__(self) -> str:
        def name(i):
            return i if isinstance(i, str) else getattr(i, "__name__", "init")

        return (
            f"RNN(n_in={self.n_in}, n_hidden={self.n_hidden}, n_out={self.n_out}, "
            f"activation={self.activation.name!r}, init={name(self.init)!r}, "
            f"recurrent_init={name(self.recurrent_init)!r}, "
            f"recurrent_scale={self.recurrent_scale:g})"
        )

    @property
    def params(self) -> list[np.ndarray]:
        """``[W_x, W_h, b, W_out, b_out]`` (updated in place by the optimizers)."""
        (wx, wh, wo), (b, bo) = self.weights, self.biases
        return [wx, wh, b, wo, bo]

    @property
    def grads(self) -> list[np.ndarray]:
        """Gradients matching :attr:`params`, from the last backward pass."""
        (wx, wh, wo), (b, bo) = self.weight_grads, self.bias_grads
        return [wx, wh, b, wo, bo]

    # records, batch first (stored time first, so each step's slice is contiguous)
    @property
    def preactivations(self) -> np.ndarray:
        """z_t for t = 1..T from the last forward pass, ``(n_samples, T, n_hidden)``."""
        return np.moveaxis(self._Z, 0, 1)

    @property
    def hidden_states(self) -> np.ndarray:
        """h_t for t = 1..T from the last forward pass, ``(n_samples, T, n_hidden)``."""
        return np.moveaxis(self._H[1:], 0, 1)

    @property
    def hidden_grads(self) -> np.ndarray:
        """dL/dh_t for t = 1..T from the last backward pass, ``(n_samples, T, n_hidden)``."""
        return np.moveaxis(self._G, 0, 1)

    def check_input(self, X, *, name: str = "X") -> np.ndarray:
        """``X`` as a finite float64 array ``(n_samples, T, n_in)``, or a clear error."""
        arr = as_float_array(name, X)
        if arr.ndim != 3 or arr.shape[2] != self.n_in or not arr.shape[0] or not arr.shape[1]:
            hint = ""
            if arr.ndim == 2 and arr.shape[1] % self.n_in == 0:
                hint = f" (a flat sequence? use {name}.reshape(n_samples, T, {self.n_in}))"
            raise ValueError(
                f"{name} must have shape (n_samples, T, {self.n_in}) with T >= 1; "
                f"received shape {arr.shape}{hint}"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} holds inf or nan entries; the data must be finite")
        return arr

    def forward(self, X) -> np.ndarray:
        """Logits ``(n_samples, n_out)`` from h_T; records every z_t and h_t."""
        X = self.check_input(X)
        n, T, _ = X.shape
        wx, wh, wo = self.weights
        b, bo = self.biases
        h = self.n_hidden
        Xt = self._buffer("Xt", (T, n, self.n_in), "_Xt")
        np.copyto(Xt, X.transpose(1, 0, 2))  # time first: each step's slice is contiguous
        Z = self._buffer("Z", (T, n, h), "_Z")
        np.matmul(Xt.reshape(T * n, self.n_in), wx, out=Z.reshape(T * n, h))  # all inputs
        Z += b
        H = self._buffer("H", (T + 1, n, h), "_H")
        H[0] = 0.0
        phi = self._phi_into()
        tmp = np.empty((n, h))
        matmul = np.matmul
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            phi(Z[0], H[1], tmp)  # h_0 = 0: z_1 is the input's projection alone
            for t in range(1, T):
                z = Z[t]
                z += matmul(H[t], wh, out=tmp)
                phi(z, H[t + 1], tmp)
            out = H[T] @ wo + bo
        self._Xt, self._Z, self._H = Xt, Z, H
        return out

    def _buffer(self, name: str, shape: tuple, record: str | None = None) -> np.ndarray:
        """Work array ``name``: the last call's (memory already mapped) or a new one.

        The last call's only if nothing outside this net holds it: a record kept stays.
        """
        known = record is not None and getattr(self, record) is self._buffers.get(name)
        return reuse_or_new(self._buffers, name, shape, known_holders=int(known))

    def _phi_into(self):
        """``phi(z, out, tmp)``: the activation of one step written into ``out``."""
        act = self.activation
        if act.name == "tanh" and ACTIVATIONS.get("tanh") is act:
            return tanh_kernel()
        into = fast_kernels(act)[0]
        if into is not None:
            return lambda z, out, tmp: into(z, out)
        return lambda z, out, tmp: np.copyto(out, act.forward(z))

    def backward(self, grad_out, *, compute_input_grad: bool = False) -> list[np.ndarray]:
        """Back-propagate dL/d(logits) through time; returns :attr:`weight_grads`.

        ``compute_input_grad=True`` also computes :attr:`input_grad` (dL/dX); training
        does not need it, so it is off by default.
        """
        if self._H is None:
            raise RuntimeError("call forward(X) before backward(grad_out)")
        n = self._H.shape[1]
        g = np.asarray(grad_out, dtype=np.float64)
        if g.shape != (n, self.n_out):
            raise ValueError(
                f"grad_out must have shape ({n}, {self.n_out}) like the last forward output; "
                f"received shape {g.shape}"
            )
        wo = self.weights[2]
        grad_wo, grad_bo = self._H[-1].T @ g, g.sum(axis=0)
        self._bptt(g @ wo.T, compute_input_grad=compute_input_grad)
        self.weight_grads[2], self.bias_grads[1] = grad_wo, grad_bo
        return self.weight_grads

    def backward_through_time(
        self, grad_h_last, *, compute_input_grad: bool = False, weight_grads: bool = True
    ):
        """BPTT from a given dL/dh_T ``(n_samples, n_hidden)``; returns :attr:`hidden_grads`.

        What the gradient-through-time experiments use: no readout in between. The readout's
        gradients are recorded as zeros; ``weight_grads=False`` skips the weight gradients
        (:attr:`weight_grads` and :attr:`bias_grads` are left empty) for a caller that
        reads only dL/dh_t.
        """
        if self._H is None:
            raise RuntimeError("call forward(X) before backward_through_time(grad_h_last)")
        g = np.asarray(grad_h_last, dtype=np.float64)
        if g.shape != self._H.shape[1:]:
            raise ValueError(
                f"grad_h_last must have shape {self._H.shape[1:]} like h_T; "
                f"received shape {g.shape}"
            )
        self._bptt(g, compute_input_grad=compute_input_grad, weight_grads=weight_grads)
        return self.hidden_grads

    def _bptt(self, dh, *, compute_input_grad: bool, weight_grads: bool = True) -> None:
        wx, wh, wo = self.weights
        Z, H, Xt = self._Z, self._H, self._Xt
        T, n, h = Z.shape
        G = self._buffer("G", Z.shape, "_G")  # dL/dh_t
        act = self.activation
        builtin = ACTIVATIONS.get(act.name) is act
        whT = wh.T
        matmul, multiply = np.matmul, np.multiply
        G[T - 1] = dh
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            if builtin and act.name == "linear":
                D = G  # phi' = 1: dL/dz_t is dL/dh_t itself
                for t in range(T - 1, 0, -1):
                    matmul(G[t], whT, out=G[t - 1])
            else:
                # phi'(z_t) of every step at once; then dL/dz_t = dL/dh_t * phi'(z_t) in place
                D = self._buffer("D", Z.shape)
                prime = PRIME_FROM_OUTPUT.get(act.name) if builtin else None
                if prime is None:
                    D[...] = act.derivative(Z)
                else:
                    prime(H[1:], D)
                for t in range(T - 1, 0, -1):
                    matmul(multiply(D[t], G[t], out=D[t]), whT, out=G[t - 1])
                multiply(D[0], G[0], out=D[0])
            Df = D.reshape(T * n, h)
            if weight_grads:
                grad_wh = steps_product(H[1:T], D[1:])  # h_0 = 0 adds nothing
                grad_wx = steps_product(Xt, D)
                grad_b = Df.sum(axis=0)
            self.input_grad = None
            if compute_input_grad:
                self.input_grad = (Df @ wx.T).reshape(T, n, self.n_in).transpose(1, 0, 2)
        self._G = G
        if not weight_grads:  # the caller reads only dL/dh_t
            self.weight_grads, self.bias_grads = [], []
            return
        self.weight_grads = [grad_wx, grad_wh, np.zeros_like(wo)]
        self.bias_grads = [grad_b, np.zeros(self.n_out)]

    def predict(self, X) -> np.ndarray:
        """Class predictions: the arg-max of the logits for each sequence."""
        return np.argmax(self.forward(X), axis=1)


@dataclass(frozen=True)
class GradientThroughTime:
    """|dL/dh_t| (root mean square over the batch) for t = 1..T, relative to t = T."""

    T: int
    recurrent_init: str
    scale: float
    activation: str
    t: np.ndarray
    ratio: np.ndarray
    radius: float
    eigenvalues: np.ndarray
    verdict: str
    summary: str


def gradient_through_time(
    T: int = 50,
    recurrent_init: str = "orthogonal",
    scale: float = 1.0,
    activation: str = "tanh",
    *,
    n_hidden: int = 64,
    n_in: int = 1,
    n_samples: int = 32,
    seed: int = 0,
) -> GradientThroughTime:
    """How |dL/dh_t| changes as it goes back from step T to step 1, at initialization.

    An :class:`RNN` (input weights Xavier normal, ``W_h`` from :func:`recurrent_matrix`)
    reads ``n_samples`` sequences of N(0, 1) inputs (one a step by default, like a
    pixel-by-pixel image); a dL/dh_T of N(0, 1) entries (a
    stand-in for the readout's gradient) is back-propagated through time. The result is
    ``ratio[t-1] = rms |dL/dh_t| / rms |dL/dh_T|`` and the eigenvalues of ``W_h``. The
    seed is fixed so that the same settings always give the same curve (the explorer of
    notebook 08 draws it).
    """
    T = check_positive_int("T", T)
    check_choice("recurrent_init", recurrent_init, RECURRENT_INITS, what="recurrent init")
    scale = check_finite_number("scale", scale, minimum=0.0, strict=True)
    gen = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    spectrum = []  # "spectral_radius" computes the eigenvalues to draw W_h: kept, not redone
    recurrent = recurrent_init
    if recurrent_init == "spectral_radius":

        def recurrent(fan_in, fan_out, *, rng):
            W, eig = _spectral_radius_draw(fan_in, scale, rng)
            spectrum.append(eig)
            return W

    net = RNN(
        n_in,
        n_hidden,
        1,
        activation=activation,
        recurrent_init=recurrent,
        recurrent_scale=scale,
        rng=gen,
    )
    X = gen.standard_normal((n_samples, T, n_in))
    net.forward(X)
    net.backward_through_time(gen.standard_normal((n_samples, n_hidden)), weight_grads=False)
    G = net._G  # dL/dh_t stored time first, (T, n_samples, n_hidden): one dot a step
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        rms = np.sqrt(np.einsum("tij,tij->t", G, G) / (n_samples * n_hidden))
        ratio = rms / rms[-1]
    eig = spectrum[0] if spectrum else np.linalg.eigvals(net.weights[1])
    radius = float(np.abs(eig).max())
    first = float(ratio[0])
    if not math.isfinite(first) or first > 1e2:
        verdict = "explodes"
    elif first < 1e-2:
        verdict = "vanishes"
    else:
        verdict = "survives"
    act = net.activation.name
    summary = (
        f"T = {T}, {recurrent_init} x {scale:.2f}, {act}: |dL/dh_1| / |dL/dh_T| = "
        f"{first:.3g} ({verdict}); spectral radius of W_h {radius:.3f}"
    )
    return GradientThroughTime(
        T,
        recurrent_init,
        float(scale),
        act,
        np.arange(1, T + 1),
        ratio,
        radius,
        eig,
        verdict,
        summary,
    )
