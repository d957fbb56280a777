"""Checks on signal propagation: the variance map layer by layer, the sigma_w that keeps the std."""

from __future__ import annotations

import functools
import math

import numpy as np

from .feedback import as_number, report

__all__ = [
    "TANH_MAP_MC_DRAWS",
    "check_predicted_std",
    "smallest_sigma_w_keeping_std",
    "check_sigma_w_keeps_std",
]


#: The Monte Carlo that exercise 1 of notebook 04 allows: this many draws per layer.
TANH_MAP_MC_DRAWS = 10**6


def _tanh_map_mc_se(depth: int, n_draws: int) -> float:
    """Standard error of sqrt(E[h_depth^2]) computed with ``n_draws`` draws per layer.

    The map q_{l+1} = E[tanh(sqrt(q_l) z)^2] (sigma_w^2 = 1, q_1 = 1) run by Monte Carlo
    instead of quadrature: layer l's mean of f_l(z) = tanh(sqrt(q_l) z)^2 has an error
    eps_l, and to first order (delta method) the answer moves by sum_l c_l eps_l with
    c_l = prod_{k > l} m'(q_k) / (2 std), m(q) = E[tanh(sqrt(q) z)^2]. Fresh draws at
    each layer give Var = sum_l c_l^2 Var(f_l) / N; one draw of z reused at every layer
    gives Var(sum_l c_l f_l(z)) / N, the larger of the two here. Both by quadrature.
    """
    from ..theory import gauss_hermite, gaussian_expectation

    def m(q):
        return gaussian_expectation(lambda u: np.tanh(u) ** 2, q)

    qs = [1.0]
    for _ in range(depth):
        qs.append(m(qs[-1]))
    std = math.sqrt(qs[depth])
    slope = [(m(q * (1 + 1e-5)) - m(q * (1 - 1e-5))) / (2e-5 * q) for q in qs[:depth]]
    c = np.array([np.prod(slope[i + 1 : depth]) / (2 * std) for i in range(depth)])
    x, w = gauss_hermite(101)
    f = np.array([np.tanh(math.sqrt(q) * x) ** 2 for q in qs[:depth]])
    fresh = np.sum(c**2 * (f**2 @ w - (f @ w) ** 2))
    joint = c @ f
    reused = joint**2 @ w - (joint @ w) ** 2
    return math.sqrt(max(fresh, reused) / n_draws)


def check_predicted_std(std_10) -> None:
    """Notebook 04, exercise 1: the std of h_10 in a tanh network with sigma_w^2 = 1, no bias.

    q_1 = sigma_w^2 E[x^2] = 1, q_{l+1} = E[tanh(sqrt(q_l) z)^2]; the answer is
    sqrt(E[tanh(sqrt(q_10) z)^2]) = 0.22847 by quadrature. Accepted within the error of
    the least exact method the exercise allows, a Monte Carlo of 10^6 draws per layer:
    four of its standard errors (see :func:`_tanh_map_mc_se`), about 0.0031.
    """
    from ..theory import iterate_variance_map, predict_propagation

    expected = float(predict_propagation(10, "tanh", sigma_w2=1.0).activation_std[-1])
    got, problem = as_number(std_10, "std_10")
    if problem:
        report(False, problem, "start from q = 1 at layer 1 and apply the map nine times.")
        return
    se = _tanh_map_mc_se(10, TANH_MAP_MC_DRAWS)
    tol = 4 * se
    if abs(got - expected) <= tol:
        report(
            True,
            f"std of h_10 = {got:.4f}; quadrature gives {expected:.5f} (accepted: within "
            f"{tol:.4f}, four standard errors of a Monte Carlo with 10^6 draws per layer).",
        )
        return
    q = iterate_variance_map(1.0, 10, "tanh", sigma_w2=1.0)  # q[l - 1] is q_l
    stds = predict_propagation(12, "tanh", sigma_w2=1.0).activation_std
    mistakes = [
        (
            math.sqrt(q[9]),
            "that is the std of the pre-activation z_10 (here equal to that of h_9, since "
            "sigma_w^2 = 1): h_10 = tanh(z_10) needs one more step of the map.",
        ),
        (q[9], "that is q_10, the second moment of z_10; take tanh, then the square root."),
        (
            expected**2,
            "that is E[h_10^2], the second moment; the std is its square root (tanh is odd, "
            "so the mean is 0).",
        ),
        (stds[10], "that is layer 11: q_1 = 1 belongs to layer 1, so apply the map 9 times."),
    ]
    hint = next(
        (h for value, h in mistakes if abs(got - value) <= tol),
        "q_{l+1} = E[tanh(sqrt(q_l) z)^2] with q_1 = 1; the std of h_10 is "
        "sqrt(E[tanh(sqrt(q_10) z)^2]).",
    )
    if hint.startswith("q_{l+1}") and abs(got - expected) <= 10 * tol:
        hint = (
            "close: if you used Monte Carlo, take at least 10^6 draws per layer (the standard "
            f"error is then {se:.4f}), or the Gauss-Hermite points of section 2."
        )
    report(
        False,
        f"std_10 = {got:.5f}, expected {expected:.5f} (within {tol:.4f}).",
        hint,
    )


