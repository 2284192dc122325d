"""The surrogate card: a fitted data-center surrogate as pure JSON data.

A card is the *definition* of a learned model (OMLT's term); formulations in
:mod:`planning.surrogate.formulations` embed it. Cards are JSON read with :func:`json.loads` and
validated by strict pydantic models (unknown keys, wrong types, non-finite numbers, unsorted
breakpoints are errors): loading a card never executes code, there is no pickle.

One card per data center, with up to three parts::

    {
      "format": "planning.surrogate-card/1",
      "name": "google_cella_emerald_llm",
      "created_utc": "2025-11-26T12:00:00Z",
      "library_versions": {"planning": "0.1.0", "scikit-learn": "1.9.1", ...},
      "baseline": {"kind": "calendar_profile", "inputs": [...], "outputs": [...],
                   "parameters": {"timezone": "US/Pacific", "profile_per_unit": [[...24], ...7],
                                  "quantile": 0.95, "quantile_offset_per_unit": 0.02, ...},
                   "fitted_range": {"power_per_unit": [0.64, 0.76]},
                   "training_data": [{"file": "cella_pdu6.csv", "sha256": "...", "start": "...",
                                      "end": "...", "rows": 8928}],
                   "metrics": {"r2": 0.25, "mae": 0.012, "mape": 0.017, ...}},
      "throughput_curve": {"kind": "piecewise_linear", ...
                   "parameters": {"breakpoints_x": [0.26, ..., 1.0], "breakpoints_y": [...],
                                  "is_concave": true, "is_convex": false}},
      "envelope": {"kind": "flexibility_envelope", ... "parameters": {"deferrable_share": 0.31,
                   "max_delay_hours": 3.0, "ramp_up_per_unit_per_hour": ..., ...}}
    }

Units: the curve maps power per unit of the flexible fleet's rated power to throughput per unit of
its throughput at rated power, so a card scales to any size in MW (``W ≤ f(P/N)·N``).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planning.errors import InputDataError
from planning.surrogate.estimators import BaselineModel, FlexibilityEnvelope, PiecewiseLinearCurve

__all__ = [
    "CARD_FORMAT",
    "Quantity",
    "TrainingData",
    "BaselineParameters",
    "CurveParameters",
    "EnvelopeParameters",
    "BaselinePart",
    "CurvePart",
    "EnvelopePart",
    "SurrogateCard",
    "save_card",
    "load_card",
    "card_from_dict",
    "card_to_estimator",
    "predict",
    "library_versions",
]

CARD_FORMAT = "planning.surrogate-card/1"
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


class Quantity(_Strict):
    """A named input or output with its unit."""

    name: str
    unit: str


class TrainingData(_Strict):
    """A training file's fingerprint and period."""

    file: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    start: str | None = Field(None, description="first timestamp (ISO 8601), None for power-cap sweeps")
    end: str | None = None
    rows: Annotated[int, Field(ge=0)]


class BaselineParameters(_Strict):
    timezone: str = Field(description="time zone of the calendar features (IANA name or UTC offset)")
    profile_per_unit: list[list[FiniteFloat]] = Field(description="7 x 24: day_of_week (0=Monday) x hour_of_day")
    quantile: Annotated[float, Field(gt=0, lt=1)]
    quantile_offset_per_unit: FiniteFloat
    temperature_coefficient_per_unit_per_c: FiniteFloat | None = None
    temperature_reference_c: FiniteFloat | None = None

    @field_validator("profile_per_unit")
    @classmethod
    def _shape(cls, value):
        if len(value) != 7 or any(len(row) != 24 for row in value):
            raise ValueError("must be 7 rows (Monday..Sunday) of 24 hourly values")
        return value


class CurveParameters(_Strict):
    breakpoints_x: list[FiniteFloat] = Field(min_length=2)
    breakpoints_y: list[FiniteFloat] = Field(min_length=2)
    is_concave: bool
    is_convex: bool

    @model_validator(mode="after")
    def _consistent(self):
        x, y = np.asarray(self.breakpoints_x), np.asarray(self.breakpoints_y)
        if len(x) != len(y):
            raise ValueError(f"breakpoints_x ({len(x)}) and breakpoints_y ({len(y)}) differ in length")
        if not np.all(np.diff(x) > 0):
            raise ValueError("breakpoints_x must be strictly increasing")
        slopes = np.diff(y) / np.diff(x)
        if self.is_concave != bool(np.all(np.diff(slopes) <= 1e-9)):
            raise ValueError("is_concave does not match the breakpoints")
        if self.is_convex != bool(np.all(np.diff(slopes) >= -1e-9)):
            raise ValueError("is_convex does not match the breakpoints")
        return self


