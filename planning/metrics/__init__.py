"""Metrics computed from solved results (summary, carbon, adequacy)."""
