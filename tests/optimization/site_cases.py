"""Hand-computable siting and shifting cases shared by the siting, shifting and spatial-twin tests.

Every case: fuel 1 $/MMBtu, so a thermal unit of heat rate h costs h $/MWh; weight 1 h per hour
(``scale_to_year: false``); PUE 1 unless said; utilisation b = 0.5 of the IT rating in every hour;
economics.discount_rate 0 and lifetime 1 year, so a one-off cost per MW is its annual cost.
"""

from __future__ import annotations

import json

from tests.conftest import REPO, thermal, tiny_scenario

CARD = REPO / "models" / "google_cella_emerald_llm.json"


def linear_card(folder, share=0.5, delay_h=1.0):
    """The bundled card with a linear throughput curve f(x) = x on [0, 1], an operating range [0, 1],
    deferrable share ``share``, delay ``delay_h`` and ramps of 1 per unit per hour (never binding)."""
    data = json.loads(CARD.read_text())
    data["throughput_curve"]["parameters"] = {"breakpoints_x": [0.0, 1.0], "breakpoints_y": [0.0, 1.0], "is_concave": True, "is_convex": True}
    data["throughput_curve"]["fitted_range"] = {"power_per_unit": [0.0, 1.0]}
    data["envelope"]["parameters"] = {"deferrable_share": share, "max_delay_hours": delay_h, "ramp_up_per_unit_per_hour": 1.0,
                                      "ramp_down_per_unit_per_hour": 1.0, "power_min_per_unit": 0.0, "power_max_per_unit": 1.0}
    path = folder / "linear_card.json"
    path.write_text(json.dumps(data))
    return path


def two_zone_case(folder, cost_a: float, cost_b: float, demand_a=(0.0, 0.0), demand_b=(0.0, 0.0), sites: dict | None = None,
                  **section) -> dict:
    """Zones a and b (no corridor) over two hours, each with an existing 10 GW gas unit at ``cost_a`` / ``cost_b`` $/MWh;
    ``sites`` are the candidates, ``section`` the other keys of datacenter_sites."""
    raw = tiny_scenario(folder, list(demand_a), columns={"demand_b": list(demand_b)}, extra={
        "technologies": {"gas_a": thermal(cost_a), "gas_b": thermal(cost_b)},
        "plants": {"ga": {"zone": "a", "technology": "gas_a", "existing_mw": 10000, "max_new_mw": 0},
                   "gb": {"zone": "b", "technology": "gas_b", "existing_mw": 10000, "max_new_mw": 0}},
        "economics": {"discount_rate": 0.0},
    })
    raw["zones"] = {"a": raw["zones"]["z"], "b": {"demand": {"file": raw["zones"]["z"]["demand"]["file"], "column": "demand_b"}}}
    raw["datacenter_sites"] = {"card_file": str(linear_card(folder)), "utilisation_per_unit": 0.5,
                               "candidates": sites or {}, **section}
    return raw


def site(zone: str, max_it_mw: float, **extra) -> dict:
    return {"zone": zone, "max_it_mw": max_it_mw, "pue": 1.0, "lifetime_years": 1, **extra}
