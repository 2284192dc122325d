"""One number format for the terminal and the HTML report (standard library only: ``planning --help`` stays fast).

Convention (issue 13):

* digits are grouped by threes with a plain space: ``58 400``; values of 1 000 or more are shown as whole numbers,
  smaller ones with 4 significant digits, trailing zeros dropped (``182.5``, ``17.46``, ``0.25``);
* money (a unit starting with a three-letter currency code, ``USD2020/year``) of 1 million or more is shown in
  millions: ``6 465 M USD2020/year``; MW, MWh, t and other units are not scaled;
* a ``fraction`` is shown as a percentage with 2 significant digits: 0.0006346 → ``0.063 %``;
* anything smaller in magnitude than ``TINY`` (1e-6, the solver's tolerance and more) is ``0``: 6.4e-10 MW → ``0 MW``;
* metric names become readable labels: ``operating_cost`` → ``operating cost``, ``co2_t`` → ``CO2``.
"""

from __future__ import annotations

import math
import re

#: Magnitudes below this are solver noise and shown as 0.
TINY = 1e-6
_MONEY = re.compile(r"^[A-Z]{3}")
_SUFFIXES = ("_mwh", "_mw", "_t", "_h")
_WORDS = {"co2": "CO2", "mip": "MIP", "dc": "DC", "it": "IT", "om": "O&M", "mw": "MW", "mwh": "MWh", "g": "g",
          "kwh": "kWh", "per": "per"}


def format_number(value, digits: int = 4) -> str:
    """58400 → '58 400'; 182.5 → '182.5'; 17.4567 → '17.46'; 6.4e-10 → '0'; NaN/None → ''; True → 'yes'; text unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, str):
        return value
    if math.isnan(number):
        return ""
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    magnitude = abs(number)
    if magnitude < TINY:
        return "0"
    if magnitude >= 10 ** (digits - 1) or float(number).is_integer():
        return f"{number:,.0f}".replace(",", " ")
    decimals = max(0, digits - 1 - int(math.floor(math.log10(magnitude))))
    text = f"{number:,.{min(decimals, 6)}f}".replace(",", " ")
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_parts(value, unit: str | None = "") -> tuple[str, str]:
    """(number, unit) as shown: see the module docstring for the convention."""
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value), unit
    if isinstance(value, (str, bool)) or math.isnan(number):
        return format_number(value), unit
    if unit == "fraction":
        if abs(number) < TINY:
            return "0", "%"
        percent = number * 100
        decimals = max(0, 1 - int(math.floor(math.log10(abs(percent)))))
        return f"{percent:,.{min(decimals, 6)}f}".replace(",", " "), "%"
    if _MONEY.match(unit) and abs(number) >= 1e6:
        return format_number(number / 1e6), f"M {unit}"
    return format_number(number), unit


def row_scale(values, unit: str | None = "") -> tuple[float, str]:
    """(divisor, unit) for a row of values sharing one unit (a compare row, one metric across runs): money in millions
    when the largest is 1 million or more, a fraction in %; else (1, unit). E.g. [6.46454e9, 0], 'USD2020' → (1e6, 'M USD2020')."""
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    numbers = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not isinstance(value, (str, bool)) and not math.isnan(number):
            numbers.append(abs(number))
    if unit == "fraction":
        return 0.01, "%"
    if _MONEY.match(unit) and numbers and max(numbers) >= 1e6:
        return 1e6, f"M {unit}"
    return 1.0, unit


def format_value(value, unit: str | None = "") -> str:
    """6.46454e9, 'USD2020/year' → '6 465 M USD2020/year'; 6.4e-10, 'MW' → '0 MW'; 0.0006346, 'fraction' → '0.063 %'."""
    text, shown = value_parts(value, unit)
    return f"{text} {shown}".strip() if text else ""


def label(metric: str) -> str:
    """A readable label: 'operating_cost' → 'operating cost'; 'co2_t' → 'CO2'; 'unserved_energy_mwh' → 'unserved energy';
    'demand_weighted_price_per_mwh' → 'demand weighted price per MWh'; 'mip_gap' → 'MIP gap'; 'solve_s' → 'solve time'."""
    name = str(metric)
    if name.endswith("_s") and len(name) > 2:
        return " ".join(_WORDS.get(word, word) for word in name[:-2].split("_")) + " time"
    if not name.endswith("_per_mwh"):
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return " ".join(_WORDS.get(word, word) for word in name.split("_"))
