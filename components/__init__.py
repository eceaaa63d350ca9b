"""Reusable Pulumi ComponentResources for load-balancer test beds.

Import the cloud you need: ``from components.aws import Network`` or
``from components.azure import ...``. The two never import each other, so an AWS
program does not pay for (or depend on) the Azure SDK, and the reverse.
"""
