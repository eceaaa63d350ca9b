"""Documents the seeds write out, which more than one test expects (transcribed, not computed)."""

from __future__ import annotations

SEED_003_WEIGHTED_ROUTING = {
    "type": "forward",
    "forwardConfig": {
        "targetGroups": [
            {"serviceName": "ng", "servicePort": 80, "weight": 50},
            {"serviceName": "ng-canary", "servicePort": 80, "weight": 50},
        ],
        "targetGroupStickinessConfig": {"enabled": False},
    },
}
"""Seed 003's `alb.ingress.kubernetes.io/actions.weighted-routing` (the traffic-split Ingress), parsed."""
