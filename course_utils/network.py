"""A fully connected network that records what happens inside it, layer by layer.

Shapes follow the course's convention: a batch ``X`` is ``(n_samples, fan_in)``, a weight
matrix ``(fan_in, fan_out)``, and a layer computes ``z = h @ W + b``, ``h' = phi(z)``.
The last layer is linear (it returns logits or regression outputs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import as_rng, check_batch, check_finite_number, check_positive_int
from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import get_initializer
from .parametrization import layer_scales
from .parametrization import lr_multipliers as _lr_multipliers

__all__ = ["MLP", "ResidualMLP"]


def _draw_weights(init_fn, fan_in: int, fan_out: int, rng) -> np.ndarray:
    """``init_fn(fan_in, fan_out, rng=rng)`` as a C-contiguous float64 array of that shape."""
    w = np.ascontiguousarray(init_fn(fan_in, fan_out, rng=rng), dtype=np.float64)
    if w.shape != (fan_in, fan_out):
        raise ValueError(
            f"init returned shape {w.shape}; expected (fan_in, fan_out) = ({fan_in}, {fan_out})"
        )
    return w


def _init_name(init) -> str:
    """An initializer's name for a repr: the string itself, or a callable's ``__name__``."""
    return init if isinstance(init, str) else getattr(init, "__name__", "init")


class MLP:
    """A multi-layer perceptron in float64 with per-layer records of its forward and backward pass.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_in, h_1, ..., h_{L-1}, n_out]``: at least two entries. There are
        ``len(layer_sizes) - 1`` weight matrices and ``len(layer_sizes) - 2`` hidden layers.
    activation : str or Activation, default "tanh"
        Applied after every hidden layer (not after the output layer).
    init : str or callable, default "xavier_normal"
        An initializer name (see :func:`course_utils.get_initializer`) or a callable
        ``init(fan_in, fan_out, *, rng)``. For a parametrised one, bind it:
        ``init=cu.get_initializer("normal", std=0.01)``.
    bias_std : float, default 0.0
        Biases are drawn from N(0, bias_std^2) (zero by default).
    rng : int, np.random.Generator or None, default None
        Seed or generator for the weights.
    parametrization : {"standard", "ntk", "mup"}, default "standard"
        How init variance, a forward multiplier ``z = m * (h @ W) + b`` and each layer's
        learning rate scale with width (:mod:`course_utils.parametrization`: Tensor
        Programs V, Yang et al. 2022, Table 8, as the ``mup`` package does it). The same
        seed draws the same weights, then rescaled by the table. "standard" is every
        network of notebooks 01-09, unchanged.
    base_width : int, optional
        Needed by "ntk" and "mup": the width at which they equal "standard".

    Attributes
    ----------
    weights, biases : list of ndarray
        ``weights[l]`` has shape ``(layer_sizes[l], layer_sizes[l+1])``.
    preactivations, activations : list of ndarray
        From the last :meth:`forward`: ``preactivations[l]`` is z and ``activations[l]``
        is phi(z) of hidden layer ``l + 1`` (index 0 is the first hidden layer), each
        ``(n_samples, width)``.
    weight_grads, bias_grads : list of ndarray
        From the last :meth:`backward`: dL/dW and dL/db for every layer.
    activation_grads : list of ndarray
        From the last :meth:`backward`: dL/dh for each hidden layer (same indexing
        as ``activations``).
    input_grad : ndarray
        dL/dX from the last backward pass.
    first_nonfinite_layer : int or None
        After a forward pass: the 1-based number of the first layer whose output held
        inf or nan (None when every value was finite). :attr:`overflow_message` says
        it in words. No RuntimeWarning is ever emitted.

    Notes
    -----
    PyTorch's ``nn.Linear`` stores the transpose, ``(out, in)``, and computes
    ``x @ W.T + b``. Introduced in notebook 01; used throughout.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation="tanh",
        init="xavier_normal",
        *,
        bias_std: float = 0.0,
        rng=None,
        parametrization: str = "standard",
        base_width: int | None = None,
    ):
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(
                f"layer_sizes must be a list of ints like [64, 128, 10]; received {layer_sizes!r}"
            )
        if len(layer_sizes) < 2:
            raise ValueError(
                "layer_sizes needs at least an input and an output size, like [64, 10]; "
                f"received {list(layer_sizes)!r}"
            )
        self.layer_sizes = [
            check_positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)
        ]
        self.activation: Activation = get_activation(activation)
        self.init = init
        self.init_fn = get_initializer(init)
        self.bias_std = check_finite_number("bias_std", bias_std, minimum=0.0)
        gen = as_rng(rng)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self.weights.append(_draw_weights(self.init_fn, fan_in, fan_out, gen))
            if self.bias_std > 0:
                self.biases.append(gen.normal(0.0, self.bias_std, size=fan_out))
            else:
                self.biases.append(np.zeros(fan_out))
        scales = layer_scales(self.layer_sizes, parametrization, base_width)
        self.parametrization, self.base_width = parametrization, base_width
        for w, (var_factor, _) in zip(self.weights, scales):
            if var_factor != 1.0:
                w *= math.sqrt(var_factor)
        self.forward_multipliers = [m for _, m in scales]
        self.preactivations: list[np.ndarray] = []
        self.activations: list[np.ndarray] = []
        self.weight_grads: list[np.ndarray] = []
        self.bias_grads: list[np.ndarray] = []
        self.activation_grads: list[np.ndarray] = []
        self.input_grad: np.ndarray | None = None
        self.first_nonfinite_layer: int | None = None
        self._input: np.ndarray | None = None

    # ------------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight matrices (hidden layers + the output layer)."""
        return len(self.weights)

    @property
    def params(self) -> list[np.ndarray]:
        """Every parameter array, ``[W_0, b_0, W_1, b_1, ...]`` (updated in place by optimizers)."""
        out = []
        for w, b in zip(self.weights, self.biases):
            out += [w, b]
        return out

    @property
    def grads(self) -> list[np.ndarray]:
        """Gradients matching :attr:`params`, from the last backward pass."""
        out = []
        for w, b in zip(self.weight_grads, self.bias_grads):
            out += [w, b]
        return out

    @property
    def overflow_message(self) -> str | None:
        """A sentence naming the first layer that overflowed, or None if all was finite."""
        if self.first_nonfinite_layer is None:
            return None
        return (
            f"layer {self.first_nonfinite_layer} of {self.n_layers} overflowed: its output "
            "holds inf or nan (the values grew past float64's range of about 1.8e308)"
        )

    def lr_multipliers(self, optimizer="sgd") -> list[float] | None:
        """Each parameter's learning-rate multiplier under the parametrization (None: all 1)."""
        return _lr_multipliers(self.layer_sizes, self.parametrization, optimizer, self.base_width)

    def __repr__(self) -> str:
        init = _init_name(self.init)
        extra = ""
        if self.parametrization != "standard":
            extra = f", parametrization={self.parametrization!r}, base_width={self.base_width}"
        return f"MLP({self.layer_sizes}, activation={self.activation.name!r}, init={init!r}{extra})"

    # ------------------------------------------------------------------------------
    def _check_input(self, X) -> np.ndarray:
        return check_batch("X", X, self.layer_sizes[0])

    def forward(self, X, *, reuse_buffers: bool = False) -> np.ndarray:
        """Run the network on ``X`` (n_samples, n_in) and return the output (n_samples, n_out).

        Records :attr:`preactivations`, :attr:`activations` and
        :attr:`first_nonfinite_layer`. Overflow gives inf/nan quietly.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
        reuse_buffers : bool, default False
            Write every layer's output into arrays kept from the previous call with the
            same number of samples instead of allocating new ones (what :func:`fit` does:
            allocating a 256 x 256 float64 array costs about 20 in-place additions). The
            returned array and the recorded lists are then overwritten by the next such
            call: copy what you want to keep.
        """
        X = self._check_input(X)
        self._input = X
        ws = self._workspace(X.shape[0]) if reuse_buffers else None
        phi = self.activation.forward
        fast = self._fast_kernels()
        preacts, acts = [], []
        first_bad = None
        last = self.n_layers - 1
        h = X
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for i, (w, b) in enumerate(zip(self.weights, self.biases)):
                z = np.matmul(h, w, out=ws["z"][i]) if ws else h @ w
                if self.forward_multipliers[i] != 1.0:
                    z *= self.forward_multipliers[i]
                z += b
                if i == last:
                    h = z
                else:
                    if fast is None or fast[0] is None:
                        h = phi(z)
                    else:
                        h = fast[0](z, ws["h"][i] if ws else np.empty_like(z))
                    preacts.append(z)
                    acts.append(h)
                if first_bad is None and not np.isfinite(h).all():
                    first_bad = i + 1
        self.preactivations, self.activations = preacts, acts
        self.first_nonfinite_layer = first_bad
        return h

    def backward(
        self,
        grad_out,
        *,
        reuse_buffers: bool = False,
        compute_input_grad: bool = True,
        on_layer=None,
    ) -> list[np.ndarray]:
        """Back-propagate dL/d(output) through the last forward pass.

        With ``delta_L = grad_out``, for each layer from the last to the first:
        ``dL/dW_l = h_{l-1}^T delta_l``, ``dL/db_l = sum over samples of delta_l``,
        ``dL/dh_{l-1} = delta_l W_l^T`` and ``delta_{l-1} = dL/dh_{l-1} * phi'(z_{l-1})``.

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_out)
            Gradient of the loss with respect to the network's output.
        reuse_buffers : bool, default False
            Write the gradients into arrays kept from the previous call (no allocation;
            see :meth:`forward`). The recorded gradients are overwritten by the next call.
        compute_input_grad : bool, default True
            Also compute :attr:`input_grad` (dL/dX). Training does not need it: skipping
            it saves one matrix product (``input_grad`` is then None).
        on_layer : callable, optional
            ``on_layer(l, dL/dW_l, dL/db_l)``, called for l = L-1 down to 0 as soon as
            the pass no longer needs ``weights[l]``: it may update layer l in place
            (what :func:`course_utils.training.train_step` does, while the arrays are
            still in cache).

        Returns
        -------
        list of ndarray
            ``weight_grads``: dL/dW for every layer. Also records :attr:`bias_grads`,
            :attr:`activation_grads` (dL/dh per hidden layer) and :attr:`input_grad`.
        """
        if self._input is None:
            raise RuntimeError("call forward(X) before backward(grad_out)")
        n, n_out = self._input.shape[0], self.layer_sizes[-1]
        delta = np.asarray(grad_out, dtype=np.float64)
        if delta.shape != (n, n_out):
            raise ValueError(
                f"grad_out must have shape ({n}, {n_out}) like the last "
                f"forward output; received shape {delta.shape}"
            )
        L = self.n_layers
        ws = self._workspace(n) if reuse_buffers else None
        if ws:
            wg, bg, ag = self._grad_buffers(), ws["bias_grads"], ws["grad_h"]
        else:
            wg, bg = [None] * L, [None] * L  # type: ignore[list-item]
            ag = [None] * (L - 1)  # type: ignore[list-item]
        dphi = self.activation.derivative
        fast = self._fast_kernels()
        self.input_grad = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for i in range(L - 1, -1, -1):
                h_prev = self.activations[i - 1] if i > 0 else self._input
                mult = self.forward_multipliers[i]
                if ws:
                    np.sum(delta, axis=0, out=bg[i])
                else:
                    bg[i] = delta.sum(axis=0)
                if mult != 1.0:  # z = m (h W) + b: dL/dW = m h^T delta, dL/dh = m delta W^T
                    delta = delta * mult
                if ws:
                    np.matmul(h_prev.T, delta, out=wg[i])
                else:
                    wg[i] = h_prev.T @ delta
                if i == 0:
                    if compute_input_grad:
                        self.input_grad = delta @ self.weights[0].T
                    if on_layer is not None:
                        on_layer(0, wg[0], bg[0])
                    break
                grad_h = np.matmul(delta, self.weights[i].T, out=ag[i - 1] if ws else None)
                ag[i - 1] = grad_h
                if on_layer is not None:
                    on_layer(i, wg[i], bg[i])
                out = ws["delta"][i - 1] if ws else np.empty_like(grad_h)
                if fast is None:
                    delta = np.multiply(grad_h, dphi(self.preactivations[i - 1]), out=out)
                else:
                    delta = fast[1](self.activations[i - 1], grad_h, out)
        self.weight_grads, self.bias_grads, self.activation_grads = list(wg), list(bg), list(ag)
        return self.weight_grads

    # -- buffers and fast kernels for the training loop ------------------------------
    def _fast_kernels(self):
        """(forward_into, backward_from_output) for a built-in activation, else None."""
        name = self.activation.name
        if ACTIVATIONS.get(name) is not self.activation:
            return None
        return _FAST_KERNELS.get(name)

    def _workspace(self, n: int) -> dict:
        """Per-batch-size arrays for the forward and backward passes (made once)."""
        cache = self.__dict__.setdefault("_buffers", {})
        ws = cache.get(n)
        if ws is None:
            if len(cache) >= 4:  # e.g. full batches, the last partial one, a test set
                cache.clear()
            widths = self.layer_sizes[1:]
            # delta_{l-1} is written once delta_l has been used: one array per width will do
            shared: dict = {}
            ws = {
                "z": [np.empty((n, k)) for k in widths],
                "h": [np.empty((n, k)) for k in widths[:-1]],
                "grad_h": [np.empty((n, k)) for k in widths[:-1]],
                "delta": [shared.setdefault(k, np.empty((n, k))) for k in widths[:-1]],
                "bias_grads": [np.empty(k) for k in widths],
                "grad_out": np.empty((n, widths[-1])),  # dL/d(output), filled by the loss
            }
            cache[n] = ws
        return ws

    def _grad_buffers(self) -> list[np.ndarray]:
        """Arrays for dL/dW shaped like the weights (made once)."""
        bufs = self.__dict__.get("_weight_grad_buffers")
        if bufs is None:
            bufs = [np.empty_like(w) for w in self.weights]
            self._weight_grad_buffers = bufs
        return bufs

    def predict(self, X) -> np.ndarray:
        """Class predictions: the arg-max of the output for each row of ``X``."""
        return np.argmax(self.forward(X), axis=1)


