"""Carbon metrics per zone and snapshot, computed from solved results (carbon.csv).

Notation: zone i, snapshot t, weight w_t (h); generator g in zone z(g) with output p_g (MW)
and factor EF_g (t/MWh, direct or lifecycle, see :func:`plant_factors`); 1 t/MWh = 1000 g/kWh.

Emissions of a zone-hour (start-up and no-load fuel included)
-------------------------------------------------------------
E_{i,t} = Σ_{g∈i} (EF_g·p_{g,t} + c_{g,t}),  c_{g,t} = se_g·S_g·startups_{g,t} + ne_g·S_g·committed_{g,t}

(``commitment_co2_t_per_h`` of :mod:`planning.optimization.blocks.commitment`, t/h), so that
Σ_t w_t Σ_i E_{i,t} = co2_t with the direct factors. **Attribution in time:** a start-up's fuel
belongs to the hour of the start (the snapshot whose ``startups`` counts it), no-load fuel to
each committed hour; both are spread over the plant's output in that hour, i.e. its hourly
intensity is EF_g + c_{g,t}/p_{g,t} (used for PPAs). A plant started or committed with zero
output adds c_{g,t} to its zone's emissions in that hour, carried by the zone's supply then (a
unit held for reserve serves that hour's load). If the zone has no supply at all in that hour
(nothing is consumed there), the weighted emissions w_t·c_{g,t} move to the zone's other hours
of the same storage cycle in proportion to w·supply (then to the zone's whole horizon, then to
every zone), see :func:`place_unsupplied`. Lifecycle basis: the per-MWh IPCC medians plus the same
start-up and no-load combustion CO2 (the medians are per MWh of output and do not model cycling).

Production-based average intensity (``average``)
------------------------------------------------
a_{i,t} = E_{i,t} / Σ_{g∈i} p_{g,t}

Where a zone generates nothing (P = 0) the production-based average is undefined; carbon.csv
then gives the zone's consumption-based intensity x_{i,t} (the intensity of what it imports or
discharges). It is NaN only where a zone has no supply at all (no generation, discharge or
imports: nothing is consumed, so nothing is allocated). Storage is not a generator here (its
discharge is stored energy, not production), so Σ_t w_t Σ_i a_{i,t}·P_{i,t} = co2_t; in zones
without storage or trade P = load, and Σ_t w_t·a_t·load_t = co2_t (tests: start-ups included).

Consumption-based (flow-traced) intensity (``consumption``)
-----------------------------------------------------------
Tranberg et al. (2019), "Real-time carbon accounting method for the European electricity
markets", Energy Strategy Reviews 26 — the method of Electricity Maps. Per snapshot, with
P_i local generation, D_i storage discharge in i, Imp_i imports received by i, and imp_ij the
power *sent* from j towards i:

    x_i·(P_i + D_i + Imp_i) − Σ_j imp_ij·x_j − Σ_{s∈i} D_s·σ_s = Σ_{g∈i} EF_g·p_g

x_i is the intensity of the power available in i (t/MWh); local consumers and exports both carry
x_i, so exports cancel. Line losses: the importer receives (1 − λ)·sent but is charged the
emissions of everything sent, so losses are attributed to the importing zone.
Storage s is a pool: charging withdraws power at its zone's x, discharge returns it at the pool
intensity σ_s of its storage cycle c (the period over which its state of charge is cyclic):

    σ_s·Σ_{t∈c} w_t·D_{s,t} = Σ_{t∈c} w_t·charge_{s,t}·x_{z(s),t}

(so storage losses are carried by the discharged energy; a store that charges but discharges
nothing within a cycle passes no emissions on: its charging hours' consumers carry them). The
right-hand side uses E_{i,t} above, start-up and no-load fuel included. All snapshots and pools form
one sparse linear system, solved at once (scipy ``spsolve``); a full year takes well under a second.
Conservation: Σ_t w_t Σ_i x_{i,t}·C_{i,t} = co2_t (to solver tolerance, tested with start-ups,
trade, storage and a data center), with consumption C = demand + data centers − unserved.

Carbon-free share (``carbon_free_share``)
-----------------------------------------
The same flow tracing with EF_g = 1 for emitting (not carbon-free) generators and no start-up
terms: x is the share of fossil energy in the consumed mix; carbon-free share = 1 − x (used by
the 24/7 CFE score).

Marginal intensity (``marginal``)
---------------------------------
m_{i,t} = ∂(system emissions)/∂(demand_{i,t}) with investments (and, in a MILP, commitments)
fixed, from the optimal simplex basis B of that dispatch LP (basis sensitivity):

    ∂x_B/∂b_k = B⁻¹e_k  ⇒  ∂E/∂b_k = e_Bᵀ·B⁻¹e_k = (B⁻ᵀ e_B)_k

with e_B the emission coefficients (t, i.e. w_t·EF_g per MW of generation_mw[g, t]) of the basic
columns. One transposed basis solve (HiGHS ``getBasisTransposeSolve``) gives every balance row
at once; dividing by w_t gives t/MWh. The same solve with c_B gives the dispatch duals (checked
against HiGHS' row duals to fix the sign convention). See :func:`marginal_intensity` for its
validity (degenerate bases, storage). **Start-ups:** commitments (committed units, start-ups,
shut-downs) are fixed, so m is the short-run marginal of dispatch: start-up and no-load fuel do not
change with one more MWh and are not in m (tested: a unit started in hour t has m_t = EF_g). A
load that makes another unit start is not captured; m is not an allocation (Σ m·C ≠ co2_t).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from planning.errors import ScenarioError
from planning.io.writers import snapshot_labels

#: The emission factors shipped with the package (direct and IPCC AR5 lifecycle, with sources).
FACTORS_FILE = Path(__file__).resolve().parents[2] / "data" / "emission_factors.csv"

#: Technologies whose direct factor is 0 by convention but which are not carbon-free energy.
NOT_CARBON_FREE = ("biomass",)

G_PER_KWH_PER_T_PER_MWH = 1000.0

#: Power below which a zone-hour counts as having no supply or production (MW).
EPS_MW = 1e-9


# --------------------------------------------------------------------------------------------
# Emission factors
# --------------------------------------------------------------------------------------------

def load_factor_table(path: Path | None = None) -> pd.DataFrame:
    """The factors file, indexed by technology: direct_g_per_kwh, lifecycle_g_per_kwh, source."""
    path = Path(path) if path is not None else FACTORS_FILE
    if not path.is_file():
        raise ScenarioError([f"carbon.factors_file: file '{path}' not found; give an existing CSV or remove the key"], title="invalid carbon settings")
    table = pd.read_csv(path)
    missing = [c for c in ("technology", "direct_g_per_kwh", "lifecycle_g_per_kwh") if c not in table.columns]
    if missing:
        raise ScenarioError([f"{path}: missing column(s) {', '.join(missing)}; the file needs technology, direct_g_per_kwh, lifecycle_g_per_kwh, source"],
                            title="invalid emission factors")
    if "source" not in table.columns:
        table["source"] = ""
    return table.set_index("technology")


def plant_factors(results: xr.Dataset, settings=None, model_direct_t_per_mwh: dict[str, float] | None = None,
                  table: pd.DataFrame | None = None) -> xr.Dataset:
    """Per plant: ``direct_t_per_mwh``, ``lifecycle_t_per_mwh``, ``carbon_free`` and ``factor_source``.

    Direct factor, first found: ``settings.overrides[tech].direct_g_per_kwh``; the model's own
    factor (``model_direct_t_per_mwh`` or ``results['emission_factor_t_per_mwh']``, the one the
    CO2 price and cap use); the factors file. Lifecycle: override, else the file's row
    ``settings.technology_rows.get(tech, tech)``. Storage plants get 0 (their discharge is traced
    to the charging energy). A technology found nowhere is an error naming the key to add.

    Parameters
    ----------
    settings
        A :class:`planning.config.carbon.Carbon` (or None for the defaults).
    """
    from planning.config.carbon import Carbon

    settings = settings or Carbon()
    table = table if table is not None else load_factor_table(settings.factors_file)
    plants = [str(p) for p in results["plant"].values]
    technology = dict(zip(plants, (str(t) for t in results["plant_technology"].values)))
    kind = dict(zip(plants, (str(k) for k in results["plant_kind"].values)))
    model_direct = dict(model_direct_t_per_mwh or {})
    if not model_direct and "emission_factor_t_per_mwh" in results:
        model_direct = dict(zip(plants, results["emission_factor_t_per_mwh"].values.astype(float)))
    direct, lifecycle, carbon_free, source, problems = [], [], [], [], []
    for plant in plants:
        tech = technology[plant]
        row_name = settings.technology_rows.get(tech, tech)
        row = table.loc[row_name] if row_name in table.index else None
        override = settings.overrides.get(tech)
        d = l = None
        notes = []
        if override is not None and override.direct_g_per_kwh is not None:
            d, note = override.direct_g_per_kwh / G_PER_KWH_PER_T_PER_MWH, f"carbon.overrides.{tech}"
            notes.append(f"direct: {note}")
        elif plant in model_direct and kind[plant] != "storage":
            d = float(model_direct[plant])
            notes.append("direct: model (fuel CO2 × heat rate)")
        elif row is not None:
            d = float(row["direct_g_per_kwh"]) / G_PER_KWH_PER_T_PER_MWH
            notes.append(f"direct: {FACTORS_FILE.name if settings.factors_file is None else settings.factors_file} row {row_name}")
        if override is not None and override.lifecycle_g_per_kwh is not None:
            l = override.lifecycle_g_per_kwh / G_PER_KWH_PER_T_PER_MWH
            notes.append(f"lifecycle: carbon.overrides.{tech}")
        elif row is not None:
            l = float(row["lifecycle_g_per_kwh"]) / G_PER_KWH_PER_T_PER_MWH
            notes.append(f"lifecycle: row {row_name} ({row['source']})")
        if kind[plant] == "storage":
            d, l = 0.0, 0.0
        if d is None or l is None:
            problems.append(
                f"carbon.technology_rows.{tech}: technology '{tech}' (plant '{plant}') has no row in the emission factors file "
                f"(rows: {', '.join(map(str, table.index))}); map it to a row or give carbon.overrides.{tech}"
            )
            d, l = d or 0.0, l or 0.0
        direct.append(d)
        lifecycle.append(l)
        if settings.carbon_free_technologies is not None:
            carbon_free.append(tech in settings.carbon_free_technologies)
        else:
            carbon_free.append(kind[plant] != "storage" and d == 0.0 and row_name not in NOT_CARBON_FREE)
        source.append("; ".join(notes))
    if problems:
        raise ScenarioError(problems, title="emission factors missing")
    coords = {"plant": plants}
    return xr.Dataset({
        "direct_t_per_mwh": ("plant", np.array(direct)),
        "lifecycle_t_per_mwh": ("plant", np.array(lifecycle)),
        "carbon_free": ("plant", np.array(carbon_free, dtype=bool)),
        "factor_source": ("plant", np.array(source, dtype=object)),
    }, coords=coords)


def model_direct_factors(scenario) -> dict[str, float]:
    """The direct factor (t/MWh) the model uses for each plant of a scenario (as in inputs.py)."""
    from planning.config.technologies import ThermalTechnology

    out = {}
    for name, plant in scenario.plants.items():
        tech = scenario.technologies[plant.technology]
        if isinstance(tech, ThermalTechnology):
            fuel = scenario.fuels[tech.fuel]
            out[name] = tech.emission_factor_t_per_mwh if tech.emission_factor_t_per_mwh is not None else fuel.co2_t_per_mmbtu * tech.heat_rate_mmbtu_per_mwh
        else:
            out[name] = 0.0
    return out


# --------------------------------------------------------------------------------------------
# Average and flow-traced intensity
# --------------------------------------------------------------------------------------------

def _zone_index(results: xr.Dataset, plants: list[str]) -> np.ndarray:
    zones = [str(z) for z in results["zone"].values]
    plant_zone = dict(zip((str(p) for p in results["plant"].values), (str(z) for z in results["plant_zone"].values)))
    return np.array([zones.index(plant_zone[p]) for p in plants], dtype=int)


def _by_zone(values: np.ndarray, zone_of: np.ndarray, n_zones: int) -> np.ndarray:
    """(plant, snapshot) → (zone, snapshot) sums."""
    out = np.zeros((n_zones, values.shape[1]))
    np.add.at(out, zone_of, values)
    return out


def _generation(results: xr.Dataset) -> tuple[list[str], np.ndarray]:
    if "generation_mw" not in results:
        return [], np.zeros((0, results.sizes["snapshot"]))
    gen = results["generation_mw"].fillna(0.0)
    return [str(p) for p in gen["plant"].values], np.clip(gen.values, 0.0, None)


def commitment_t_per_h(results: xr.Dataset, plants: list[str]) -> np.ndarray:
    """(plant, snapshot) start-up + no-load emissions of ``plants`` (t/h; 0 where not committed).

    From ``commitment_co2_t_per_h`` of :mod:`planning.optimization.blocks.commitment`.
    """
    out = np.zeros((len(plants), results.sizes["snapshot"]))
    if "commitment_co2_t_per_h" not in results:
        return out
    committed = results["commitment_co2_t_per_h"].fillna(0.0)
    row = {str(p): i for i, p in enumerate(committed["plant"].values)}
    values = committed.transpose("plant", "snapshot").values
    for i, plant in enumerate(plants):
        if plant in row:
            out[i] = values[row[plant]]
    return out


def plant_emissions_t_per_h(results: xr.Dataset, factor_t_per_mwh: xr.DataArray, commitment: bool = True) -> tuple[list[str], np.ndarray]:
    """(generators, (plant, snapshot) t/h): EF_g·p_{g,t} (+ start-up and no-load t/h when ``commitment``)."""
    plants, gen = _generation(results)
    rate = gen * factor_t_per_mwh.sel(plant=plants).values.astype(float)[:, None]
    if commitment:
        rate = rate + commitment_t_per_h(results, plants)
    return plants, rate


def zone_emissions_t_per_h(results: xr.Dataset, factor_t_per_mwh: xr.DataArray, commitment: bool = True) -> np.ndarray:
    """(zone, snapshot) emissions E_{i,t} of the zone's plants (t/h); Σ_t w_t·Σ_i E_{i,t} = co2_t for the direct factors."""
    plants, rate = plant_emissions_t_per_h(results, factor_t_per_mwh, commitment)
    return _by_zone(rate, _zone_index(results, plants), results.sizes["zone"])


