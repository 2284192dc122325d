"""The exported JSON Schema (`planning schema`) accepts every shipped scenario as an editor sees it.

An editor validates each YAML file on its own, before ``extends:`` is merged: a variant such as
``isone_week.yaml`` holds only the keys it changes (no ``zones:``, ``plants:`` …), so the schema must
accept ``extends:`` and, in a file that has it, keys without their required siblings — while a typo
is still an error in either kind of file.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml

from planning.config.schema import scenario_json_schema
from tests.conftest import REPO

SCENARIOS = sorted(p for p in (REPO / "scenarios").rglob("*.yaml") if "sweeps" not in p.parts)


@pytest.fixture(scope="module")
def validator():
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_file_is_valid_on_its_own(validator, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator.iter_errors(data)] == []


def test_a_fragment_needs_no_required_keys_but_a_full_scenario_does(validator):
    assert list(validator.iter_errors({"extends": "base.yaml", "name": "v", "plants": {"p": {"existing_mw": 5}}})) == []
    assert list(validator.iter_errors({"fuels": {"gas": {"price_per_mmbtu": 3}}})) == []  # a base file
    missing = {error.message for error in validator.iter_errors({"name": "full", "plants": {"p": {"existing_mw": 5}}})}
    assert "'zones' is a required property" in missing and "'zone' is a required property" in missing


@pytest.mark.parametrize("extends", [False, True])
def test_a_misspelt_key_is_an_error_in_either_kind_of_file(validator, extends):
    data = copy.deepcopy(yaml.safe_load((REPO / "scenarios" / "isone_2030.yaml").read_text(encoding="utf-8")))
    if not extends:
        data.pop("extends")
        data.update({"technologies": {}})  # a full scenario stands alone
    data["policy"]["co2_price_per_tonne"] = 50
    messages = [error.message for error in validator.iter_errors(data)]
    assert any("co2_price_per_tonne" in m for m in messages), messages
