"""Tooling apart from the app: the demo community and the benchmark data."""
