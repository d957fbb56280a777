"""Order, chaos and the edge between: the fixed point q*, the correlation map, depth scales.

Poole et al. (2016) and Schoenholz et al. (2017): deep in a network q_l settles at the
fixed point q* of the variance map; two inputs' correlation c_l follows its own map,
whose slope at c = 1 is chi_1(q*). chi_1 < 1: ordered (c -> 1, inputs merge); chi_1 > 1:
chaotic (c -> c* < 1, nearby inputs fly apart); chi_1 = 1: the edge of chaos.
Introduced in notebook 06.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_finite_number, check_positive_int
from ..activations import ACTIVATIONS, get_activation
from .quadrature import _expect, _z_rule

__all__ = [
    "fixed_point",
    "chi_1_at_fixed_point",
    "correlation_map",
    "iterate_correlation_map",
    "DepthScales",
    "depth_scales",
    "critical_sigma_w2",
    "PhaseDiagram",
    "phase_diagram",
]

_MAX_HALVINGS = 200  # bisection cap: 200 halvings reach float64's resolution from any bracket


def _broadcast_map_args(activation, sigma_w2, sigma_b2):
    """(act, sigma_w2, sigma_b2, scalar?): the two variances as broadcast float arrays."""
    act = get_activation(activation)
    arrays = []
    for name, value in (("sigma_w2", sigma_w2), ("sigma_b2", sigma_b2)):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if np.ndim(value) == 0:
            arrays.append(np.asarray(check_finite_number(name, value, minimum=0.0)))
            continue
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must be a number or an array of numbers; received {value!r}"
            ) from None
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"{name} must hold finite numbers >= 0; received {value!r}")
        arrays.append(a)
    scalar = np.ndim(sigma_w2) == 0 and np.ndim(sigma_b2) == 0
    w2, b2 = np.broadcast_arrays(*arrays)
    return act, w2.astype(float), b2.astype(float), scalar


def _fixed_point(act, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Vectorised bisection for q* (see :func:`fixed_point`); inf where none is finite."""
    phi2 = lambda u: act.forward(u) ** 2  # noqa: E731

    # Bracket from above: double hi until the map falls below the diagonal, g(hi) < 0.
    hi = np.ones_like(w2)
    for _ in range(64):
        z, w = _z_rule(float(np.max(hi[np.isfinite(hi)], initial=1.0)))
        g = w2 * _expect(phi2, hi, z, w) + b2 - hi
        grow = g >= 0
        if not grow.any():
            break
        hi = np.where(grow, hi * 2.0, hi)
    unbounded = g >= 0
    hi = np.where(unbounded, 1.0, hi)
    z, w = _z_rule(float(hi.max(initial=1.0)))

    def g_of(q):
        return w2 * _expect(phi2, q, z, w) + b2 - q

    # Bracket from below: 0 if the map is above the diagonal there (a bias), else a tiny q
    # (sigma_b2 = 0, phi(0) = 0 makes 0 a fixed point; we want the other one, if any).
    tiny = np.full_like(w2, 1e-12)
    lo = np.where(g_of(np.zeros_like(w2)) > 0, 0.0, tiny)
    zero = g_of(lo) <= 0  # the map stays under the diagonal: q* = 0
    hi = np.where(zero | unbounded, lo, hi)  # nothing to bisect there
    # Regula falsi with the Illinois rule, safeguarded by the bracket (g(lo) > 0 >= g(hi)
    # always; an endpoint kept twice has its g halved): about 10 steps to 1e-14 instead of
    # bisection's 50, evaluating only the points not yet converged.
    shape = w2.shape
    lo, hi = lo.ravel().copy(), hi.ravel().copy()
    W2, B2 = w2.ravel(), b2.ravel()

    def g_at(q, k):
        return W2[k] * _expect(phi2, q, z, w) + B2[k] - q

    everyone = np.arange(lo.size)
    g_lo, g_hi = g_at(lo, everyone), g_at(hi, everyone)
    side = np.zeros_like(lo)
    for _ in range(_MAX_HALVINGS):
        k = np.flatnonzero((hi - lo) > 1e-14 * hi)
        if not k.size:
            break
        a, b, ga, gb = lo[k], hi[k], g_lo[k], g_hi[k]
        denom = ga - gb
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(denom > 0, (a * (-gb) + b * ga) / denom, 0.5 * (a + b))
        x = np.where((x > a) & (x < b), x, 0.5 * (a + b))
        gx = g_at(x, k)
        above = gx > 0
        gb = np.where(above & (side[k] > 0), 0.5 * gb, gb)
        ga = np.where(~above & (side[k] < 0), 0.5 * ga, ga)
        lo[k], g_lo[k] = np.where(above, x, a), np.where(above, gx, ga)
        hi[k], g_hi[k] = np.where(above, b, x), np.where(above, gb, gx)
        side[k] = np.where(above, 1.0, -1.0)
        # g(x) at the rounding level of its own terms: x is the root as far as float64
        # can tell, so close the bracket there
        done = np.abs(gx) <= 8 * np.finfo(float).eps * (x + B2[k])
        lo[k[done]], hi[k[done]] = x[done], x[done]
    lo, hi = lo.reshape(shape), hi.reshape(shape)
    q = 0.5 * (lo + hi)
    q = np.where(zero, 0.0, q)
    return np.where(unbounded, np.inf, q)


