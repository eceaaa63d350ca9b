"""Scenarios: one stack config and one module per experiment, and the registry between them.

A scenario module defines `Config` (a StackModel) and `build(config)`. Modules are imported
only when their scenario runs, so an AWS stack never imports the Azure SDK and the reverse.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from stacks.config import SCENARIO_KEY, ConfigError, load_config

SCENARIOS: Mapping[str, str] = {
    "alb-canary": "stacks.alb_canary",
    "alb-graceful": "stacks.alb_graceful",
    "alb-ingress": "stacks.alb_ingress",
    "ingress-nginx-vs-alb": "stacks.ingress_nginx_vs_alb",
    "nlb-ip": "stacks.nlb_ip",
    "eks-base": "stacks.eks_base",
    "cni-maxpods": "stacks.cni_maxpods",
    "aks-tcp": "stacks.aks_tcp",
    "alb-keepalive": "stacks.alb_keepalive",
    "nlb-keepalive": "stacks.nlb_keepalive",
}
"""Scenario name -> module that builds it."""


def scenario_module(name: str) -> ModuleType:
    """The module of scenario `name`; ConfigError naming the known ones otherwise."""
    if name not in SCENARIOS:
        raise ConfigError([f"{SCENARIO_KEY}: {name!r} is not a known scenario; known: {', '.join(sorted(SCENARIOS))}"])
    return importlib.import_module(SCENARIOS[name])


def build_scenario(raw_config: Mapping[str, str], stack: str) -> None:
    """Validate the stack's config and build its scenario (`testbed:scenario`, default: the stack name)."""
    module = scenario_module(raw_config.get(SCENARIO_KEY) or stack)
    module.build(load_config(module.Config, raw_config, stack=stack))


__all__ = ["SCENARIOS", "ConfigError", "build_scenario", "scenario_module"]
