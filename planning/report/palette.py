"""One technology order, one set of colours and labels for every figure and table of the report.

Every panel that shows technologies (capacity mix, dispatch, sweep comparison, capacity table) takes
its order from :func:`ordered` and its colours from :func:`colour`, so a technology looks the same
everywhere and in every run — the colour depends on the technology's name only (never on which
other technologies a run has, never on Python's per-process string hash).

Colour of a technology, in this order:

1. its own entry in :data:`COLOURS` (close to the conventions of PyPSA/ENTSO-E charts);
2. the colour of its family, recognised by a word in its name (``gas_cc`` → CCGT, ``Wind`` → wind,
   ``hydro_pumpedstorage`` → pumped hydro, see :data:`FAMILIES`), shifted towards white or black by an
   amount fixed by the name (CRC-32), so two members of a family stay apart;
3. otherwise a colour of matplotlib's ``tab20`` chosen by the name's CRC-32.

Order (:data:`ORDER`): baseload first, variable renewables, then the thermal plants that follow net
load, imports, storage; others after them in alphabetical order. The dispatch stack is drawn in
this order from the bottom, capacity bars and tables list it from the top.
"""

from __future__ import annotations

import zlib

from matplotlib import colormaps
from matplotlib.colors import to_hex, to_rgb

#: Colours by technology (and by dispatch term: storage, imports between zones, unserved energy).
COLOURS = {
    "nuclear": "#8c3fa8", "geothermal": "#b5563c", "hydro": "#2a6fb0", "biomass": "#7a9c3c",
    "onshore_wind": "#3aa3d8", "offshore_wind": "#1f5f8b", "wind": "#3aa3d8",
    "utility_pv": "#f5d327", "solar": "#f5d327", "pv": "#f5d327", "rooftop_pv": "#f8e27a",
    "coal": "#3b3b3b", "lignite": "#6b4f3a", "ccgt": "#a85522", "gas": "#a85522", "ocgt": "#e0986c",
    "oil": "#7f6000", "imports": "#e377c2",
    "battery": "#3fae6a", "pumped_storage": "#1d7f8c", "pumped_hydro": "#1d7f8c",
    "storage_discharge": "#3fae6a", "storage_charge": "#3fae6a", "net_import": "#9aa5b1", "unserved": "#d62728",
}
#: Family of a technology not in COLOURS, by a word in its (lower-case) name: first match wins.
FAMILIES = (
    ("pump", "pumped_storage"), ("nuclear", "nuclear"), ("geotherm", "geothermal"), ("offshore", "offshore_wind"),
    ("wind", "wind"), ("rooftop", "rooftop_pv"), ("solar", "solar"), ("pv", "solar"), ("hydro", "hydro"),
    ("bio", "biomass"), ("waste", "biomass"), ("coal", "coal"), ("lignite", "lignite"), ("ocgt", "ocgt"),
    ("oil", "oil"), ("diesel", "oil"), ("gas_sc", "ocgt"), ("_ct", "ocgt"), ("peak", "ocgt"), ("ccgt", "ccgt"),
    ("gas_cc", "ccgt"), ("gas", "gas"), ("import", "imports"), ("batter", "battery"), ("storage", "battery"),
)
LABELS = {
    "ccgt": "CCGT", "ocgt": "OCGT", "utility_pv": "Utility PV", "rooftop_pv": "Rooftop PV", "onshore_wind": "Onshore wind",
    "offshore_wind": "Offshore wind", "pv": "PV", "storage_discharge": "Storage discharge",
    "storage_charge": "Storage charge", "net_import": "Net import", "unserved": "Unserved",
}
#: Technologies in report order (bottom of the dispatch stack first); variable renewables sit on the
#: baseload, so the thermal plants above them are seen following net load.
ORDER = ["nuclear", "geothermal", "hydro", "biomass", "onshore_wind", "offshore_wind", "wind", "utility_pv", "rooftop_pv",
         "solar", "pv", "coal", "lignite", "ccgt", "gas", "ocgt", "oil", "imports", "pumped_storage", "pumped_hydro", "battery"]


def label(name: str) -> str:
    """A technology's display name (``utility_pv`` → ``Utility PV``, others capitalised)."""
    name = str(name)
    return LABELS.get(name, name.replace("_", " ").capitalize())


def family(name: str) -> str | None:
    """The key of :data:`COLOURS` a technology belongs to (itself when listed), None when unknown."""
    name = str(name)
    if name in COLOURS:
        return name
    lower = name.lower()
    if lower in COLOURS:
        return lower
    return next((key for word, key in FAMILIES if word in lower), None)


def _checksum(name: str) -> int:
    return zlib.crc32(str(name).encode("utf-8"))


def colour(name: str) -> str:
    """The colour of a technology or dispatch term (hex), the same in every figure and run."""
    name = str(name)
    if name in COLOURS:
        return COLOURS[name]
    key = family(name)
    if key is not None:   # a family member: the family's colour, lighter or darker by an amount fixed by the name
        base = to_rgb(COLOURS[key])
        shift = ((_checksum(name) % 7) - 3) * 0.11    # −0.33 … +0.33, never 0 for a member of its own name
        shift = shift or 0.22
        target = (1.0, 1.0, 1.0) if shift > 0 else (0.0, 0.0, 0.0)
        return to_hex(tuple(c + abs(shift) * (t - c) for c, t in zip(base, target)))
    palette = colormaps["tab20"].colors
    return to_hex(palette[_checksum(name) % len(palette)])


def rank(name: str) -> tuple[int, int, str]:
    """Sort key of a technology in report order: listed technologies first, then family members next to
    their family, then the rest alphabetically."""
    name = str(name)
    if name in ORDER:
        return (0, ORDER.index(name), "")
    key = family(name)
    if key in ORDER:
        return (0, ORDER.index(key), name.lower())
    return (1, 0, name.lower())


def ordered(names) -> list[str]:
    """Distinct technologies in report order (see :data:`ORDER`)."""
    return sorted(dict.fromkeys(str(n) for n in names), key=rank)


__all__ = ["COLOURS", "LABELS", "ORDER", "colour", "family", "label", "ordered", "rank"]
