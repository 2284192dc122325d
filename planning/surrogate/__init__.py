"""Learned data-center load: estimators (scikit-learn API), JSON surrogate cards, fitting, and
Pyomo formulations that embed a card's curve (see DESIGN.md §4)."""

from planning.surrogate.card import SurrogateCard, card_to_estimator, load_card, predict, save_card
from planning.surrogate.fit import fit_surrogate
from planning.surrogate.formulations import (
    SurrogateFormulationError,
    add_concave_pwl_cuts,
    add_pwl_incremental_binary,
    curve_breakpoints,
)

__all__ = ["SurrogateCard", "load_card", "save_card", "card_to_estimator", "predict", "fit_surrogate",
           "add_concave_pwl_cuts", "add_pwl_incremental_binary", "curve_breakpoints", "SurrogateFormulationError"]
