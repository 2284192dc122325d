"""Data centers: scenario entries + their surrogate cards → arrays of the inputs Dataset.

For data center d with IT rating N (MW), deferrable share s, and per-unit utilisation b(t) from
the card's calendar baseline (expected, or firm = expected + the card's high-quantile offset),
evaluated at each snapshot's **local hour and weekday in the site's zone** (``zones.<zone>.time_zone``;
the card's profile is a local-clock pattern, whatever time zone its telemetry was recorded in) and
clipped to [0, 1]:

* ``dc_baseline_mw(d, t)   = (1 − s)·N·b(t)``        inflexible IT power (MW), always served;
* ``dc_flexible_rating_mw(d) = s·N``                 rating N_f of the flexible GPU fleet (MW);
* ``dc_observed_flexible_mw(d, t) = N_f·b(t)``       what the flexible fleet draws when it runs work as it arrives;
* ``dc_work_arrived(d, t)  = N_f·f(b(t))``           work arriving (MWh of rated-power throughput: f is the
  card's throughput per unit of the throughput at rated power, as a function of power per unit);
* ``dc_curtailable_credit_mw(d) = k_d·K_d``          firm MW of the contracted curtailable facility power K_d at
  credit k_d (both 0 unless set), counted by the planning reserve margin;
* ``dc_operating_min/max_per_unit(d)``            operating range of the flexible fleet per unit of N_f: the key
  ``operating_range_per_unit``, else the card's envelope power_min/max_per_unit widened to [min b, max b],
  both within the curve's fitted range [x_0, x_K];
* ``dc_schedule_tie_break_per_mwh(d)``   the schedule tie-break ε (currency per MWh moved off the as-arrived schedule);
* ``dc_pue(d, t)``, ``dc_max_delay_h(d)``, ``dc_ramp_mw_per_h(d)`` (≥ the baseline's own largest
  hourly change, so the inflexible schedule is always feasible), and the curve's breakpoints
  ``dc_curve_x/y(d, breakpoint)`` (per unit, NaN-padded).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.config.base import parse_time_zone
from planning.config.scenario import Scenario
from planning.errors import PlanningError
from planning.io.timeseries import TimeSeriesReader


def datacenter_arrays(scenario: Scenario, time: pd.DatetimeIndex, reader: TimeSeriesReader, window: slice,
                      problems: list[str]) -> tuple[dict, dict]:
    """``(data_vars, coords)`` for the inputs Dataset; problems are appended to ``problems``."""
    names = list(scenario.datacenters)
    n_hours = len(time)
    fields = {key: [] for key in ("dc_zone", "dc_it_capacity_mw", "dc_flexible_rating_mw", "dc_max_delay_h",
                                  "dc_ramp_mw_per_h", "dc_flexibility", "dc_formulation", "dc_card_file",
                                  "dc_curtailable_credit_mw", "dc_schedule_tie_break_per_mwh",
                                  "dc_operating_min_per_unit", "dc_operating_max_per_unit")}
    series = {key: np.zeros((len(names), n_hours)) for key in ("dc_baseline_mw", "dc_observed_flexible_mw", "dc_work_arrived", "dc_pue")}
    curves: list[tuple[np.ndarray, np.ndarray]] = []
    for i, (name, site) in enumerate(scenario.datacenters.items()):
        # Here, not at module level: scikit-learn costs ~2 s to import, and a scenario without data centers never needs it.
        from planning.surrogate.card import card_to_estimator, load_card
        from planning.surrogate.estimators import calendar_features

        key = f"datacenters.{name}"
        try:
            card = load_card(site.card_file)
        except PlanningError as error:
            problems.extend(f"{key}.card_file: {p}" for p in error.problems)
            curves.append((np.array([0.0, 1.0]), np.array([0.0, 1.0])))
            for field in fields:
                fields[field].append(np.nan if field.endswith(("_mw", "_mwh", "_h")) else "")
            continue
        missing = [part for part in ("baseline", "throughput_curve") if getattr(card, part) is None]
        envelope = card.envelope.parameters if card.envelope is not None else None
        if envelope is None and (site.deferrable_share is None or site.max_delay_hours is None or site.ramp_per_unit_per_hour is None):
            missing.append("envelope (or set deferrable_share, max_delay_hours and ramp_per_unit_per_hour)")
        if missing:
            problems.append(f"{key}.card_file: card '{card.name}' ({site.card_file}) has no {', '.join(missing)}; refit it with `planning fit`")
            curves.append((np.array([0.0, 1.0]), np.array([0.0, 1.0])))
            for field in fields:
                fields[field].append(np.nan if field.endswith(("_mw", "_mwh", "_h")) else "")
            continue
        if site.formulation == "cuts" and not card.throughput_curve.parameters.is_concave:
            problems.append(f"{key}.formulation: 'cuts' needs a concave throughput curve, and card '{card.name}' is not concave "
                            "(linear cuts would over-state its throughput); use 'binary' (exact, a MILP) or 'auto'")
        baseline = card_to_estimator(card, "baseline")
        if baseline.params_.get("temperature_coefficient_per_unit_per_c") is not None:
            problems.append(f"{key}.card_file: card '{card.name}' has a temperature term; scenarios do not carry temperature yet — refit without weather")
        # The card's 7×24 profile is a local-clock pattern (learned in its telemetry's time zone,
        # card.baseline.parameters.timezone); the site follows its own zone's clock.
        local = time.tz_localize("UTC").tz_convert(parse_time_zone(scenario.zones[site.zone].time_zone))
        features = calendar_features(local)
        utilisation = baseline.predict_firm(features) if site.baseline == "firm" else baseline.predict(features)
        utilisation = np.clip(np.asarray(utilisation, float), 0.0, 1.0)
        curve = card_to_estimator(card, "throughput_curve")
        share = site.deferrable_share if site.deferrable_share is not None else envelope.deferrable_share
        delay = site.max_delay_hours if site.max_delay_hours is not None else envelope.max_delay_hours
        ramp = site.ramp_per_unit_per_hour
        if ramp is None:
            ramp = max(envelope.ramp_up_per_unit_per_hour, envelope.ramp_down_per_unit_per_hour)
        rating = site.it_capacity_mw
        flexible_rating = share * rating
        series["dc_baseline_mw"][i] = (1.0 - share) * rating * utilisation
        series["dc_observed_flexible_mw"][i] = flexible_rating * utilisation
        series["dc_work_arrived"][i] = flexible_rating * curve.predict(utilisation)
        if site.pue_profile is not None:
            pue = reader.read(site.pue_profile, f"{key}.pue_profile", lower=1.0, upper=3.0)
            series["dc_pue"][i] = pue[window] if pue is not None else site.pue
        else:
            series["dc_pue"][i] = site.pue
        largest_step = float(np.abs(np.diff(utilisation)).max()) if n_hours > 1 else 0.0
        # Operating range of the flexible fleet (per unit): the key, else the telemetry's, within the curve's fitted range.
        curve_low, curve_high = float(curve.breakpoints_x_[0]), float(curve.breakpoints_x_[-1])
        if site.operating_range_per_unit is not None:
            low, high = site.operating_range_per_unit
            if low < curve_low - 1e-9 or high > curve_high + 1e-9:
                problems.append(f"{key}.operating_range_per_unit: [{low:g}, {high:g}] leaves the throughput curve's fitted range "
                                f"[{curve_low:.3f}, {curve_high:.3f}] of card '{card.name}'; keep within it (or refit the curve)")
        elif envelope is not None:
            low = min(envelope.power_min_per_unit, float(utilisation.min()))
            high = max(envelope.power_max_per_unit, float(utilisation.max()))
        else:
            low, high = curve_low, curve_high
        fields["dc_operating_min_per_unit"].append(max(low, curve_low))
        fields["dc_operating_max_per_unit"].append(min(high, curve_high))
        fields["dc_zone"].append(site.zone)
        fields["dc_it_capacity_mw"].append(rating)
        fields["dc_flexible_rating_mw"].append(flexible_rating)
        fields["dc_max_delay_h"].append(float(delay))
        fields["dc_ramp_mw_per_h"].append(max(ramp, largest_step) * rating)
        fields["dc_flexibility"].append(site.flexibility)
        fields["dc_formulation"].append(site.formulation)
        fields["dc_schedule_tie_break_per_mwh"].append(site.schedule_tie_break_per_mwh)
        fields["dc_card_file"].append(str(site.card_file))
        largest_facility_mw = float(np.max(series["dc_pue"][i])) * rating
        if site.curtailable_mw > largest_facility_mw * (1 + 1e-9):
            problems.append(f"{key}.curtailable_mw: {site.curtailable_mw:g} MW is more than the site's largest facility power "
                            f"{largest_facility_mw:g} MW (it_capacity_mw × PUE); contract at most that")
        fields["dc_curtailable_credit_mw"].append(site.curtailable_credit * site.curtailable_mw)
        curves.append((np.asarray(curve.breakpoints_x_, float), np.asarray(curve.breakpoints_y_, float)))

    n_points = max((len(x) for x, _ in curves), default=0)
    curve_x = np.full((len(names), n_points), np.nan)
    curve_y = np.full((len(names), n_points), np.nan)
    for i, (x, y) in enumerate(curves):
        curve_x[i, : len(x)] = x
        curve_y[i, : len(y)] = y
    data_vars = {key: (("datacenter",), np.asarray(values, dtype=object if isinstance(values[0] if values else 0.0, str) else float))
                 for key, values in fields.items()}
    data_vars.update({key: (("datacenter", "snapshot"), values, {"units": "MW" if key.endswith("_mw") else ""})
                      for key, values in series.items()})
    data_vars["dc_curve_x"] = (("datacenter", "breakpoint"), curve_x, {"units": "power per unit of rating"})
    data_vars["dc_curve_y"] = (("datacenter", "breakpoint"), curve_y, {"units": "throughput per unit of rated throughput"})
    coords = {"datacenter": names, "breakpoint": np.arange(n_points)}
    return data_vars, coords
