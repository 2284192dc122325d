"""Snapshots are written as UTC with an explicit ``Z`` in every CSV, and as UTC CF time in results.nc."""

from __future__ import annotations

import re

import netCDF4
import numpy as np
import pandas as pd

from planning.config import validate_scenario
from planning.io.writers import snapshot_labels, snapshot_times
from planning.workflows.run import run_scenario
from tests.conftest import storage_arbitrage_scenario

LABEL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:00:00Z$")


def test_every_csv_writes_snapshots_in_utc_with_z(tmp_path):
    out = tmp_path / "run"
    raw = storage_arbitrage_scenario(tmp_path, carbon={"technology_rows": {"gas": "ccgt", "pv": "utility_pv", "bat": "battery"}})
    run_scenario(validate_scenario(raw), out)
    written = {path.name: pd.read_csv(path, dtype=str) for path in sorted(out.glob("*.csv"))}
    with_snapshots = {name: frame for name, frame in written.items() if "snapshot" in frame}
    assert {"dispatch.csv", "storage.csv", "balance.csv", "carbon.csv"} <= set(with_snapshots)
    for name, frame in with_snapshots.items():
        labels = frame["snapshot"].dropna()
        if labels.empty:  # a table this run has no rows for (commitment, data centers)
            continue
        assert labels.map(lambda s: bool(LABEL.match(s))).all(), (name, labels.head().tolist())
        assert sorted(set(labels)) == ["2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z"], name
    # results.nc: CF time with an explicit UTC offset; 2021-01-01T00:00Z is 18628 days
    # (51 years, 13 of them leap) × 24 = 447072 h after 1970-01-01T00:00Z.
    with netCDF4.Dataset(out / "results.nc") as nc:
        snapshot = nc.variables["snapshot"]
        assert snapshot.units == "hours since 1970-01-01T00:00:00+00:00"
        assert snapshot.time_zone == "UTC"
        np.testing.assert_array_equal(snapshot[:], [447072, 447073])


def test_labels_round_trip_and_convert_aware_times():
    times = pd.DatetimeIndex(["2021-08-01T00:00", "2021-08-01T01:00"])
    assert snapshot_labels(times).tolist() == ["2021-08-01T00:00:00Z", "2021-08-01T01:00:00Z"]
    assert snapshot_times(snapshot_labels(times)).equals(times)
    # 20:00 EDT (UTC−4) is 00:00Z the next day; labels without Z are read as UTC.
    eastern = pd.DatetimeIndex(["2021-07-31T20:00"]).tz_localize("America/New_York")
    assert snapshot_labels(eastern).tolist() == ["2021-08-01T00:00:00Z"]
    assert snapshot_times(["2021-08-01T00:00", "2021-08-01T01:00:00+01:00"]).tolist() == [pd.Timestamp("2021-08-01T00:00")] * 2
