"""Every stack file under stacks/ planned end to end, with the invariants every stack keeps."""

from __future__ import annotations

import pytest

from testbed.stackfile import known_stacks
from tests.graph import ancestors


@pytest.mark.parametrize("stack", known_stacks())
def test_stack_plans_end_to_end(plan_stack, stack):
    recording = plan_stack(stack)
    assert len(recording.resources) > 10
    assert recording.outputs, "a stack tells its user where things are"
    assert recording.warnings == [] or all(w for w in recording.warnings)


@pytest.mark.parametrize("stack", known_stacks())
def test_every_resource_sits_in_a_component(plan_stack, stack):
    recording = plan_stack(stack)
    for resource in recording.resources:
        if resource.type.startswith("testbed:"):
            continue
        assert ancestors(recording, resource), f"{resource.type} {resource.name} is not under a component"


@pytest.mark.parametrize("stack", known_stacks())
def test_kubernetes_objects_never_use_the_ambient_kubeconfig(plan_stack, stack):
    recording = plan_stack(stack)
    providers = {r.urn for r in recording.resources if r.type == "pulumi:providers:kubernetes"}
    for resource in recording.resources:
        if resource.type.startswith("kubernetes:"):
            assert resource.provider in providers, f"{resource.name} would use the default kubeconfig"