def _line_transfers(results: xr.Dataset, line_loss_fraction=None):
    """Per line and snapshot: source and sink zone index, power sent and received (MW); None without lines."""
    if "flow_mw" not in results or not results.sizes.get("line", 0):
        return None
    zones = [str(z) for z in results["zone"].values]
    lines = [str(l) for l in results["line"].values]
    loss = line_loss_fraction
    if loss is None:
        loss = results["line_loss_fraction"] if "line_loss_fraction" in results else np.zeros(len(lines))
    loss = np.asarray(loss.values if hasattr(loss, "values") else loss, dtype=float)
    frm = np.array([zones.index(str(z)) for z in results["line_from"].values])
    to = np.array([zones.index(str(z)) for z in results["line_to"].values])
    flow = results["flow_mw"].fillna(0.0).values
    sent = np.abs(flow)
    source = np.where(flow >= 0, frm[:, None], to[:, None])
    sink = np.where(flow >= 0, to[:, None], frm[:, None])
    return source, sink, sent, sent * (1.0 - loss[:, None])


def supply_mw(results: xr.Dataset, line_loss_fraction=None) -> np.ndarray:
    """(zone, snapshot) power available in a zone: local generation + storage discharge + imports received (MW)."""
    n_zones, n_time = results.sizes["zone"], results.sizes["snapshot"]
    plants, gen = _generation(results)
    supply = _by_zone(gen, _zone_index(results, plants), n_zones)
    if "discharge_mw" in results and results.sizes.get("plant", 0):
        stores = [str(s) for s in results["discharge_mw"]["plant"].values]
        supply += _by_zone(np.clip(results["discharge_mw"].fillna(0.0).values, 0.0, None), _zone_index(results, stores), n_zones)
    transfers = _line_transfers(results, line_loss_fraction)
    if transfers is not None:
        _, sink, _, received = transfers
        np.add.at(supply, (sink, np.broadcast_to(np.arange(n_time), sink.shape)), received)
    return supply


