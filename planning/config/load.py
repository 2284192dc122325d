"""Read a scenario: YAML → ``extends:`` chain → ``--set`` overrides → validated :class:`Scenario`.

Deriving a variant
------------------
A scenario may start with ``extends: base.yaml`` (a path relative to the file). The base is
loaded first (recursively) and the file's own keys are merged over it: mappings merge key by
key, every other value (numbers, strings, lists) replaces the base's. On the command line,
``--set horizon.hours=24 --set policy.co2_price_per_t=50`` overrides single keys after that
(values are parsed as YAML, so ``--set plants.wind.max_new_mw=null`` clears a limit).

Paths
-----
Values of keys named ``file`` or ending in ``_file`` are resolved relative to the YAML file that
wrote them (relative to the working directory for ``--set``), so a base scenario's data paths
stay right when a variant in another folder extends it.

Errors
------
All problems are collected and raised together as :class:`~planning.errors.ScenarioError`, each
naming its YAML key path, e.g. ``technologies.ccgt.capex_per_mw: Input should be greater than or
equal to 0``; an unknown key gets a "did you mean" hint from the keys allowed where it stands (its section's
model, e.g. a period's keys under ``pathway.periods.<Y>``), none when none of them is close.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from planning.config.scenario import Scenario, cross_reference_problems
from planning.errors import ScenarioError, did_you_mean

_TECHNOLOGY_KINDS = ("thermal", "variable", "storage")


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path
        The scenario YAML.
    overrides
        ``key.path=value`` strings applied after ``extends:`` merging.

    Raises
    ------
    ScenarioError
        With every problem found, each naming its key path.
    """
    raw = load_raw(Path(path))
    raw = apply_overrides(raw, overrides)
    return validate_scenario(raw, source=str(path))


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The merged mapping of ``path`` and its ``extends:`` chain, paths made absolute."""
    path = path.expanduser().resolve()
    if path in _chain:
        raise ScenarioError([f"extends: circular chain {' -> '.join(str(p) for p in (*_chain, path))}"], title="invalid scenario")
    if not path.is_file():
        where = f" (extends: in {_chain[-1]})" if _chain else ""
        raise ScenarioError([f"{path}: scenario file not found{where}; check the path"], title="invalid scenario")
    try:
        data, duplicates = _load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ScenarioError([(f"{path}: not UTF-8 text (byte {error.start}: {error.object[error.start:error.start + 1]!r}); "
                              "save the file as UTF-8")], title="invalid scenario") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError([f"{path}:{where}: not valid YAML ({getattr(error, 'problem', error)})"], title="invalid scenario") from None
    if duplicates:
        raise ScenarioError([f"{path}: line {line}: duplicate key '{key}' (a later entry would silently replace the earlier one); rename or merge them" for key, line in duplicates], title="invalid scenario")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([f"{path}: the top level must be a mapping of sections (name:, zones:, ...)"], title="invalid scenario")
    data = _absolute_paths(data, path.parent)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ScenarioError([f"{path}: extends: must be one file path"], title="invalid scenario")
    base = load_raw(Path(base_name) if Path(base_name).is_absolute() else path.parent / base_name, (*_chain, path))
    return deep_merge(base, data)


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that records duplicate mapping keys instead of overwriting silently."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DuplicateKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _DuplicateKeyLoader.construct_mapping)


def _load_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    loader = _DuplicateKeyLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` merged over ``base``: mappings key by key, anything else replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_overrides(raw: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides (value parsed as YAML)."""
    raw = copy.deepcopy(raw)
    problems = []
    for item in overrides:
        key_path, sep, text = item.partition("=")
        if not sep or not key_path.strip():
            problems.append(f"--set {item!r}: expected KEY.PATH=VALUE, e.g. --set horizon.hours=24")
            continue
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        keys = key_path.strip().split(".")
        if keys[-1] == "file" or keys[-1].endswith("_file"):
            value = str(Path(value).expanduser().resolve()) if value else value
        node = raw
        for depth, key in enumerate(keys[:-1]):
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                problems.append(f"--set {key_path}: '{'.'.join(keys[: depth + 1])}' is not a mapping")
                break
            node = child
        else:
            node[keys[-1]] = value
    if problems:
        raise ScenarioError(problems, title="invalid overrides")
    return raw


