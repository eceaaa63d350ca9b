"""ResourceGroups: the Azure resource groups a test bed spreads over, keyed by role.

Seed 004 keeps the cluster and the load balancer's public IP in different groups ("company
policy": the network team owns `rg-network`), which is exactly what makes the cloud provider
need the `azure-load-balancer-resource-group` annotation and a role on that group. A group that
already exists (`existing`) is looked up by name (`getResourceGroup`): the stack neither creates
nor deletes it, and has nothing in its state to protect.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import resources

from ..errors import raise_if_any
from .names import location_problem, resource_group_name_problem


@dataclass(frozen=True, kw_only=True)
class ResourceGroupsArgs:
    """Which groups, where."""

    location: str
    """Azure location of every group, e.g. koreacentral."""
    names: Mapping[str, str]
    """Role -> Azure name, e.g. {"cluster": "rg-aks-tcp", "network": "rg-network"}."""
    retain_on_delete: Collection[str] = ()
    """Roles whose group stays in Azure when the stack deletes it (and with it, everything still inside)."""
    existing: Collection[str] = ()
    """Roles whose group already exists (e.g. another team's): referenced by name, never created or deleted."""
    tags: Mapping[str, str] = field(default_factory=dict)


class ResourceGroups(pulumi.ComponentResource):
    """One Azure resource group per role."""

    names: dict[str, pulumi.Output[str]]
    """Role -> resource group name."""
    ids: dict[str, pulumi.Output[str]]
    """Role -> resource group id (/subscriptions/<id>/resourceGroups/<name>): a role assignment scope."""

    def __init__(self, name: str, args: ResourceGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:azure:ResourceGroups", name, None, opts)
        _validate(args)
        self.names = {}
        self.ids = {}
        for role, group_name in args.names.items():
            if role in args.existing:
                found = resources.get_resource_group_output(
                    resource_group_name=group_name, opts=pulumi.InvokeOutputOptions(parent=self)
                )
                self.names[role], self.ids[role] = found.name, found.id
                continue
            group = resources.ResourceGroup(
                f"{name}-{role}",
                resource_group_name=group_name,
                location=args.location,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=role in args.retain_on_delete),
            )
            self.names[role], self.ids[role] = group.name, group.id
        self.register_outputs({"names": self.names, "ids": self.ids})


def _validate(args: ResourceGroupsArgs) -> None:
    problems: list[tuple[str, str]] = []
    if problem := location_problem(args.location):
        problems.append(("location", problem))
    if not args.names:
        problems.append(("names", "at least one resource group is needed"))
    for role, group_name in args.names.items():
        if problem := resource_group_name_problem(group_name):
            problems.append((f"names[{role!r}]", problem))
    lowered = [n.lower() for n in args.names.values()]
    if len(set(lowered)) != len(lowered):
        problems.append(("names", f"{dict(args.names)}: two roles share a group (names are case-insensitive)"))
    for role in args.retain_on_delete:
        if role not in args.names:
            problems.append(("retain_on_delete", f"{role!r} is not one of the roles {sorted(args.names)}"))
        elif role in args.existing:
            problems.append(("retain_on_delete", f"{role!r} is an existing group, which the stack never deletes"))
    for role in args.existing:
        if role not in args.names:
            problems.append(("existing", f"{role!r} is not one of the roles {sorted(args.names)}"))
    raise_if_any("ResourceGroups", problems)
