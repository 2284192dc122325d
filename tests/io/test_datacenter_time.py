"""A surrogate card's calendar baseline follows the site's local clock, not the telemetry's.

The bundled card was learned from Google's cluster in US Pacific time; its 7×24 profile
(``profile_per_unit[day_of_week][hour]``, Monday = 0) is a local-clock pattern. Placed in an
Eastern zone, the campus must show that pattern at Eastern hours. Hand-computed: snapshot
2021-08-02T16:00Z (a Monday) is 12:00 EDT (UTC−4) and 09:00 PDT (UTC−7).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from planning.config import load_scenario
from planning.io.inputs import load_inputs
from tests.conftest import REPO

EXAMPLE = REPO / "scenarios" / "isone_datacenter_week.yaml"
SHORT = ["horizon.hours=48", "horizon.storage_cycle=day"]


def _expected_baseline_mw(local_hour: int, weekday: int) -> float:
    """(1 − s)·N·clip(profile[weekday][hour] + firm offset, 0, 1), read from the card's JSON."""
    card = json.loads((REPO / "models" / "google_cella_emerald_llm.json").read_text())
    parameters = card["baseline"]["parameters"]
    share = card["envelope"]["parameters"]["deferrable_share"]
    utilisation = parameters["profile_per_unit"][weekday][local_hour] + parameters["quantile_offset_per_unit"]
    return (1.0 - share) * 1000.0 * float(np.clip(utilisation, 0.0, 1.0))


@pytest.mark.parametrize(("time_zone", "local_hour"), [("America/New_York", 12), ("US/Pacific", 9), ("UTC", 16), ("UTC-05:00", 11)])
def test_card_baseline_is_evaluated_in_the_sites_local_time(time_zone, local_hour):
    inputs = load_inputs(load_scenario(EXAMPLE, [*SHORT, f"zones.isone.time_zone={time_zone}"]))
    snapshots = pd.DatetimeIndex(inputs["snapshot"].values)
    t = int(np.flatnonzero(snapshots == pd.Timestamp("2021-08-02T16:00"))[0])
    baseline = float(inputs["dc_baseline_mw"].sel(datacenter="campus").values[t])
    assert baseline == pytest.approx(_expected_baseline_mw(local_hour, weekday=0), rel=1e-12)


def test_eastern_and_pacific_placements_differ_by_three_hours():
    # The whole 48-hour baseline in Eastern time is the Pacific one three hours earlier in UTC.
    east = load_inputs(load_scenario(EXAMPLE, [*SHORT, "zones.isone.time_zone=America/New_York"]))
    west = load_inputs(load_scenario(EXAMPLE, [*SHORT, "zones.isone.time_zone=US/Pacific"]))
    b_east = east["dc_baseline_mw"].sel(datacenter="campus").values
    b_west = west["dc_baseline_mw"].sel(datacenter="campus").values
    np.testing.assert_allclose(b_east[:-3], b_west[3:], rtol=1e-12)
    assert not np.allclose(b_east, b_west)
