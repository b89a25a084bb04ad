"""Benchmarks: every speed figure in the README comes from a script here. Run `make bench`."""
