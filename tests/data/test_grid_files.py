"""The project's copies of the EIA-930 grid files (data/grid/): what their columns claim.

MANIFEST caveat (shared data, grid/eia930_2021/): the CISO file's demand is the California *region*
(CISO plus BANC, IID, LDWP, TIDC; about 5.7 GW more on average than CISO alone), while its generation
is CISO's only. A column called plain ``demand_mw`` next to CISO-only capacity factors invites a
CISO zone with 5.7 GW too much load; the copy names the region instead.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import REPO

GRID = REPO / "data" / "grid"


def test_ciso_demand_is_named_as_the_california_region():
    ciso = pd.read_csv(GRID / "ciso_2021.csv")
    assert "demand_mw" not in ciso.columns
    assert "california_region_demand_mw" in ciso.columns
    # the region's mean (source demand_cleaned_mw, 30,706 MW), not CISO alone (about 5.7 GW less)
    assert ciso["california_region_demand_mw"].mean() == pytest.approx(30_706, abs=1)


def test_isne_demand_is_the_balancing_authority():
    isne = pd.read_csv(GRID / "isne_2021.csv")
    assert isne["demand_mw"].mean() == pytest.approx(13_327, abs=1)   # zones.csv of the Eastern set: ISNE mean 13,327 MW
