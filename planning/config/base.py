"""Shared building blocks of the scenario schema.

Every section is a frozen pydantic model that rejects unknown keys (``extra="forbid"``). A
field's description states its unit; the JSON Schema exported by ``planning schema`` carries
these descriptions so that editors show them while the YAML is typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    """A column of an hourly CSV file.

    The file holds one row per hour of the modelled year (8760 rows, or 8784 in a leap
    year), in chronological order, with a header row. Row *i* is hour *i* of the year.
    The values are multiplied by ``scale``.
    """

    file: Path = Field(description="CSV file, relative to the YAML file that names it.")
    column: str = Field(description="Column holding the values.")
    scale: float = Field(1.0, ge=0, description="Multiplier applied to every value (unitless), e.g. a zone's share of a system's demand.")

    @field_validator("file")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info)
