"""One module per constraint family. Each has ``add(ctx)`` (variables, constraints, and its terms
in the shared balance/cost lists) and ``results(ctx)`` (its solved values as DataArrays)."""
