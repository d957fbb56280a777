"""A fully connected network that records what happens inside it, layer by layer.

Shapes follow the course's convention: a batch ``X`` is ``(n_samples, fan_in)``, a weight
matrix ``(fan_in, fan_out)``, and a layer computes ``z = h @ W + b``, ``h' = phi(z)``.
The last layer is linear (it returns logits or regression outputs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import as_rng, check_finite_number, check_positive_int
from .activations import Activation, get_activation
from .initializers import get_initializer

__all__ = ["MLP"]


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
    rng : int, np.random.Generator or None, default 0
        Seed or generator for the weights.

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
        rng=0,
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
            w = np.ascontiguousarray(self.init_fn(fan_in, fan_out, rng=gen), dtype=np.float64)
            if w.shape != (fan_in, fan_out):
                raise ValueError(
                    f"init returned shape {w.shape}; expected (fan_in, fan_out) = "
                    f"({fan_in}, {fan_out})"
                )
            self.weights.append(w)
            if self.bias_std > 0:
                self.biases.append(gen.normal(0.0, self.bias_std, size=fan_out))
            else:
                self.biases.append(np.zeros(fan_out))
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

    def __repr__(self) -> str:
        init = self.init if isinstance(self.init, str) else getattr(self.init, "__name__", "init")
        return f"MLP({self.layer_sizes}, activation={self.activation.name!r}, init={init!r})"

    # ------------------------------------------------------------------------------
    def _check_input(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X must have shape (n_samples, {self.layer_sizes[0]}); received shape {X.shape}"
            )
        return X

    def forward(self, X) -> np.ndarray:
        """Run the network on ``X`` (n_samples, n_in) and return the output (n_samples, n_out).

        Records :attr:`preactivations`, :attr:`activations` and
        :attr:`first_nonfinite_layer`. Overflow gives inf/nan quietly.
        """
        X = self._check_input(X)
        self._input = X
        phi = self.activation.forward
        self.preactivations, self.activations = [], []
        self.first_nonfinite_layer = None
        h = X
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for i, (w, b) in enumerate(zip(self.weights, self.biases)):
                z = h @ w
                z += b
                last = i == self.n_layers - 1
                h = z if last else phi(z)
                if not last:
                    self.preactivations.append(z)
                    self.activations.append(h)
                if self.first_nonfinite_layer is None and not np.isfinite(h).all():
                    self.first_nonfinite_layer = i + 1
        return h

    def backward(self, grad_out) -> list[np.ndarray]:
        """Back-propagate dL/d(output) through the last forward pass.

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_out)
            Gradient of the loss with respect to the network's output.

        Returns
        -------
        list of ndarray
            ``weight_grads``: dL/dW for every layer. Also records :attr:`bias_grads`,
            :attr:`activation_grads` (dL/dh per hidden layer) and :attr:`input_grad`.
        """
        if self._input is None:
            raise RuntimeError("call forward(X) before backward(grad_out)")
        n_out = self.layer_sizes[-1]
        delta = np.asarray(grad_out, dtype=np.float64)
        if delta.shape != (self._input.shape[0], n_out):
            raise ValueError(
                f"grad_out must have shape ({self._input.shape[0]}, {n_out}) like the last "
                f"forward output; received shape {delta.shape}"
            )
        L = self.n_layers
        wg: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        bg: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        ag: list[np.ndarray] = [None] * (L - 1)  # type: ignore[list-item]
        dphi = self.activation.derivative
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for i in range(L - 1, -1, -1):
                h_prev = self.activations[i - 1] if i > 0 else self._input
                wg[i] = h_prev.T @ delta
                bg[i] = delta.sum(axis=0)
                grad_h = delta @ self.weights[i].T
                if i > 0:
                    ag[i - 1] = grad_h
                    delta = grad_h * dphi(self.preactivations[i - 1])
                else:
                    self.input_grad = grad_h
        self.weight_grads, self.bias_grads, self.activation_grads = wg, bg, ag
        return wg

    def predict(self, X) -> np.ndarray:
        """Class predictions: the arg-max of the output for each row of ``X``."""
        return np.argmax(self.forward(X), axis=1)
