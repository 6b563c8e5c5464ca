"""Benchmarks: `bench/run` (table of ratios), `bench/fuzz`, bench/digest.py."""
