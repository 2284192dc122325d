"""Learned data-center load: estimators (scikit-learn API), JSON surrogate cards, fitting, and
Pyomo formulations that embed a card's curve (see DESIGN.md §4).

The names below are imported on first use (PEP 562), so ``import planning.surrogate.card`` does not pull in
Pyomo, and the command line starts without scikit-learn.
"""

from importlib import import_module

_HOMES = {
    "SurrogateCard": "card", "load_card": "card", "save_card": "card", "card_to_estimator": "card", "predict": "card",
    "fit_surrogate": "fit",
    "add_concave_pwl_cuts": "formulations", "add_pwl_incremental_binary": "formulations",
    "curve_breakpoints": "formulations", "SurrogateFormulationError": "formulations",
}

__all__ = list(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"planning.surrogate.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'planning.surrogate' has no attribute {name!r}")
