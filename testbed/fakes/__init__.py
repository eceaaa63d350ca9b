"""Realistic outputs for resources and invokes under the mock engine.

Ids and ARNs have the shapes the clouds give them, derived from a hash of the resource's type
and name, so two plans of one stack are byte-identical. Values are invented: tests assert what
the program *sends* (inputs), never these.

One module per provider package (aws, azure, kubernetes, tls, …), each with `RESOURCES` (type token ->
handler) and `INVOKES` (invoke token -> handler). An unknown invoke is an error; an unknown
resource type echoes its inputs with a made-up id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from testbed.fakes import aws, azure, kubernetes, tls
from testbed.fakes.common import Context, digest

RESOURCES = {**aws.RESOURCES, **azure.RESOURCES, **kubernetes.RESOURCES, **tls.RESOURCES}
INVOKES = {**aws.INVOKES, **azure.INVOKES}


def resource_outputs(typ: str, name: str, inputs: dict[str, Any], config: Mapping[str, str]) -> tuple[str, dict]:
    """(id, outputs) for a registered resource."""
    context = Context(config)
    rid = digest(typ, name)
    handler = RESOURCES.get(typ)
    if handler is not None:
        return handler(context, name, inputs, rid)
    if typ.startswith("kubernetes:") and "metadata" in inputs:
        return kubernetes.kubernetes_object(context, name, inputs, rid)
    if typ.startswith("pulumi:providers:"):
        return rid, dict(inputs)
    return f"{name}-{rid[:8]}", dict(inputs)


def call_result(token: str, args: dict[str, Any], config: Mapping[str, str]) -> dict[str, Any]:
    """The result of invoke `token`; an unknown invoke is an error, never a silent {}."""
    handler = INVOKES.get(token)
    if handler is None:
        raise NotImplementedError(f"the mock engine has no result for invoke {token}; add one in testbed/fakes/")
    return handler(Context(config), args)