def place_unsupplied(emitted: np.ndarray, supply: np.ndarray, weight: np.ndarray, period: np.ndarray | None = None) -> np.ndarray:
    """Emissions (zone, snapshot, t/h) with those of zone-hours without any supply moved where they can be consumed.

    A zone-hour with no supply (no generation, discharge or imports: nothing is consumed there)
    can still emit: a unit committed (no-load) or started with zero output. Its weighted
    emissions w_t·E_{i,t} go to the same zone's other hours of the same storage cycle (period),
    in proportion to w·supply; if the zone has no supply in that period, to all the zone's hours;
    if none at all, to every zone's hours. Σ_t w_t·Σ_i E_{i,t} is unchanged.
    """
    empty = supply <= EPS_MW
    stranded = np.flatnonzero((emitted * empty).ravel() != 0.0)
    if stranded.size == 0:
        return emitted
    out = np.where(empty, 0.0, emitted)
    period = np.zeros(supply.shape[1], dtype=int) if period is None else np.asarray(period)
    for zone, t in zip(*np.unravel_index(stranded, emitted.shape)):
        amount = weight[t] * emitted[zone, t]
        for mask in (np.outer(np.arange(supply.shape[0]) == zone, period == period[t]),
                     np.outer(np.arange(supply.shape[0]) == zone, np.ones(supply.shape[1], dtype=bool)),
                     np.ones(supply.shape, dtype=bool)):
            target = np.where(mask & ~empty, supply, 0.0)
            total = float((target * weight[None, :]).sum())
            if total > EPS_MW:
                out += amount * target / total
                break
    return out


