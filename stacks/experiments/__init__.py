"""Experiments as data: the vocabulary a scenario declares its experiments in (`model`: Experiment,
Expectation, the judge; `predicates`: the checks; `loops`: the seeds' HTTP check loops), beside the
config models, so a scenario module needs nothing from a higher layer. `testbed run` and `testbed lab`
execute them."""
