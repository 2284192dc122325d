"""Scenario schema (pydantic v2, one module per YAML section) and loader."""

from planning.config.load import load_scenario, validate_scenario
from planning.config.scenario import Scenario

__all__ = ["Scenario", "load_scenario", "validate_scenario"]
