"""Representative periods (placeholder, completed below)."""

from __future__ import annotations

import xarray as xr


def aggregate_inputs(dataset: xr.Dataset, settings) -> xr.Dataset:
    raise NotImplementedError
