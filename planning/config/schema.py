"""The scenario format as JSON Schema for editors (``planning schema``).

An editor (VS Code's YAML extension, JetBrains) validates each YAML file on its own, before
``extends:`` is merged (:mod:`planning.config.load`). So the exported schema is the pydantic schema of
:class:`~planning.config.scenario.Scenario` with two additions:

* an ``extends`` key: the base scenario file, relative to this one;
* a file with ``extends:`` (a variant: only the keys it changes) or without ``name:`` (a base that others
  extend, e.g. ``scenarios/base/``) is a *fragment*: it is checked against a copy of the schema without
  any ``required`` list or least number of entries (the root schema, definitions prefixed ``Partial``).
  A file with ``name:`` and no ``extends:`` is a full scenario: the ``then`` branch adds the strict
  schema, so it must have every required key at every level.
  Unknown keys stay errors in both branches (``additionalProperties: false`` is kept).

What the schema cannot say (references between sections, file contents, the merged result) is checked
by ``planning validate``.
"""

from __future__ import annotations

import copy
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXTENDS = {"type": "string", "description": "Base scenario file (path relative to this file) whose keys this file overrides: "
           "mappings are merged key by key, other values replaced."}


def _without_required(node: Any) -> Any:
    """A deep copy of ``node`` with every ``required`` list (and ``minProperties``) removed and ``#/$defs/X`` refs renamed ``#/$defs/PartialX``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if (key == "required" and isinstance(value, list)) or key == "minProperties":
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = "#/$defs/Partial" + value.removeprefix("#/$defs/")
                continue
            out[key] = _without_required(value)
        return out
    if isinstance(node, list):
        return [_without_required(item) for item in node]
    return node


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, full or variant (``extends:``)."""
    from planning.config.scenario import Scenario

    strict = Scenario.model_json_schema()
    definitions = strict.pop("$defs", {})
    strict["properties"]["extends"] = EXTENDS
    title, description = strict.pop("title", "Scenario"), strict.pop("description", "")
    partial = _without_required(strict)
    return {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        **partial,  # every file: the keys, their types and no unknown keys (root properties: editors complete from them)
        "$defs": {**definitions, **{f"Partial{name}": _without_required(body) for name, body in definitions.items()}},
        # A full scenario names itself and extends nothing: it must also have every required key, at every level.
        "if": {"required": ["name"], "not": {"required": ["extends"]}},
        "then": strict,
    }
