"""Candidate data-center sites (``datacenter_sites:``) + their surrogate cards → arrays of the inputs Dataset.

Per candidate site s (dimension ``site``), with CRF_s the capital recovery factor of
``economics.discount_rate`` over the site's ``lifetime_years``:

* ``site_zone(s)``; ``site_min_it_mw(s)``, ``site_max_it_mw(s)`` (0 when ``earliest_year`` is after
  ``in_service_year``);
* ``site_annual_cost_per_mw(s)  = interconnection_capex_per_mw·CRF_s + interconnection_fixed_om_per_mw_year``
  (currency/MW-year of IT);
* ``site_annual_fixed_cost(s)   = fixed_capex·CRF_s``                   (currency/year);
* ``site_utilisation_per_unit(s, t)`` = b_s(t): the card's calendar baseline (expected or firm) at the
  site's local hour and weekday, clipped to [0, 1] — or the constant ``utilisation_per_unit``;
* ``site_pue(s, t)``;
* ``site_max_flexible_share(s)`` = φ_s: the key ``max_flexible_share`` (at most the card's
  deferrable share) or the card's deferrable share; 0 when ``temporal_flexibility`` is false;
* ``site_movable_share(s)`` = μ_s: Σ movable classes' shares, ``movable_share``, or the card's
  deferrable share; ``site_in_pool(s)`` (1 if the site is in the workload pool);
* ``site_max_delay_h(s)``, ``site_ramp_per_unit_per_h(s)`` (≥ b's own largest hourly change),
  ``site_operating_min/max_per_unit(s)`` (the card's envelope widened to b's range, within the
  curve's fitted range) and the curve ``site_curve_x/y(s, site_breakpoint)`` (per unit, NaN-padded).

Attributes: ``site_requirement_firm_it_mw`` / ``site_requirement_work_it_mwh`` (NaN when not given),
``site_binaries``, ``site_flexibility_price_per_mw_year``, ``site_formulation``,
``site_shifting`` (1 when workload shifting is on), ``site_migration_limit_mw`` (NaN = none),
``site_migration_overhead_fraction``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.config.base import parse_time_zone
from planning.config.scenario import Scenario
from planning.errors import PlanningError
from planning.io.timeseries import TimeSeriesReader

PER_SITE = ("site_zone", "site_min_it_mw", "site_max_it_mw", "site_annual_cost_per_mw", "site_annual_fixed_cost",
            "site_max_flexible_share", "site_movable_share", "site_in_pool", "site_max_delay_h", "site_ramp_per_unit_per_h",
            "site_operating_min_per_unit", "site_operating_max_per_unit", "site_card_file")


def site_arrays(scenario: Scenario, time: pd.DatetimeIndex, reader: TimeSeriesReader, window: slice,
                problems: list[str]) -> tuple[dict, dict, dict]:
    """``(data_vars, coords, attrs)`` for the inputs Dataset; problems are appended to ``problems``."""
    section = scenario.datacenter_sites
    if section is None:
        return {}, {}, {}
    from planning.surrogate.card import card_to_estimator, load_card
    from planning.surrogate.estimators import calendar_features

    names = list(section.candidates)
    n_hours = len(time)
    fields: dict[str, list] = {key: [] for key in PER_SITE}
    utilisation_all = np.zeros((len(names), n_hours))
    pue_all = np.zeros((len(names), n_hours))
    curves: list[tuple[np.ndarray, np.ndarray]] = []
    shifting = section.workload_shifting
    pool = set(shifting.sites if shifting is not None and shifting.sites is not None else names)
    in_service = section.in_service_year if section.in_service_year is not None else scenario.horizon.year
    for i, (name, site) in enumerate(section.candidates.items()):
        key = f"datacenter_sites.candidates.{name}"
        card_file = site.card_file or section.card_file
        card_key = f"{key}.card_file" if site.card_file is not None else "datacenter_sites.card_file"
        try:
            card = load_card(card_file)
        except PlanningError as error:
            problems.extend(f"{card_key}: {p}" for p in error.problems)
            card = None
        if card is not None and (card.throughput_curve is None or card.envelope is None
                                 or (section.utilisation_per_unit is None and card.baseline is None)):
            problems.append(f"{card_key}: card '{card.name}' ({card_file}) needs a baseline, a throughput_curve and an envelope; "
                            "refit it with `planning fit`")
            card = None
        if card is None:
            curves.append((np.array([0.0, 1.0]), np.array([0.0, 1.0])))
            for field in PER_SITE:
                fields[field].append("" if field in ("site_zone", "site_card_file") else np.nan)
            continue
        envelope = card.envelope.parameters
        curve = card_to_estimator(card, "throughput_curve")
        if section.formulation == "cuts" and not card.throughput_curve.parameters.is_concave:
            problems.append(f"datacenter_sites.formulation: 'cuts' needs a concave throughput curve, and card '{card.name}' of site "
                            f"'{name}' is not concave; use 'binary' (exact, a MILP) or 'auto'")
        if section.utilisation_per_unit is not None:
            utilisation = np.full(n_hours, float(section.utilisation_per_unit))
        else:
            baseline = card_to_estimator(card, "baseline")
            local = time.tz_localize("UTC").tz_convert(parse_time_zone(scenario.zones[site.zone].time_zone))
            features = calendar_features(local)
            utilisation = baseline.predict_firm(features) if section.baseline == "firm" else baseline.predict(features)
            utilisation = np.clip(np.asarray(utilisation, float), 0.0, 1.0)
        utilisation_all[i] = utilisation
        if site.pue_profile is not None:
            pue = reader.read(site.pue_profile, f"{key}.pue_profile", lower=1.0, upper=3.0)
            pue_all[i] = pue[window] if pue is not None else site.pue
        else:
            pue_all[i] = site.pue
        share = envelope.deferrable_share
        if site.max_flexible_share is not None:
            if site.max_flexible_share > share + 1e-9:
                problems.append(f"{key}.max_flexible_share: {site.max_flexible_share:g} is more than card '{card.name}' supports "
                                f"(deferrable share {share:.3f}); contract at most that")
            share = min(site.max_flexible_share, share)
        if not section.temporal_flexibility:
            share = 0.0
        if shifting is not None and shifting.classes:
            movable = sum(c.share for c in shifting.classes.values() if c.movable)
        elif shifting is not None and shifting.movable_share is not None:
            movable = shifting.movable_share
        else:
            movable = envelope.deferrable_share
        curve_low, curve_high = float(curve.breakpoints_x_[0]), float(curve.breakpoints_x_[-1])
        low = max(min(envelope.power_min_per_unit, float(utilisation.min())), curve_low)
        high = min(max(envelope.power_max_per_unit, float(utilisation.max())), curve_high)
        if share > 0 and (utilisation.min() < curve_low - 1e-9 or utilisation.max() > curve_high + 1e-9):
            problems.append(f"{key}: utilisation {utilisation.min():.3f}..{utilisation.max():.3f} leaves the throughput curve's fitted "
                            f"range [{curve_low:.3f}, {curve_high:.3f}] of card '{card.name}'; set utilisation_per_unit within it")
        available = site.earliest_year is None or site.earliest_year <= in_service
        if not available and site.min_it_mw > 0:
            problems.append(f"{key}.min_it_mw: {site.min_it_mw:g} MW cannot be built: earliest_year {site.earliest_year} is after "
                            f"the in-service year {in_service}; set min_it_mw to 0 or move earliest_year")
        crf = scenario.economics.capital_recovery_factor(site.lifetime_years)
        largest_step = float(np.abs(np.diff(utilisation)).max()) if n_hours > 1 else 0.0
        ramp = max(envelope.ramp_up_per_unit_per_hour, envelope.ramp_down_per_unit_per_hour)
        row = {
            "site_zone": site.zone,
            "site_min_it_mw": site.min_it_mw,
            "site_max_it_mw": site.max_it_mw if available else 0.0,
            "site_annual_cost_per_mw": site.interconnection_capex_per_mw * crf + site.interconnection_fixed_om_per_mw_year,
            "site_annual_fixed_cost": site.fixed_capex * crf,
            "site_max_flexible_share": share,
            "site_movable_share": movable if name in pool else 0.0,
            "site_in_pool": float(name in pool and shifting is not None and shifting.enabled),
            "site_max_delay_h": float(envelope.max_delay_hours),
            "site_ramp_per_unit_per_h": max(ramp, largest_step),
            "site_operating_min_per_unit": low,
            "site_operating_max_per_unit": high,
            "site_card_file": str(card_file),
        }
        for field, value in row.items():
            fields[field].append(value)
        curves.append((np.asarray(curve.breakpoints_x_, float), np.asarray(curve.breakpoints_y_, float)))

    requirement = section.requirement
    weight = scenario.horizon.weight_h
    capacity = sum(v for v in fields["site_max_it_mw"] if v == v)
    if requirement.firm_it_mw is not None and capacity < requirement.firm_it_mw - 1e-9:
        problems.append(f"datacenter_sites.requirement.firm_it_mw: {requirement.firm_it_mw:g} MW is more than the candidates can host "
                        f"({capacity:g} MW available in the in-service year); add candidates or raise max_it_mw")
    if requirement.work_it_mwh_per_year is not None:
        hosted = float(sum(m * weight * utilisation_all[i].sum() for i, m in enumerate(fields["site_max_it_mw"]) if m == m))
        if hosted < requirement.work_it_mwh_per_year - 1e-6:
            problems.append(f"datacenter_sites.requirement.work_it_mwh_per_year: {requirement.work_it_mwh_per_year:g} IT-MWh is more "
                            f"than the candidates can serve at full size ({hosted:g} IT-MWh); add candidates or raise max_it_mw")

    n_points = max(len(x) for x, _ in curves)
    curve_x = np.full((len(names), n_points), np.nan)
    curve_y = np.full((len(names), n_points), np.nan)
    for i, (x, y) in enumerate(curves):
        curve_x[i, : len(x)] = x
        curve_y[i, : len(y)] = y
    data_vars = {key: (("site",), np.asarray(values, dtype=object if key in ("site_zone", "site_card_file") else float))
                 for key, values in fields.items()}
    data_vars["site_utilisation_per_unit"] = (("site", "snapshot"), utilisation_all, {"units": "per unit of IT rating"})
    data_vars["site_pue"] = (("site", "snapshot"), pue_all, {"units": "1"})
    data_vars["site_curve_x"] = (("site", "site_breakpoint"), curve_x, {"units": "power per unit of rating"})
    data_vars["site_curve_y"] = (("site", "site_breakpoint"), curve_y, {"units": "throughput per unit of rated throughput"})
    limit = shifting.migration_limit_mw if shifting is not None else None
    attrs = {
        "site_requirement_firm_it_mw": np.nan if requirement.firm_it_mw is None else requirement.firm_it_mw,
        "site_requirement_work_it_mwh": np.nan if requirement.work_it_mwh_per_year is None else requirement.work_it_mwh_per_year,
        "site_binaries": int(section.site_binaries),
        "site_flexibility_price_per_mw_year": section.flexibility_price_per_mw_year,
        "site_formulation": section.formulation,
        "site_shifting": int(shifting is not None and shifting.enabled),
        "site_migration_limit_mw": np.nan if limit is None else limit,
        "site_migration_overhead_fraction": shifting.migration_overhead_fraction if shifting is not None else 0.0,
    }
    return data_vars, {"site": names, "site_breakpoint": np.arange(n_points)}, attrs
