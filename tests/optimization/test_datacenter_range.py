"""The flexible fleet stays inside the operating range its telemetry supports (the card's envelope),
unless ``operating_range_per_unit`` overrides it (within the throughput curve's fitted range)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from planning.config import load_scenario
from planning.errors import PlanningError
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from tests.conftest import REPO

EXAMPLE = REPO / "scenarios" / "isone_datacenter_week.yaml"
CARD = REPO / "models" / "google_cella_emerald_llm.json"
SHORT = ["horizon.hours=48", "horizon.storage_cycle=day"]


def _bounds(overrides=()):
    inputs = load_inputs(load_scenario(EXAMPLE, [*SHORT, *overrides]))
    block = build_model(inputs).model.datacenter["campus"]
    lower = np.array([block.flexible_mw[t].lb for t in block.flexible_mw])
    upper = np.array([block.flexible_mw[t].ub for t in block.flexible_mw])
    rating = float(inputs["dc_flexible_rating_mw"].sel(datacenter="campus"))
    observed = inputs["dc_observed_flexible_mw"].sel(datacenter="campus").values / rating
    return lower / rating, upper / rating, observed


def test_flexible_power_stays_in_the_observed_operating_range():
    # The card's envelope: hourly power of the telemetry between power_min and power_max per unit
    # (0.638 .. 0.764 for this card, vs the throughput curve's fitted 0.258 .. 1.0). The range is
    # widened only to the modelled schedule's own utilisation (running work as it arrives stays feasible).
    envelope = json.loads(CARD.read_text())["envelope"]["parameters"]
    lower, upper, observed = _bounds()
    expected_low = min(envelope["power_min_per_unit"], observed.min())
    expected_high = max(envelope["power_max_per_unit"], observed.max())
    np.testing.assert_allclose(lower, expected_low, rtol=1e-12)
    np.testing.assert_allclose(upper, expected_high, rtol=1e-12)
    assert expected_low > 0.6  # far above the curve's 0.258: the range binds


def test_operating_range_key_overrides_the_envelope():
    lower, upper, _ = _bounds(["datacenters.campus.operating_range_per_unit=[0.3, 0.95]"])
    np.testing.assert_allclose(lower, 0.3, rtol=1e-12)
    np.testing.assert_allclose(upper, 0.95, rtol=1e-12)


def test_operating_range_outside_the_curve_is_an_error():
    # The curve was fitted on 0.258 .. 1.0 per unit: 0.1 would extrapolate the surrogate.
    with pytest.raises(PlanningError) as error:
        load_inputs(load_scenario(EXAMPLE, [*SHORT, "datacenters.campus.operating_range_per_unit=[0.1, 0.9]"]))
    assert "datacenters.campus.operating_range_per_unit" in str(error.value)
    assert "0.258" in str(error.value)
