"""Check results.nc files with the CF checker from PyPI (``cfchecker``), offline.

    python benchmarks/cf_check.py RESULTS_DIR_OR_FILE [...]     # exit code 1 if any file has errors

Setup (not in the ``test`` extra: it needs a system library besides pip):
``pip install cfchecker`` (brings ``cfunits``) and the UDUNITS-2 library
(``apt-get install libudunits2-0`` on Debian/Ubuntu). ``tests/io/test_netcdf.py`` uses
:func:`check` and is skipped when cfchecker cannot be imported.

cfchecker downloads the CF standard-name, area-type and region-name tables from the web by
default. Nothing is downloaded here: :func:`check` hands it local tables that hold only what
results.nc uses — the standard name ``time`` (canonical units ``s``), no area types and no region
names. Every other rule of the conventions (units parsable by UDUNITS, coordinates, time
encoding, attribute types, dimensions, ...) is checked in full; a standard name other than
``time`` would be reported as unknown, which is an error here as it should be until it is added.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

STANDARD_NAMES = {"time": "s"}
"""The standard names results.nc uses, with their canonical units (CF standard-name table)."""


def _tables(folder: Path) -> tuple[Path, Path, Path]:
    entries = "".join(f'<entry id="{name}"><canonical_units>{units}</canonical_units></entry>' for name, units in STANDARD_NAMES.items())
    head = "<version_number>local</version_number><last_modified>results.nc subset</last_modified>"
    list_head = "<version_number>local</version_number><date>results.nc subset</date>"
    names = folder / "standard_names.xml"
    names.write_text(f"<?xml version='1.0'?><standard_name_table>{head}{entries}</standard_name_table>", encoding="utf-8")
    areas = folder / "area_types.xml"
    areas.write_text(f"<?xml version='1.0'?><standard_area_type_table>{list_head}</standard_area_type_table>", encoding="utf-8")
    regions = folder / "region_names.xml"
    regions.write_text(f"<?xml version='1.0'?><standard_region_table>{list_head}</standard_region_table>", encoding="utf-8")
    return names, areas, regions


def check(path: str | Path) -> dict[str, list[str]]:
    """Messages of the CF checker for one netCDF file, by category (FATAL, ERROR, WARN, INFO, VERSION)."""
    from cfchecker.cfchecks import CFChecker, CFVersion, FatalCheckerError

    with tempfile.TemporaryDirectory() as folder:
        names, areas, regions = _tables(Path(folder))
        checker = CFChecker(cfStandardNamesXML=str(names), cfAreaTypesXML=str(areas), cfRegionNamesXML=str(regions),
                            version=CFVersion(), silent=True, cacheDir=folder)
        try:
            checker.checker(str(path))
        except FatalCheckerError:
            pass
    results = checker.all_results[str(path)]
    messages: dict[str, list[str]] = {category: list(results["global"].get(category, [])) for category in checker.categories}
    for variable, found in results["variables"].items():
        for category, items in found.items():
            messages.setdefault(category, []).extend(f"{variable}: {item}" for item in items)
    return messages


def main(paths: list[str]) -> int:
    failed = 0
    for argument in paths:
        path = Path(argument)
        path = path / "results.nc" if path.is_dir() else path
        messages = check(path)
        errors = messages.get("FATAL", []) + messages.get("ERROR", [])
        print(f"{path}: {len(errors)} error(s), {len(messages.get('WARN', []))} warning(s)")
        for line in errors + [f"warning: {w}" for w in messages.get("WARN", [])]:
            print(f"  {line}")
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
