"""Benchmarks and the per-row reference they measure against."""
