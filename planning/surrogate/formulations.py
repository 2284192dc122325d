"""Formulations: embed a fitted piecewise-linear curve ``W = f(P)`` in a Pyomo block.

The card is the *definition* (breakpoints ``(x_0, y_0) … (x_K, y_K)``, per unit); these functions
are *formulations* (OMLT's split): each adds variables and constraints to a block, linking an input
``x`` (power, e.g. MW) to an output ``y`` (work, e.g. per unit of full-power throughput × MW) for a
fleet of size ``N = scale`` (MW of rated power)::

    y = N · f(x / N),      x ∈ [x_0·N, x_K·N]   (inputs held in the fitted range: no extrapolation)

Both functions accept

- scalar or indexed ``x``/``y`` (e.g. ``Var(TIME)``): the constraints are added for every index;
- ``scale`` as a float, or a Pyomo variable/expression (capacity sized by the model); the
  constraints stay linear in (x, y, N).

Slopes ``a_k = (y_{k+1} − y_k)/(x_{k+1} − x_k)`` (throughput per unit per power per unit) and
intercepts ``b_k = y_k − a_k·x_k`` (throughput per unit) are dimensionless in per-unit terms; with
``x`` in MW and ``N`` in MW, ``y`` is in MW-equivalents of full-power throughput (multiply by the
work rate at rated power, e.g. epochs per MWh, for work units).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from planning.surrogate.estimators import PiecewiseLinearCurve

__all__ = ["SurrogateFormulationError", "curve_breakpoints", "segments_meeting", "add_concave_pwl_cuts", "add_pwl_incremental_binary"]


class SurrogateFormulationError(ValueError):
    """The curve does not fit the requested formulation (e.g. cuts for a non-concave curve)."""


def curve_breakpoints(curve: Any) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints of a :class:`PiecewiseLinearCurve`, a card, a card's curve part or its parameters.

    A pair ``(breakpoints_x, breakpoints_y)`` of sequences is accepted as well.
    """
    if isinstance(curve, PiecewiseLinearCurve):
        return np.asarray(curve.breakpoints_x_, float), np.asarray(curve.breakpoints_y_, float)
    if hasattr(curve, "throughput_curve") and not hasattr(curve, "breakpoints_x"):
        curve = curve.throughput_curve
        if curve is None:
            raise SurrogateFormulationError("the card has no throughput_curve part")
    if hasattr(curve, "parameters") and hasattr(curve.parameters, "breakpoints_x"):
        curve = curve.parameters
    if hasattr(curve, "breakpoints_x"):
        bx, by = curve.breakpoints_x, curve.breakpoints_y
    else:
        bx, by = curve
    fitted = PiecewiseLinearCurve.from_breakpoints(bx, by)  # validates
    return fitted.breakpoints_x_, fitted.breakpoints_y_


def _keys(x, y) -> list | None:
    """Index keys shared by x and y, or None for scalars."""
    x_indexed = getattr(x, "is_indexed", lambda: False)()
    y_indexed = getattr(y, "is_indexed", lambda: False)()
    if x_indexed != y_indexed:
        raise SurrogateFormulationError("x and y must both be indexed or both scalar")
    if not x_indexed:
        return None
    keys = list(x.keys())
    if set(keys) != set(y.keys()):
        raise SurrogateFormulationError("x and y must have the same index")
    return keys


def _at(component, key):
    if key is None:
        return component
    if getattr(component, "is_indexed", lambda: False)():
        return component[key]
    return component


def _index_set(block, name: str, keys: list | None):
    """A Pyomo Set over the keys (one entry for scalars)."""
    if keys is None:
        keys = [None]
    position = {i: key for i, key in enumerate(keys)}
    block.add_component(f"{name}_INDEX", pyo.Set(initialize=range(len(keys)), ordered=True))
    return getattr(block, f"{name}_INDEX"), position


def segments_meeting(breakpoints_x: np.ndarray, low: float, high: float) -> list[int]:
    """Indices ``k`` of the segments ``[x_k, x_{k+1}]`` that meet ``[low, high]`` (touching counts)."""
    bx = np.asarray(breakpoints_x, float)
    return [k for k in range(len(bx) - 1) if bx[k] <= high + 1e-12 and bx[k + 1] >= low - 1e-12]


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer))


