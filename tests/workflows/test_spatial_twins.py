"""Spatial vs temporal flexibility twins of a sited fleet (planning/workflows/spatial_twins.py), hand-computed.

Two hours of weight 1 h. Sites a (zone a) and b (zone b), 100 MW of IT each (min = max), PUE 1,
utilisation 0.5 (50 MW of work each, every hour), linear card (deferrable share 0.5, delay 1 h),
flexibility at 1 $/MW; movable share 0.4, overhead ε = 1 (a moved MWh costs 2 MWh at its destination).
Zone a: 100 MW of gas at 10 $/MWh and unlimited gas at 50 $/MWh, demand 0 / 100 MW; zone b: gas at 19 $/MWh.

* none: a 50·10 + (100·10 + 50·50) = 4000 $, b 50·19·2 = 1900 $ → 5900 $.
* temporal: a contracts F = 50 MW (value 0.5·40 = 20 $/MW > 1 $/MW): 25 MWh of hour 1 run in hour 0 → −1000 $,
  + 50 $ of contract → 4950 $ (b's prices are flat: nothing to gain there).
* spatial: in hour 1, a's 0.4·50 = 20 MW run at b: −20·50 + 2·20·19 = −240 $ → 5660 $ (in hour 0 b → a would
  cost 2·10 = 20 > 19 $/MWh: nothing moves).
* both: contracting F leaves 0.4·0.5·(100 − F) MW movable: saving 19·F + 12·(20 − 0.2·F) = 240 + 16.6·F, at
  F = 50 → 1070 $ → 4830 $ (less than 950 + 240: the two compete for the same work).
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import validate_scenario
from planning.workflows.run import solve_scenario
from planning.workflows.spatial_twins import compare_site_twins
from tests.optimization.site_cases import site, two_zone_case


def twins_case(tmp_path) -> dict:
    raw = two_zone_case(tmp_path, 10, 19, demand_a=(0.0, 100.0),
                        sites={"site_a": site("a", 100, min_it_mw=100), "site_b": site("b", 100, min_it_mw=100)},
                        requirement={"firm_it_mw": 200}, flexibility_price_per_mw_year=1.0,
                        workload_shifting={"movable_share": 0.4, "migration_overhead_fraction": 1.0})
    raw["technologies"]["dear"] = {**raw["technologies"]["gas_a"], "heat_rate_mmbtu_per_mwh": 50}
    raw["plants"]["ga"]["existing_mw"] = 100
    raw["plants"]["ga_dear"] = {"zone": "a", "technology": "dear", "existing_mw": 10000, "max_new_mw": 0}
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt", "dear": "ocgt"}}
    return raw


def test_twins_costs_values_and_zones(tmp_path):
    table, zones = compare_site_twins(validate_scenario(twins_case(tmp_path)), solve_scenario)
    table = table.set_index("twin")
    assert table["total_cost"].to_dict() == pytest.approx({"none": 5900.0, "temporal": 4950.0, "spatial": 5660.0, "both": 4830.0}, rel=1e-9)
    assert table["value_vs_none"].to_dict() == pytest.approx({"none": 0.0, "temporal": 950.0, "spatial": 240.0, "both": 1070.0}, abs=1e-6)
    assert table["contracted_flexible_mw"].to_dict() == pytest.approx({"none": 0.0, "temporal": 50.0, "spatial": 0.0, "both": 50.0}, abs=1e-6)
    assert table["migrated_work_mwh"].to_dict() == pytest.approx({"none": 0.0, "temporal": 0.0, "spatial": 20.0, "both": 10.0}, abs=1e-6)
    # Where the saving falls: spatial moves 1000 $ of zone a's cost to 760 $ in zone b (2·20·19).
    value = zones.set_index(["twin", "zone"])["value_vs_none"]
    assert value[("spatial", "a")] == pytest.approx(1000.0, abs=1e-6)
    assert value[("spatial", "b")] == pytest.approx(-760.0, abs=1e-6)
    assert value[("temporal", "a")] == pytest.approx(950.0, abs=1e-6)
    assert value[("temporal", "b")] == pytest.approx(0.0, abs=1e-6)


def test_run_site_twins_from_the_cli(tmp_path):
    import yaml

    path = tmp_path / "twins.yaml"
    path.write_text(yaml.safe_dump(twins_case(tmp_path)))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--site-twins"])
    assert result.exit_code == 0, result.output
    assert "value of spatial vs temporal flexibility" in result.output
    table = pd.read_csv(tmp_path / "out" / "value_of_spatial_flexibility.csv").set_index("twin")
    assert table.loc["both", "total_cost"] == pytest.approx(4830.0, rel=1e-9)
    assert set(pd.read_csv(tmp_path / "out" / "value_of_spatial_flexibility_zones.csv")["zone"]) == {"a", "b"}


def test_site_twins_without_shifting_is_refused_before_solving(tmp_path):
    import yaml

    raw = twins_case(tmp_path)
    del raw["datacenter_sites"]["workload_shifting"]
    path = tmp_path / "twins.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--site-twins"])
    assert result.exit_code == 2
    assert "datacenter_sites.workload_shifting is missing" in result.output
    assert not (tmp_path / "out").exists()
