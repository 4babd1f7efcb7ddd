"""RBM tracker: results-based management for technical-assistance programmes."""

__version__ = "0.1.0"