class EnvelopeParameters(_Strict):
    deferrable_share: Annotated[float, Field(ge=0, le=1, description="fraction of running IT power that can be held off")]
    max_delay_hours: Annotated[float, Field(
        ge=0, description="duration of the longest sustained power reduction in the demand-response event record, floored to "
        "whole hours (h): how long the site was seen holding work back in that event — a demonstrated event duration, not an "
        "observed delay of individual jobs and not a limit; the model lets deferred work wait at most this long")]
    ramp_up_per_unit_per_hour: Annotated[float, Field(ge=0)]
    ramp_down_per_unit_per_hour: Annotated[float, Field(ge=0)]
    power_min_per_unit: Annotated[FiniteFloat, Field(description="least hourly power of the telemetry (per unit of rating): "
                                                      "low end of the operating range the flexible fleet is held to")]
    power_max_per_unit: Annotated[FiniteFloat, Field(description="largest hourly power of the telemetry (per unit of rating): "
                                                      "high end of that operating range")]

    @model_validator(mode="after")
    def _range(self):
        if self.power_min_per_unit > self.power_max_per_unit:
            raise ValueError("power_min_per_unit exceeds power_max_per_unit")
        return self


class _Part(_Strict):
    inputs: list[Quantity]
    outputs: list[Quantity]
    fitted_range: dict[str, tuple[FiniteFloat, FiniteFloat]]
    training_data: list[TrainingData]
    metrics: dict[str, FiniteFloat | str]
    settings: dict[str, FiniteFloat | int | str | None] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict, description="how each number was derived")


class BaselinePart(_Part):
    kind: Literal["calendar_profile"] = "calendar_profile"
    parameters: BaselineParameters


class CurvePart(_Part):
    kind: Literal["piecewise_linear"] = "piecewise_linear"
    parameters: CurveParameters


class EnvelopePart(_Part):
    kind: Literal["flexibility_envelope"] = "flexibility_envelope"
    parameters: EnvelopeParameters


class SurrogateCard(_Strict):
    """One data center's fitted surrogate (see the module docstring for an example)."""

    format: Literal["planning.surrogate-card/1"] = CARD_FORMAT
    name: str
    created_utc: str
    library_versions: dict[str, str]
    baseline: BaselinePart | None = None
    throughput_curve: CurvePart | None = None
    envelope: EnvelopePart | None = None

    @model_validator(mode="after")
    def _any_part(self):
        if self.baseline is None and self.throughput_curve is None and self.envelope is None:
            raise ValueError("a card needs at least one of baseline, throughput_curve, envelope")
        return self


def library_versions() -> dict[str, str]:
    """Versions of the libraries that produced a card."""
    import pandas
    import pydantic
    import scipy
    import sklearn

    import planning

    return {"planning": planning.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "pandas": pandas.__version__, "pydantic": pydantic.__version__}


def _now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _format_errors(source: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        location = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (cards hold only the documented fields)"
        problems.append(f"{source}: {location}: {message}")
    return problems


def card_from_dict(data: dict, source: str = "card") -> SurrogateCard:
    """Validate a card held as a dict; raise :class:`InputDataError` listing every problem."""
    if not isinstance(data, dict):
        raise InputDataError([f"{source}: a card must be a JSON object, got {type(data).__name__}"],
                             title="invalid surrogate card")
    try:
        return SurrogateCard.model_validate(data)
    except ValidationError as error:
        raise InputDataError(_format_errors(source, error), title="invalid surrogate card") from None


def save_card(card: SurrogateCard, path: Path | str) -> Path:
    """Write ``card`` as indented JSON (atomically: temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(card.model_dump(mode="json"), indent=2, allow_nan=False) + "\n"
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def load_card(path: Path | str) -> SurrogateCard:
    """Read and validate a card (plain JSON: no code is executed).

    Raises
    ------
    InputDataError
        File missing, not JSON, or not a valid card (each problem names the key path).
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError([f"{path}: surrogate card not found"], title="invalid surrogate card")

    def _reject_constant(name):
        raise ValueError(f"non-finite number {name}")

    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        raise InputDataError([f"{path}: not valid JSON ({error})"], title="invalid surrogate card") from None
    return card_from_dict(data, source=str(path))


PartName = Literal["baseline", "throughput_curve", "envelope"]


def card_to_estimator(card: SurrogateCard, part: PartName = "throughput_curve"):
    """A fitted estimator rebuilt from a card part alone (no training data, no pickle)."""
    value = getattr(card, part, None)
    if value is None:
        raise InputDataError([f"card '{card.name}': has no '{part}' part"], title="invalid surrogate card")
    parameters = value.parameters.model_dump()
    metrics = dict(value.metrics)
    if part == "baseline":
        return BaselineModel.from_parameters(parameters, metrics)
    if part == "throughput_curve":
        return PiecewiseLinearCurve.from_parameters(parameters, metrics)
    return FlexibilityEnvelope.from_parameters(parameters, metrics)


def predict(card: SurrogateCard, X, part: PartName = "throughput_curve"):
    """Evaluate a card part: the curve at power per unit ``X``, the baseline at calendar features
    ``X`` (see :func:`planning.surrogate.estimators.calendar_features`), the envelope's clip."""
    return card_to_estimator(card, part).predict(X)

