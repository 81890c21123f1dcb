"""Version of the stalker package (stored in every entity row)."""

__version__ = "0.3.0"