def average_intensity(results: xr.Dataset, factor_t_per_mwh: xr.DataArray, line_loss_fraction=None, period: np.ndarray | None = None,
                      commitment: bool = True) -> xr.DataArray:
    """Production-based average intensity a_{i,t} (g/kWh), start-up and no-load emissions included;
    NaN where a zone generates nothing (:func:`carbon_metrics` fills those hours with the imported intensity)."""
    plants, gen = _generation(results)
    n_zones = results.sizes["zone"]
    emissions = zone_emissions_t_per_h(results, factor_t_per_mwh, commitment)
    if period is None and "period" in results:
        period = results["period"].values
    emissions = place_unsupplied(emissions, supply_mw(results, line_loss_fraction), results["weight_h"].values.astype(float), period)
    production = _by_zone(gen, _zone_index(results, plants), n_zones)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(production > EPS_MW, emissions / np.where(production > EPS_MW, production, 1.0), np.nan)
    return xr.DataArray(value * G_PER_KWH_PER_T_PER_MWH, coords={"zone": results["zone"].values, "snapshot": results["snapshot"].values},
                        dims=("zone", "snapshot"), attrs={"units": "g/kWh"})


def consumption_mw(results: xr.Dataset) -> xr.DataArray:
    """Served load per zone and snapshot: demand + data centers − unserved (MW)."""
    load = results["demand_mw"] + (results["datacenter_mw"] if "datacenter_mw" in results else 0.0)
    if "unserved_mw" in results:
        load = load - results["unserved_mw"]
    return load.transpose("zone", "snapshot")


def flow_traced_intensity(results: xr.Dataset, factors: dict[str, xr.DataArray], line_loss_fraction=None,
                          period: np.ndarray | None = None, commitment: bool | tuple[str, ...] = True) -> dict[str, xr.DataArray]:
    """Consumption-based intensity x_{i,t} for each factor vector (units of the factor per MWh).

    Parameters
    ----------
    factors
        name → per-plant factor (DataArray over ``plant``), e.g. EF in t/MWh, or 1/0 fossil flags.
    line_loss_fraction
        Per-line loss λ_l (DataArray over ``line`` or array); default ``results['line_loss_fraction']``
        if present, else 0.
    period
        Storage cycle index per snapshot (``inputs['period']``); default ``results['period']`` if
        present, else one cycle over the horizon.
    commitment
        Add the start-up and no-load emissions (t/h) to the plants' emissions: for every factor
        (True), none (False) or the named ones (a factor that is not an emission, e.g. a fossil
        flag, must not get them).

    Returns
    -------
    name → DataArray(zone, snapshot); NaN where a zone has no supply at all.
    """
    import scipy.sparse as sp  # here: scipy costs ~0.7 s to import, and `planning validate` never needs it
    from scipy.sparse.linalg import spsolve

    zones = [str(z) for z in results["zone"].values]
    n_zones, n_time = len(zones), results.sizes["snapshot"]
    weight = results["weight_h"].values.astype(float)
    plants, gen = _generation(results)
    zone_of = _zone_index(results, plants)
    production = _by_zone(gen, zone_of, n_zones)
    names = list(factors)
    if period is None:
        period = results["period"].values if "period" in results else np.zeros(n_time, dtype=int)
    period = np.asarray(period)
    with_commitment = set(names) if commitment is True else set() if commitment is False else set(commitment)
    rhs_by_zone = [zone_emissions_t_per_h(results, factors[n], commitment=n in with_commitment) for n in names]

    def k(zone_idx, t_idx):  # unknown index of x[zone, t]
        return np.asarray(t_idx) * n_zones + np.asarray(zone_idx)

    n_x = n_zones * n_time
    diag = production.copy()
    rows, cols, vals = [], [], []

    # Lines: flow_mw > 0 is sent from line_from to line_to.
    transfers = _line_transfers(results, line_loss_fraction)
    if transfers is not None:
        source, sink, sent, received = transfers
        t_idx = np.broadcast_to(np.arange(n_time), sent.shape)
        np.add.at(diag, (sink, t_idx), received)
        mask = sent > 0
        rows.append(k(sink[mask], t_idx[mask]))
        cols.append(k(source[mask], t_idx[mask]))
        vals.append(-sent[mask])

    # Storage pools: one unknown σ per (storage, cycle).
    pool_rows, n_pools = [], 0
    if "discharge_mw" in results and results.sizes.get("plant", 0):
        stores = [str(s) for s in results["discharge_mw"]["plant"].values]
        cycles = np.unique(period)
        s_zone = _zone_index(results, stores)
        discharge = np.clip(results["discharge_mw"].fillna(0.0).values, 0.0, None)
        charge = np.clip(results["charge_mw"].fillna(0.0).values, 0.0, None)
        for si in range(len(stores)):
            for c in cycles:
                pool = n_x + n_pools
                n_pools += 1
                in_cycle = np.flatnonzero(period == c)
                diag[s_zone[si], in_cycle] += discharge[si, in_cycle]
                used = in_cycle[discharge[si, in_cycle] > 0]
                rows.append(k(s_zone[si], used))
                cols.append(np.full(len(used), pool))
                vals.append(-discharge[si, used])
                total_discharge = float((weight[in_cycle] * discharge[si, in_cycle]).sum())
                charged = in_cycle[charge[si, in_cycle] > 0]
                if total_discharge > EPS_MW:
                    pool_rows.append((pool, total_discharge, k(s_zone[si], charged), -weight[charged] * charge[si, charged]))
                else:
                    # Nothing discharged in the cycle: σ = 0, and the charging power does not carry
                    # emissions into the pool: x·(supply − charge) = E, so the charging hours'
                    # consumers (and exports) carry them.
                    diag[s_zone[si], charged] -= charge[si, charged]
                    pool_rows.append((pool, 1.0, np.zeros(0, dtype=int), np.zeros(0)))

    empty = diag <= EPS_MW
    diag_flat = np.where(empty, 1.0, diag).T.ravel()  # index t*n_zones + z
    n = n_x + n_pools
    r = [np.arange(n_x)] + rows
    c = [np.arange(n_x)] + cols
    v = [diag_flat] + vals
    for pool, d, cc, vv in pool_rows:
        r += [np.array([pool]), np.full(len(cc), pool)]
        c += [np.array([pool]), cc]
        v += [np.array([d]), vv]
    matrix = sp.csc_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(n, n))
    rhs = np.zeros((n, len(names)))
    for j, emitted in enumerate(rhs_by_zone):
        placed = place_unsupplied(emitted, np.where(empty, 0.0, diag), weight, period)
        rhs[:n_x, j] = np.where(empty, 0.0, placed).T.ravel()
    solution = spsolve(matrix, rhs)
    solution = solution.reshape(n, len(names))
    out = {}
    for j, name in enumerate(names):
        x = solution[:n_x, j].reshape(n_time, n_zones).T
        x = np.where(empty, np.nan, x)
        out[name] = xr.DataArray(x, coords={"zone": results["zone"].values, "snapshot": results["snapshot"].values}, dims=("zone", "snapshot"))
    return out