def fixed_point(activation="tanh", *, sigma_w2=1.0, sigma_b2=0.0):
    """The fixed point q* of the variance map: q* = sigma_w^2 E[phi(sqrt(q*) z)^2] + sigma_b^2.

    Found on g(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 - q by a bracketed regula
    falsi with the Illinois rule (capped at 200 steps, relative precision 1e-14),
    bracketed by doubling from q = 1. For tanh the
    map is concave, so this is the one positive fixed point, the one q_l settles at with
    depth; it is 0 when sigma_b2 = 0 and sigma_w2 <= 1. Poole et al. (2016), "Exponential
    expressivity in deep neural networks through transient chaos". Notebook 06.

    Parameters
    ----------
    activation : str or Activation
        A bounded activation such as tanh (an unbounded one, relu, has no finite q* unless
        sigma_w2 is small enough; where there is none a ValueError says so).
    sigma_w2, sigma_b2 : float or array-like
        n Var(W) and Var(b); arrays broadcast against each other.

    Returns
    -------
    float or ndarray
        q*, of the broadcast shape of ``sigma_w2`` and ``sigma_b2``.
    """
    act, w2, b2, scalar = _broadcast_map_args(activation, sigma_w2, sigma_b2)
    q = _fixed_point(act, w2, b2)
    if np.isinf(q).any():
        k = np.argwhere(np.isinf(q))[0]
        raise ValueError(
            f"the variance map of {act.name} has no finite fixed point at sigma_w2 = "
            f"{w2[tuple(k)]:g}, sigma_b2 = {b2[tuple(k)]:g}: q_l grows without bound. q* "
            "exists for bounded activations such as tanh."
        )
    return float(q) if scalar else q


def _chi_1_at(act, w2, q):
    """sigma_w^2 E[phi'(sqrt(q) z)^2], elementwise over arrays ``w2`` and ``q``."""
    z, w = _z_rule(float(np.max(q, initial=1.0)))
    return w2 * _expect(lambda u: act.derivative(u) ** 2, q, z, w)


def chi_1_at_fixed_point(activation="tanh", *, sigma_w2=1.0, sigma_b2=0.0):
    """chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2] at the fixed point q*: < 1 ordered, > 1 chaotic.

    The slope of the correlation map at c = 1 (:func:`correlation_map`), and the factor by
    which a deep layer multiplies the gradient's second moment. Vectorised over
    ``sigma_w2`` and ``sigma_b2`` (arrays broadcast), for the phase diagram. Notebook 06.
    """
    act, w2, b2, scalar = _broadcast_map_args(activation, sigma_w2, sigma_b2)
    chi = _chi_1_at(act, w2, fixed_point(act, sigma_w2=w2, sigma_b2=b2))
    return float(chi) if scalar else chi


_GL_24 = np.polynomial.legendre.leggauss(24)
_TANH = ACTIVATIONS["tanh"]