def add_concave_pwl_cuts(block, x, y, curve, scale=1.0, *, hull: str = "hypograph", name: str = "pwl_cuts",
                         bound_inputs: bool = True, input_range: tuple[float, float] | None = None):
    """Concave PWL as linear cuts (hypograph) — an LP, no binaries.

    Equations, for every index ``t`` and segment ``k = 0 … K−1``::

        y_t ≤ a_k · x_t + b_k · N                       (hypograph; needs f concave)
        y_t ≥ a_k · x_t + b_k · N                       (hull="epigraph"; needs f convex)
        x_0 · N ≤ x_t ≤ x_K · N                         (bound_inputs: the fitted range)

    For concave ``f`` the minimum of the lines is ``f`` on ``[x_0, x_K]``, so maximising (or
    valuing) ``y`` gives ``y_t = N·f(x_t/N)`` exactly.

    With ``input_range = (r_lo, r_hi)`` (per unit; the caller guarantees ``r_lo·N ≤ x_t ≤ r_hi·N``,
    e.g. by the variable's bounds) only the cuts of segments that meet ``[r_lo, r_hi]`` are added:
    on that interval ``f`` is the minimum of exactly those lines (every other line of a concave —
    or convex — ``f`` lies on the far side of ``f`` there), so the dropped rows are redundant and the
    formulation stays exact on the range. With an operating range inside one segment this is one
    row per index instead of ``K``.

    Parameters
    ----------
    block
        Pyomo Block or model to add the components to.
    x, y
        Input (power) and output (work) — scalar or indexed Vars/expressions with the same index.
    curve
        PiecewiseLinearCurve, card, card part or ``(breakpoints_x, breakpoints_y)``.
    scale
        Fleet size ``N`` (float, or Pyomo Var/expression, e.g. capacity in MW).
    hull
        ``"hypograph"`` (y ≤ f, concave f) or ``"epigraph"`` (y ≥ f, convex f).
    name
        Prefix of the added components: ``{name}_cut[t, k]``, ``{name}_x_lower[t]``, ``{name}_x_upper[t]``.
    bound_inputs
        Add the fitted-range bounds on ``x``.
    input_range
        ``(r_lo, r_hi)`` per unit, within ``[x_0, x_K]``: the range ``x/N`` is held in elsewhere; cuts of
        segments outside it are left out (exact on the range, see above). ``None``: every segment.

    Raises
    ------
    SurrogateFormulationError
        If the curve is not concave (hypograph) / convex (epigraph): use
        :func:`add_pwl_incremental_binary`.
    """
    bx, by = curve_breakpoints(curve)
    slopes = np.diff(by) / np.diff(bx)
    intercepts = by[:-1] - slopes * bx[:-1]
    if hull == "hypograph":
        if not np.all(np.diff(slopes) <= 1e-9):
            raise SurrogateFormulationError(
                f"{name}: the curve is not concave (slopes {np.round(slopes, 4).tolist()} must be non-increasing); "
                "linear cuts would over-estimate it. Use add_pwl_incremental_binary, or refit with shape='concave'")
    elif hull == "epigraph":
        if not np.all(np.diff(slopes) >= -1e-9):
            raise SurrogateFormulationError(f"{name}: the curve is not convex (slopes {np.round(slopes, 4).tolist()}"
                                            " must be non-decreasing); use add_pwl_incremental_binary")
    else:
        raise SurrogateFormulationError(f"hull must be 'hypograph' or 'epigraph', got {hull!r}")
    SEGMENTS = range(len(slopes))
    if input_range is not None:
        low, high = float(input_range[0]), float(input_range[1])
        if not (bx[0] - 1e-9 <= low <= high <= bx[-1] + 1e-9):
            raise SurrogateFormulationError(f"{name}: input_range [{low:g}, {high:g}] must lie within the fitted range "
                                            f"[{bx[0]:g}, {bx[-1]:g}] with low ≤ high")
        SEGMENTS = segments_meeting(bx, low, high)
    keys = _keys(x, y)
    INDEX, position = _index_set(block, name, keys)

    def cut(b, i, k):
        key = position[i]
        rhs = float(slopes[k]) * _at(x, key) + float(intercepts[k]) * _at(scale, key)
        return _at(y, key) <= rhs if hull == "hypograph" else _at(y, key) >= rhs

    block.add_component(f"{name}_cut", pyo.Constraint(INDEX, SEGMENTS, rule=cut))
    if bound_inputs:
        block.add_component(f"{name}_x_lower", pyo.Constraint(
            INDEX, rule=lambda b, i: _at(x, position[i]) >= float(bx[0]) * _at(scale, position[i])))
        block.add_component(f"{name}_x_upper", pyo.Constraint(
            INDEX, rule=lambda b, i: _at(x, position[i]) <= float(bx[-1]) * _at(scale, position[i])))
    return block