# --------------------------------------------------------------------------------------------
# Marginal intensity by basis sensitivity
# --------------------------------------------------------------------------------------------

#: Unit-commitment columns, fixed (with the investments) for the short-run marginal of dispatch.
COMMITMENT_COMPONENTS = ("committed_units", "startups", "shutdowns", "commitment", "startup", "shutdown")


@dataclass
class MarginalResult:
    """Marginal emissions and dispatch prices per zone and snapshot, with how they were found."""

    marginal_t_per_mwh: dict[str, xr.DataArray]
    dispatch_price_per_mwh: xr.DataArray
    method: str
    fixed_columns: int
    iterations: int


def _has_snapshot(index) -> bool:
    """Whether a Pyomo index contains a snapshot position (an int): operational, not investment."""
    if isinstance(index, tuple):
        return any(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in index)
    return isinstance(index, (int, np.integer)) and not isinstance(index, bool)


def marginal_intensity(solved, results: xr.Dataset, factors: dict[str, xr.DataArray],
                       balance_name: str = "balance", generation_name: str = "generation_mw",
                       fixed_components: tuple[str, ...] = COMMITMENT_COMPONENTS) -> MarginalResult:
    """∂(system emissions)/∂(zonal demand) per zone and snapshot from the optimal basis.

    Steps: (1) every column without a snapshot in its index (investment: new/retired MW and MWh,
    new lines) and every column of ``fixed_components`` (unit commitment) is fixed at its optimal
    value — in a MILP the integer columns were already fixed for the duals — by removing them
    from a copy of the LP (their A·x moves to the row bounds; fixing bounds alone would leave them
    basic, and the sensitivity would still move capacity); (2) the copy is re-solved with the
    simplex, warm-started from the full solve's basis (an "alien" basis HiGHS completes with row
    logicals; same optimum, e.g. ~1,500 pivots and 2 s for the full ISO-NE year); (3)
    y = B⁻ᵀe_B for each factor vector and B⁻ᵀc_B for the dispatch prices, the sign convention
    checked against HiGHS' row duals; (4) the balance rows' entries divided by w_t. The solved
    HiGHS model itself is left unchanged.

    Validity
    --------
    * The derivative holds while the basis stays primal feasible, i.e. for demand changes up
      to the ratio-test step (typically the headroom of the marginal unit). It is exact for
      infinitesimal changes and for every step below that bound.
    * Degenerate basis (a basic variable at a bound, e.g. a unit exactly at capacity, common
      at the hour a cheaper unit fills up): the left and right derivatives differ; B⁻ᵀe_B
      is the derivative in the direction for which *this* basis stays feasible, which may be
      the increase or the decrease. Likewise a degenerate dual: several bases are optimal, the
      price and marginal intensity are those of the basis HiGHS returned.
    * Storage and other intertemporal couplings: the basis change spreads over hours (more
      demand at t is met by discharging more at t and charging more at another hour), so
      m_{i,t} is the emission change of the *whole horizon* per MWh at t — the relevant
      quantity for load shifting, but not the intensity of any single unit.
    * Emissions counted are those of ``generation_mw`` columns (w_t·EF_g). Start-up and no-load
      fuel are functions of the commitment columns, which are fixed: their derivative is 0, so
      they are not marginal (``method`` says so).
    The tests compare this with a finite-difference re-solve of a small case.
    """
    return marginal_intensities(solved, {None: (results, factors, 1.0)}, balance_name, generation_name, fixed_components)[None]