def _std_band(sigma_w: float, depth: int):
    """(largest relative distance of a layer's predicted std from layer 1's, prediction)."""
    from ..theory import predict_propagation

    p = predict_propagation(depth, "tanh", sigma_w2=sigma_w * sigma_w)
    std = p.activation_std
    return float(np.max(np.abs(std / std[0] - 1.0))), p


@functools.lru_cache(maxsize=4)
def smallest_sigma_w_keeping_std(depth: int = 50, tolerance: float = 0.1) -> float:
    """The smallest sigma_w for which every layer's predicted std stays within ``tolerance``.

    Bisection on [1, 3] (tanh, no bias, E[x^2] = 1): the largest distance from layer 1's
    std falls as sigma_w grows (1.8935 for 50 layers and 10%).
    """
    lo, hi = 1.0, 3.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _std_band(mid, depth)[0] <= tolerance:
            hi = mid
        else:
            lo = mid
    return hi


def check_sigma_w_keeps_std(sigma_w, depth: int = 50, tolerance: float = 0.1) -> None:
    """Notebook 04, exercise 2: the smallest sigma_w keeping a tanh net's std within 10%.

    Weights N(0, sigma_w^2 / n), no bias, inputs of second moment 1: every layer's
    predicted activation std must stay within ``tolerance`` of layer 1's, and sigma_w
    must be the smallest that does, to 0.01 (a scan upwards in steps of 0.01 gives the
    first grid value at or above the edge 1.8935; a bisection may land a hair below it).
    A larger sigma_w keeps the std too, but makes chi_1 and the gradients grow more: the
    feedback gives both.
    """
    got, problem = as_number(sigma_w, "sigma_w")
    if problem is None and got <= 0:
        problem = f"sigma_w should be positive; received {got!r}."
    if problem:
        report(False, problem, "try values between 1 and 3.")
        return
    edge = smallest_sigma_w_keeping_std(depth, tolerance)
    off, p = _std_band(got, depth)
    std = p.activation_std
    grows = p.gradient_std[0] / p.gradient_std[-1]
    price = (
        f"chi_1 = {p.chi[-1]:.3f} per layer, so gradients change x{grows:.3g} from layer "
        f"{depth} back to layer 1"
    )
    if edge - 1e-3 <= got <= edge + 0.01:
        where = (
            f"at most {off:.2%} from layer 1's {std[0]:.3f}), and no smaller sigma_w does "
            f"(the edge is {edge:.5f})"
            if got >= edge
            else f"{off:.3%} from layer 1's {std[0]:.3f}: a hair below the edge "
            f"{edge:.5f}, within a bisection's rounding)"
        )
        report(
            True,
            f"sigma_w = {got:.5g}: the std stays between {std.min():.3f} and {std.max():.3f} "
            f"over {depth} layers ({where}. The price: {price}.",
        )
    elif got > edge:
        squared = edge - 1e-3 <= math.sqrt(got) <= edge + 0.01
        report(
            False,
            f"sigma_w = {got:.5g} keeps the std within {tolerance:.0%} (at most {off:.2%} off), "
            f"but it is not the smallest that does. Its price: {price}.",
            "that looks like sigma_w^2: predict_propagation takes sigma_w2=sigma_w**2, the "
            "check takes sigma_w itself."
            if squared
            else "the exercise asks for the smallest sigma_w, to 0.01: every step up makes "
            "chi_1 larger and the gradients explode faster. Scan upwards from 1 in steps of 0.01.",
        )
    else:
        worst = int(np.argmax(np.abs(std / std[0] - 1.0)))
        report(
            False,
            f"sigma_w = {got:.5g}: the std goes from {std[0]:.3f} at layer 1 to "
            f"{std[worst]:.3f} at layer {worst + 1} ({off:.2%} off, more than "
            f"{tolerance:.0%}).",
            "a larger sigma_w moves the map's fixed point away from 0; scan values between "
            "1 and 3 with cu.theory.predict_propagation(50, 'tanh', sigma_w2=sigma_w**2).",
        )
