"""Workflows built on the pipeline: run, (later) signal-response loop, stress, sweeps."""