# --- kernels that write into given arrays (no allocation) ---------------------------
# A built-in activation whose derivative can be read off its output h = phi(z) gets
# ``backward_from_output(h, grad_h, out)`` = grad_h * phi'(z): relu' = [h > 0],
# tanh' = 1 - h^2, sigmoid' = h (1 - h), linear' = 1; and, where it is exact,
# ``forward_into(z, out)`` (None: the activation's own forward, which allocates).
def _relu_into(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_back(h, grad_h, out):
    np.greater(h, 0.0, out=out)  # 1.0 or 0.0, written as float: no bool temporary
    return np.multiply(out, grad_h, out=out)


def _tanh_into(z, out):
    return np.tanh(z, out=out)


def _tanh_back(h, grad_h, out):
    np.multiply(h, h, out=out)
    np.subtract(1.0, out, out=out)
    return np.multiply(out, grad_h, out=out)


def _sigmoid_back(h, grad_h, out):
    np.subtract(1.0, h, out=out)
    out *= h
    return np.multiply(out, grad_h, out=out)


def _linear_back(h, grad_h, out):
    return grad_h  # phi' = 1: delta is dL/dh itself (read, never written)


_FAST_KERNELS = {
    "relu": (_relu_into, _relu_back),
    "tanh": (_tanh_into, _tanh_back),
    "sigmoid": (None, _sigmoid_back),  # the stable sigmoid allocates; its tails matter
    "linear": (None, _linear_back),  # phi(z) is z itself
}


# --- a residual variant: x <- x + branch(x) ---------------------------------------------
class ResidualMLP:
    """A residual MLP at initialization: forward only, recording the residual stream per block.

    ``x_0 = X W_in``, then for each block ``l = 1 .. n_blocks``
    ``x_l = x_{l-1} + branch_scale * F_l(x_{l-1})`` with the two-layer branch
    ``F_l(x) = phi(x W_{l,1}) W_{l,2}`` (both ``(width, width)``), and the output
    ``x_L W_out``. No biases. Each block multiplies ``E|x|^2`` by ``1 + s^2 g`` on average
    (``g`` the branch gain, see :func:`course_utils.finite_width.residual_second_moment`).

    The lesson (notebook 07) only needs forward statistics at initialization, so there is
    no backward pass: train an :class:`MLP` for that.

    Parameters
    ----------
    n_in, width, n_blocks, n_out : int
        Input size, width of the residual stream and of every branch, number of residual
        blocks (>= 0), output size.
    activation : str or Activation, default "relu"
        The branch's non-linearity phi.
    init : str or callable, default "he_normal"
        Initializer of every weight matrix (name or ``init(fan_in, fan_out, *, rng)``).
    branch_scale : float, default 1.0
        s, the multiplier on every branch: ``1 / sqrt(n_blocks)`` is the depth-scaled
        residual; Fixup (Zhang, Dauphin & Ma 2019) scales a branch of m layers by
        ``n_blocks^(-1/(2m-2))``, which for m = 2 and a ReLU branch is the same factor at
        initialization.
    zero_init_last : bool, default False
        Set every ``W_{l,2}`` to zero (Goyal et al. 2017's zero-gamma; Fixup's zero
        init): each block is then exactly the identity at initialization.
    rng : int, Generator or None, default None

    Attributes
    ----------
    input_weights : ndarray (n_in, width)
    branch_weights : list of (ndarray, ndarray)
        ``(W_{l,1}, W_{l,2})`` for each block.
    output_weights : ndarray (width, n_out)
    stream : list of ndarray
        From the last :meth:`forward`: ``[x_0, x_1, ..., x_L]``, each ``(n_samples, width)``.
    branch_outputs : list of ndarray
        From the last :meth:`forward`: ``s F_l(x_{l-1})`` for each block.
    """

    def __init__(
        self,
        n_in: int,
        width: int,
        n_blocks: int,
        n_out: int,
        *,
        activation="relu",
        init="he_normal",
        branch_scale: float = 1.0,
        zero_init_last: bool = False,
        rng=None,
    ):
        self.n_in = check_positive_int("n_in", n_in)
        self.width = check_positive_int("width", width)
        self.n_blocks = check_positive_int("n_blocks", n_blocks, minimum=0)
        self.n_out = check_positive_int("n_out", n_out)
        self.activation: Activation = get_activation(activation)
        self.init = init
        init_fn = get_initializer(init)
        self.branch_scale = check_finite_number("branch_scale", branch_scale)
        if not isinstance(zero_init_last, (bool, np.bool_)):
            raise TypeError(
                f"zero_init_last must be True or False; received {zero_init_last!r} "
                f"of type {type(zero_init_last).__name__}"
            )
        self.zero_init_last = bool(zero_init_last)
        gen = as_rng(rng)

        def draw(fan_in, fan_out):
            return _draw_weights(init_fn, fan_in, fan_out, gen)

        self.input_weights = draw(self.n_in, self.width)
        self.branch_weights: list[tuple[np.ndarray, np.ndarray]] = []
        for _ in range(self.n_blocks):
            w1 = draw(self.width, self.width)
            w2 = draw(self.width, self.width)
            if self.zero_init_last:
                w2 = np.zeros_like(w2)
            self.branch_weights.append((w1, w2))
        self.output_weights = draw(self.width, self.n_out)
        self.stream: list[np.ndarray] = []
        self.branch_outputs: list[np.ndarray] = []

    def __repr__(self) -> str:
        init = _init_name(self.init)
        return (
            f"ResidualMLP(n_in={self.n_in}, width={self.width}, n_blocks={self.n_blocks}, "
            f"n_out={self.n_out}, activation={self.activation.name!r}, init={init!r}, "
            f"branch_scale={self.branch_scale:.4g}, zero_init_last={self.zero_init_last})"
        )

    def forward(self, X) -> np.ndarray:
        """Run ``X`` (n_samples, n_in) through the network; return (n_samples, n_out).

        Records :attr:`stream` and :attr:`branch_outputs`. Overflow gives inf/nan quietly.
        """
        X = check_batch("X", X, self.n_in)
        phi = self.activation.forward
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            x = X @ self.input_weights
            stream, branches = [x], []
            for w1, w2 in self.branch_weights:
                f = self.branch_scale * (phi(x @ w1) @ w2)
                x = x + f
                stream.append(x)
                branches.append(f)
            out = x @ self.output_weights
        self.stream, self.branch_outputs = stream, branches
        return out
