"""Derive data/grid/eastern_us_9zone_2021/ (the 9-zone US Eastern Interconnection, 2021) from the shared data.

Re-run from the repository root:

    python data/grid/make_eastern_data.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ``../shared/data`` and must contain ``grid/eastern_us_9zone_2021/`` (see
MANIFEST.md there). Only pandas/numpy; nothing is downloaded.

Copied unchanged (with NOTICE.txt, which must travel with them): ``zones.csv``, ``links.csv``,
``capacity_by_zone_technology_eia860.csv``, ``reeds_naris2024_transgrp_interfaces_eastern.csv``.

Derived: ``eastern_2021_hourly.csv``, one row per source row (8,760, same order):

    utc_hour_ending           source utc_time, unchanged (UTC, EIA-930 hour-ENDING label)
    demand_mw_<ZONE>          = <ZONE>_2021_hourly_demand_generation_ci.csv demand_cleaned_mw (9 zones)
    wind_cf_<Z>, solar_cf_<Z>, hydro_cf_<Z>, other_cf_<Z>   Z in MEASURED_ZONES (ISNE, PJM), the only
                              zones with generation by fuel (DACF over EIA-930):
        wind_cf   gen_wind_mw  / EIA-860 summer MW of Wind
        solar_cf  gen_solar_mw / (q99.9 of gen_solar_mw / 0.83): the metered fleet, as
                  data/grid/make_grid_data.py (EIA-930 "solar" is the utility-scale metered fleet only;
                  EIA-860's solar MW includes plants behind the metered demand)
        hydro_cf  gen_hydro_mw / EIA-860 summer MW of Hydro + Hydro_PumpedStorage (EIA-930 hydro
                  includes pumped-storage output: see data/README.md)
        other_cf  gen_other_mw / EIA-860 summer MW of Biomass + Waste + Other
      cleaning as make_grid_data.py: missing/negative -> 0, clipped to [0, 1], 5 decimals.

The 7 zones without measured generation take the profiles of the NEAREST zone with measured
profiles (PROFILE_ZONE below; distances between the load centres of ``ZONE_CENTRES``) — an
approximation, stated in data/README.md and in the scenario.

Corridors (``corridors.csv``, one row per connected pair, 12): ``existing_mw`` = the smaller of
NREL's two directional n-0 limits (links.csv ``capacity_mw``; the transport model has one limit for
both directions), ``existing_n1_mw`` likewise for n-1, ``distance_km`` = great-circle distance
between the zones' load centres × ROUTE_FACTOR, ``capex_per_mw`` = HVAC_OVERHEAD_USD2020_PER_MW_KM ×
distance_km.
"""
from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(__file__).resolve().parent / "eastern_us_9zone_2021"
SOURCE = Path("grid") / "eastern_us_9zone_2021"
ZONES = ["ISNE", "NYIS", "PJM", "MISO_NC", "MISO_S", "SWPP_N", "SWPP_S", "SERTP", "FRCC"]
MEASURED_ZONES = ["ISNE", "PJM"]
COPIED = ["zones.csv", "links.csv", "capacity_by_zone_technology_eia860.csv",
          "reeds_naris2024_transgrp_interfaces_eastern.csv", "NOTICE.txt"]
QUANTILE = 0.999
SOLAR_PEAK_RATIO = 0.83  # q99.9 / nameplate, calibrated on CAISO (data/grid/make_grid_data.py)
# Approximate load centre of each zone (a named city, latitude, longitude in degrees): an assumption
# used only for distances (nearest measured profile, corridor length).
ZONE_CENTRES = {
    "ISNE": ("Worcester MA", 42.26, -71.80),
    "NYIS": ("Newburgh NY", 41.50, -74.01),
    "PJM": ("Pittsburgh PA", 40.44, -79.99),
    "MISO_NC": ("Springfield IL", 39.80, -89.64),
    "MISO_S": ("Jackson MS", 32.30, -90.18),
    "SWPP_N": ("Omaha NE", 41.26, -95.94),
    "SWPP_S": ("Oklahoma City OK", 35.47, -97.52),
    "SERTP": ("Atlanta GA", 33.75, -84.39),
    "FRCC": ("Orlando FL", 28.54, -81.38),
}
ROUTE_FACTOR = 1.25  # line length / great-circle distance (PyPSA-Eur's default length_factor)
# HVAC overhead line: 442.1414 EUR(2011)/MW/km (PyPSA technology-data @8da83cd costs_2030.csv,
# Hagspiel et al. 2014, Table A.2) × 1.392 USD/EUR (2011 annual mean, US Federal Reserve H.10)
# × 1.151 (US CPI-U 2020/2011 = 258.811/224.939) = 708.4 USD2020/MW/km.
HVAC_OVERHEAD_EUR2011_PER_MW_KM = 442.1414
USD_PER_EUR_2011 = 1.392
CPI_2020_OVER_2011 = 258.811 / 224.939
HVAC_OVERHEAD_USD2020_PER_MW_KM = HVAC_OVERHEAD_EUR2011_PER_MW_KM * USD_PER_EUR_2011 * CPI_2020_OVER_2011
# profile column -> (source column, EIA-860 technologies whose summer MW is the divisor, or "quantile")
PROFILES = {
    "wind_cf": ("gen_wind_mw", ["Wind"]),
    "solar_cf": ("gen_solar_mw", "quantile"),
    "hydro_cf": ("gen_hydro_mw", ["Hydro", "Hydro_PumpedStorage"]),
    "other_cf": ("gen_other_mw", ["Biomass", "Waste", "Other"]),
}


