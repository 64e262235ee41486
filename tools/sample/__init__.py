"""Deterministic generator of the sample records tree (see tools/gen_sample.py)."""
