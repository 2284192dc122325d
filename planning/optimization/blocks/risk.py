"""Risk aversion over futures: the objective of a two-stage stochastic plan with a CVaR term.

This block works on the extensive form (:mod:`planning.workflows.stochastic`), not on one
future's context: it takes each future's total cost and builds the objective.

Sets and data
-------------
F: futures; p_f: probability (Σ_f p_f = 1); cost_f: total cost of future f (currency/year) =
shared investment and fixed O&M + operating cost of f; α ∈ [0, 1): CVaR level; λ ∈ [0, 1]: CVaR
weight.

Variables
---------
future_cost[f] (free, currency/year), defined by  future_cost[f] = cost_f  (row ``future_cost_definition``);
with λ > 0: η (free, currency/year, the value at risk at optimum), s_f ≥ 0 (currency/year).

Constraints
-----------
s_f ≥ future_cost[f] − η                                  (excess of future f over η)

Objective (currency/year)
-------------------------
min (1 − λ) · Σ_f p_f · future_cost[f] + λ · CVaR,   CVaR = η + 1/(1 − α) · Σ_f p_f · s_f

(Rockafellar & Uryasev 2000; the form PyPSA and GenX use.) With λ = 0 no η or s is built and the
objective is the expected cost. At an optimum CVaR_α is the expected cost of the worst (1 − α)
share of probability (α = 0: the expected cost; α → 1: the worst future's cost).

The dual of ``future_cost_definition[f]`` is q_f = ∂objective/∂cost_f, the future's risk-adjusted
probability (q_f = p_f when λ = 0; Σ_f q_f = 1): a future's prices are its balance duals / (w_t · q_f).
"""

from __future__ import annotations

import pyomo.environ as pyo


def add(model: pyo.ConcreteModel, cost_by_future: dict[str, object], probability: dict[str, float],
        alpha: float, weight: float) -> None:
    """Add ``future_cost``, the CVaR variables (when ``weight`` > 0) and the objective ``expected_cost`` to ``model``."""
    futures = list(cost_by_future)
    model.FUTURES = pyo.Set(initialize=futures, ordered=True)
    model.future_cost = pyo.Var(model.FUTURES)
    model.future_cost_definition = pyo.Constraint(model.FUTURES, rule=lambda m, f: m.future_cost[f] - cost_by_future[f] == 0)
    model.expected_cost = pyo.Expression(expr=pyo.quicksum(probability[f] * model.future_cost[f] for f in futures))
    if weight > 0:
        model.cvar_eta = pyo.Var()
        model.cvar_excess = pyo.Var(model.FUTURES, bounds=(0.0, None))
        model.cvar_excess_definition = pyo.Constraint(
            model.FUTURES, rule=lambda m, f: m.cvar_excess[f] >= m.future_cost[f] - m.cvar_eta)
        model.cvar = pyo.Expression(expr=model.cvar_eta + pyo.quicksum(probability[f] * model.cvar_excess[f] for f in futures) / (1.0 - alpha))
        objective = (1.0 - weight) * model.expected_cost + weight * model.cvar
    else:
        objective = model.expected_cost
    model.objective = pyo.Objective(expr=objective, sense=pyo.minimize)


def cvar_of(costs: dict[str, float], probability: dict[str, float], alpha: float) -> float:
    """CVaR_α of a discrete cost distribution, computed directly (no LP): the expected cost of the worst
    (1 − α) share of probability, the last future counted in part. Used to report CVaR and to test the LP form."""
    tail = 1.0 - alpha
    remaining, total = tail, 0.0
    for name in sorted(costs, key=lambda f: -costs[f]):
        share = min(probability[name], remaining)
        total += share * costs[name]
        remaining -= share
        if remaining <= 1e-15:
            break
    return total / tail