def marginal_intensities(solved, by_block: dict, balance_name: str = "balance", generation_name: str = "generation_mw",
                         fixed_components: tuple[str, ...] = COMMITMENT_COMPONENTS,
                         free_components: tuple[str, ...] = ()) -> dict:
    """:func:`marginal_intensity` of every sub-model of one solved LP, from one fixed-investment dispatch LP.

    ``by_block`` maps a sub-block's local name (``None``: the whole model, a one-future run) to its
    (results, factors, q): the block's own ``generation_mw`` columns and ``balance`` rows are read, and its
    dispatch prices divided by q (a future's risk-adjusted probability: prices in that future's own terms).

    Two-stage stochastic plans (:mod:`planning.workflows.stochastic`): with the first stage fixed the
    extensive form falls apart into one dispatch LP per future, linked only by the cost rows
    ``future_cost[f] = cost_f`` (and CVaR's ``s_f ≥ future_cost[f] − η``). Those columns
    (``free_components``) stay free — fixed, they would pin each future's cost and the sensitivity would
    have to keep it constant. A demand change in future f then moves f's dispatch (and its cost column),
    never another future's, so m_f = (B⁻ᵀe_B) on f's balance rows, e_B holding every future's emission
    coefficients (one transposed solve for all futures). With q_f > 0 each future's dispatch minimises its
    own operating cost, so m_f is the marginal intensity of future f's dispatch LP alone (the tests compare
    it with the merit order of each future).
    """
    import highspy
    import scipy.sparse as sp

    highs = solved.highs
    if highs is None or not solved.columns:
        raise ValueError("the solve result carries no HiGHS model (solve_model keeps it); cannot compute marginal emissions")
    columns, rows = solved.columns, solved.rows
    n_cols, n_rows = len(columns), len(rows)
    whole = None in by_block
    zones = {key: [str(z) for z in results["zone"].values] for key, (results, _, _) in by_block.items()}
    weight = {key: results["weight_h"].values.astype(float) for key, (results, _, _) in by_block.items()}
    names = list(next(iter(by_block.values()))[1])
    factor_values = {key: {name: {str(p): float(v) for p, v in zip(f["plant"].values, f.values)} for name, f in factors.items()}
                     for key, (_, factors, _) in by_block.items()}

    def block_of(component) -> str | None:
        return None if whole else component.parent_block().local_name

    fixed_set, free_set = set(fixed_components), set(free_components)
    coef = {name: np.zeros(n_cols) for name in names}
    fix = np.zeros(n_cols, dtype=bool)
    for j, var in enumerate(columns):
        parent = var.parent_component()
        component = parent.local_name
        index = var.index()
        if component == generation_name:
            key = block_of(parent)
            if key in by_block:
                plant, t = index
                for name in names:
                    coef[name][j] = weight[key][t] * factor_values[key][name].get(str(plant), 0.0)
        elif component in fixed_set or (not _has_snapshot(index) and component not in free_set):
            fix[j] = True
    balance_row = {key: np.full((len(zones[key]), results.sizes["snapshot"]), -1, dtype=int)
                   for key, (results, _, _) in by_block.items()}
    for i, row in enumerate(rows):
        con = row[0]
        parent = con.parent_component()
        if parent.local_name == balance_name:
            key = block_of(parent)
            if key in by_block:
                z, t = con.index()
                balance_row[key][zones[key].index(str(z)), t] = i

    lp = highs.getLp()
    values = np.array(highs.getSolution().col_value)
    old_basis = highs.getBasis()
    keep = np.flatnonzero(~fix)
    A = sp.csc_matrix((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.start_)),
                      shape=(n_rows, n_cols))
    fixed_activity = A[:, fix] @ values[fix] if fix.any() else np.zeros(n_rows)
    dispatch = highspy.HighsLp()
    dispatch.num_col_, dispatch.num_row_ = len(keep), n_rows
    dispatch.col_cost_ = np.asarray(lp.col_cost_)[keep]
    dispatch.col_lower_ = np.asarray(lp.col_lower_)[keep]
    dispatch.col_upper_ = np.asarray(lp.col_upper_)[keep]
    dispatch.row_lower_ = np.asarray(lp.row_lower_) - fixed_activity
    dispatch.row_upper_ = np.asarray(lp.row_upper_) - fixed_activity
    kept = A[:, keep].tocsc()
    dispatch.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    dispatch.a_matrix_.start_ = kept.indptr
    dispatch.a_matrix_.index_ = kept.indices
    dispatch.a_matrix_.value_ = kept.data
    sub = highspy.Highs()
    sub.setOptionValue("output_flag", False)
    sub.setOptionValue("solver", "simplex")
    sub.setOptionValue("presolve", "off")
    sub.setOptionValue("threads", 1)
    sub.passModel(dispatch)
    method = ("basis sensitivity of the fixed-investment dispatch LP (HiGHS getBasisTransposeSolve); commitments fixed: "
              "start-up and no-load emissions are not marginal")
    if old_basis.valid:
        basis = highspy.HighsBasis()
        col_status = list(old_basis.col_status)  # one conversion (each attribute access copies)
        basis.col_status = [col_status[j] for j in keep]
        basis.row_status = list(old_basis.row_status)
        basis.alien = True  # investment columns left the basis: HiGHS completes it with row logicals
        basis.valid = True
        sub.setBasis(basis)
    sub.run()
    if sub.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the fixed-investment dispatch LP did not solve to optimality ({sub.modelStatusToString(sub.getModelStatus())})")
    iterations = int(sub.getInfo().simplex_iteration_count)
    _, basic = sub.getBasicVariables()
    basic = np.asarray(basic)
    is_col = basic >= 0

    def btran(c):
        rhs = np.zeros(n_rows)
        rhs[is_col] = c[basic[is_col]]
        _, y = sub.getBasisTransposeSolve(rhs)
        return np.asarray(y)

    y_cost = btran(np.asarray(dispatch.col_cost_))
    row_dual = np.asarray(sub.getSolution().row_dual)
    # Fix the sign convention of the basis solve against HiGHS' own duals.
    scale = np.abs(row_dual).max() if n_rows else 0.0
    sign = 1.0
    if scale > 0:
        plus, minus = np.abs(y_cost - row_dual).max(), np.abs(y_cost + row_dual).max()
        sign = 1.0 if plus <= minus else -1.0
        if min(plus, minus) > 1e-6 * max(1.0, scale):
            method += f" (warning: basis duals differ from HiGHS' by {min(plus, minus):.3g})"

    def per_row(y, key, q=1.0):
        results, rows_of = by_block[key][0], balance_row[key]
        ok = rows_of >= 0
        out = np.full(rows_of.shape, np.nan)
        out[ok] = sign * y[rows_of[ok]]
        return xr.DataArray(out / (weight[key][None, :] * q), coords={"zone": results["zone"].values, "snapshot": results["snapshot"].values},
                            dims=("zone", "snapshot"))

    y_factor = {name: btran(c[keep]) for name, c in coef.items()}
    objective_gap = abs(sub.getInfo().objective_function_value + float(np.asarray(lp.col_cost_)[fix] @ values[fix]) + lp.offset_
                        - highs.getInfo().objective_function_value)
    if objective_gap > 1e-6 * max(1.0, abs(highs.getInfo().objective_function_value)):
        method += f" (warning: dispatch LP objective differs from the full solve by {objective_gap:.3g})"
    return {key: MarginalResult(marginal_t_per_mwh={name: per_row(y, key) for name, y in y_factor.items()},
                                dispatch_price_per_mwh=per_row(y_cost, key, q if q > 0 else float("nan")), method=method,
                                fixed_columns=int(fix.sum()), iterations=iterations)
            for key, (_, _, q) in by_block.items()}


