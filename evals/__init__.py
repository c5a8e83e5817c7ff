"""Evaluation sets, the harness and benchmarks."""
