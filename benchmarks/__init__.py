"""Benchmarks: figures printed against a baseline run in the same process, never asserted."""
