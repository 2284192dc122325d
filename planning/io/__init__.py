"""Readers (inputs, telemetry) and writers (results)."""
