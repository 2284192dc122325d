"""planning: capacity expansion + unit commitment with learned, flexible AI data-center load."""

__version__ = "0.1.0"
