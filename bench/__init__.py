"""Quire's benchmarks: `python -m bench` runs them and prints tables (see bench/README.md)."""
