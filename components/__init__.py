"""Reusable Pulumi ComponentResources for load-balancer test beds.

Import the cloud you need: ``from components.aws import Network`` or
``from components.azure import ...``. The two never import each other, so an AWS
program does not pay for (or depend on) the Azure SDK, and the reverse.

Installed as a distribution (pyproject.toml, docs/components.md) this package is
``lb_testbed_components``: ``pip install 'lb-testbed-components[aws]'``, then
``from lb_testbed_components.aws import Network``. Its modules import each other only
relatively, so the one source tree works under both names.
"""
