"""Benchmarks: the engines timed against the per-row oracles in ``tests/oracles/``."""