# --------------------------------------------------------------------------------------------
# All metrics, tables and summary rows
# --------------------------------------------------------------------------------------------

def carbon_metrics(results: xr.Dataset, factors: xr.Dataset, basis: str = "direct", marginal: MarginalResult | None = None,
                   line_loss_fraction=None, period: np.ndarray | None = None) -> xr.Dataset:
    """Every per-zone, per-snapshot carbon metric as one Dataset (g/kWh unless stated).

    Variables: ``average_<b>_g_per_kwh``, ``consumption_<b>_g_per_kwh``, ``marginal_<b>_g_per_kwh``
    for b in direct, lifecycle; the headline ``average_g_per_kwh`` etc. of the chosen ``basis``;
    ``emissions_<b>_t_per_h`` and ``emissions_t_per_h`` (the zone's plants' emissions, start-up and
    no-load included, t/h: Σ_t w_t·Σ_i = co2_t for direct factors); ``carbon_free_share`` (0–1,
    flow-traced); ``consumption_mw``, ``generation_mw`` (zone totals); ``price_per_mwh`` (from the
    results) and ``dispatch_price_per_mwh`` (fixed-investment basis).

    Where a zone has no local generation the production-based average is undefined; it is filled
    with the zone's consumption-based intensity (what it imports or discharges from storage). It is
    NaN only where the zone has no supply at all (nothing is consumed there).
    """
    out = xr.Dataset(coords={"zone": results["zone"].values, "snapshot": results["snapshot"].values})
    emitting = xr.DataArray((~factors["carbon_free"].values).astype(float), coords={"plant": factors["plant"].values}, dims="plant")
    if period is None and "period" in results:
        period = results["period"].values
    traced = flow_traced_intensity(
        results, {"direct": factors["direct_t_per_mwh"], "lifecycle": factors["lifecycle_t_per_mwh"], "fossil": emitting},
        line_loss_fraction=line_loss_fraction, period=period, commitment=("direct", "lifecycle"))
    plants, gen = _generation(results)
    production = _by_zone(gen, _zone_index(results, plants), results.sizes["zone"])
    for b in ("direct", "lifecycle"):
        average = average_intensity(results, factors[f"{b}_t_per_mwh"], line_loss_fraction=line_loss_fraction, period=period)
        consumption = traced[b] * G_PER_KWH_PER_T_PER_MWH
        out[f"average_{b}_g_per_kwh"] = average.where(production > EPS_MW, consumption)
        out[f"average_{b}_g_per_kwh"].attrs.update(units="g/kWh", no_local_generation="consumption-based (imported) intensity")
        out[f"consumption_{b}_g_per_kwh"] = consumption
        out[f"emissions_{b}_t_per_h"] = (("zone", "snapshot"), zone_emissions_t_per_h(results, factors[f"{b}_t_per_mwh"]))
        if marginal is not None:
            out[f"marginal_{b}_g_per_kwh"] = marginal.marginal_t_per_mwh[b] * G_PER_KWH_PER_T_PER_MWH
        else:
            out[f"marginal_{b}_g_per_kwh"] = xr.full_like(out[f"average_{b}_g_per_kwh"], np.nan)
    for what in ("average", "consumption", "marginal"):
        out[f"{what}_g_per_kwh"] = out[f"{what}_{basis}_g_per_kwh"]
    out["emissions_t_per_h"] = out[f"emissions_{basis}_t_per_h"]
    out["carbon_free_share"] = (1.0 - traced["fossil"]).clip(0.0, 1.0)
    out["generation_mw"] = (("zone", "snapshot"), production)
    out["consumption_mw"] = consumption_mw(results)
    out["price_per_mwh"] = results["price_per_mwh"].transpose("zone", "snapshot")
    out["dispatch_price_per_mwh"] = marginal.dispatch_price_per_mwh if marginal is not None else xr.full_like(out["price_per_mwh"], np.nan)
    out["weight_h"] = results["weight_h"]
    out.attrs.update({"factor_basis": basis, "marginal_method": marginal.method if marginal is not None else "not computed"})
    return out


CARBON_COLUMNS = ["snapshot", "weight", "zone", "average_g_per_kwh", "consumption_g_per_kwh", "marginal_g_per_kwh",
                  "average_direct_g_per_kwh", "average_lifecycle_g_per_kwh", "consumption_direct_g_per_kwh",
                  "consumption_lifecycle_g_per_kwh", "marginal_direct_g_per_kwh", "marginal_lifecycle_g_per_kwh",
                  "carbon_free_share", "generation_mw", "consumption_mw", "price_per_mwh", "dispatch_price_per_mwh", "emissions_t_per_h"]


