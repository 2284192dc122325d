"""Bad input: every problem is reported at once, each naming its key path or file/column/row."""

from __future__ import annotations

import pytest
import yaml

from planning.config import load_scenario, validate_scenario
from planning.errors import ScenarioError
from planning.io.inputs import load_inputs
from tests.conftest import REPO, tiny_scenario, write_series

THERMAL = {"kind": "thermal", "fuel": "gas", "heat_rate_mmbtu_per_mwh": 10.0, "capex_per_mw": 1000.0}


def _valid(tmp_path):
    return tiny_scenario(
        tmp_path,
        [10, 20, 30],
        extra={
            "technologies": {"gt": THERMAL, "pv": {"kind": "variable"}, "bat": {"kind": "storage"}},
            "plants": {
                "gt_z": {"zone": "z", "technology": "gt"},
                "pv_z": {"zone": "z", "technology": "pv", "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}},
                "bat_z": {"zone": "z", "technology": "bat"},
            },
        },
        columns={"cf": [0.0, 0.5, 1.0]},
    )


def _problems(raw) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_inputs(validate_scenario(raw))
    return info.value.problems


def test_valid_tiny_scenario_loads(tmp_path):
    inputs = load_inputs(validate_scenario(_valid(tmp_path)))
    assert inputs["demand_mw"].values.tolist() == [[10, 20, 30]]
    assert inputs["availability_per_unit"].sel(plant="pv_z").values.tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda r: r["technologies"]["gt"].__setitem__("capex_per_mv", 5), "technologies.gt.capex_per_mv: unknown key — did you mean 'capex_per_mw'?"),
        (lambda r: r["technologies"]["gt"].__setitem__("capex_per_mw", -5), "technologies.gt.capex_per_mw: Input should be greater than or equal to 0"),
        (lambda r: r["technologies"]["gt"].__setitem__("heat_rate_mmbtu_per_mwh", "ten"), "technologies.gt.heat_rate_mmbtu_per_mwh: Input should be a valid number"),
        (lambda r: r["technologies"]["bat"].__setitem__("charge_efficiency", 1.2), "technologies.bat.charge_efficiency: Input should be less than or equal to 1"),
        (lambda r: r["technologies"]["bat"].__setitem__("discharge_efficiency", 0), "technologies.bat.discharge_efficiency: Input should be greater than 0"),
        (lambda r: r["plants"]["gt_z"].__setitem__("existing_mw", -1), "plants.gt_z.existing_mw: Input should be greater than or equal to 0"),
        (lambda r: r["plants"]["gt_z"].__setitem__("zone", "zz"), "plants.gt_z.zone: unknown zone 'zz' — did you mean 'z'?"),
        (lambda r: r["plants"]["gt_z"].__setitem__("technology", "gtt"), "plants.gt_z.technology: unknown technology 'gtt' — did you mean 'gt'?"),
        (lambda r: r["technologies"]["gt"].__setitem__("fuel", "coal"), "technologies.gt.fuel: unknown fuel 'coal'"),
        (lambda r: r["plants"].__setitem__("gt_again", {"zone": "z", "technology": "gt"}), "plants.gt_again: zone 'z' already has technology 'gt'"),
        (lambda r: r["plants"]["pv_z"].pop("profile"), "plants.pv_z.profile: technology 'pv' is variable and needs a capacity-factor profile"),
        (lambda r: r["technologies"]["gt"].__setitem__("kind", "hydro"), "technologies.gt.kind: must be one of thermal, variable, storage"),
        (lambda r: r["horizon"].__setitem__("hours", 9000), "horizon: start_hour + hours = 9000 exceeds the 8760 hours of 2021"),
        (lambda r: r.__setitem__("polcy", {}), "polcy: unknown key — did you mean 'policy'?"),
        # YAML 1.1 reads `mode: off` as False: the message says so and how to quote it.
        (lambda r: r.__setitem__("unit_commitment", {"mode": False}), "unit_commitment.mode: Input should be 'integer', 'linear' or 'off' (got False) — YAML reads unquoted off"),
        # A 100 % curtailment budget lets any new load in: headroom answered the search bound (max_mw, 1e6 MW).
        (lambda r: r.__setitem__("operations", {"headroom": {"budgets": [0.005, 1.0]}}), "operations.headroom.budgets[1]: Input should be less than 1"),
    ],
)
def test_each_schema_error_names_its_key(tmp_path, edit, expected):
    raw = _valid(tmp_path)
    edit(raw)
    problems = _problems(raw)
    assert any(expected in p for p in problems), problems


def test_all_problems_reported_at_once(tmp_path):
    raw = _valid(tmp_path)
    raw["technologies"]["gt"]["capex_per_mw"] = -1
    raw["technologies"]["bat"]["charge_efficiency"] = 0
    raw["plants"]["gt_z"]["zone"] = "nowhere"
    problems = _problems(raw)
    assert len(problems) == 3, problems
    assert {p.split(":")[0] for p in problems} == {"technologies.gt.capex_per_mw", "technologies.bat.charge_efficiency", "plants.gt_z.zone"}


