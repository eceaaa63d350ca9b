"""Kubernetes label and taint syntax, for components of any cloud: plain data, no Pulumi.

The rules are Kubernetes' own (apimachinery validation). Cloud components import this module
rather than each other, so an Azure program never imports AWS code and the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Optional DNS-subdomain prefix, then a name of at most 63 characters.
_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
TAINT_EFFECTS: tuple[str, ...] = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def label_problem(key: str, value: str) -> str | None:
    """Why key=value is not a valid Kubernetes label, or None."""
    prefix, _, name = key.rpartition("/")
    if not _LABEL_NAME.match(name) or (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))):
        return f"label key {key!r} is not a valid Kubernetes label key"
    if value and not _LABEL_NAME.match(value):
        return f"label value {value!r} of {key!r} is not a valid Kubernetes label value"
    return None


def parse_taint(taint: str) -> tuple[str, str, str]:
    """'key=value:Effect' (or 'key:Effect') -> (key, value, effect); ValueError when malformed."""
    body, sep, effect = taint.rpartition(":")
    if not sep or not body:
        raise ValueError(f"taint {taint!r} is not 'key=value:Effect'")
    key, _, value = body.partition("=")
    return key, value, effect


def taint_problem(taint: str) -> str | None:
    """Why `taint` ('key=value:Effect', as AKS and kubectl write them) is not a valid taint, or None."""
    try:
        key, value, effect = parse_taint(taint)
    except ValueError as err:
        return str(err)
    if effect not in TAINT_EFFECTS:
        return f"taint {taint!r}: effect {effect!r} is not one of {', '.join(TAINT_EFFECTS)}"
    if problem := label_problem(key, value):
        return f"taint {taint!r}: {problem.replace('label', 'taint')}"
    return None


def tolerations_for(taints: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    """Kubernetes tolerations that let a pod onto nodes with `taints` ('key=value:Effect')."""
    tolerations = []
    for taint in taints:
        key, value, effect = parse_taint(taint)
        tolerations.append({"key": key, "operator": "Equal", "value": value, "effect": effect})
    return tolerations


def matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether a node with `labels` satisfies the nodeSelector `selector`."""
    return all(labels.get(key) == value for key, value in selector.items())
