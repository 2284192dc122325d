"""Shared building blocks of the scenario schema.

Every section is a frozen pydantic model that rejects unknown keys (``extra="forbid"``). A
field's description states its unit; the JSON Schema exported by ``planning schema`` carries
these descriptions so that editors show them while the YAML is typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Section(BaseModel):
    """Base of every scenario section: strict, frozen, documented."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True)


NonNegative = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Efficiency = Annotated[float, Field(gt=0, le=1)]


def resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Resolve a relative path against the folder of the YAML file that named it.

    The loader (:mod:`planning.config.load`) already makes paths absolute while it merges
    ``extends:`` chains; this is the fallback for scenarios built in code, where the
    validation context may carry ``base_dir``.
    """
    path = Path(value).expanduser()
    if not path.is_absolute() and info.context and info.context.get("base_dir"):
        path = Path(info.context["base_dir"]) / path
    return path


class TimeSeriesRef(Section):
    """A column of an hourly CSV file, and how the file states time.

    With a **time column** (declared by ``time_column``, or found by its name, see
    :mod:`planning.io.timeseries`) each row is aligned by its time stamp to the model's snapshots
    (hour-beginning, UTC): stamps with an offset (``Z``, ``+01:00``) carry their own; stamps without
    one are in ``time_zone`` (default UTC); a stamp labels the hour it begins or ends
    (``time_convention``, default: from the column's name, else hour-beginning). Rows must run
    oldest first, hourly, without duplicates or gaps, and cover every modelled hour.
    **Without** a time column the file holds one row per hour of ``horizon.year`` (8760 rows,
    8784 in a leap year), row *i* being hour *i* (hour-beginning, UTC), or one row per modelled
    hour (``horizon.hours`` rows from ``horizon.start_hour``). The values are multiplied by ``scale``.
    """

    file: Path = Field(description="CSV file, relative to the YAML file that names it.")
    column: str = Field(description="Column holding the values.")
    scale: float = Field(1.0, ge=0, description="Multiplier applied to every value (unitless), e.g. a zone's share of a system's demand.")
    time_column: str | None = Field(
        None,
        description="Column of ISO 8601 time stamps (one per hour). Null = a column named snapshot, timestamp, time, datetime, "
        "date_time, utc_time or time_utc, or ending in _hour_ending/_hour_beginning, if the file has one; without one, "
        "row i is hour i of horizon.year (hour-beginning, UTC), or modelled hour i when the file has horizon.hours rows.",
    )
    time_convention: Literal["hour_beginning", "hour_ending"] | None = Field(
        None,
        description="Whether a stamp labels the hour that begins or ends at it (EIA-930 uses hour_ending). Null = from the time "
        "column's name (..._hour_ending / ..._hour_beginning), else hour_beginning.",
    )
    time_zone: str = Field(
        "UTC",
        description="Time zone of stamps without an offset: an IANA name (America/New_York) or a fixed offset (UTC-05:00). "
        "Stamps with an offset (Z, +01:00) carry their own.",
    )
    edge_fill_hours: int = Field(
        0,
        ge=0,
        le=24,
        description="Modelled hours (h) that may lie before the file's first or after its last hour; each takes that first or last "
        "value (persistence) and is reported. 0 = every modelled hour must be in the file.",
    )

    @field_validator("file")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        parse_time_zone(value)
        return value


def parse_time_zone(name: str):
    """A ``tzinfo`` for an IANA name (``America/New_York``), ``UTC``, or a fixed offset ``UTC±HH[:MM]``.

    Raises ValueError naming the accepted forms.
    """
    import datetime
    import re
    import zoneinfo

    text = str(name).strip()
    fixed = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", text)
    if fixed:
        sign = -1 if fixed.group(1) == "-" else 1
        hours, minutes = int(fixed.group(2)), int(fixed.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise ValueError(f"'{name}' is not a UTC offset between -14:00 and +14:00")
        return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    if text.upper() in ("UTC", "Z", "GMT"):
        return datetime.timezone.utc
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'; use an IANA name such as America/New_York, UTC, or an offset such as UTC-05:00") from None