def add_pwl_incremental_binary(block, x, y, curve, scale=1.0, *, scale_max: float | None = None,
                               output: str = "==", name: str = "pwl_incremental"):
    """Any continuous PWL, exactly, by the incremental (delta) formulation with binaries (no SOS2).

    Segment lengths ``L_k = x_{k+1} − x_k``, slopes ``a_k``; variables ``δ_{t,k} ≥ 0`` (power on
    segment ``k``) and binaries ``z_{t,k}``, ``k = 0 … K−2`` (``z_k = 1``: segment ``k`` is full).
    For a constant ``N``::

        x_t = x_0·N + Σ_k δ_{t,k}
        y_t = y_0·N + Σ_k a_k·δ_{t,k}          (output="<=": y_t ≤ …, a hypograph)
        δ_{t,0} ≤ L_0·N
        δ_{t,k} ≤ L_k·N·z_{t,k−1}              k ≥ 1    (segment k used only if k−1 is full)
        δ_{t,k} ≥ L_k·N·z_{t,k}                k ≤ K−2  (segment k full if flagged)
        z_{t,k} ≤ z_{t,k−1}

    For a variable ``N ∈ [0, M]`` (``M`` = ``scale_max`` or the Var's upper bound) the products
    are linearised exactly with big-M::

        δ_{t,k} ≤ L_k·N,   δ_{t,k} ≤ L_k·M·z_{t,k−1},   δ_{t,k} ≥ L_k·N − L_k·M·(1 − z_{t,k})

    The input is implicitly held in ``[x_0·N, x_K·N]``.

    Parameters
    ----------
    block, x, y, curve, scale, name
        As for :func:`add_concave_pwl_cuts`. Components: ``{name}_delta``, ``{name}_z``,
        ``{name}_x_link``, ``{name}_y_link`` and the segment constraints.
    scale_max
        Upper bound ``M`` of a variable ``scale`` (default: the Var's ``ub``).
    output
        ``"=="`` (y is the curve) or ``"<="`` (y at most the curve).
    """
    bx, by = curve_breakpoints(curve)
    lengths = np.diff(bx)
    slopes = np.diff(by) / lengths
    n_segments = len(lengths)
    if output not in {"==", "<="}:
        raise SurrogateFormulationError(f"output must be '==' or '<=', got {output!r}")
    constant = _is_number(scale)
    if not constant:
        if scale_max is None:
            scale_max = getattr(scale, "ub", None)
        if scale_max is None or not np.isfinite(scale_max):
            raise SurrogateFormulationError(f"{name}: a variable scale needs an upper bound (scale_max or Var.ub) "
                                            "for the exact big-M linearisation")
    keys = _keys(x, y)
    INDEX, position = _index_set(block, name, keys)
    SEGMENTS = range(n_segments)
    FLAGS = range(n_segments - 1)

    def delta_bounds(b, i, k):
        return (0.0, float(lengths[k]) * float(scale)) if constant else (0.0, float(lengths[k]) * float(scale_max))

    block.add_component(f"{name}_delta", pyo.Var(INDEX, SEGMENTS, bounds=delta_bounds))
    block.add_component(f"{name}_z", pyo.Var(INDEX, FLAGS, within=pyo.Binary))
    delta = getattr(block, f"{name}_delta")
    z = getattr(block, f"{name}_z")

    def x_link(b, i):
        key = position[i]
        return _at(x, key) == float(bx[0]) * _at(scale, key) + sum(delta[i, k] for k in SEGMENTS)

    def y_link(b, i):
        key = position[i]
        rhs = float(by[0]) * _at(scale, key) + sum(float(slopes[k]) * delta[i, k] for k in SEGMENTS)
        return _at(y, key) == rhs if output == "==" else _at(y, key) <= rhs

    block.add_component(f"{name}_x_link", pyo.Constraint(INDEX, rule=x_link))
    block.add_component(f"{name}_y_link", pyo.Constraint(INDEX, rule=y_link))

    def fill_upper(b, i, k):
        key = position[i]
        if constant:
            return delta[i, k] <= float(lengths[k]) * float(scale) * z[i, k - 1] if k >= 1 else pyo.Constraint.Skip
        if k == 0:
            return delta[i, k] <= float(lengths[k]) * _at(scale, key)
        return delta[i, k] <= float(lengths[k]) * float(scale_max) * z[i, k - 1]

    def fill_lower(b, i, k):
        key = position[i]
        if constant:
            return delta[i, k] >= float(lengths[k]) * float(scale) * z[i, k]
        return delta[i, k] >= float(lengths[k]) * (_at(scale, key) - float(scale_max) * (1 - z[i, k]))

    block.add_component(f"{name}_fill_upper", pyo.Constraint(INDEX, SEGMENTS, rule=fill_upper))
    block.add_component(f"{name}_fill_lower", pyo.Constraint(INDEX, FLAGS, rule=fill_lower))
    if not constant:
        block.add_component(f"{name}_segment_scale", pyo.Constraint(
            INDEX, range(1, n_segments), rule=lambda b, i, k: delta[i, k] <= float(lengths[k]) * _at(scale, position[i])))
    block.add_component(f"{name}_order", pyo.Constraint(
        INDEX, range(1, n_segments - 1), rule=lambda b, i, k: z[i, k] <= z[i, k - 1]))
    return block