@functools.lru_cache(maxsize=32)
def _correlation_rule(q: float) -> tuple[np.ndarray, np.ndarray]:
    """One axis (z, w) of the tensor rule E[f(z_1, z_2)] ~= sum_ij w_i w_j f(z_i, z_j).

    z_1, z_2 iid N(0, 1), f smooth (tanh) at u = sqrt(q) z: 24 Gauss-Legendre nodes a
    panel against the density, panels on [0, 8] at most 6 wide in u, mirrored (48 nodes
    for q <= 0.5625, 144 at q = 2.55). For tanh, q in [0.005, 9], c in [-0.5, 1], the map
    agrees with a product of :func:`_z_rule` (640 to 1216 nodes) to 1e-13 q, the slope
    to 2e-12; as many nodes on narrower 8-node panels err by 6e-8. Cached, read-only.
    """
    half = 4.0 / max(1, math.ceil(8.0 * math.sqrt(q) / 6.0))
    mid = np.arange(half, 8.0, 2.0 * half)
    z = (mid[:, None] + half * _GL_24[0]).ravel()
    w = np.tile(half * _GL_24[1], mid.size) * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    z, w = np.concatenate([-z[::-1], z]), np.concatenate([w[::-1], w])
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


def _on_grid(act, alpha: np.ndarray, beta: np.ndarray, slopes: bool):
    """phi(alpha_i + beta_j), and phi' there if ``slopes`` (else None), on the grid.

    tanh by the exponential's addition rule, E = e^(2 alpha_i) e^(2 beta_j) and tanh =
    1 - 2 / (E + 1): two 1-d exponentials, no tanh on the grid (numpy's costs about 7
    exponentials), exact to a few 1e-16 (E = inf gives 1, E = 0 gives -1).
    """
    if act == _TANH and np.abs(alpha).max() + np.abs(beta).max() < 350:  # E stays finite
        t = np.exp(2.0 * alpha)[..., :, None] * np.exp(2.0 * beta)[..., None, :]
        t += 1.0  # in place from here: new arrays of this size cost more than the arithmetic
        np.divide(-2.0, t, out=t)
        t += 1.0
        if not slopes:
            return t, None
        d = np.multiply(t, t)
        return t, np.subtract(1.0, d, out=d)
    u = alpha[..., :, None] + beta[..., None, :]
    return act.forward(u), act.derivative(u) if slopes else None


