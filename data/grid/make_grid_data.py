"""Derive the hourly grid input files data/grid/{isne,ciso}_2021.csv from EIA-930 (2021).

Re-run from the repository root:

    python data/grid/make_grid_data.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ``../shared/data`` (relative to the repo root) and must contain
``grid/eia930_2021/{ISNE,CISO}_2021_hourly_demand_generation_ci.csv`` (see MANIFEST.md there).
Only pandas/numpy are used; nothing is downloaded.

Output columns (one row per source row, same order, exactly 8760 rows):
    utc_hour_ending                       source utc_time, copied unchanged (UTC, EIA-930 hour-ENDING label;
                                          the name declares the convention to planning.io.timeseries)
    demand_mw                             = demand_cleaned_mw (ISNE)
    california_region_demand_mw           = demand_cleaned_mw (CISO): the California region (CISO + BANC, IID,
                                          LDWP, TIDC), ~5.7 GW above CISO alone, whose generation the CFs use
    wind_cf, solar_cf                     measured gen_{wind,solar}_mw / installed-capacity estimate,
                                          negative/missing -> 0, clipped to [0, 1], 5 decimals
    carbon_intensity_direct_g_per_kwh     = carbon_intensity_direct_gco2_per_kwh (validation only)
  ISNE only (the rest of the real fleet, see data/README.md "The rest of the ISO-NE fleet"):
    hydro_cf                              gen_hydro_mw / EIA-860 conventional hydro summer MW
    other_cf                              gen_other_mw / EIA-860 biomass + waste summer MW
    net_imports_cf                        (demand_cleaned_mw − Σ gen_*_mw) / import limit
                                          (q99.9 of that gap); exports (< 0) -> 0
    (same cleaning as wind/solar: missing/negative -> 0, clipped to [0, 1], 5 decimals)

Fleet capacities come from ``grid/eastern_us_9zone_2021/capacity_by_zone_technology_eia860.csv``,
copied unchanged (with its NOTICE.txt) to data/grid/eia860/ by this script.

Installed-capacity estimates (MW), see data/README.md for the justification:
  * "published": a published nameplate figure (cited in CAPACITY below).
  * "quantile":  q99.9 of the measured hourly output divided by a fleet peak-output ratio.
    The solar ratio (0.83) is calibrated on CAISO, where nameplate is published
    (q99.9 12,438 MW / 14,963 MW = 0.831); the wind ratio 0.85 is an assumption for a small,
    compact fleet (ISO-NE), checked against its ~1.3 GW record output.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(__file__).resolve().parent
QUANTILE = 0.999
SOLAR_PEAK_RATIO = 0.83  # calibrated on CAISO (see module docstring)
WIND_PEAK_RATIO = 0.85   # assumption for the ISO-NE wind fleet

# zone -> column -> (method, value)
CAPACITY = {
    "ISNE": {
        "gen_wind_mw": ("quantile", WIND_PEAK_RATIO),
        "gen_solar_mw": ("quantile", SOLAR_PEAK_RATIO),
    },
    "CISO": {
        # CAISO Key Statistics, Feb 2022 (installed within the CAISO footprint), as reported by
        # S&P Global Commodity Insights, 2022-04-01, "CAISO sets wind peak record ...":
        # wind 7,888 MW, solar 14,963 MW.
        "gen_wind_mw": ("published", 7888.0),
        "gen_solar_mw": ("published", 14963.0),
    },
}

# Name of the demand column per zone (default demand_mw). CISO's is region-wide (see make_zone).
DEMAND_COLUMN = {"CISO": "california_region_demand_mw"}

SOURCE_COLUMNS = [
    "utc_time", "demand_cleaned_mw", "carbon_intensity_direct_gco2_per_kwh",
    "gen_wind_mw", "gen_solar_mw",
]
GENERATION_COLUMNS = [
    "gen_coal_mw", "gen_nat_gas_mw", "gen_nuclear_mw", "gen_oil_mw", "gen_hydro_mw",
    "gen_solar_mw", "gen_wind_mw", "gen_other_mw",
]
EIA860_DIR = Path("grid") / "eastern_us_9zone_2021"
EIA860_FILE = "capacity_by_zone_technology_eia860.csv"
# ISNE profile columns scaled by EIA-860 summer capacity: column -> (source column, EIA-860 technologies)
EIA860_PROFILES = {
    "hydro_cf": ("gen_hydro_mw", ["Hydro"]),
    "other_cf": ("gen_other_mw", ["Biomass", "Waste"]),
}


def capacity_mw(series: pd.Series, method: str, value: float) -> float:
    if method == "published":
        return float(value)
    if method == "quantile":
        return float(series.clip(lower=0).quantile(QUANTILE) / value)
    raise ValueError(method)


def to_cf(series: pd.Series, cap: float) -> tuple[pd.Series, dict]:
    raw = pd.to_numeric(series, errors="coerce")
    n_missing = int(raw.isna().sum())
    n_negative = int((raw < 0).sum())
    cf = raw.fillna(0.0).clip(lower=0.0) / cap
    n_above_one = int((cf > 1.0).sum())
    cf = cf.clip(0.0, 1.0).round(5)
    return cf, {"missing_to_0": n_missing, "negative_to_0": n_negative, "clipped_above_1": n_above_one}


def eia860_summer_mw(shared: Path, zone: str, technologies: list[str]) -> float:
    """Sum of the EIA-860 summer capacity (MW) of ``technologies`` in ``zone`` (each must be present)."""
    table = pd.read_csv(shared / EIA860_DIR / EIA860_FILE)
    rows = table[(table["zone"] == zone) & table["technology"].isin(technologies)]
    found = set(rows["technology"])
    missing = [t for t in technologies if t not in found]
    if missing:
        raise KeyError(f"{EIA860_FILE}: no row for zone {zone}, technology {missing}")
    return float(rows["summer_mw"].sum())


def add_fleet_profiles(shared: Path, zone: str, df: pd.DataFrame, out: pd.DataFrame, report: dict) -> None:
    """hydro_cf, other_cf (EIA-860 summer capacity) and net_imports_cf (q99.9 limit) for ``zone``."""
    missing = [c for c in GENERATION_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"{zone}: missing generation columns {missing}")
    for name, (column, technologies) in EIA860_PROFILES.items():
        cap = eia860_summer_mw(shared, zone, technologies)
        cf, counts = to_cf(df[column], cap)
        out[name] = cf
        report[name] = {"method": f"EIA-860 summer MW of {'+'.join(technologies)}", "capacity_mw": round(cap, 1),
                        "mean_cf": round(float(cf.mean()), 4), "mean_output_mw": round(float(df[column].mean()), 1),
                        "max_output_mw": float(df[column].max()), **counts}
    gap = df["demand_cleaned_mw"] - df[GENERATION_COLUMNS].apply(pd.to_numeric, errors="coerce").fillna(0.0).sum(axis=1)
    limit = float(gap.clip(lower=0).quantile(QUANTILE))
    cf, counts = to_cf(gap, limit)
    out["net_imports_cf"] = cf
    report["net_imports_cf"] = {"method": "q99.9 of demand - generation", "capacity_mw": round(limit, 1),
                                "mean_cf": round(float(cf.mean()), 4), "mean_gap_mw": round(float(gap.mean()), 1),
                                "max_gap_mw": float(gap.max()), "min_gap_mw": float(gap.min()),
                                "modelled_twh": round(float(cf.sum()) * round(limit, 1) / 1e6, 3),
                                "measured_twh": round(float(gap.clip(lower=0).sum()) / 1e6, 3), **counts}


def make_zone(shared: Path, zone: str) -> tuple[pd.DataFrame, dict]:
    src = shared / "grid" / "eia930_2021" / f"{zone}_2021_hourly_demand_generation_ci.csv"
    df = pd.read_csv(src, dtype={"utc_time": str})
    missing = [c for c in SOURCE_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"{src}: missing columns {missing}")
    report: dict = {"zone": zone, "rows": len(df)}
    # CISO: the source's demand is the California region (CISO + BANC, IID, LDWP, TIDC; ~5.7 GW more than CISO
    # alone, MANIFEST caveat) while its generation is CISO's only: the column says so.
    demand_column = DEMAND_COLUMN.get(zone, "demand_mw")
    out = pd.DataFrame({"utc_hour_ending": df["utc_time"], demand_column: df["demand_cleaned_mw"]})
    for col, name in (("gen_wind_mw", "wind_cf"), ("gen_solar_mw", "solar_cf")):
        method, value = CAPACITY[zone][col]
        cap = capacity_mw(df[col], method, value)
        cf, counts = to_cf(df[col], cap)
        out[name] = cf
        report[name] = {"method": method, "capacity_mw": round(cap, 1),
                        "mean_cf": round(float(cf.mean()), 4),
                        "q999_output_mw": float(df[col].quantile(QUANTILE)),
                        "max_output_mw": float(df[col].max()), **counts}
    out["carbon_intensity_direct_g_per_kwh"] = df["carbon_intensity_direct_gco2_per_kwh"]
    if zone == "ISNE":
        add_fleet_profiles(shared, zone, df, out, report)
    return out, report


def validate(df: pd.DataFrame, zone: str) -> None:
    assert len(df) == 8760, f"{zone}: {len(df)} rows, expected 8760"
    assert not df.isna().any().any(), f"{zone}: NaN present"
    for c in [c for c in df.columns if c.endswith("_cf")]:
        assert df[c].between(0.0, 1.0).all(), f"{zone}: {c} outside [0, 1]"
    demand = df[DEMAND_COLUMN.get(zone, "demand_mw")]
    assert (demand > 0).all(), f"{zone}: non-positive demand"
    t = pd.to_datetime(df["utc_hour_ending"])
    assert t.iloc[0] == pd.Timestamp("2021-01-01 00:00:00"), f"{zone}: first label {t.iloc[0]}"
    assert (t.diff().dropna() == pd.Timedelta(hours=1)).all(), f"{zone}: not strictly hourly"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".." / "shared" / "data"
    shared = shared.resolve()
    eia860_out = OUT_DIR / "eia860"
    eia860_out.mkdir(exist_ok=True)
    for name in (EIA860_FILE, "NOTICE.txt"):  # unchanged copies; NOTICE.txt must travel with the data
        shutil.copyfile(shared / EIA860_DIR / name, eia860_out / name)
    for zone in ("ISNE", "CISO"):
        df, report = make_zone(shared, zone)
        validate(df, zone)
        path = OUT_DIR / f"{zone.lower()}_2021.csv"
        df.to_csv(path, index=False)
        # validate what was written, too
        validate(pd.read_csv(path), zone)
        print(f"wrote {path.relative_to(REPO_ROOT)}: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
