"""Oversight of a strategy: its review cycle, evaluations and their recommendations, risks and
assumptions per objective, and the body responsible for each axis (see docs/how-to/strategy-evaluation.md)."""