def test_missing_file_and_column(tmp_path):
    raw = _valid(tmp_path)
    raw["zones"]["z"]["demand"]["file"] = str(tmp_path / "nope.csv")
    raw["plants"]["pv_z"]["profile"]["column"] = "cff"
    problems = _problems(raw)
    assert any(p.startswith("zones.z.demand:") and "nope.csv: file not found" in p for p in problems), problems
    assert any(p.startswith("plants.pv_z.profile:") and "no column 'cff' — did you mean 'cf'?" in p for p in problems), problems


def test_bad_values_name_file_column_and_line(tmp_path):
    raw = _valid(tmp_path)
    path = tmp_path / "series.csv"
    lines = path.read_text().splitlines()
    # line 1 is the header; data row 4 (line 5) gets a word, row 6 (line 7) a NaN in the cf column.
    lines[4] = "abc," + lines[4].split(",")[1]
    lines[6] = lines[6].split(",")[0] + ",nan"
    path.write_text("\n".join(lines) + "\n")
    problems = _problems(raw)
    assert any("column 'demand' line 5: 'abc' is not a number" in p for p in problems), problems
    assert any("column 'cf' line 7: 'nan' is not a number" in p for p in problems), problems


def test_out_of_range_capacity_factor(tmp_path):
    raw = _valid(tmp_path)
    write_series(tmp_path, {"demand": [10, 20, 30], "cf": [0.0, 1.5, 0.2]})
    problems = _problems(raw)
    assert any("column 'cf' line 3: 1.5 is above the allowed 1" in p for p in problems), problems


def test_wrong_length(tmp_path):
    raw = _valid(tmp_path)
    write_series(tmp_path, {"demand": [10, 20, 30], "cf": [0.0]}, rows=8000)
    problems = _problems(raw)
    assert any("8000 rows, but a file without time stamps needs 8760" in p for p in problems), problems


def test_duplicate_yaml_keys_are_errors(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: a\nzones: {}\nname: b\n")
    with pytest.raises(ScenarioError, match="line 3: duplicate key 'name'"):
        load_scenario(path)


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: a\nzones: [\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_extends_and_set_overrides(tmp_path):
    base = _valid(tmp_path)
    (tmp_path / "sub").mkdir()
    base["zones"]["z"]["demand"]["file"] = "series.csv"  # relative to the base file's folder
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "sub" / "variant.yaml").write_text("extends: ../base.yaml\nname: variant\nhorizon: {hours: 2}\n")
    scenario = load_scenario(tmp_path / "sub" / "variant.yaml", ["policy.co2_price_per_t=25", "plants.gt_z.max_new_mw=null"])
    assert scenario.name == "variant"
    assert scenario.horizon.hours == 2 and scenario.horizon.year == 2021  # merged key by key
    assert scenario.policy.co2_price_per_t == 25
    assert scenario.zones["z"].demand.file == tmp_path / "series.csv"
    assert load_inputs(scenario)["demand_mw"].values.tolist() == [[10, 20]]


def test_bad_override_syntax(tmp_path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(_valid(tmp_path)))
    with pytest.raises(ScenarioError, match="expected KEY.PATH=VALUE"):
        load_scenario(tmp_path / "s.yaml", ["horizon.hours"])


def test_example_scenarios_validate():
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        load_inputs(scenario.model_copy(update={}))  # every data file it names is readable


UNKNOWN = "unknown key (remove it or fix its spelling)"


@pytest.mark.parametrize(
    "key, expected",
    [
        # Close to a key of the same section: that key, even where the section is a list item or one kind of a union.
        ("pathway.periods.2030.yeers", "unknown key — did you mean 'years'? (remove it or fix its spelling)"),
        ("pathway.periods.2030.technologies.gt.capex_per_mv", "unknown key — did you mean 'capex_per_mw'? (remove it or fix its spelling)"),
        ("technologies.gt.heat_rat", "unknown key — did you mean 'heat_rate_mmbtu_per_mwh'? (remove it or fix its spelling)"),
        ("stress.events.0.duraton_hours", "unknown key — did you mean 'duration_hours'? (remove it or fix its spelling)"),
        ("zones.z.demand.colum", "unknown key — did you mean 'column'? (remove it or fix its spelling)"),
        ("horizon.start_huor", "unknown key — did you mean 'start_hour'? (remove it or fix its spelling)"),
        # Close to nothing there: no hint — not a key from elsewhere in the schema ('hours' of horizon, a technology's
        # 'heat_rate_mmbtu_per_mwh', a time series' 'column').
        ("pathway.periods.2030.bogus", UNKNOWN),
        ("plants.gt_z.heat_rate", UNKNOWN),
        ("plants.gt_z.colum", UNKNOWN),
    ],
)
def test_an_unknown_key_is_offered_only_the_keys_of_its_own_section(tmp_path, key, expected):
    raw = _valid(tmp_path)
    raw["pathway"] = {"periods": {2030: {"years": 5, "technologies": {"gt": {"capex_per_mw": 1.0}}}}}
    raw["stress"] = {"events": [{"kind": "outage", "plants": ["gt_z"], "start_hour": 0, "duration_hours": 1}]}
    *parents, last = key.split(".")
    node = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[int(part) if part.isdigit() and part not in node else part]
    node[last] = 1
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    shown = key.replace(".0.", "[0].")
    assert [p for p in info.value.problems if p.startswith(f"{shown}:")] == [f"{shown}: {expected}"], info.value.problems