def _pair_means(act, q: float, cs: np.ndarray, *, slopes: bool = False):
    """E[phi(u_1) phi(u_2)] (and E[phi'(u_1) phi'(u_2)] or None) for each c of 1-d ``cs``.

    On the grid of :func:`_correlation_rule` (see :func:`correlation_map`), blocks of c
    at a time (at most 2^20 grid values in memory); phi(u_1) is shared by all.
    """
    z, w = _correlation_rule(q)
    s = math.sqrt(q)
    cs = np.asarray(cs, dtype=float)
    means = np.empty(cs.size)
    slope_means = np.empty(cs.size) if slopes else None
    block = max(1, 2**20 // (z.size * z.size))
    with np.errstate(all="ignore"):
        a = w * act.forward(s * z)  # z_1 runs down the grid, z_2 across
        b = w * act.derivative(s * z) if slopes else None
        for k in range(0, cs.size, block):
            c = cs[k : k + block, None]
            h2, d2 = _on_grid(act, s * c * z, s * np.sqrt(np.maximum(1.0 - c * c, 0.0)) * z, slopes)
            means[k : k + block] = np.einsum("i,kij,j->k", a, h2, w)
            if slopes:
                slope_means[k : k + block] = np.einsum("i,kij,j->k", b, d2, w)
    return means, slope_means


def correlation_map(c, activation="tanh", *, sigma_w2=1.0, sigma_b2=0.0, q=None):
    """One layer of the correlation map of two inputs, both with pre-activation second moment q.

    .. math:: c_{l+1} = \\frac{\\sigma_w^2\\,\\mathbb{E}[\\phi(u_1)\\phi(u_2)] + \\sigma_b^2}{q},
              \\quad u_1 = \\sqrt q\\,z_1,\\ u_2 = \\sqrt q\\,(c\\,z_1 + \\sqrt{1-c^2}\\,z_2)

    (z_1, z_2 independent N(0, 1)); ``q`` defaults to the fixed point q*, where the map
    sends c = 1 to 1 with slope chi_1. A product Gauss-Legendre rule does the double
    integral (:func:`_correlation_rule`), every c at once. Poole et al. (2016);
    Schoenholz et al. (2017), "Deep Information Propagation". Notebook 06.

    Parameters
    ----------
    c : float or array-like, each in [-1, 1]
    q : float, optional
        Must be > 0; default q*.

    Returns
    -------
    float or ndarray
        c_{l+1}, the shape of ``c``.
    """
    act, w2, b2, scalar = _broadcast_map_args(activation, sigma_w2, sigma_b2)
    if not scalar:
        raise TypeError("sigma_w2 and sigma_b2 must be numbers here (c may be an array)")
    w2, b2 = float(w2), float(b2)
    if q is None:
        q = fixed_point(act, sigma_w2=w2, sigma_b2=b2)
    q = check_finite_number("q", q, minimum=0.0, strict=True)
    c_arr = np.asarray(c, dtype=float)
    if not np.all(np.isfinite(c_arr)) or np.any(np.abs(c_arr) > 1):
        raise ValueError(f"c must be a correlation in [-1, 1]; received {c!r}")
    out = (w2 * _pair_means(act, q, c_arr.ravel())[0] + b2) / q
    out = out.reshape(c_arr.shape)
    return float(out) if np.ndim(c) == 0 else out


def iterate_correlation_map(c0, depth, activation="tanh", *, sigma_w2=1.0, sigma_b2=0.0):
    """Apply :func:`correlation_map` at q* ``depth`` times: ``[c0, ..., c_depth]`` (depth + 1,).

    Assumes both inputs already sit at the fixed point q* (true a few layers in). Notebook 06.
    """
    depth = check_positive_int("depth", depth, minimum=0)
    q = fixed_point(activation, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    cs = [check_finite_number("c0", c0)]
    for _ in range(depth):
        cs.append(
            min(correlation_map(cs[-1], activation, sigma_w2=sigma_w2, sigma_b2=sigma_b2, q=q), 1)
        )
    return np.array(cs)


@dataclass(frozen=True)
class DepthScales:
    """Depth scales of a network at (sigma_w^2, sigma_b^2), in layers (inf at criticality).

    Attributes
    ----------
    q_star : float
    chi_1 : float
        Slope of the correlation map at c = 1.
    c_star : float
        The stable fixed point of the correlation map (1 in the ordered phase).
    chi_c : float
        Slope of the correlation map at c*: equals chi_1 when c* = 1.
    xi_q, xi_c : float
        |q_l - q*| ~ exp(-l / xi_q) and |c_l - c*| ~ exp(-l / xi_c).
    """

    q_star: float
    chi_1: float
    c_star: float
    chi_c: float
    xi_q: float
    xi_c: float


def _depth_scale(slope: float) -> float:
    """-1 / ln(slope): the number of layers over which a deviation shrinks by e."""
    if slope <= 0:
        return 0.0
    # slope >= 1: deviations do not shrink (the edge of chaos, up to rounding): no finite scale
    return math.inf if math.log(slope) > -1e-12 else -1.0 / math.log(slope)


def _stable_correlation(act, q: float, sigma_w2: float, sigma_b2: float, bracket=None):
    """(c*, chi_c there): c* < 1 of the chaotic phase, the root of f(c) = c_map(c) - c.

    Searched in [0, 1 - 1e-6]: f > 0 below c* and < 0 between c* and 1 (there chi_1 > 1
    pushes c down). Newton steps with the slope f'(c) = chi_c(c) - 1 (Price's theorem),
    kept inside a bisection bracket (a step that leaves it is replaced by halving), to
    1e-12 or 200 steps. A c* within 1e-6 of 1 (next to the edge of chaos, where
    f(1 - 1e-6) is no longer negative) is returned as 1; with no bias and an odd phi,
    f(0) = 0 and c* = 0. A ``bracket`` (lo, hi) with f(lo) > 0 > f(hi), from a tabulated
    map, saves most of the steps. chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] at c* (1: None).
    """

    def f(c, slope=True):  # (f(c), f'(c) or None)
        value, chi_c = _pair_means(act, q, np.array([c]), slopes=slope)
        value = (sigma_w2 * float(value[0]) + sigma_b2) / q - c
        return value, sigma_w2 * float(chi_c[0]) - 1.0 if slope else None

    lo, hi = 0.0, 1.0 - 1e-6
    bracketed = False
    if bracket is not None and lo <= bracket[0] < bracket[1] <= hi:
        f_lo, df = f(bracket[0])
        bracketed = f_lo > 0 and f(bracket[1], slope=False)[0] < 0
        if bracketed:
            lo, hi = bracket
    if not bracketed:
        if f(hi, slope=False)[0] >= 0:
            return 1.0, None
        f_lo, df = f(lo)
        if f_lo <= 0:
            return 0.0, df + 1.0
    c = lo
    for _ in range(_MAX_HALVINGS):
        step = c - f_lo / df if df < 0 else None  # f decreases through its root
        c_new = step if step is not None and lo < step < hi else 0.5 * (lo + hi)
        f_new, df = f(c_new)
        if f_new > 0:
            lo = c_new
        else:
            hi = c_new
        if abs(c_new - c) <= 1e-12 or hi - lo <= 1e-12:
            return c_new, df + 1.0
        c, f_lo = c_new, f_new
    c = 0.5 * (lo + hi)
    return c, f(c)[1] + 1.0


def depth_scales(activation="tanh", *, sigma_w2=1.0, sigma_b2=0.0, c_bracket=None) -> DepthScales:
    """How many layers q and c take to forget their start: Schoenholz et al.'s xi_q and xi_c.

    .. math::
        \\xi_q^{-1} = -\\ln\\Big(\\frac{\\partial q_{l+1}}{\\partial q_l}\\Big|_{q^*}\\Big)
        = -\\ln\\frac{\\sigma_w^2\\,\\mathbb{E}[u\\,\\phi(u)\\phi'(u)]}{q^*},\\qquad
        \\xi_c^{-1} = -\\ln \\chi_c,\\quad \\chi_c = \\sigma_w^2\\,
        \\mathbb{E}[\\phi'(u_1)\\phi'(u_2)]\\big|_{c^*}

    (u ~ N(0, q*); the first form equals Schoenholz et al.'s chi_1 + sigma_w^2 E[phi''
    phi] by Stein's lemma). In the ordered phase c* = 1 and chi_c = chi_1, so xi_c = -1 /
    ln chi_1; in the chaotic phase c* < 1 is found by bisection on the correlation map.
    xi_c diverges at chi_1 = 1: at the edge of chaos a network of any depth still
    tells two inputs apart. Schoenholz, Gilmer, Ganguli & Sohl-Dickstein (2017), "Deep
    Information Propagation". Notebook 06.

    ``c_bracket``, optional: (lo, hi) around c* in the chaotic phase (c_map(lo) > lo,
    c_map(hi) < hi), to start the root search there; ignored if it does not bracket.
    """
    act = get_activation(activation)
    q = fixed_point(act, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    sigma_w2, sigma_b2 = float(sigma_w2), float(sigma_b2)
    z, w = _z_rule(max(q, 1.0))
    q_eval = max(q, 1e-12)  # at q* = 0 the slope is its limit, sigma_w^2 phi'(0)^2
    slope_q = (
        sigma_w2
        * float(_expect(lambda u: u * act.forward(u) * act.derivative(u), q_eval, z, w))
        / q_eval
    )
    chi = float(_chi_1_at(act, sigma_w2, q))
    c_star, chi_c = 1.0, None
    if chi > 1 and q > 0:
        c_star, chi_c = _stable_correlation(act, q, sigma_w2, sigma_b2, c_bracket)
    if c_star == 1.0:
        chi_c = chi
    return DepthScales(q, chi, c_star, chi_c, _depth_scale(slope_q), _depth_scale(chi_c))


def critical_sigma_w2(
    activation="tanh", sigma_b2: float = 0.0, *, bounds=(0.5, 4.0), tol: float = 1e-10
) -> float:
    """The sigma_w^2 at which chi_1(q*(sigma_w^2)) = 1, by bisection: the edge of chaos.

    At sigma_b2 = 0 for tanh it is exactly 1 (q* = 0 and chi_1 = sigma_w^2 phi'(0)^2); at
    sigma_b2 = 0.05 about 1.76. Bisection (no SciPy) on ``bounds``, which must bracket the
    crossing, stopped when the bracket is narrower than ``tol`` (at most 200 halvings).
    Schoenholz et al. (2017), "Deep Information Propagation". Notebook 06.
    """
    act = get_activation(activation)
    sigma_b2 = check_finite_number("sigma_b2", sigma_b2, minimum=0.0)
    tol = check_finite_number("tol", tol, minimum=0.0, strict=True)
    try:
        lo, hi = (check_finite_number("bounds", b, minimum=0.0) for b in bounds)
    except TypeError:
        raise TypeError(f"bounds must be two numbers (low, high); received {bounds!r}") from None
    if not lo < hi:
        raise ValueError(f"bounds must be (low, high) with low < high; received {bounds!r}")

    def excess(s):
        return chi_1_at_fixed_point(act, sigma_w2=s, sigma_b2=sigma_b2) - 1.0

    if excess(lo) > 0 or excess(hi) < 0:
        raise ValueError(
            f"bounds {bounds!r} do not bracket chi_1 = 1 for {act.name} at sigma_b2 = "
            f"{sigma_b2:g}: chi_1 is {excess(lo) + 1:.4g} at {lo:g} and {excess(hi) + 1:.4g} "
            f"at {hi:g}; widen them"
        )
    for _ in range(_MAX_HALVINGS):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        if excess(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class PhaseDiagram:
    """q* and chi_1 on a grid: arrays of shape (len(sigma_b2), len(sigma_w2)).

    Attributes
    ----------
    sigma_w2, sigma_b2 : ndarray
        The grid's axes.
    q_star, chi_1 : ndarray
        Row i is sigma_b2[i]; column j is sigma_w2[j].
    critical_sigma_w2 : ndarray
        For each sigma_b2, the critical sigma_w2 interpolated on the grid (the chi_1 = 1
        line), nan if the row does not cross 1.
    """

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi_1: np.ndarray
    critical_sigma_w2: np.ndarray


def phase_diagram(activation="tanh", sigma_w2=None, sigma_b2=None) -> PhaseDiagram:
    """q* and chi_1 over a grid of (sigma_w^2, sigma_b^2): ordered (chi_1 < 1) vs chaotic.

    Defaults: sigma_w2 in [0.5, 4] (71 points), sigma_b2 in [0, 0.3] (31 points), Poole et
    al.'s (2016) and Schoenholz et al.'s (2017) figure for tanh. Notebook 06.
    """
    w_axis = np.linspace(0.5, 4.0, 71) if sigma_w2 is None else np.asarray(sigma_w2, float)
    b_axis = np.linspace(0.0, 0.3, 31) if sigma_b2 is None else np.asarray(sigma_b2, float)
    for name, axis in (("sigma_w2", w_axis), ("sigma_b2", b_axis)):
        if axis.ndim != 1 or axis.size < 2 or np.any(np.diff(axis) <= 0):
            raise ValueError(
                f"{name} must be an increasing 1-d array of >= 2 values; received {axis!r}"
            )
    act = get_activation(activation)
    W, B = np.meshgrid(w_axis, b_axis)
    q = fixed_point(act, sigma_w2=W, sigma_b2=B)
    chi = _chi_1_at(act, W, q)
    crit = np.full(b_axis.size, np.nan)
    for i, row in enumerate(chi - 1.0):
        j = np.flatnonzero((row[:-1] <= 0) & (row[1:] > 0))
        if j.size:
            j = j[0]
            crit[i] = w_axis[j] + (w_axis[j + 1] - w_axis[j]) * (-row[j]) / (row[j + 1] - row[j])
    return PhaseDiagram(w_axis, b_axis, q, chi, crit)
