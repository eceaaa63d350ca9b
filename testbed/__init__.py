"""The operator's command line: `python -m testbed plan <scenario>` and friends."""