def validate_scenario(raw: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a merged mapping; report non-finite numbers, field errors and cross-reference errors together."""
    problems = non_finite_problems(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        keyed = {p.split(":", 1)[0] for p in problems}
        problems += [p for p in _format_errors(error, raw) if p.split(":", 1)[0] not in keyed]
        cross = cross_reference_problems(raw)
        problems += [p for p in cross if p not in problems]
    else:
        if not problems:
            return scenario
    raise ScenarioError(problems, title=f"invalid scenario {source}")


_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def non_finite_problems(raw: dict[str, Any]) -> list[str]:
    """Every infinite or NaN number (``.inf``, ``.nan``, ``1e400``) in the mapping, by key path.

    YAML reads ``1e400`` as a string, which pydantic would turn into ``inf``: numeric strings count too.
    """
    return [f"{_key_path(path, raw)}: not a finite number (got {value!r}); write a finite value" for path, value in _non_finite(raw)]


def _non_finite(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(node, dict):
        return [found for key, value in node.items() for found in _non_finite(value, (*path, key))]
    if isinstance(node, list):
        return [found for index, value in enumerate(node) for found in _non_finite(value, (*path, index))]
    number = node if isinstance(node, float) else float(node) if isinstance(node, str) and _NUMBER.match(node) else None
    return [(path, node)] if number is not None and not math.isfinite(number) else []


def _absolute_paths(node: Any, base_dir: Path) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if isinstance(key, str) and (key == "file" or key.endswith("_file")) and isinstance(value, str):
                candidate = Path(value).expanduser()
                out[key] = str(candidate if candidate.is_absolute() else (base_dir / candidate).resolve())
            else:
                out[key] = _absolute_paths(value, base_dir)
        return out
    if isinstance(node, list):
        return [_absolute_paths(item, base_dir) for item in node]
    return node


def _key_path(loc: tuple, raw: Any = None) -> str:
    """The YAML key path of a location in ``raw``: mapping keys joined by dots (``pathway.periods.2030.years``, a key
    that is a number too), list items by index (``stress.events[0].start_hour``), without the tags pydantic adds for a
    union chosen by ``kind:``. Without ``raw`` (or past its end), an integer is taken for a list index."""
    parts = list(loc)
    # A discriminated union puts the tag in the location: technologies.ccgt.thermal.capex_per_mw.
    if len(parts) > 2 and parts[0] == "technologies" and parts[2] in _TECHNOLOGY_KINDS:
        del parts[2]
    text, node = "", raw
    for part in parts:
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue   # the tag of a discriminated union (stress.events[0].outage.start_hour), not a key of the YAML
        if isinstance(node, list) or (not isinstance(node, dict) and isinstance(part, int)):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        node = _child(node, part)
    return text or "(top level)"


def _child(node: Any, part: Any) -> Any:
    """``node[part]`` of a mapping or list, or None where there is none."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
        return node[part]
    return None


def _section_keys(loc: tuple) -> list[str]:
    """The keys allowed where the unknown key ``loc[-1]`` stands: the fields of the model(s) that pydantic validated its
    mapping against, found by following ``loc`` from :class:`Scenario` (empty if the walk finds no model there)."""
    annotations: list[Any] = [Scenario]
    for part in loc[:-1]:
        leaves = [leaf for annotation in annotations for leaf in _leaves(annotation)]
        inner = []
        for leaf in leaves:
            origin, arguments = get_origin(leaf), get_args(leaf)
            if _is_model(leaf):
                if isinstance(part, str) and part in leaf.model_fields:
                    inner.append(leaf.model_fields[part].annotation)
            elif origin in (dict, Mapping, MutableMapping) and len(arguments) == 2:
                inner.append(arguments[1])                                 # part is a mapping's key (a name, a year)
            elif origin in (list, tuple, set, frozenset, Sequence) and arguments and isinstance(part, int):
                inner.append(arguments[0])                                 # part is a list item's index
        if not inner:
            # A union's branch: pydantic names it by its tag (a technology's 'thermal') or its model's name.
            models = [leaf for leaf in leaves if _is_model(leaf)]
            named = [leaf for leaf in models if part == leaf.__name__ or any(
                get_origin(field.annotation) is Literal and get_args(field.annotation) == (part,) for field in leaf.model_fields.values())]
            inner = named or models
        annotations = inner
    return sorted({name for annotation in annotations for leaf in _leaves(annotation) if _is_model(leaf) for name in leaf.model_fields})


def _leaves(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, without ``Annotated``, ``Optional`` or a union around them."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return [leaf for argument in get_args(annotation) for leaf in _leaves(argument)]
    return [] if annotation is type(None) else [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _format_errors(error: ValidationError, raw: dict[str, Any] | None = None) -> list[str]:
    """One problem per pydantic error, keyed by its YAML key path in ``raw`` (the validated mapping)."""
    problems = []
    for item in error.errors(include_url=False):
        path = _key_path(item["loc"], raw)
        kind = item["type"]
        if kind == "extra_forbidden":   # a hint from the keys of the key's own section only, none if nothing there is close
            key = str(item["loc"][-1])
            problems.append(f"{path}: unknown key{did_you_mean(key, _section_keys(item['loc']))} (remove it or fix its spelling)")
        elif kind == "missing":
            problems.append(f"{path}: required key is missing")
        elif kind == "union_tag_invalid":
            problems.append(f"{path}.kind: must be one of {', '.join(_TECHNOLOGY_KINDS)}; got {item['input'].get('kind')!r}" if isinstance(item.get("input"), dict) else f"{path}: {item['msg']}")
        elif kind == "union_tag_not_found":
            problems.append(f"{path}.kind: required key is missing (one of {', '.join(_TECHNOLOGY_KINDS)})")
        elif kind == "value_error" and not item["loc"]:
            # Cross-section checks raised by Scenario._references: one problem per line, already keyed.
            problems += str(item["ctx"]["error"]).split("\n")
        else:
            message = item["msg"].removeprefix("Value error, ")
            shown = item.get("input")
            got = f" (got {shown!r})" if shown is not None and not isinstance(shown, (dict, list)) else ""
            problems.append(f"{path}: {message}{got}{_yaml_boolean_hint(kind, shown)}")
    return problems


def _yaml_boolean_hint(kind: str, shown) -> str:
    """YAML 1.1 reads unquoted off/on/yes/no as booleans: ``mode: off`` arrives as False, not 'off'."""
    if kind == "literal_error" and isinstance(shown, bool):
        return " — YAML reads unquoted off/on/yes/no as true/false: quote the word, e.g. 'off' (--set key=\"'off'\")"
    return ""
