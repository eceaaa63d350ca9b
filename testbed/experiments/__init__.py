"""Experiments as data, and what runs them: the judge, `run` (a deployed stack), `lab` (this machine), the report."""
