"""``unit_commitment:`` whether thermal technologies with a unit size are committed, and how.

The unit data (size, minimum stable output, minimum up/down time, start-up cost and fuel, ramp
limits) belong to each thermal technology (``technologies.<name>.unit_size_mw`` etc.); this
section only switches the formulation. See :mod:`planning.optimization.blocks.commitment` for
the equations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Section


class UnitCommitment(Section):
    """Clustered unit commitment of thermal technologies that set ``unit_size_mw``.

    * ``integer`` — committed units, start-ups and shut-downs are integers (a MILP); prices come
      from the LP re-solved with the integers fixed (``prices_from`` in summary.csv);
    * ``linear`` — the same constraints with continuous unit counts (the LP relaxation);
    * ``off`` — no commitment: thermal plants are dispatched as continuous fleets (the plain LP).
    """

    mode: Literal["integer", "linear", "off"] = Field(
        "integer", description="integer (MILP), linear (relaxed commitment, an LP) or off (no commitment)."
    )
    integer_build: bool = Field(
        True,
        description="In integer mode, build and retire whole units (new_mw = unit_size_mw × an integer). "
        "False = continuous build (capacity/unit_size_mw may be fractional; only whole units can be committed).",
    )
