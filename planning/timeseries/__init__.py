"""Time-series aggregation: representative periods (tsam) and their weights."""
