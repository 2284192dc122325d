"""Surrogate estimators of a data center's load, in scikit-learn's API.

Each estimator stores only its settings in ``__init__``; everything learned in :meth:`fit` ends in
``_``; other methods check that the estimator is fitted. Every learned parameter is plain data
(floats, lists) so that a surrogate card (JSON) can hold it, and :meth:`predict` evaluates those
numbers directly — never a pickled scikit-learn object. ``from_parameters`` rebuilds a fitted
estimator from a card's parameters; ``parameters`` returns them.

Held-out accuracy is stored in ``metrics_`` (R², MAE, MAPE on data the final-settings model did not
see during fitting; see each class for the split). The final parameters are then refitted on all
data, the usual practice when data are scarce; ``metrics_`` describes the procedure, not a model
fitted on less data than the card holds.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, r2_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, KFold, train_test_split
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "regression_metrics",
    "calendar_features",
    "BaselineModel",
    "PiecewiseLinearCurve",
    "FlexibilityEnvelope",
]

HOURS_PER_DAY, DAYS_PER_WEEK = 24, 7


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """R², MAE and MAPE (fraction, not percent) plus the number of held-out points."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return {
        "r2": float(r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan"),
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "mape": float(mean_absolute_percentage_error(y_true, y_pred)),
        "n_test": float(len(y_true)),
    }


def calendar_features(index: pd.DatetimeIndex, temperature_c=None) -> pd.DataFrame:
    """Calendar features in the index's own (local) time zone.

    Returns a frame with ``hour_of_day`` (0–23), ``day_of_week`` (0 = Monday) and, if given,
    ``ambient_temperature_c``.
    """
    index = pd.DatetimeIndex(index)
    features = pd.DataFrame({"hour_of_day": index.hour, "day_of_week": index.dayofweek}, index=index)
    if temperature_c is not None:
        features["ambient_temperature_c"] = np.asarray(temperature_c, float)
    return features


def _one_hot(hours: np.ndarray, days: np.ndarray) -> np.ndarray:
    matrix = np.zeros((len(hours), HOURS_PER_DAY + DAYS_PER_WEEK))
    matrix[np.arange(len(hours)), hours] = 1.0
    matrix[np.arange(len(hours)), HOURS_PER_DAY + days] = 1.0
    return matrix


