"""One summary per resource type: the few lines of settings the tree prints under each resource.

One module per provider package (aws, azure, kubernetes), each with `SUMMARIES` (type token ->
summary), as in `testbed/fakes/`. A type without a summary prints no settings (a Kubernetes object
prints its namespace and annotations).
"""

from __future__ import annotations

from testbed.plan.summaries import aws, azure, kubernetes
from testbed.plan.summaries.common import Summary

SUMMARIES: dict[str, Summary] = {**aws.SUMMARIES, **azure.SUMMARIES, **kubernetes.SUMMARIES}
