"""Carbon footprint of each data center (datacenter_carbon.csv and summary rows).

Notation: data center d in zone z(d); facility power P_{d,t} (MW, IT power × PUE); weight w_t (h);
hourly intensities of its zone from :mod:`planning.metrics.carbon` (g/kWh = kg/MWh): average
a_t, consumption-based (flow-traced) x_t, marginal m_t; carbon-free share of the zone's supply
q_t; work done W_{d,t} (the throughput unit of the data center's curve, ``carbon.datacenters.<d>.work_unit``).

Served power: the zone's unserved energy is shared pro rata by its loads, so the data center
consumes P^s_{d,t} = P_{d,t}·(1 − u_{z,t}/(demand_{z,t} + data centers_{z,t})) (= P without
shedding); allocations use P^s, so that the data center's share plus everyone else's is co2_t.

Emissions (t per weighted horizon, i.e. per year when the horizon is scaled to a year)
-------------------------------------------------------------------------------------
* energy                E = Σ_t w_t·P_t (MWh, facility energy as drawn); served E^s = Σ_t w_t·P^s_t
* location-based Scope 2  Σ_t w_t·P^s_t·a_t / 1000   (hourly, production average; in a zone without
  local generation a_t is its imported intensity, :mod:`planning.metrics.carbon`)
* consumption-based       Σ_t w_t·P^s_t·x_t / 1000   (hourly, flow-traced)
  Both include start-up and no-load fuel; an hour without any supply serves nothing (P^s = 0).
* marginal-based          Σ_t w_t·P_t·m_t / 1000   — the system emissions the load *induces* at the
  margin (capacities and commitments fixed); not an allocation: the sum over consumers is not co2_t.
* market-based Scope 2 (GHG Protocol Scope 2 Guidance, 2015): contracted energy counts at the
  contracted plants' emissions (ppa_t = share × the plant's hourly output, capped at max_mw; its
  emissions ppa_t·(EF_g + c_{g,t}/p_{g,t}), start-up fuel included); RECs at 0; the rest at the
  residual mix r, which is the grid mix with the contracted energy and its emissions removed
  (so nothing is counted twice: the data center + the zone's other load at r = the zone's
  consumption-based emissions):
  - ``carbon.market_matching: annual`` (default): C = min(Σ_t w_t·ppa_t, E^s), REC cover
    R = min(recs_mwh, E^s − C), claimed emissions Γ = (C/Σ_t w_t·ppa_t)·Σ_t w_t·ppa_emitted_t;
        r = (Σ_t w_t·x_t·C^z_t − Σ_{d∈z} Γ_d) / (Σ_t w_t·C^z_t − Σ_{d∈z} (C_d + R_d))
        market = Γ + (E^s − C − R)·r
  - ``hourly``: matched m_t = min(P^s_t, ppa_t) in each hour (a surplus hour covers no other),
    its emissions γ_t = m_t·ppa_emitted_t/ppa_t;
        r_t = (x_t·C^z_t − Σ_{d∈z} γ_{d,t}) / (C^z_t − Σ_{d∈z} m_{d,t})
        market = Σ_t w_t·(γ_t + (P^s_t − m_t)·r_t)
    (unbundled RECs are annual certificates: not allowed with hourly matching).
  C^z: the zone's served load; ``residual_mix_g_per_kwh`` (a published residual mix) replaces r.
* hourly 24/7 CFE score (Google's definition): per hour, contracted carbon-free energy up to the
  load, plus the grid's carbon-free share of the rest:
      cfe_t = min(P^s_t, ppa_t)·(ppa_clean_t/ppa_t) + q_t·max(P^s_t − ppa_t, 0);
      score = Σ_t w_t·cfe_t / Σ_t w_t·P^s_t   (1 when every hour is fully clean).
* SCI (Green Software Foundation): SCI = (E·I + M)/R per work unit, with E·I = Σ_t w_t·P^s_t·I_t
  (hourly I = ``carbon.sci_intensity``: consumption-based by default), M the embodied emissions
  (``embodied_t_per_year``, default 0, stated in the output), R = Σ_t w_t·W_t; in g CO2-eq per unit.

Twins: datacenter_carbon_twins.csv holds each twin's metrics with the system's co2_t and, per
twin and data center, the changes against the inflexible twin and the flag
``allocated_falls_system_rises``: moving load to hours of low *average* intensity lowers the data
center's allocated (location-based) emissions, but the system's emissions can rise (the plants
the flexibility avoids building would have been clean; storage and the marginal unit respond
elsewhere) — report both, never one. The loop (loop.csv) carries the same flag per round against
the as-arrived round 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from planning.errors import ScenarioError
from planning.io.writers import snapshot_labels
from planning.logging import get_logger

logger = get_logger("carbon")

G_PER_T = 1e6

#: Energy below which a residual mix is undefined (MWh or MW).
EPS_MWH = 1e-9


def _ppa_profiles(results: xr.Dataset, name: str, contract, problems: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hourly contracted MW, its clean part, and the contracted emissions (t/h) of one data center.

    A contracted plant's emissions per MWh in hour t are its hourly intensity, start-up and
    no-load fuel included: (EF_g·p_{g,t} + c_{g,t})/p_{g,t} (c: ``commitment_co2_t_per_h``).
    """
    from planning.metrics.carbon import commitment_t_per_h

    n = results.sizes["snapshot"]
    total, clean, emitted = np.zeros(n), np.zeros(n), np.zeros(n)
    if contract is None:
        return total, clean, emitted
    generators = [str(p) for p in results["generation_mw"]["plant"].values] if "generation_mw" in results else []
    for k, ppa in enumerate(contract.ppas):
        if ppa.plant not in generators:
            problems.append(f"carbon.datacenters.{name}.ppas[{k}].plant: '{ppa.plant}' is not a generating plant "
                            f"(plants: {', '.join(generators) or 'none'}); name a plant of plants:")
            continue
        output = np.clip(results["generation_mw"].sel(plant=ppa.plant).fillna(0.0).values, 0.0, None)
        mw = ppa.share * output
        if ppa.max_mw is not None:
            mw = np.minimum(mw, ppa.max_mw)
        total += mw
        clean_plant = bool(results["_carbon_free"].sel(plant=ppa.plant)) if "_carbon_free" in results else False
        clean += mw if clean_plant else 0.0
        factor = float(results["_factor_t_per_mwh"].sel(plant=ppa.plant)) if "_factor_t_per_mwh" in results else 0.0
        startup = commitment_t_per_h(results, [ppa.plant])[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            extra = np.where(output > 0, startup / np.where(output > 0, output, 1.0), 0.0)
        emitted += mw * (factor + extra)
    return total, clean, emitted


def served_share(results: xr.Dataset) -> xr.DataArray:
    """(zone, snapshot) share of the zone's load that is served: 1 − unserved/(demand + data centers)."""
    load = (results["demand_mw"] + results.get("datacenter_mw", 0.0)).transpose("zone", "snapshot")
    if "unserved_mw" not in results:
        return xr.ones_like(load)
    unserved = results["unserved_mw"].transpose("zone", "snapshot")
    return xr.where(load > 0, 1.0 - unserved / load.where(load > 0, 1.0), 1.0).clip(0.0, 1.0)


def _allocated_t(power: np.ndarray, weight: np.ndarray, intensity_g_per_kwh: np.ndarray) -> np.ndarray:
    """w·P·I/1000 (t); 0 where nothing is served (P = 0), whatever I is there (NaN = no supply)."""
    return np.where(power > 0, power * weight * np.where(np.isfinite(intensity_g_per_kwh), intensity_g_per_kwh, 0.0) / 1000.0, 0.0)


def location_based_t(results: xr.Dataset, metrics: xr.Dataset) -> float:
    """Σ_d Σ_t w_t·served P_{d,t}·a_{z(d),t}/1000: every data center's location-based emissions (t)."""
    if "datacenter_facility_power_mw" not in results or results.sizes.get("datacenter", 0) == 0:
        return 0.0
    zones = [str(z) for z in results["datacenter_zone"].values]
    share = served_share(results).sel(zone=zones).values
    power = results["datacenter_facility_power_mw"].fillna(0.0).transpose("datacenter", "snapshot").values * share
    average = metrics["average_g_per_kwh"].sel(zone=zones).values
    return float(_allocated_t(power, results["weight_h"].values.astype(float)[None, :], average).sum())


def _residual_mixes(metrics: xr.Dataset, zones: list[str], weight: np.ndarray, claimed_mwh, claimed_t, recs_mwh: np.ndarray,
                    hourly: bool) -> np.ndarray:
    """Residual mix (g/kWh) of each data center's zone: the zone's consumption-based emissions minus
    the contracted (claimed) ones, over its consumption minus the contracted energy and RECs.

    ``claimed_mwh``/``claimed_t`` are per data center: (datacenter, snapshot) MW and t/h when
    ``hourly``, else horizon totals (MWh, t). Returns (datacenter, snapshot) or (datacenter,).
    """
    consumed = metrics["consumption_mw"].sel(zone=zones).values
    x = metrics["consumption_g_per_kwh"].sel(zone=zones).values
    emitted = _allocated_t(consumed, np.ones_like(weight)[None, :], x)  # t/h of each data center's zone
    same = np.array([[zi == zj for zj in zones] for zi in zones], dtype=float)  # data centers sharing a zone
    if hourly:
        energy, emissions = consumed - same @ claimed_mwh, emitted - same @ claimed_t
    else:
        energy = (consumed * weight).sum(axis=1) - same @ (claimed_mwh + recs_mwh)
        emissions = (emitted * weight).sum(axis=1) - same @ claimed_t
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(energy > EPS_MWH, emissions / np.where(energy > EPS_MWH, energy, 1.0), 0.0) * 1000.0


def datacenter_footprint(results: xr.Dataset, metrics: xr.Dataset, settings=None, factors: xr.Dataset | None = None,
                         case: str = "solved") -> xr.Dataset | None:
    """Per data center and snapshot: power, intensities, emissions, CFE; totals in attrs-free variables.

    Returns None when the results hold no data center. ``factors`` (from
    :func:`planning.metrics.carbon.plant_factors`) gives the PPA plants' factors and carbon-free
    flags; without it PPAs count as carbon-free at 0 g/kWh.
    """
    from planning.config.carbon import Carbon

    if "datacenter_facility_power_mw" not in results or results.sizes.get("datacenter", 0) == 0:
        return None
    settings = settings or Carbon()
    names = [str(d) for d in results["datacenter"].values]
    unknown = [n for n in settings.datacenters if n not in names]
    problems = [f"carbon.datacenters.{n}: no data center '{n}' (datacenters: {', '.join(names)}); fix the name" for n in unknown]
    basis = metrics.attrs.get("factor_basis", "direct")
    zones = [str(z) for z in results["datacenter_zone"].values]
    power = results["datacenter_facility_power_mw"].fillna(0.0).transpose("datacenter", "snapshot")
    weight = results["weight_h"].values.astype(float)

    def at_zones(name: str) -> np.ndarray:
        return metrics[name].sel(zone=zones).values  # (datacenter, snapshot) in data-center order

    average, consumption, marginal = at_zones("average_g_per_kwh"), at_zones("consumption_g_per_kwh"), at_zones("marginal_g_per_kwh")
    grid_cfe = at_zones("carbon_free_share")
    P = power.values
    served = P * served_share(results).sel(zone=zones).values
    shape = P.shape
    ppa, ppa_clean, ppa_emitted = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    work_scope = results.copy()
    if factors is not None:
        work_scope["_carbon_free"] = factors["carbon_free"]
        work_scope["_factor_t_per_mwh"] = factors[f"{basis}_t_per_mwh"]
    else:
        work_scope["_carbon_free"] = xr.DataArray(np.ones(results.sizes.get("plant", 0), dtype=bool), coords={"plant": results["plant"].values}, dims="plant")
    for i, name in enumerate(names):
        ppa[i], ppa_clean[i], ppa_emitted[i] = _ppa_profiles(work_scope, name, settings.datacenters.get(name), problems)
    if problems:
        raise ScenarioError(problems, title="invalid carbon settings")

    matched = np.minimum(served, ppa)
    with np.errstate(invalid="ignore", divide="ignore"):
        clean_matched = np.where(ppa > 0, matched * ppa_clean / np.where(ppa > 0, ppa, 1.0), 0.0)
        matched_t = np.where(ppa > 0, matched * ppa_emitted / np.where(ppa > 0, ppa, 1.0), 0.0)  # t/h of the matched MW
    cfe = clean_matched + np.where(np.isfinite(grid_cfe), grid_cfe, 0.0) * np.maximum(served - ppa, 0.0)
    coords = {"datacenter": names, "snapshot": results["snapshot"].values}
    dims = ("datacenter", "snapshot")
    w = weight[None, :]
    out = xr.Dataset(
        {
            "facility_power_mw": (dims, P),
            "served_power_mw": (dims, served),
            "it_power_mw": (dims, results["datacenter_it_power_mw"].transpose("datacenter", "snapshot").values
                            if "datacenter_it_power_mw" in results else np.full(shape, np.nan)),
            "work_done": (dims, results["work_done"].transpose("datacenter", "snapshot").values if "work_done" in results else np.full(shape, np.nan)),
            "average_g_per_kwh": (dims, average),
            "consumption_g_per_kwh": (dims, consumption),
            "marginal_g_per_kwh": (dims, marginal),
            "grid_carbon_free_share": (dims, grid_cfe),
            "ppa_mw": (dims, ppa),
            "cfe_mw": (dims, cfe),
            "location_t": (dims, _allocated_t(served, w, average)),
            "consumption_t": (dims, _allocated_t(served, w, consumption)),
            "marginal_t": (dims, P * w * marginal / 1000.0),
            "weight_h": ("snapshot", weight),
            "zone": ("datacenter", np.array(zones, dtype=object)),
        },
        coords=coords,
    )
    # Horizon totals per data center.
    energy = (P * weight).sum(axis=1)
    served_energy = (served * weight).sum(axis=1)
    out["energy_mwh"] = ("datacenter", energy)
    out["served_energy_mwh"] = ("datacenter", served_energy)
    for what in ("location", "consumption", "marginal"):
        out[f"{what}_based_t"] = ("datacenter", out[f"{what}_t"].values.sum(axis=1))
    given = np.array([settings.datacenters[n].residual_mix_g_per_kwh if n in settings.datacenters else None for n in names], dtype=object)
    if settings.market_matching == "hourly":
        # Each hour: matched contract energy at the contract's emissions, the rest at that hour's residual mix.
        recs = np.zeros(len(names))
        residual = _residual_mixes(metrics, zones, weight, matched, matched_t, recs, hourly=True)
        residual = np.array([np.full(shape[1], float(g)) if g is not None else residual[i] for i, g in enumerate(given)])
        contracted_mwh = (matched * weight).sum(axis=1)
        market = ((matched_t + (served - matched) * residual / 1000.0) * weight).sum(axis=1)
        out["residual_mix_hourly_g_per_kwh"] = (dims, residual)
        with np.errstate(invalid="ignore", divide="ignore"):
            uncovered = ((served - matched) * weight).sum(axis=1)
            residual_mean = np.where(uncovered > 0, ((served - matched) * residual * weight).sum(axis=1) / np.where(uncovered > 0, uncovered, 1.0), np.nan)
    else:
        # Annual (GHG Protocol Scope 2): contracts and RECs together cover at most the energy.
        contracted = (ppa * weight).sum(axis=1)
        contracted_t = (ppa_emitted * weight).sum(axis=1)
        contracted_mwh = np.minimum(contracted, served_energy)
        scale = np.divide(contracted_mwh, contracted, out=np.zeros_like(contracted), where=contracted > 0)
        claimed_t = contracted_t * scale
        rec_mwh = np.array([settings.datacenters[n].recs_mwh if n in settings.datacenters else 0.0 for n in names])
        recs = np.minimum(rec_mwh, served_energy - contracted_mwh)
        computed = _residual_mixes(metrics, zones, weight, contracted_mwh, claimed_t, recs, hourly=False)
        residual_mean = np.array([float(g) if g is not None else computed[i] for i, g in enumerate(given)])
        market = claimed_t + (served_energy - contracted_mwh - recs) * residual_mean / 1000.0
    out["market_based_t"] = ("datacenter", np.asarray(market, dtype=float))
    out["residual_mix_g_per_kwh"] = ("datacenter", np.asarray(residual_mean, dtype=float))
    out["contracted_mwh"] = ("datacenter", contracted_mwh)
    out["recs_mwh"] = ("datacenter", recs)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cfe_score"] = ("datacenter", np.where(served_energy > 0, (cfe * weight).sum(axis=1) / np.where(served_energy > 0, served_energy, 1.0), np.nan))
    intensity = {"average": out["location_t"], "consumption": out["consumption_t"], "marginal": out["marginal_t"]}[settings.sci_intensity]
    operational = intensity.values.sum(axis=1)
    embodied = np.array([settings.datacenters[n].embodied_t_per_year if n in settings.datacenters else 0.0 for n in names])
    work = (np.nan_to_num(out["work_done"].values) * weight).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["sci_g_per_unit"] = ("datacenter", np.where(work > 0, (operational + embodied) * G_PER_T / np.where(work > 0, work, 1.0), np.nan))
    out["sci_operational_t"] = ("datacenter", operational)
    out["embodied_t"] = ("datacenter", embodied)
    out["work_total"] = ("datacenter", work)
    out["work_unit"] = ("datacenter", np.array([settings.datacenters[n].work_unit if n in settings.datacenters else "MWh of rated-power throughput"
                                                 for n in names], dtype=object))
    out.attrs.update({"case": case, "sci_intensity": settings.sci_intensity, "factor_basis": basis, "market_matching": settings.market_matching,
                      "system_co2_t": float(results["co2_t"]) if "co2_t" in results else float("nan")})
    return out


def site_footprint(results: xr.Dataset, metrics: xr.Dataset, settings=None, factors: xr.Dataset | None = None) -> xr.Dataset | None:
    """:func:`datacenter_footprint` of the sited fleet (``datacenter_sites``): one "data center" per candidate site,
    with its facility power P_{s,t} (MW) in its zone — the same allocations, so a site's location- and
    consumption-based emissions and the campuses' and everyone else's add up to co2_t. No PPAs or RECs (a site has
    no ``carbon.datacenters`` entry): market-based = the residual mix = the grid's. Work W_{s,t} = work done in the
    snapshot / its duration (MW of rated-power throughput). None when the run sites nothing."""
    from planning.config.carbon import Carbon

    if "site_facility_power_mw" not in results or results.sizes.get("site", 0) == 0:
        return None
    duration_h = float(results.attrs.get("snapshot_duration_h", 1.0) or 1.0)
    view = xr.Dataset({
        "datacenter_facility_power_mw": results["site_facility_power_mw"].rename(site="datacenter"),
        "datacenter_it_power_mw": results["site_it_power_mw"].rename(site="datacenter"),
        "work_done": (results["site_work_done_mwh"] / duration_h).rename(site="datacenter"),
        "datacenter_zone": results["site_zone"].rename(site="datacenter"),
        "weight_h": results["weight_h"],
        "demand_mw": results["demand_mw"],
        "datacenter_mw": results["datacenter_mw"],
        **({"unserved_mw": results["unserved_mw"]} if "unserved_mw" in results else {}),
        **({"co2_t": results["co2_t"]} if "co2_t" in results else {}),
    }).assign_coords(plant=results["plant"].values)
    own = (settings or Carbon()).model_copy(update={"datacenters": {}})
    return datacenter_footprint(view, metrics, own, factors=factors, case="solved")


FOOTPRINT_COLUMNS = ["case", "snapshot", "weight", "datacenter", "zone", "facility_power_mw", "served_power_mw", "it_power_mw", "work_done",
                     "average_g_per_kwh", "consumption_g_per_kwh", "marginal_g_per_kwh", "grid_carbon_free_share",
                     "ppa_mw", "cfe_mw", "location_t", "consumption_t", "marginal_t"]


def footprint_table(*footprints: xr.Dataset) -> pd.DataFrame:
    """datacenter_carbon.csv: one row per case, snapshot and data center."""
    frames = []
    for fp in footprints:
        names = [c for c in FOOTPRINT_COLUMNS if c not in ("case", "snapshot", "weight", "datacenter", "zone")]
        frame = fp[names].transpose("snapshot", "datacenter").to_dataframe().reset_index()
        frame["weight"] = frame["snapshot"].map(pd.Series(fp["weight_h"].values, index=fp["snapshot"].values)).values
        frame["zone"] = frame["datacenter"].map(fp["zone"].to_series())
        frame["case"] = fp.attrs.get("case", "solved")
        frame["snapshot"] = snapshot_labels(frame["snapshot"])
        frames.append(frame[FOOTPRINT_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def footprint_summary_rows(footprint: xr.Dataset, prefix: str = "") -> list[tuple[str, object, str]]:
    """Summary rows per data center: energy, emissions by method, CFE score, SCI."""
    rows: list[tuple[str, object, str]] = []
    basis = footprint.attrs.get("factor_basis", "direct")
    for i, name in enumerate(str(d) for d in footprint["datacenter"].values):
        head = f"{prefix}datacenter_{name}_"
        unit = str(footprint["work_unit"].values[i])
        rows += [
            (head + "energy_mwh", float(footprint["energy_mwh"][i]), "MWh/year"),
            (head + "served_energy_mwh", float(footprint["served_energy_mwh"][i]), "MWh/year (energy less its pro-rata share of unserved)"),
            (head + "location_based_t", float(footprint["location_based_t"][i]), f"t/year ({basis} factors)"),
            (head + "consumption_based_t", float(footprint["consumption_based_t"][i]), f"t/year ({basis} factors)"),
            (head + "marginal_based_t", float(footprint["marginal_based_t"][i]), f"t/year ({basis} factors, induced, not allocated)"),
            (head + "market_based_t", float(footprint["market_based_t"][i]),
             f"t/year ({footprint.attrs.get('market_matching', 'annual')} matching, residual mix {float(footprint['residual_mix_g_per_kwh'][i]):.6g} g/kWh)"),
            (head + "cfe_score", float(footprint["cfe_score"][i]), "fraction (hourly 24/7)"),
            (head + "embodied_t", float(footprint["embodied_t"][i]), "t/year (M of the SCI; 0 unless carbon.datacenters.*.embodied_t_per_year)"),
            (head + "work_done", float(footprint["work_total"][i]), f"{unit}/year"),
            (head + "sci_g_per_unit", float(footprint["sci_g_per_unit"][i]), f"g CO2-eq per {unit} ({footprint.attrs.get('sci_intensity')} intensity)"),
        ]
    return rows


def compare_with_twin(flexible: xr.Dataset, inflexible: xr.Dataset) -> pd.DataFrame:
    """Each data center's metrics for the solved case and its inflexible twin, with the change.

    Rows: metric, datacenter, flexible, inflexible, change. Then the system's CO2 of both runs and,
    per data center, ``allocated_falls_system_rises`` (1 in the flexible and change columns when
    its location-based emissions fell while the system's rose, see :func:`allocated_falls_system_rises`).
    """
    rows = []
    for metric in ("energy_mwh", "location_based_t", "consumption_based_t", "marginal_based_t", "market_based_t", "cfe_score", "sci_g_per_unit"):
        for name in flexible["datacenter"].values:
            a = float(flexible[metric].sel(datacenter=name))
            b = float(inflexible[metric].sel(datacenter=name))
            rows.append((metric, str(name), a, b, a - b))
    a, b = flexible.attrs["system_co2_t"], inflexible.attrs["system_co2_t"]
    rows.append(("system_co2_t", "", a, b, a - b))
    for name in flexible["datacenter"].values:
        after, before = float(flexible["location_based_t"].sel(datacenter=name)), float(inflexible["location_based_t"].sel(datacenter=name))
        flag = allocated_falls_system_rises(before, after, b, a)
        rows.append(("allocated_falls_system_rises", str(name), float(flag), 0.0, float(flag)))
    return pd.DataFrame(rows, columns=["metric", "datacenter", "flexible", "inflexible", "change"])


def twin_carbon_table(runs: dict[str, tuple]) -> pd.DataFrame:
    """datacenter_carbon_twins.csv: each twin's data-center metrics and the system's emissions.

    ``runs``: twin name → (scenario, results, solved). Rows: twin, datacenter ('' for system rows),
    metric, value, unit — so a planner sees, per twin, the data center's allocated emissions
    (location/consumption/market-based), its induced (marginal) emissions, its CFE score and SCI,
    next to the system's total CO2 (which can move the other way).
    """
    from planning.metrics.carbon import model_direct_factors, plant_factors, scenario_carbon_metrics

    rows = []
    for twin, (scenario, results, solved) in runs.items():
        factors = plant_factors(results, scenario.carbon, model_direct_factors(scenario))
        metrics = scenario_carbon_metrics(scenario, results, solved, factors=factors)
        footprint = datacenter_footprint(results, metrics, scenario.carbon, factors=factors, case=twin)
        rows.append((twin, "", "system_co2_t", float(results["co2_t"]), "t/year"))
        rows.append((twin, "", "marginal_method", metrics.attrs["marginal_method"], ""))
        if footprint is None:
            continue
        for metric, value, unit in footprint_summary_rows(footprint):
            name = metric.removeprefix("datacenter_")
            for dc in footprint["datacenter"].values:
                if name.startswith(f"{dc}_"):
                    rows.append((twin, str(dc), name.removeprefix(f"{dc}_"), value, unit))
    table = pd.DataFrame(rows, columns=["twin", "datacenter", "metric", "value", "unit"])
    return pd.concat([table, twin_flag_rows(table)], ignore_index=True)


def allocated_falls_system_rises(allocated_before: float, allocated_after: float, system_before: float, system_after: float,
                                 rtol: float = 1e-6) -> bool:
    """Whether a data center's allocated emissions fell while the system's rose (t; changes within
    ``rtol`` × max(1, |before|) count as no change): shifting load against an *allocation* signal
    (average intensity) can make the data center look cleaner while the system emits more."""
    fell = allocated_after < allocated_before - rtol * max(1.0, abs(allocated_before))
    rose = system_after > system_before + rtol * max(1.0, abs(system_before))
    return bool(fell and rose)


def twin_flag_rows(table: pd.DataFrame, reference: str = "inflexible") -> pd.DataFrame:
    """Rows comparing each twin with the ``reference`` twin (datacenter_carbon_twins.csv).

    Per twin and data center: ``location_based_change_vs_inflexible_t``,
    ``consumption_based_change_vs_inflexible_t``, ``system_co2_change_vs_inflexible_t`` (t/year)
    and ``allocated_falls_system_rises`` (True when the location-based emissions, average intensity,
    fell while the system's co2_t rose). ``table`` has the columns of :func:`twin_carbon_table`.
    """
    rows = []
    value = {(t, d, m): v for t, d, m, v in zip(table["twin"], table["datacenter"], table["metric"], table["value"])}
    twins = list(dict.fromkeys(table["twin"]))
    if reference not in twins:
        return pd.DataFrame(rows, columns=["twin", "datacenter", "metric", "value", "unit"])
    centers = [d for d in dict.fromkeys(table["datacenter"]) if d]
    system_ref = float(value[(reference, "", "system_co2_t")])
    for twin in twins:
        if twin == reference:
            continue
        system = float(value[(twin, "", "system_co2_t")])
        for dc in centers:
            if (twin, dc, "location_based_t") not in value or (reference, dc, "location_based_t") not in value:
                continue
            before, after = float(value[(reference, dc, "location_based_t")]), float(value[(twin, dc, "location_based_t")])
            rows += [
                (twin, dc, "location_based_change_vs_inflexible_t", after - before, "t/year"),
                (twin, dc, "consumption_based_change_vs_inflexible_t",
                 float(value[(twin, dc, "consumption_based_t")]) - float(value[(reference, dc, "consumption_based_t")]), "t/year"),
                (twin, dc, "system_co2_change_vs_inflexible_t", system - system_ref, "t/year"),
                (twin, dc, "allocated_falls_system_rises", allocated_falls_system_rises(before, after, system_ref, system),
                 "flag: the data center's location-based (average-intensity) emissions fell vs the inflexible twin while system co2_t rose"),
            ]
    flags = pd.DataFrame(rows, columns=["twin", "datacenter", "metric", "value", "unit"])
    for twin, dc in flags.loc[(flags["metric"] == "allocated_falls_system_rises") & (flags["value"] == True), ["twin", "datacenter"]].values:  # noqa: E712
        logger.warning("twin %s: data center %s's location-based emissions fell vs the inflexible twin while the system's co2_t rose "
                       "(datacenter_carbon_twins.csv)", twin, dc)
    return flags
