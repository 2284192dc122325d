"""Derive data/costs/technologies_atb2022.csv, data/costs/fuels.csv and data/emission_factors.csv.

Re-run from the repository root:

    python data/costs/make_cost_data.py [SHARED_DATA_DIR]      # default ../shared/data

Costs come from the NREL ATB 2022 excerpt in SHARED_DATA_DIR/costs (Market case, 30-year cost
recovery, year 2030, 2020 USD, Moderate scenario; coal only exists as "Conservative" in the
excerpt). Every constant written below carries its source; see data/README.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "data"
YEAR = 2030
SCENARIO = "Moderate"

ATB_SRC = "NREL ATB 2022 (Market, CRP 30 y, {scen}, {year}, 2020 USD) {name}"
AEO_HR = ("EIA AEO2022 Cost and Performance Characteristics of New Generating Technologies, "
          "Table 1 ({tech}: {btu} Btu/kWh)")

# technology -> (ATB technology, techdetail, scenario, fuel, heat rate Btu/kWh, AEO2022 row, lifetime y, lifetime source)
TECHS = {
    "ccgt": ("NaturalGas_FE", "CCAvgCF", SCENARIO, "natural_gas", 6370, "Combined-cycle multi-shaft",
             30, "ATB 2022 30-year cost-recovery/economic life (crpyears=30)"),
    "ocgt": ("NaturalGas_FE", "CTAvgCF", SCENARIO, "natural_gas", 9905, "Combustion turbine industrial frame",
             30, "ATB 2022 30-year cost-recovery/economic life (crpyears=30)"),
    "nuclear": ("Nuclear", "Nuclear", SCENARIO, "uranium", 10443, "Advanced nuclear (AP1000)",
                60, "40-year NRC operating licence + 20-year renewal (standard assumption)"),
    "coal": ("Coal_FE", "newAvgCF", "Conservative", "coal", 8638, "Ultra-supercritical coal",
             40, "PyPSA technology-data @8da83cd costs_2030.csv 'coal lifetime' 40 y (Lazard LCOE+ v16)"),
    "onshore_wind": ("LandbasedWind", "Class9", SCENARIO, "", None, None,
                     30, "ATB 2022 30-year economic life; PyPSA technology-data onwind lifetime 30 y (DEA)"),
    "utility_pv": ("UtilityPV", "Class5", SCENARIO, "", None, None,
                   30, "ATB 2022 30-year economic life (crpyears=30)"),
    "battery": ("Utility-Scale Battery Storage", None, SCENARIO, "", None, None,
                15, "NREL ATB utility-scale battery / Cole et al. battery cost projections: 15-year life"),
}


# Oil-fired fleet (not in the ATB): EIA Electric Power Annual Table 7.1 (2021 average petroleum cost to the
# electric power industry, $/MMBtu, nominal), Table 8.1 (2021 average operating heat rate of petroleum
# plants, 11,224 Btu/kWh) and EIA CO2 coefficients (distillate fuel oil 161.30 lb = 73.16 kg/MMBtu).
OIL_PRICE_PER_MMBTU = 10.08
OIL_HEAT_RATE_MMBTU_PER_MWH = 11.224
OIL_CO2_T_PER_MMBTU = 0.07316

def atb_values(atb: pd.DataFrame, tech: str, detail: str, scen: str) -> dict:
    sel = atb[(atb.technology == tech) & (atb.techdetail == detail) & (atb.scenario == scen)
              & (atb.year == YEAR)]
    if sel.empty:
        raise KeyError((tech, detail, scen))
    return dict(zip(sel.core_metric_parameter, sel.value))


def battery_split(atb: pd.DataFrame) -> dict:
    sel = atb[(atb.technology == "Utility-Scale Battery Storage") & (atb.scenario == SCENARIO)
              & (atb.year == YEAR)]
    piv = sel.pivot_table(index="techdetail", columns="core_metric_parameter", values="value")
    hours = piv.index.str.extract(r"(\d+)Hr", expand=False).astype(float).to_numpy()
    out = {"durations_h": sorted(hours.tolist())}
    A = np.column_stack([np.ones_like(hours), hours])
    for param in ("CAPEX", "Fixed O&M"):
        y = piv[param].to_numpy()
        (p, e), *_ = np.linalg.lstsq(A, y, rcond=None)
        resid = y - A @ np.array([p, e])
        out[param] = {"power_per_kw": p, "energy_per_kwh": e,
                      "rms_residual_per_kw": float(np.sqrt(np.mean(resid ** 2))),
                      "max_abs_residual_per_kw": float(np.max(np.abs(resid)))}
    return out


def main(argv: list[str]) -> int:
    shared = (Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".." / "shared" / "data").resolve()
    atb = pd.read_csv(shared / "costs" / "nrel_atb2022_excerpt_market_crp30.csv")
    assert set(atb.crpyears) == {30} and set(atb.core_metric_case) == {"Market"}

    rows = []
    for name, (tech, detail, scen, fuel, hr, aeo_row, life, life_src) in TECHS.items():
        if name == "battery":
            split = battery_split(atb)
            cap, fom = split["CAPEX"], split["Fixed O&M"]
            rows.append(dict(
                technology=name,
                capex_per_mw=round(cap["power_per_kw"] * 1000, 2),
                capex_per_mwh=round(cap["energy_per_kwh"] * 1000, 2),
                fixed_om_per_mw_year=round(fom["power_per_kw"] * 1000, 2),
                fixed_om_per_mwh_year=round(fom["energy_per_kwh"] * 1000, 2),
                variable_om_per_mwh=0.0, lifetime_years=life, heat_rate_mmbtu_per_mwh="", fuel="",
                source=(ATB_SRC.format(scen=scen, year=YEAR, name="Utility-Scale Battery Storage 2/4/6/8/10Hr")
                        + f"; least-squares cost(d)=P+E*d, CAPEX rms residual {cap['rms_residual_per_kw']:.2e} $/kW,"
                        f" FOM rms residual {fom['rms_residual_per_kw']:.2e} $/kW-yr; no VOM in ATB (0); lifetime: {life_src}"),
            ))
            print("battery split:", split)
            continue
        v = atb_values(atb, tech, detail, scen)
        disp = atb[(atb.technology == tech) & (atb.techdetail == detail)].display_name.iloc[0]
        src = ATB_SRC.format(scen=scen, year=YEAR, name=disp)
        if hr is not None:
            src += "; heat rate: " + AEO_HR.format(tech=aeo_row, btu=f"{hr:,}")
        src += f"; lifetime: {life_src}"
        if name in ("onshore_wind", "utility_pv"):
            src += "; no VOM in ATB (0)"
        rows.append(dict(
            technology=name,
            capex_per_mw=round(v["CAPEX"] * 1000, 2),
            capex_per_mwh=0.0,
            fixed_om_per_mw_year=round(v["Fixed O&M"] * 1000, 2),
            fixed_om_per_mwh_year=0.0,
            variable_om_per_mwh=round(v.get("Variable O&M", 0.0), 4),
            lifetime_years=life,
            heat_rate_mmbtu_per_mwh=round(hr / 1000, 3) if hr else "",
            fuel=fuel, source=src,
        ))
    tech_df = pd.DataFrame(rows)
    tech_df.to_csv(DATA / "costs" / "technologies_atb2022.csv", index=False)

    # ---- fuels -------------------------------------------------------------------------
    # oil (ISO-NE's oil-fired peakers; see data/README.md "The rest of the ISO-NE fleet")
    nuc = atb_values(atb, "Nuclear", "Nuclear", SCENARIO)
    nuc_price = nuc["Fuel"] / (TECHS["nuclear"][4] / 1000)  # $/MWh / (MMBtu/MWh)
    fuels = pd.DataFrame([
        dict(fuel="natural_gas", price_per_mmbtu=3.50, co2_t_per_mmbtu=0.05307,
             source=("PRICE PROVISIONAL: approx. AEO2022 Reference case 2030 delivered price to the electric "
                     "power sector (2021 USD), value not verified against the table (see data/README.md); "
                     "CO2: EIA Carbon Dioxide Emissions Coefficients, natural gas 53.07 kg/MMBtu")),
        dict(fuel="coal", price_per_mmbtu=2.00, co2_t_per_mmbtu=0.0933,
             source=("PRICE PROVISIONAL: approx. AEO2022 Reference case 2030 delivered steam-coal price to the "
                     "electric power sector (2021 USD), value not verified against the table (see data/README.md); "
                     "CO2: EIA Carbon Dioxide Emissions Coefficients, bituminous coal 93.30 kg/MMBtu")),
        dict(fuel="uranium", price_per_mmbtu=round(nuc_price, 4), co2_t_per_mmbtu=0.0,
             source=(f"NREL ATB 2022 Nuclear AP1000 Moderate {YEAR} Fuel {nuc['Fuel']:.4f} $/MWh (2020 USD) / "
                     f"heat rate 10.443 MMBtu/MWh (AEO2022); CO2 0 (no combustion)")),
        dict(fuel="oil", price_per_mmbtu=OIL_PRICE_PER_MMBTU, co2_t_per_mmbtu=OIL_CO2_T_PER_MMBTU,
             source=("price: EIA Electric Power Annual, Table 7.1, petroleum, average cost delivered to the electric "
                     "power industry in 2021, 10.08 $/MMBtu (nominal; a 2021 figure, not a 2030 projection); "
                     "CO2: EIA Carbon Dioxide Emissions Coefficients, distillate fuel oil 73.16 kg/MMBtu")),
    ])
    fuels.to_csv(DATA / "costs" / "fuels.csv", index=False)

    # ---- emission factors ---------------------------------------------------------------
    co2 = dict(zip(fuels.fuel, fuels.co2_t_per_mmbtu))
    hr = {n: TECHS[n][4] / 1000 for n in ("ccgt", "ocgt", "coal", "nuclear")}
    hr["oil"] = OIL_HEAT_RATE_MMBTU_PER_MWH
    ipcc = "IPCC AR5 WGIII Annex III (Schloemer et al. 2014) Table A.III.2 lifecycle median"
    direct = lambda n, f: round(co2[f] * hr[n] * 1000, 1)  # t/MMBtu * MMBtu/MWh = t/MWh -> g/kWh x1000
    ef = pd.DataFrame([
        ("coal", direct("coal", "coal"), 820, f"direct: 93.30 kg/MMBtu x 8.638 MMBtu/MWh; lifecycle: {ipcc} coal PC 820"),
        ("ccgt", direct("ccgt", "natural_gas"), 490, f"direct: 53.07 kg/MMBtu x 6.370 MMBtu/MWh; lifecycle: {ipcc} gas combined cycle 490"),
        ("ocgt", direct("ocgt", "natural_gas"), round(490 * hr["ocgt"] / hr["ccgt"]),
         f"direct: 53.07 kg/MMBtu x 9.905 MMBtu/MWh; lifecycle: AR5 has no CT median -> CC median 490 scaled by heat-rate ratio 9.905/6.370 (assumption)"),
        ("nuclear", 0.0, 12, f"lifecycle: {ipcc} nuclear 12"),
        ("hydro", 0.0, 24, f"lifecycle: {ipcc} hydropower 24"),
        ("onshore_wind", 0.0, 11, f"lifecycle: {ipcc} wind onshore 11"),
        ("offshore_wind", 0.0, 12, f"lifecycle: {ipcc} wind offshore 12"),
        ("utility_pv", 0.0, 48, f"lifecycle: {ipcc} solar PV utility 48"),
        ("rooftop_pv", 0.0, 41, f"lifecycle: {ipcc} solar PV rooftop 41"),
        ("biomass", 0.0, 230, f"direct: biogenic CO2 counted as 0 (convention); lifecycle: {ipcc} biomass dedicated 230"),
        ("geothermal", 0.0, 38, f"direct: 0 (non-combustion; EIA average geothermal 7.71 kg/MMBtu not applied); lifecycle: {ipcc} geothermal 38"),
        ("battery", 0.0, 0, "storage: no own generation; emissions are those of the charging energy (manufacturing not included)"),
        ("oil", direct("oil", "oil"), 840,
         "direct: 73.16 kg/MMBtu x 11.224 MMBtu/MWh (EIA Electric Power Annual Table 8.1, petroleum, 2021); lifecycle: AR5 has "
         "no oil median -> IPCC SRREN (2011) Annex II Table A.II.4 oil median 840"),
        ("pumped_storage", 0.0, 0, "storage: no own generation; emissions are those of the pumping energy"),
        ("imports", 0.0, 24,
         "direct: 0 (emitted outside the zone; production-based accounting); lifecycle: assumption = AR5 hydropower median 24 "
         "(ISO-NE imports come mostly from Quebec hydro), not a measured intensity of the imports"),
    ], columns=["technology", "direct_g_per_kwh", "lifecycle_g_per_kwh", "source"])
    ef.to_csv(DATA / "emission_factors.csv", index=False)

    # ---- validation ---------------------------------------------------------------------
    assert list(tech_df.technology) == list(TECHS)
    assert (tech_df.capex_per_mw > 0).all() and (tech_df.fixed_om_per_mw_year > 0).all()
    assert not tech_df[["capex_per_mw", "capex_per_mwh", "fixed_om_per_mw_year", "variable_om_per_mwh"]].isna().any().any()
    assert (fuels.price_per_mmbtu > 0).all()
    print(tech_df.drop(columns="source").to_string())
    print(fuels.drop(columns="source").to_string())
    print(ef.drop(columns="source").to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