def carbon_table(metrics: xr.Dataset) -> pd.DataFrame:
    """carbon.csv: one row per snapshot and zone (DESIGN.md §6)."""
    names = [c for c in CARBON_COLUMNS if c not in ("snapshot", "weight", "zone")]
    frame = metrics[names].transpose("snapshot", "zone").to_dataframe().reset_index()
    weight = pd.Series(metrics["weight_h"].values, index=metrics["snapshot"].values)
    frame.insert(1, "weight", frame["snapshot"].map(weight).values)
    frame["snapshot"] = snapshot_labels(frame["snapshot"])
    return frame[CARBON_COLUMNS]


def _weighted_mean(value: xr.DataArray, weight: xr.DataArray) -> float:
    mask = np.isfinite(value.values) & (weight.values > 0)
    total = float(weight.values[mask].sum())
    return float((value.values[mask] * weight.values[mask]).sum() / total) if total > 0 else float("nan")


def carbon_summary_rows(metrics: xr.Dataset) -> list[tuple[str, object, str]]:
    """Summary rows: emissions by accounting method and load-weighted intensities."""
    w = metrics["weight_h"]
    load = metrics["consumption_mw"] * w
    gen = metrics["generation_mw"] * w
    rows: list[tuple[str, object, str]] = []   # the factor basis and marginal method are text: summary_facts (run.json)
    for b in ("direct", "lifecycle"):
        total = float((metrics[f"emissions_{b}_t_per_h"] * w).sum())
        rows.append((f"co2_{b}_t", total, "t/year (start-up and no-load fuel included)"))
        for what, energy in (("average", gen), ("consumption", load), ("marginal", load)):
            rows.append((f"{what}_{b}_g_per_kwh", _weighted_mean(metrics[f"{what}_{b}_g_per_kwh"], energy), "g/kWh"))
    rows.append(("carbon_free_share", _weighted_mean(metrics["carbon_free_share"], load), "fraction"))
    return rows


# --------------------------------------------------------------------------------------------
# From a solved scenario to output tables
# --------------------------------------------------------------------------------------------

def scenario_carbon_metrics(scenario, results: xr.Dataset, solved=None, factors: xr.Dataset | None = None,
                            marginal: "MarginalResult | str | None" = None) -> xr.Dataset:
    """:func:`carbon_metrics` of a solved scenario: its ``carbon:`` settings, line losses, storage cycles.

    ``marginal``: an already computed :class:`MarginalResult` (a future of a stochastic plan:
    :func:`marginal_intensities`), or the reason it is not (text); None computes it from ``solved``.
    A marginal intensity that cannot be computed (no basis kept, the dispatch LP not optimal)
    leaves NaN and says why in ``attrs['marginal_method']``; the run goes on.
    """
    settings = scenario.carbon
    if factors is None:
        factors = plant_factors(results, settings, model_direct_factors(scenario))
    reason = "not computed (carbon.marginal: none)"
    if isinstance(marginal, str):
        marginal, reason = None, marginal
    elif marginal is None and settings.marginal == "basis":
        if solved is None or getattr(solved, "highs", None) is None:
            reason = "not computed: no solver basis available"
        else:
            try:
                marginal = marginal_intensity(solved, results, marginal_factors(factors))
            except Exception as error:  # noqa: BLE001 - reported in the outputs, the run goes on
                reason = f"not computed: {error}"
    lines = [str(l) for l in results["line"].values] if "line" in results.dims else []
    loss = np.array([scenario.transmission[l].loss_fraction if l in scenario.transmission else 0.0 for l in lines])
    period = results["period"].values if "period" in results else np.arange(results.sizes["snapshot"]) // max(1, scenario.horizon.period_hours)
    metrics = carbon_metrics(results, factors, basis=settings.factor_basis, marginal=marginal, line_loss_fraction=loss, period=period)
    if marginal is None:
        metrics.attrs["marginal_method"] = reason
    metrics.attrs["factor_sources"] = json_safe_sources(factors)
    return metrics


def marginal_factors(factors: xr.Dataset) -> dict[str, xr.DataArray]:
    """The per-plant factors (t/MWh) whose marginal intensity is computed: direct and lifecycle."""
    return {"direct": factors["direct_t_per_mwh"], "lifecycle": factors["lifecycle_t_per_mwh"]}


def json_safe_sources(factors: xr.Dataset) -> str:
    """Per plant: the factors used and where they come from, one line each."""
    return "\n".join(
        f"{p}: direct {d * 1000:g} g/kWh, lifecycle {l * 1000:g} g/kWh, carbon-free {bool(c)} ({s})"
        for p, d, l, c, s in zip(factors["plant"].values, factors["direct_t_per_mwh"].values, factors["lifecycle_t_per_mwh"].values,
                                 factors["carbon_free"].values, factors["factor_source"].values))


def carbon_outputs(scenario, results: xr.Dataset, solved=None, marginal: "MarginalResult | str | None" = None
                   ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], xr.Dataset]:
    """Summary rows (metric, value, unit), tables (carbon, datacenter_carbon) and the metrics Dataset of a run
    (``marginal``: see :func:`scenario_carbon_metrics`)."""
    from planning.metrics.footprint import datacenter_footprint, footprint_summary_rows, footprint_table, site_footprint

    factors = plant_factors(results, scenario.carbon, model_direct_factors(scenario))
    metrics = scenario_carbon_metrics(scenario, results, solved, factors=factors, marginal=marginal)
    rows = carbon_summary_rows(metrics)
    tables = {"carbon": carbon_table(metrics)}
    footprint = datacenter_footprint(results, metrics, scenario.carbon, factors=factors)
    if footprint is not None:
        tables["datacenter_carbon"] = footprint_table(footprint)
        rows += footprint_summary_rows(footprint)
    sited = site_footprint(results, metrics, scenario.carbon, factors=factors)
    if sited is not None:
        tables["datacenter_site_carbon"] = footprint_table(sited)
        rows += footprint_summary_rows(sited, prefix="sited_")
    from planning.metrics.summary import per_period

    return per_period(pd.DataFrame(rows, columns=["metric", "value", "unit"]), results["weight_h"].values), tables, metrics