def great_circle_km(a: str, b: str) -> float:
    """Haversine distance (km) between the load centres of zones ``a`` and ``b``."""
    _, lat1, lon1 = ZONE_CENTRES[a]
    _, lat2, lon2 = ZONE_CENTRES[b]
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def profile_zone(zone: str) -> str:
    """The nearest zone with measured generation profiles (the zone itself when it has them)."""
    return min(MEASURED_ZONES, key=lambda measured: great_circle_km(zone, measured))


def summer_mw(capacity: pd.DataFrame, zone: str, technologies: list[str]) -> float:
    rows = capacity[(capacity["zone"] == zone) & capacity["technology"].isin(technologies)]
    if rows.empty:
        raise KeyError(f"capacity_by_zone_technology_eia860.csv: no row for zone {zone}, technologies {technologies}")
    return float(rows["summer_mw"].sum())


def to_cf(series: pd.Series, cap: float) -> tuple[pd.Series, dict]:
    raw = pd.to_numeric(series, errors="coerce")
    counts = {"missing_to_0": int(raw.isna().sum()), "negative_to_0": int((raw < 0).sum())}
    cf = raw.fillna(0.0).clip(lower=0.0) / cap
    counts["clipped_above_1"] = int((cf > 1.0).sum())
    return cf.clip(0.0, 1.0).round(5), counts


def hourly(shared: Path) -> tuple[pd.DataFrame, dict]:
    capacity = pd.read_csv(shared / SOURCE / "capacity_by_zone_technology_eia860.csv")
    out, report, stamps = None, {}, None
    for zone in ZONES:
        df = pd.read_csv(shared / SOURCE / f"{zone}_2021_hourly_demand_generation_ci.csv", dtype={"utc_time": str})
        if stamps is None:
            stamps = df["utc_time"]
            out = pd.DataFrame({"utc_hour_ending": stamps})
        elif not df["utc_time"].equals(stamps):
            raise ValueError(f"{zone}: time stamps differ from {ZONES[0]}'s")
        out[f"demand_mw_{zone}"] = df["demand_cleaned_mw"]
        report[zone] = {"demand_mean_mw": round(float(df["demand_cleaned_mw"].mean())), "profiles_from": profile_zone(zone)}
        if zone not in MEASURED_ZONES:
            continue
        for name, (column, divisor) in PROFILES.items():
            if divisor == "quantile":
                cap = float(df[column].clip(lower=0).quantile(QUANTILE) / SOLAR_PEAK_RATIO)
                method = f"q99.9 / {SOLAR_PEAK_RATIO}"
            else:
                cap = summer_mw(capacity, zone, divisor)
                method = "EIA-860 summer MW of " + "+".join(divisor)
            cf, counts = to_cf(df[column], cap)
            out[f"{name}_{zone}"] = cf
            report[zone][name] = {"method": method, "capacity_mw": round(cap, 1), "mean_cf": round(float(cf.mean()), 4), **counts}
    return out, report


def corridors(shared: Path) -> pd.DataFrame:
    links = pd.read_csv(shared / SOURCE / "links.csv")
    rows = []
    for _, link in links.iterrows():
        a, b = link["from_ba"], link["to_ba"]
        if ZONES.index(a) > ZONES.index(b):
            continue
        back = links[(links["from_ba"] == b) & (links["to_ba"] == a)]
        if len(back) != 1:
            raise ValueError(f"links.csv: no single reverse row for {a}->{b}")
        back = back.iloc[0]
        distance = great_circle_km(a, b) * ROUTE_FACTOR
        rows.append({
            "from_zone": a, "to_zone": b,
            "forward_n0_mw": link["capacity_mw"], "backward_n0_mw": back["capacity_mw"],
            "existing_mw": min(link["capacity_mw"], back["capacity_mw"]),
            "existing_n1_mw": min(link["capacity_n1_mw"], back["capacity_n1_mw"]),
            "distance_km": round(distance, 1),
            "capex_per_mw": round(HVAC_OVERHEAD_USD2020_PER_MW_KM * distance, -2),
        })
    return pd.DataFrame(rows)


def validate(df: pd.DataFrame, zones_table: pd.DataFrame) -> None:
    assert len(df) == 8760, f"{len(df)} rows, expected 8760"
    assert not df.isna().any().any(), "NaN present"
    for column in [c for c in df.columns if "_cf_" in c]:
        assert df[column].between(0.0, 1.0).all(), f"{column} outside [0, 1]"
    for zone in ZONES:
        stated = float(zones_table.set_index("zone").loc[zone, "demand_mean_mw"])
        assert abs(df[f"demand_mw_{zone}"].mean() - stated) < 1.0, f"{zone}: mean demand differs from zones.csv"
    t = pd.to_datetime(df["utc_hour_ending"])
    assert (t.diff().dropna() == pd.Timedelta(hours=1)).all(), "not strictly hourly"


def main(argv: list[str]) -> int:
    shared = (Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".." / "shared" / "data").resolve()
    OUT_DIR.mkdir(exist_ok=True)
    for name in COPIED:
        shutil.copyfile(shared / SOURCE / name, OUT_DIR / name)
    df, report = hourly(shared)
    validate(df, pd.read_csv(shared / SOURCE / "zones.csv"))
    path = OUT_DIR / "eastern_2021_hourly.csv"
    df.to_csv(path, index=False)
    validate(pd.read_csv(path), pd.read_csv(shared / SOURCE / "zones.csv"))
    table = corridors(shared)
    table.to_csv(OUT_DIR / "corridors.csv", index=False)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    for zone, facts in report.items():
        print(zone, facts)
    print(f"HVAC overhead line: {HVAC_OVERHEAD_USD2020_PER_MW_KM:.1f} USD2020/MW/km")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