class BaselineModel(RegressorMixin, BaseEstimator):
    """Inflexible baseline power from calendar (and optionally weather) features.

    Model (additive, fitted by ridge regression on one-hot features)::

        P_base(t) = profile[day_of_week(t)][hour_of_day(t)]
                    + temperature_coefficient · (T(t) − temperature_reference_c)      [per unit]
        P_firm(t) = P_base(t) + quantile_offset                                      [per unit]

    ``profile`` (7 × 24 table, per unit of rating) = intercept + hour effect + weekday effect;
    ``quantile_offset`` is the ``quantile`` (default 0.95) of the training residuals, so the firm
    floor ``P_firm`` is exceeded in only 5 % of training hours: the power the planner must be able to
    serve whenever it is asked for.

    Held-out accuracy: time-based split — the last ``test_fraction`` of the hours (in time order)
    is held out; the model is fitted on the earlier hours and scored on the later ones
    (``metrics_``: r2, mae, mape of ``P_base``; ``firm_coverage``: share of held-out hours at or
    below ``P_firm``). The stored parameters are then refitted on all hours.

    Parameters
    ----------
    quantile
        Residual quantile for the firm floor, in (0, 1).
    alpha
        Ridge penalty on the one-hot coefficients.
    test_fraction
        Share of the record (latest hours) held out for ``metrics_``.
    """

    def __init__(self, quantile: float = 0.95, alpha: float = 1.0, test_fraction: float = 0.25):
        self.quantile = quantile
        self.alpha = alpha
        self.test_fraction = test_fraction

    # -- fitting -------------------------------------------------------------------------------
    def _fit_arrays(self, features: pd.DataFrame, y: np.ndarray) -> dict:
        hours = features["hour_of_day"].to_numpy(int)
        days = features["day_of_week"].to_numpy(int)
        matrix = _one_hot(hours, days)
        use_temperature = "ambient_temperature_c" in features
        reference = float(features["ambient_temperature_c"].mean()) if use_temperature else 0.0
        if use_temperature:
            matrix = np.column_stack([matrix, features["ambient_temperature_c"].to_numpy(float) - reference])
        ridge = Ridge(alpha=self.alpha).fit(matrix, y)
        coef = ridge.coef_
        profile = (ridge.intercept_ + coef[:HOURS_PER_DAY][None, :] + coef[HOURS_PER_DAY:HOURS_PER_DAY + 7][:, None])
        params = {
            "profile_per_unit": profile.tolist(),
            "temperature_coefficient_per_unit_per_c": float(coef[-1]) if use_temperature else None,
            "temperature_reference_c": reference if use_temperature else None,
            "quantile": float(self.quantile),
            "quantile_offset_per_unit": 0.0,
        }
        residual = y - self._evaluate(params, features)
        params["quantile_offset_per_unit"] = float(np.quantile(residual, self.quantile))
        return params

    def fit(self, X: pd.DataFrame, y) -> "BaselineModel":
        """Fit on calendar features ``X`` (see :func:`calendar_features`), in time order, and power ``y``.

        Parameters
        ----------
        X
            Frame with ``hour_of_day``, ``day_of_week`` (and optionally ``ambient_temperature_c``),
            rows in time order (hourly).
        y
            Power, per unit of rating (or MW: the unit is carried through).
        """
        if not 0.0 < self.quantile < 1.0:
            raise ValueError(f"quantile must be in (0, 1), got {self.quantile}")
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError(f"test_fraction must be in (0, 1), got {self.test_fraction}")
        X = pd.DataFrame(X)
        y = np.asarray(y, float)
        if len(X) != len(y) or len(y) < 2 * HOURS_PER_DAY:
            raise ValueError(f"need at least 48 hourly rows with matching X and y (got {len(X)}, {len(y)})")
        n_train = int(round(len(y) * (1.0 - self.test_fraction)))
        held_out = self._fit_arrays(X.iloc[:n_train], y[:n_train])
        test_X, test_y = X.iloc[n_train:], y[n_train:]
        self.metrics_ = regression_metrics(test_y, self._evaluate(held_out, test_X))
        firm = self._evaluate(held_out, test_X) + held_out["quantile_offset_per_unit"]
        self.metrics_["firm_coverage"] = float(np.mean(test_y <= firm))
        self.metrics_["split"] = "time-based: last {:.0%} of hours held out".format(self.test_fraction)
        self.params_ = self._fit_arrays(X, y)
        self.n_features_in_ = X.shape[1]
        self.fitted_range_ = {"power": [float(y.min()), float(y.max())]}
        return self

    # -- evaluation (pure data) ------------------------------------------------------------------
    @staticmethod
    def _evaluate(params: dict, X: pd.DataFrame) -> np.ndarray:
        profile = np.asarray(params["profile_per_unit"], float)
        value = profile[X["day_of_week"].to_numpy(int), X["hour_of_day"].to_numpy(int)]
        coefficient = params.get("temperature_coefficient_per_unit_per_c")
        if coefficient is not None:
            if "ambient_temperature_c" not in X:
                raise ValueError("this baseline was fitted with ambient_temperature_c; pass it in X")
            value = value + coefficient * (X["ambient_temperature_c"].to_numpy(float) - params["temperature_reference_c"])
        return value

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Expected baseline power ``P_base`` for calendar features ``X`` (same unit as ``y``)."""
        check_is_fitted(self, "params_")
        return self._evaluate(self.params_, pd.DataFrame(X))

    def predict_firm(self, X: pd.DataFrame) -> np.ndarray:
        """Firm floor ``P_firm = P_base + quantile_offset`` (same unit as ``y``)."""
        check_is_fitted(self, "params_")
        return self.predict(X) + self.params_["quantile_offset_per_unit"]

    @property
    def parameters(self) -> dict:
        check_is_fitted(self, "params_")
        return dict(self.params_)

    @classmethod
    def from_parameters(cls, parameters: dict, metrics: dict | None = None) -> "BaselineModel":
        """A fitted model from card parameters (no data, no scikit-learn objects)."""
        model = cls(quantile=parameters["quantile"])
        model.params_ = dict(parameters)
        model.metrics_ = dict(metrics or {})
        model.n_features_in_ = 3 if parameters.get("temperature_coefficient_per_unit_per_c") is not None else 2
        return model


class PiecewiseLinearCurve(RegressorMixin, BaseEstimator):
    """Continuous piecewise-linear curve ``W = f(P)`` (power per unit -> throughput per unit).

    ``f`` is the linear interpolation through breakpoints ``(x_0, y_0) … (x_K, y_K)`` with
    ``x_0 = P_min`` and ``x_K = P_max`` the fitted range; outside it, :meth:`predict` clips ``P`` to
    ``[P_min, P_max]`` (the surrogate is never extrapolated).

    Fitting, for a given number of segments ``K``: the interior breakpoints are chosen among
    candidate positions (the distinct ``x`` values, or 10 interior quantiles if there are more) by
    exhaustive search; for each choice the values are the least-squares fit of the hinge basis
    ``y ≈ c_0 + c_1·x + Σ_k d_k·max(0, x − x_k)``. With ``shape="concave"`` the ``d_k`` are
    constrained ``≤ 0`` (non-increasing slopes), an exact concave fit.

    Number of segments (``n_segments=None``) and shape (``shape="auto"``): ``cv_folds``-fold
    cross-validation on the training points (shuffled k-fold: power-cap data have no time axis) for
    every ``K ≤ max_segments`` and both shapes; among the choices whose CV mean squared error is
    within one standard error (over folds) of the best, the fewest segments win, then concave before
    free (the one-standard-error rule; a concave curve embeds as an LP). Held-out accuracy: a random
    ``test_fraction`` of the points is held out before any choice is made; ``metrics_`` scores the
    curve fitted on the rest. The stored breakpoints are refitted on all points with the chosen ``K``.

    Parameters
    ----------
    n_segments
        Fixed number of segments, or None to choose by cross-validation.
    max_segments
        Largest ``K`` tried.
    shape
        ``"free"`` (any shape; concavity is detected), ``"concave"`` (constrained fit) or ``"auto"``
        (concave unless the free fit is better by more than one CV standard error).
    cv_folds, test_fraction, random_state
        Cross-validation and hold-out settings.
    """

    def __init__(self, n_segments: int | None = None, max_segments: int = 6, shape: str = "auto",
                 cv_folds: int = 5, test_fraction: float = 0.25, random_state: int = 0):
        self.n_segments = n_segments
        self.max_segments = max_segments
        self.shape = shape
        self.cv_folds = cv_folds
        self.test_fraction = test_fraction
        self.random_state = random_state

    # -- fitting helpers -------------------------------------------------------------------------
    @staticmethod
    def _candidates(x: np.ndarray) -> np.ndarray:
        unique = np.unique(x)
        interior = unique[1:-1]
        if len(interior) > 10:
            interior = np.unique(np.quantile(unique, np.linspace(0, 1, 12)[1:-1]))
        return interior

    @staticmethod
    def _fit_knots(x: np.ndarray, y: np.ndarray, knots: tuple[float, ...], shape: str) -> tuple[np.ndarray, float]:
        basis = np.column_stack([np.ones_like(x), x] + [np.maximum(0.0, x - k) for k in knots])
        coef = np.linalg.lstsq(basis, y, rcond=None)[0]
        if shape == "concave" and np.any(coef[2:] > 0):  # unconstrained optimum not concave: constrain
            lower = np.full(basis.shape[1], -np.inf)
            upper = np.r_[np.inf, np.inf, np.zeros(len(knots))]
            coef = lsq_linear(basis, y, bounds=(lower, upper)).x
        sse = float(np.sum((basis @ coef - y) ** 2))
        return coef, sse

    def _fit_segments(self, x: np.ndarray, y: np.ndarray, segments: int, shape: str) -> tuple[np.ndarray, np.ndarray]:
        x_min, x_max = float(x.min()), float(x.max())
        candidates = self._candidates(x)
        n_knots = min(segments - 1, len(candidates))
        best = None
        for knots in itertools.combinations(candidates, n_knots):
            coef, sse = self._fit_knots(x, y, knots, shape)
            if best is None or sse < best[0] - 1e-15:
                best = (sse, knots, coef)
        _, knots, coef = best
        bx = np.array([x_min, *knots, x_max], float)
        by = coef[0] + coef[1] * bx + sum(coef[2 + i] * np.maximum(0.0, bx - k) for i, k in enumerate(knots))
        return bx, by

    def _cv_errors(self, x: np.ndarray, y: np.ndarray, shape: str, groups) -> dict[int, tuple[float, float]]:
        limit = max(1, min(self.max_segments, len(np.unique(x)) - 1))
        if groups is None:
            splits = list(KFold(n_splits=min(self.cv_folds, len(x)), shuffle=True,
                                random_state=self.random_state).split(x))
        else:
            splits = list(GroupKFold(n_splits=min(self.cv_folds, len(np.unique(groups)))).split(x, groups=groups))
        errors: dict[int, tuple[float, float]] = {}
        for segments in range(1, limit + 1):
            if self.n_segments is not None and segments != int(self.n_segments):
                continue
            squared = []
            for train, test in splits:
                bx, by = self._fit_segments(x[train], y[train], segments, shape)
                squared.append(np.mean((_interp(x[test], bx, by) - y[test]) ** 2))
            errors[segments] = (float(np.mean(squared)), float(np.std(squared, ddof=1) / np.sqrt(len(squared))))
        return errors

    def _choose(self, x: np.ndarray, y: np.ndarray, groups) -> tuple[int, str, dict]:
        shapes = ["free", "concave"] if self.shape == "auto" else [self.shape]
        errors = {shape: self._cv_errors(x, y, shape, groups) for shape in shapes}
        best_mean, best_se = min(v for e in errors.values() for v in e.values())
        # One-standard-error rule: the simplest choice (fewest segments, then concave before free)
        # whose CV error is within one standard error of the best.
        options = sorted((k, 0 if shape == "concave" else 1, shape) for shape, e in errors.items()
                         for k, (mean, _) in e.items() if mean <= best_mean + best_se + 1e-15)
        segments, _, shape = options[0]
        return segments, shape, {f"{shape}_{k}": v[0] for shape, e in errors.items() for k, v in e.items()}

    def fit(self, X, y, groups=None) -> "PiecewiseLinearCurve":
        """Fit ``y = f(X)``; ``X`` is one column of power per unit, ``y`` throughput per unit.

        Parameters
        ----------
        X, y
            Power per unit of rated power; throughput per unit of the throughput at rated power.
        groups
            Optional workload label per row. When given, the hold-out and the cross-validation split
            by workload (``GroupShuffleSplit``/``GroupKFold``): the accuracy is for a workload the
            fit has not seen, and points of one workload never leak between training and test.
        """
        if self.shape not in {"free", "concave", "auto"}:
            raise ValueError(f"shape must be 'free', 'concave' or 'auto', got {self.shape!r}")
        if self.n_segments is not None and int(self.n_segments) < 1:
            raise ValueError(f"n_segments must be >= 1, got {self.n_segments}")
        x = _column(X)
        y = np.asarray(y, float).ravel()
        if len(x) != len(y) or len(np.unique(x)) < 2:
            raise ValueError("need matching X and y with at least two distinct X values")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite")
        if groups is None:
            train, test = train_test_split(np.arange(len(x)), test_size=self.test_fraction,
                                           random_state=self.random_state)
        else:
            groups = np.asarray(groups)
            if len(groups) != len(x):
                raise ValueError("groups must have one label per row")
            splitter = GroupShuffleSplit(n_splits=1, test_size=self.test_fraction, random_state=self.random_state)
            train, test = next(splitter.split(x, groups=groups))
        segments, shape, self.cv_mse_ = self._choose(x[train], y[train], None if groups is None else groups[train])
        self.shape_ = shape
        bx, by = self._fit_segments(x[train], y[train], segments, shape)
        self.metrics_ = regression_metrics(y[test], _interp(x[test], bx, by))
        unit = "points" if groups is None else "workloads"
        self.metrics_["split"] = (f"random {self.test_fraction:.0%} of {unit} held out; segments and shape by "
                                  f"{self.cv_folds}-fold CV over {unit} on the rest")
        self.breakpoints_x_, self.breakpoints_y_ = self._fit_segments(x, y, segments, shape)
        self._set_shape()
        self.n_features_in_ = 1
        return self

    def _set_shape(self) -> None:
        slopes = self.slopes_
        self.n_segments_ = len(slopes)
        self.is_concave_ = bool(np.all(np.diff(slopes) <= 1e-9))
        self.is_convex_ = bool(np.all(np.diff(slopes) >= -1e-9))

    # -- evaluation ------------------------------------------------------------------------------
    @property
    def slopes_(self) -> np.ndarray:
        """Slope of each segment, throughput per unit per power per unit."""
        return np.diff(self.breakpoints_y_) / np.diff(self.breakpoints_x_)

    @property
    def intercepts_(self) -> np.ndarray:
        """Intercept ``b_k`` of each segment's line ``a_k·x + b_k``."""
        return self.breakpoints_y_[:-1] - self.slopes_ * self.breakpoints_x_[:-1]

    @property
    def fitted_range_(self) -> tuple[float, float]:
        return float(self.breakpoints_x_[0]), float(self.breakpoints_x_[-1])

    def predict(self, X) -> np.ndarray:
        """Linear interpolation between the breakpoints, with ``X`` clipped to ``[P_min, P_max]``."""
        check_is_fitted(self, "breakpoints_x_")
        return _interp(_column(X), self.breakpoints_x_, self.breakpoints_y_)

    @property
    def parameters(self) -> dict:
        check_is_fitted(self, "breakpoints_x_")
        return {"breakpoints_x": [float(v) for v in self.breakpoints_x_],
                "breakpoints_y": [float(v) for v in self.breakpoints_y_],
                "is_concave": self.is_concave_, "is_convex": self.is_convex_}

    @classmethod
    def from_breakpoints(cls, breakpoints_x, breakpoints_y, metrics: dict | None = None) -> "PiecewiseLinearCurve":
        """A fitted curve from breakpoints (strictly increasing ``x``)."""
        bx, by = np.asarray(breakpoints_x, float), np.asarray(breakpoints_y, float)
        if bx.ndim != 1 or bx.shape != by.shape or len(bx) < 2 or not np.all(np.diff(bx) > 0):
            raise ValueError("breakpoints need >= 2 points, equal lengths and strictly increasing x")
        if not (np.all(np.isfinite(bx)) and np.all(np.isfinite(by))):
            raise ValueError("breakpoints must be finite numbers")
        curve = cls(n_segments=len(bx) - 1)
        curve.breakpoints_x_, curve.breakpoints_y_ = bx, by
        curve.metrics_ = dict(metrics or {})
        curve.n_features_in_ = 1
        curve._set_shape()
        return curve

    @classmethod
    def from_parameters(cls, parameters: dict, metrics: dict | None = None) -> "PiecewiseLinearCurve":
        return cls.from_breakpoints(parameters["breakpoints_x"], parameters["breakpoints_y"], metrics)


