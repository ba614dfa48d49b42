"""Per-row oracles: plain Python loops over orders implementing the same rules as the engines,
written apart from them. The property tests compare the engines' rows with these; the benchmarks
(``benchmarks/bench_*.py``) time the engines against them."""
