"""The planning model of :mod:`planning.optimization` rebuilt in PyPSA, from the same inputs.

:func:`build_network` reads the ``xarray.Dataset`` produced by :func:`planning.io.inputs.load_inputs`
(the only thing our blocks read too), so the two models cannot drift apart in their data.
:func:`optimize` solves it with ``n.optimize(solver_name="highs", ...)`` and returns the
objective made comparable to ours (:attr:`PypsaModel.objective_offset`, see below).

Scope: what the single-zone benchmark scenario uses (``scenarios/isone_2030.yaml``): one zone,
thermal and variable plants (new build, existing, retirement), storage with separately sized
power and energy, unserved energy at VOLL, a CO2 price. Transmission corridors, a CO2 cap,
elastic mode, storage cycles shorter than the horizon and retirable existing storage raise
``NotImplementedError`` rather than silently building a different problem.

Mapping (ours → PyPSA), every number taken from ``inputs``
----------------------------------------------------------
Snapshots and weights
    ``snapshot_weightings``: ``objective`` = ``generators`` = ``weight_h`` (8760/hours with
    ``scale_to_year``); ``stores`` = 1 because our state of charge moves by one hour of
    charge/discharge per snapshot (Δt = 1 h, unweighted), like PyPSA's store energy balance
    with an elapsed time of ``stores`` hours.

Zone → one ``Bus`` with a ``Load`` of ``demand_mw``.

Thermal / variable plant p (E = existing_mw, N = max_new_mw, capex = annual_capex_per_mw =
capex × CRF, fom = fixed_om_per_mw_year, c = marginal_cost_per_mwh, e = emission factor)
    One ``Generator`` with ``p_max_pu`` = ``availability_per_unit`` and
    ``marginal_cost`` = c + CO2 price × e (ours: the same two terms, weighted by w_t).

    * fixed (N = 0, may not retire): ``p_nom = E``, not extendable. Ours keeps the constant
      fom·E in the objective; PyPSA does not put capital costs of non-extendable assets in the
      objective (checked for PyPSA 1.4: ``define_objective`` only sums extendable assets) →
      offset += fom·E. (Ours bounds generation by a·E as a variable bound; PyPSA adds two rows,
      which presolve removes.)
    * extendable, may not retire (or E = 0): ``p_nom_extendable``, p_nom ∈ [E, E + N],
      ``capital_cost`` = capex + fom. PyPSA charges capex·E too much for the existing part →
      offset −= capex·E. (We call ``optimize`` with ``include_objective_constant=False`` so that
      PyPSA does not subtract an "already built" constant itself; the offset is all ours.)
    * may retire with E > 0 and N > 0 (``isone_ccgt``): ours has new_mw ∈ [0, N] and
      retired_mw ∈ [0, E], capacity = E − retired + new, cost capex·new + fom·capacity, i.e.
      for a capacity x the cost fom·x + capex·max(x − E, 0): convex, piecewise linear.
      Two exact mappings (``retire_mapping``):

      - ``"aux"`` (default; the same LP size as ours): one Generator with p_nom ∈ [0, E + N],
        ``capital_cost`` = fom, plus (via ``extra_functionality``) one variable
        ``new_mw ≥ 0`` with ``new_mw ≥ p_nom − E`` and capex·new_mw in the objective. At an
        optimum new_mw = max(p_nom − E, 0); offset 0.
      - ``"split"``: two Generators with the same p_max_pu and marginal cost, "existing" with
        p_nom ∈ [0, E] at ``capital_cost`` = fom (retiring saves its fixed O&M) and "new" with
        p_nom ∈ [0, N] at capex + fom. The same optimum, but one more dispatch variable and
        capacity row per snapshot.
    * may retire, N = 0: p_nom ∈ [0, E] at ``capital_cost`` = fom; offset 0.

Storage plant s (power E/N/capex/fom as above; energy existing_mwh, max_new_mwh,
annual_capex_per_mwh, fixed_om_per_mwh_year; η_c, η_d; duration d_min..d_max h)
    PyPSA's ``StorageUnit`` ties energy to power by a fixed ``max_hours``, so power and energy
    sized separately need ``Store`` + two ``Link`` (as in PyPSA-Eur):

    * Bus ``<s>`` (the battery's DC side); ``Store`` ``<s>`` on it, ``e_cyclic=True`` (ours:
      cyclic over the horizon), e_nom ∈ [E_e, E_e + N_e], ``capital_cost`` = capex_e + fom_e
      (offset −= capex_e·E_e).
    * ``Link`` ``<s>_charger`` zone bus → ``<s>``, ``efficiency`` η_c: its p0 is our charge_mw,
      p0 ≤ p_nom = our capacity_mw; p_nom ∈ [E, E + N], ``capital_cost`` = capex + fom
      (offset −= capex·E).
    * ``Link`` ``<s>_discharger`` ``<s>`` → zone bus, ``efficiency`` η_d: its p1 = η_d·p0 is
      our discharge_mw; a link limits p0, so its p_nom is tied to the charger's by
      ``η_d · p_nom(discharger) = p_nom(charger)`` (``extra_functionality``), which makes
      discharge_mw ≤ capacity_mw exactly as ours. No capital cost; ``marginal_cost`` =
      vom·η_d (ours charges vom per MWh delivered).
    * Store energy: e_t = e_{t−1} + η_c·charge_t − discharge_t/η_d (the DC bus balance) — our
      soc_balance. Duration: d_min·p_nom(charger) ≤ e_nom ≤ d_max·p_nom(charger)
      (``extra_functionality``).
    PyPSA's store adds one flow variable and one DC-bus balance row per snapshot that ours does
    not have (ours writes the state-of-charge equation directly).

Unserved energy → ``Generator`` ``unserved_<zone>``, ``p_nom`` = the zone's peak demand (not
    extendable), ``marginal_cost`` = VOLL. Ours bounds unserved_mw only below; it never exceeds
    demand at an optimum, so the bound does not change the optimum.

Objective: ours = PyPSA's ``n.objective`` + ``objective_offset``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

#: HiGHS' log settings for the PyPSA side (ours sets them from the run's log file; they do not change the solve).
HIGHS_QUIET = {"output_flag": False, "log_to_console": False}


@dataclass
class PypsaModel:
    """A PyPSA network built from our inputs, with what is needed to compare objectives."""

    network: object
    objective_offset: float
    aux_capex: dict[str, tuple[float, float]] = field(default_factory=dict)  # generator → (existing, annual capex)
    storage: list[dict] = field(default_factory=list)

    def extra_functionality(self, n, snapshots) -> None:
        """Constraints PyPSA has no attribute for: retire-or-build cost, storage power/energy links."""
        m = n.model
        if self.aux_capex:
            names = list(self.aux_capex)
            index = pd.Index(names, name="name")
            existing = xr.DataArray([self.aux_capex[g][0] for g in names], coords=[index])
            capex = xr.DataArray([self.aux_capex[g][1] for g in names], coords=[index])
            new = m.add_variables(lower=0.0, coords=[index], name="Generator-new_mw")
            p_nom = m["Generator-p_nom"].sel(name=names)
            m.add_constraints(new - p_nom >= -existing, name="Generator-new_mw-definition")
            m.add_objective(m.objective.expression + (capex * new).sum(), overwrite=True)
        link_p_nom = m["Link-p_nom"] if self.storage else None
        for s in self.storage:
            # scalar selections without their ``name`` coordinate, so that linopy does not align them
            charger = link_p_nom.sel(name=s["charger"], drop=True)
            discharger = link_p_nom.sel(name=s["discharger"], drop=True)
            energy = m["Store-e_nom"].sel(name=s["store"], drop=True)
            m.add_constraints(s["eta_d"] * discharger - charger == 0.0, name=f"Link-{s['store']}-power-tie")
            if s["d_min"] > 0:
                m.add_constraints(energy - s["d_min"] * charger >= 0.0, name=f"Store-{s['store']}-min-duration")
            if math.isfinite(s["d_max"]):
                m.add_constraints(energy - s["d_max"] * charger <= 0.0, name=f"Store-{s['store']}-max-duration")


def _check_scope(inputs: xr.Dataset) -> None:
    problems = []
    if inputs.sizes.get("line", 0):
        problems.append("transmission corridors")
    if not math.isnan(float(inputs.attrs["co2_cap_t"])):
        problems.append("a CO2 cap")
    period = inputs["period"].values
    if len(period) and (period != period[0]).any():
        problems.append("storage cycles shorter than the horizon")
    if problems:
        raise NotImplementedError("pypsa_equivalent does not model " + ", ".join(problems))


def build_network(inputs: xr.Dataset, retire_mapping: str = "aux") -> PypsaModel:
    """Build the PyPSA network equivalent to ``build_model(inputs)`` (see the module docstring)."""
    import pypsa

    if retire_mapping not in ("aux", "split"):
        raise ValueError("retire_mapping must be 'aux' or 'split'")
    _check_scope(inputs)
    n = pypsa.Network()
    n.set_snapshots(pd.DatetimeIndex(inputs["snapshot"].values, name="snapshot"))
    weight = inputs["weight_h"].values.astype(float)
    n.snapshot_weightings.loc[:, "objective"] = weight
    n.snapshot_weightings.loc[:, "generators"] = weight
    n.snapshot_weightings.loc[:, "stores"] = 1.0
    sns = n.snapshots

    kinds = sorted({str(k) for k in inputs["plant_kind"].values})
    n.add("Carrier", ["AC", "battery", "battery charger", "battery discharger", "unserved", *[k for k in kinds if k != "storage"]])
    demand = inputs["demand_mw"]
    for z in inputs["zone"].values:
        z = str(z)
        n.add("Bus", z, carrier="AC")
        n.add("Load", f"load_{z}", bus=z, p_set=pd.Series(demand.sel(zone=z).values, index=sns))
        if int(inputs.attrs["allow_unserved_energy"]):
            n.add("Generator", f"unserved_{z}", bus=z, carrier="unserved", p_nom=float(demand.sel(zone=z).values.max()),
                  marginal_cost=float(inputs.attrs["voll_per_mwh"]))

    model = PypsaModel(network=n, objective_offset=0.0)
    co2_price = float(inputs.attrs["co2_price_per_t"])
    p = {name: inputs[name].values for name in (
        "plant_zone", "plant_kind", "existing_mw", "max_new_mw", "can_retire", "annual_capex_per_mw", "fixed_om_per_mw_year",
        "marginal_cost_per_mwh", "emission_factor_t_per_mwh", "existing_mwh", "max_new_mwh", "annual_capex_per_mwh",
        "fixed_om_per_mwh_year", "charge_efficiency", "discharge_efficiency", "min_duration_h", "max_duration_h")}
    availability = inputs["availability_per_unit"].values
    for i, name in enumerate(str(x) for x in inputs["plant"].values):
        zone, kind = str(p["plant_zone"][i]), str(p["plant_kind"][i])
        E, N = float(p["existing_mw"][i]), float(p["max_new_mw"][i])
        retire = bool(p["can_retire"][i]) and E > 0
        capex, fom = float(p["annual_capex_per_mw"][i]), float(p["fixed_om_per_mw_year"][i])
        if kind in ("thermal", "variable"):
            common = dict(bus=zone, carrier=kind, p_max_pu=pd.Series(availability[i], index=sns),
                          marginal_cost=float(p["marginal_cost_per_mwh"][i]) + co2_price * float(p["emission_factor_t_per_mwh"][i]))
            if N == 0 and not retire:
                n.add("Generator", name, p_nom=E, capital_cost=fom, **common)
                model.objective_offset += fom * E
            elif not retire:
                n.add("Generator", name, p_nom=E, p_nom_extendable=True, p_nom_min=E, p_nom_max=E + N, capital_cost=capex + fom, **common)
                model.objective_offset -= capex * E
            elif N == 0:
                n.add("Generator", name, p_nom=E, p_nom_extendable=True, p_nom_min=0.0, p_nom_max=E, capital_cost=fom, **common)
            elif retire_mapping == "aux":
                n.add("Generator", name, p_nom=E, p_nom_extendable=True, p_nom_min=0.0, p_nom_max=E + N, capital_cost=fom, **common)
                model.aux_capex[name] = (E, capex)
            else:
                n.add("Generator", f"{name}_existing", p_nom=E, p_nom_extendable=True, p_nom_min=0.0, p_nom_max=E, capital_cost=fom, **common)
                n.add("Generator", f"{name}_new", p_nom=0.0, p_nom_extendable=True, p_nom_min=0.0, p_nom_max=N, capital_cost=capex + fom, **common)
        elif kind == "storage":
            if bool(p["can_retire"][i]) and (E > 0 or float(p["existing_mwh"][i]) > 0):
                raise NotImplementedError(f"{name}: retirement of existing storage is not mapped")
            Ee, Ne = float(p["existing_mwh"][i]), float(p["max_new_mwh"][i])
            capex_e, fom_e = float(p["annual_capex_per_mwh"][i]), float(p["fixed_om_per_mwh_year"][i])
            eta_c, eta_d = float(p["charge_efficiency"][i]), float(p["discharge_efficiency"][i])
            vom = float(p["marginal_cost_per_mwh"][i])
            n.add("Bus", name, carrier="battery")
            n.add("Store", name, bus=name, carrier="battery", e_nom=Ee, e_nom_extendable=True, e_nom_min=Ee, e_nom_max=Ee + Ne,
                  e_cyclic=True, capital_cost=capex_e + fom_e)
            n.add("Link", f"{name}_charger", bus0=zone, bus1=name, carrier="battery charger", efficiency=eta_c,
                  p_nom=E, p_nom_extendable=True, p_nom_min=E, p_nom_max=E + N, capital_cost=capex + fom)
            n.add("Link", f"{name}_discharger", bus0=name, bus1=zone, carrier="battery discharger", efficiency=eta_d,
                  p_nom=E / eta_d, p_nom_extendable=True, p_nom_min=0.0, p_nom_max=np.inf, capital_cost=0.0, marginal_cost=vom * eta_d)
            model.objective_offset -= capex * E + capex_e * Ee
            model.storage.append({"store": name, "charger": f"{name}_charger", "discharger": f"{name}_discharger", "eta_d": eta_d,
                                  "d_min": float(p["min_duration_h"][i]), "d_max": float(p["max_duration_h"][i])})
        else:
            raise NotImplementedError(f"{name}: plant kind {kind!r}")
    return model


def highs_options(solver=None, method: str | None = None) -> dict:
    """The HiGHS options for PyPSA/linopy: exactly those ours sets for the scenario's ``solver:`` section
    (:func:`planning.optimization.solve.highs_options`; default: the section's defaults with
    ``time_limit_s: 600``, as in ``scenarios/isone_2030.yaml``), ``method`` replacing ``solver.method``."""
    from planning.config.solver import Solver
    from planning.optimization.solve import highs_options as ours

    solver = solver if solver is not None else Solver(time_limit_s=600)
    if method is not None:
        solver = solver.model_copy(update={"method": method})
    return {**ours(solver), **HIGHS_QUIET}


def optimize(model: PypsaModel, method: str = "choose", io_api: str | None = None, on_built=None, solver=None):
    """``n.optimize(solver_name="highs")`` with our HiGHS options (:func:`highs_options` of the scenario's
    ``solver`` section, if given); returns (status, condition, objective).

    ``objective`` is PyPSA's objective + :attr:`PypsaModel.objective_offset`, comparable to ours.
    ``on_built`` (if given) is called right after PyPSA has built the linopy model and the
    extra constraints, before the solver is called (used for timing).
    """
    n = model.network

    def extra(n_, snapshots):
        model.extra_functionality(n_, snapshots)
        if on_built is not None:
            on_built()

    kwargs = {"progress": False} if io_api is None else {"io_api": io_api, "progress": False}
    status, condition = n.optimize(solver_name="highs", solver_options=highs_options(solver, method), extra_functionality=extra,
                                   include_objective_constant=False, **kwargs)
    objective = float(n.model.objective.value) + model.objective_offset if status == "ok" else float("nan")
    return status, condition, objective