class FlexibilityEnvelope(BaseEstimator):
    """Where and how fast the data center's load may move: the region the telemetry supports.

    Learned numbers (all stored in ``params_``) and how each is derived:

    ``power_min_per_unit``, ``power_max_per_unit``
        Observed operating range of hourly power (per unit of rating) in the baseline record
        (minimum and maximum of the hourly means).
    ``ramp_up_per_unit_per_hour``, ``ramp_down_per_unit_per_hour``
        Largest hour-to-hour increase / decrease of hourly power: the larger of (a) the baseline
        record's ``ramp_quantile`` quantile of |Δ| (default 1.0, the maximum observed), in per unit
        of rating, and (b) the step into and out of the demand-response event (per unit of the
        pre-event power), i.e. demonstrated controllable ramps.
    ``deferrable_share``
        Fraction of the running IT power that was shed and held off during the event:
        ``1 − mean(event power) / mean(pre-event power)``. The event window is the longest run of
        samples below the midpoint between the pre-event level (median of the first ``pre_event_minutes``)
        and the lowest sustained level (5th percentile).
    ``max_delay_hours``
        Duration of that sustained reduction in whole hours (floor): the longest delay the
        telemetry shows the work tolerated. It is demonstrated, not an upper limit.

    Held-out check (time-based): range and ramps are first fitted on the earliest
    ``1 − test_fraction`` of the baseline hours, then ``metrics_`` reports the share of the held-out
    hours inside the range (``range_coverage``) and of held-out ramps within the limits
    (``ramp_coverage``). R²/MAE/MAPE do not apply to an envelope.

    :meth:`predict` projects power per unit onto the operating range (clips).
    """

    def __init__(self, ramp_quantile: float = 1.0, test_fraction: float = 0.25, pre_event_minutes: int = 60):
        self.ramp_quantile = ramp_quantile
        self.test_fraction = test_fraction
        self.pre_event_minutes = pre_event_minutes

    @staticmethod
    def _range_ramps(power: np.ndarray, quantile: float) -> dict:
        steps = np.diff(power)
        return {
            "power_min_per_unit": float(power.min()),
            "power_max_per_unit": float(power.max()),
            "ramp_up_per_unit_per_hour": float(np.quantile(np.maximum(steps, 0.0), quantile)) if len(steps) else 0.0,
            "ramp_down_per_unit_per_hour": float(np.quantile(np.maximum(-steps, 0.0), quantile)) if len(steps) else 0.0,
        }

    @staticmethod
    def event_statistics(event_power: pd.Series, pre_event_minutes: int = 60) -> dict:
        """Sustained reduction in a demand-response event record (native resolution, any power unit).

        Returns ``pre_event_power``, ``event_power`` (means), ``deferrable_share``, ``max_delay_hours``,
        ``event_start``/``event_end`` (ISO) and the hourly step down/up per unit of pre-event power.
        """
        series = event_power.dropna()
        start = series.index[0]
        pre = float(series[series.index < start + pd.Timedelta(minutes=pre_event_minutes)].median())
        low = float(series.quantile(0.05))
        threshold = 0.5 * (pre + low)
        below = (series < threshold).to_numpy()
        best, run_start = (0, 0, 0), None
        for i, flag in enumerate(np.r_[below, False]):
            if flag and run_start is None:
                run_start = i
            elif not flag and run_start is not None:
                if i - run_start > best[0]:
                    best = (i - run_start, run_start, i)
                run_start = None
        if best[0] == 0:
            raise ValueError("no sustained reduction found in the event record")
        window = series.iloc[best[1]:best[2]]
        step = series.index.to_series().diff().median()
        duration_hours = (window.index[-1] - window.index[0] + step) / pd.Timedelta(hours=1)
        hourly = series.resample("1h").mean() / pre
        steps = hourly.diff().dropna()
        return {
            "pre_event_power": pre,
            "event_power": float(window.mean()),
            "deferrable_share": float(1.0 - window.mean() / pre),
            "max_delay_hours": float(math.floor(duration_hours + 1e-9)),
            "event_duration_hours": float(duration_hours),
            "event_start": window.index[0].isoformat(),
            "event_end": (window.index[-1] + step).isoformat(),
            "event_ramp_down_per_unit_per_hour": float(max(0.0, -steps.min())),
            "event_ramp_up_per_unit_per_hour": float(max(0.0, steps.max())),
        }

    def fit(self, X: pd.Series, y=None, event_power: pd.Series | None = None) -> "FlexibilityEnvelope":
        """Fit from hourly baseline power ``X`` (per unit, time-indexed) and an optional event record.

        Parameters
        ----------
        X
            Hourly power per unit of rating, in time order.
        y
            Ignored (scikit-learn signature).
        event_power
            Demand-response event record at native resolution (any power unit), or None: then
            ``deferrable_share`` and ``max_delay_hours`` are 0 (no flexibility evidenced).
        """
        power = np.asarray(X, float).ravel()
        if len(power) < 4:
            raise ValueError("need at least 4 hourly values of baseline power")
        n_train = int(round(len(power) * (1.0 - self.test_fraction)))
        train = self._range_ramps(power[:n_train], self.ramp_quantile)
        test = power[n_train:]
        test_steps = np.diff(test)
        self.metrics_ = {
            "range_coverage": float(np.mean((test >= train["power_min_per_unit"]) & (test <= train["power_max_per_unit"]))),
            "ramp_coverage": float(np.mean((test_steps <= train["ramp_up_per_unit_per_hour"] + 1e-12)
                                           & (-test_steps <= train["ramp_down_per_unit_per_hour"] + 1e-12))),
            "n_test": float(len(test)),
            "split": f"time-based: last {self.test_fraction:.0%} of hours held out",
        }
        params = self._range_ramps(power, self.ramp_quantile)
        params.update(deferrable_share=0.0, max_delay_hours=0.0)
        self.event_ = None
        if event_power is not None:
            event = self.event_statistics(event_power, self.pre_event_minutes)
            self.event_ = event
            params["deferrable_share"] = event["deferrable_share"]
            params["max_delay_hours"] = event["max_delay_hours"]
            params["ramp_up_per_unit_per_hour"] = max(params["ramp_up_per_unit_per_hour"],
                                                      event["event_ramp_up_per_unit_per_hour"])
            params["ramp_down_per_unit_per_hour"] = max(params["ramp_down_per_unit_per_hour"],
                                                        event["event_ramp_down_per_unit_per_hour"])
        self.params_ = params
        return self

    def predict(self, X) -> np.ndarray:
        """Power per unit projected onto ``[power_min_per_unit, power_max_per_unit]``."""
        check_is_fitted(self, "params_")
        return np.clip(np.asarray(X, float), self.params_["power_min_per_unit"], self.params_["power_max_per_unit"])

    @property
    def parameters(self) -> dict:
        check_is_fitted(self, "params_")
        return dict(self.params_)

    @classmethod
    def from_parameters(cls, parameters: dict, metrics: dict | None = None) -> "FlexibilityEnvelope":
        envelope = cls()
        envelope.params_ = dict(parameters)
        envelope.metrics_ = dict(metrics or {})
        envelope.event_ = None
        return envelope


def _column(X) -> np.ndarray:
    array = np.asarray(X, float)
    if array.ndim == 2:
        if array.shape[1] != 1:
            raise ValueError(f"expected one input column (power per unit), got {array.shape[1]}")
        array = array[:, 0]
    return array.ravel()


def _interp(x: np.ndarray, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    return np.interp(np.clip(x, bx[0], bx[-1]), bx, by)


# scikit-learn's NotFittedError is re-exported for callers that catch it.
NotFittedError = NotFittedError
