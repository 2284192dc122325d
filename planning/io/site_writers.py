"""Results of ``datacenter_sites`` → datacenter_sites.csv and datacenter_site_load.csv (tidy, units in the names).

* datacenter_sites.csv — one row per candidate: site, zone, max_it_mw, it_mw (built), opened (1/0),
  flexible_contract_mw (IT MW contracted as deferrable), flexible_share (of it_mw), facility_energy_mwh
  (weighted), moved_out_mwh, moved_in_mwh (weighted IT work sent to / run for other sites).
* datacenter_site_load.csv — per snapshot and site: snapshot, weight, site, zone, as_arrived_it_mw,
  it_power_mw, facility_power_mw, flexible_mw, moved_out_mw, moved_in_mw, work_arrived_mwh,
  work_done_mwh, backlog_mwh (the contracted fleet's work, MWh of rated-power throughput).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

SITE_COLUMNS = ["site", "zone", "max_it_mw", "it_mw", "opened", "flexible_contract_mw", "flexible_share", "facility_energy_mwh",
                "moved_out_mwh", "moved_in_mwh"]
LOAD_COLUMNS = ["snapshot", "weight", "site", "zone", "as_arrived_it_mw", "it_power_mw", "facility_power_mw", "flexible_mw",
                "moved_out_mw", "moved_in_mw", "work_arrived_mwh", "work_done_mwh", "backlog_mwh"]


def site_tables(results: xr.Dataset, weight: pd.Series) -> dict[str, pd.DataFrame]:
    """The two tables, or nothing when the run has no candidate sites."""
    if "site_it_mw" not in results:
        return {}
    from planning.io.writers import snapshot_labels

    w = results["weight_h"]
    moved_out = results["site_moved_out_mw"] if "site_moved_out_mw" in results else xr.zeros_like(results["site_it_power_mw"])
    moved_in = results["site_moved_in_mw"] if "site_moved_in_mw" in results else xr.zeros_like(results["site_it_power_mw"])
    it_mw = results["site_it_mw"].values
    sites = pd.DataFrame({
        "site": results["site"].values.astype(str),
        "zone": results["site_zone"].values.astype(str),
        "max_it_mw": results["site_max_it_mw"].values,
        "it_mw": it_mw,
        "opened": results["site_opened"].values,
        "flexible_contract_mw": results["site_flexible_contract_mw"].values,
        "flexible_share": np.divide(results["site_flexible_contract_mw"].values, it_mw, out=np.zeros_like(it_mw), where=it_mw > 1e-9),
        "facility_energy_mwh": (results["site_facility_power_mw"] * w).sum("snapshot").values,
        "moved_out_mwh": (moved_out * w).sum("snapshot").values,
        "moved_in_mwh": (moved_in * w).sum("snapshot").values,
    })
    names = {"site_as_arrived_it_mw": "as_arrived_it_mw", "site_it_power_mw": "it_power_mw", "site_facility_power_mw": "facility_power_mw",
             "site_flexible_mw": "flexible_mw", "site_work_arrived_mwh": "work_arrived_mwh", "site_work_done_mwh": "work_done_mwh",
             "site_backlog_mwh": "backlog_mwh"}
    frame = xr.Dataset({**{new: results[old] for old, new in names.items()}, "moved_out_mw": moved_out, "moved_in_mw": moved_in}
                       ).transpose("site", "snapshot").to_dataframe().reset_index()
    frame["snapshot"] = snapshot_labels(frame["snapshot"])
    frame["weight"] = frame["snapshot"].map(weight)
    frame["zone"] = frame["site"].map(results["site_zone"].to_series())
    frame = frame[LOAD_COLUMNS]
    numbers = frame.columns[4:]
    frame[numbers] = frame[numbers] + 0.0   # solver's −0 written as 0
    return {"datacenter_sites": sites[SITE_COLUMNS], "datacenter_site_load": frame}


def site_summary_rows(results: xr.Dataset, period: str) -> list[tuple[str, float, str]]:
    """summary.csv rows: the fleet's IT MW, contracted flexible MW, sites opened and the work moved between sites."""
    if "site_it_mw" not in results:
        return []
    w = results["weight_h"]
    rows = [("sited_it_mw", float(results["site_it_mw"].sum()), "MW"),
            ("sites_opened", float(results["site_opened"].sum()), "sites"),
            ("contracted_flexible_mw", float(results["site_flexible_contract_mw"].sum()), "MW"),
            ("sited_facility_energy_mwh", float((results["site_facility_power_mw"] * w).sum()), f"MWh{period}")]
    if "site_moved_out_mw" in results:
        rows.append(("migrated_work_mwh", float((results["site_moved_out_mw"] * w).sum()), f"MWh{period}"))
    return rows
