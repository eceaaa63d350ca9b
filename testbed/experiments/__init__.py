"""Experiments as data: what each scenario runs, what it expects, and the judge (`model`, `predicates`).

Pure Python with no Pulumi or cloud imports, so the stacks export their experiments from the
same objects that `python -m testbed run` and `python -m testbed lab` execute and judge.
"""
