"""Derive the hourly grid input files data/grid/{isne,ciso}_2021.csv from EIA-930 (2021).

Re-run from the repository root:

    python data/grid/make_grid_data.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ``../shared/data`` (relative to the repo root) and must contain
``grid/eia930_2021/{ISNE,CISO}_2021_hourly_demand_generation_ci.csv`` (see MANIFEST.md there).
Only pandas/numpy are used; nothing is downloaded.

Output columns (one row per source row, same order, exactly 8760 rows):
    utc_time                              copied unchanged (UTC, EIA-930 hour-ENDING label)
    demand_mw                             = demand_cleaned_mw
    wind_cf, solar_cf                     measured gen_{wind,solar}_mw / installed-capacity estimate,
                                          negative/missing -> 0, clipped to [0, 1], 5 decimals
    carbon_intensity_direct_g_per_kwh     = carbon_intensity_direct_gco2_per_kwh (validation only)

Installed-capacity estimates (MW), see data/README.md for the justification:
  * "published": a published nameplate figure (cited in CAPACITY below).
  * "quantile":  q99.9 of the measured hourly output divided by a fleet peak-output ratio.
    The solar ratio (0.83) is calibrated on CAISO, where nameplate is published
    (q99.9 12,438 MW / 14,963 MW = 0.831); the wind ratio 0.85 is an assumption for a small,
    compact fleet (ISO-NE), checked against its ~1.3 GW record output.
"""
from __future__ import annotations

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

SOURCE_COLUMNS = [
    "utc_time", "demand_cleaned_mw", "carbon_intensity_direct_gco2_per_kwh",
    "gen_wind_mw", "gen_solar_mw",
]


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


def make_zone(shared: Path, zone: str) -> tuple[pd.DataFrame, dict]:
    src = shared / "grid" / "eia930_2021" / f"{zone}_2021_hourly_demand_generation_ci.csv"
    df = pd.read_csv(src, dtype={"utc_time": str})
    missing = [c for c in SOURCE_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"{src}: missing columns {missing}")
    report: dict = {"zone": zone, "rows": len(df)}
    out = pd.DataFrame({"utc_time": df["utc_time"], "demand_mw": df["demand_cleaned_mw"]})
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
    return out, report


def validate(df: pd.DataFrame, zone: str) -> None:
    assert len(df) == 8760, f"{zone}: {len(df)} rows, expected 8760"
    assert not df.isna().any().any(), f"{zone}: NaN present"
    for c in ("wind_cf", "solar_cf"):
        assert df[c].between(0.0, 1.0).all(), f"{zone}: {c} outside [0, 1]"
    assert (df["demand_mw"] > 0).all(), f"{zone}: non-positive demand"
    t = pd.to_datetime(df["utc_time"])
    assert t.iloc[0] == pd.Timestamp("2021-01-01 00:00:00"), f"{zone}: first label {t.iloc[0]}"
    assert (t.diff().dropna() == pd.Timedelta(hours=1)).all(), f"{zone}: not strictly hourly"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".." / "shared" / "data"
    shared = shared.resolve()
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
