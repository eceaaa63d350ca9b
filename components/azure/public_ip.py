"""StaticPublicIp: a fixed public IP for an AKS LoadBalancer Service, and the role that lets AKS use it.

Seed 004's "pin the public IP": the cloud provider gives a Service a new address whenever it
recreates its frontend, unless the Service names an existing public IP (`azure-pip-name`, with
`azure-load-balancer-resource-group` when the IP lives outside the node resource group). This
component creates that IP so that it outlives Services, clusters and (when retained) the stack:
- Standard SKU, Static, IPv4: a Standard load balancer's frontend must be a Standard IP, and a
  Standard IP is always static (cloud-provider-azure docs, "public IPs should be the same SKU");
- in the given region and zones (zones are fixed at creation: changing them replaces the IP,
  i.e. a new address, which `retain` turns into an error instead);
- without `k8s-azure-service` / `k8s-azure-cluster-name` tags: the cloud provider deletes a
  public IP carrying them together with its Service ("user created" IPs are never deleted:
  `shouldReleaseExistingOwnedPublicIP`);
- with `retain`: Pulumi refuses to delete or replace it (`protect`) and, once unprotected,
  leaves it in Azure when the stack lets go of it (`retain_on_delete`).

With `existing`, the IP is someone else's (seed 004's premise: the network team owns it): it is
looked up by name (`getPublicIPAddress`) and checked to be a Standard, Static IP in the cluster's
region; the stack never creates, changes or deletes it, so there is nothing to protect.

With `network_contributor_principal_id`, the cluster's control-plane identity gets Network
Contributor on the IP's **resource group**, not on the IP alone: the cloud provider looks the
IP up by listing every public IP of that group (PublicIPAddressesClient.List in
pkg/provider/azure_publicip_repo.go), which a role on the IP does not allow
("AuthorizationFailed ... publicIPAddresses/read over scope .../resourceGroups/<rg>/providers/
Microsoft.Network": Azure/AKS#1624). The same role covers joining a node subnet kept in that group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, network

from ..errors import field_problems, raise_if_any
from .names import location_problem, network_name_problem, zones_problem
from .versions import NETWORK_CONTRIBUTOR_ROLE_ID

CLOUD_PROVIDER_TAG_PREFIX = "k8s-azure-"


def role_definition_id(scope: str, role_id: str) -> str:
    """The id of built-in role `role_id` in the subscription of `scope` (/subscriptions/<id>/...)."""
    parts = scope.split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1].lower() != "subscriptions" or not parts[2]:
        raise ValueError(f"{scope!r} is not a scope under /subscriptions/<id>")
    return f"/subscriptions/{parts[2]}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


@dataclass(frozen=True, kw_only=True)
class StaticPublicIpArgs:
    """The IP, where it lives, and who may attach it to a load balancer."""

    name: str
    """Azure name; the Service's `azure-pip-name` annotation names it (seed: kimmap-tcp-pip)."""
    resource_group_name: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]
    """Id of that resource group: the scope of the role assignment."""
    location: str
    """Must be the cluster's region: a load balancer frontend cannot use an IP from another region."""
    zones: Sequence[str] = ("1", "2", "3")
    """Zone-redundant by default; () for a region without availability zones."""
    network_contributor_principal_id: pulumi.Input[str] | None = None
    """Principal (object) id of the AKS control-plane identity; None: grant nothing."""
    retain: bool = True
    """Protect the IP in Pulumi and keep it in Azure when the stack lets go of it (ignored with `existing`)."""
    existing: bool = False
    """The IP already exists in `resource_group_name`: reference it by name instead of creating it
    (`zones`, `retain` and `tags` then do not apply)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class StaticPublicIp(pulumi.ComponentResource):
    """A Standard, static, zone-redundant public IP, and Network Contributor on its group for AKS."""

    name: str
    """The IP's Azure name (known before deployment)."""
    ip_address: pulumi.Output[str]
    id: pulumi.Output[str]
    public_ip: network.PublicIPAddress | None
    """The IP resource; None when it is `existing` (not the stack's)."""
    role_assignment: authorization.RoleAssignment | None
    """The cloud provider's role on the IP's group (None without a principal)."""
    binding: list[pulumi.Resource]
    """What a Service using the IP must wait for, and be deleted before: the IP (when created here)
    and the role assignment."""

    def __init__(self, name: str, args: StaticPublicIpArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:azure:StaticPublicIp", name, None, opts)
        _validate(args)
        self.public_ip = None
        if args.existing:
            found = network.get_public_ip_address_output(
                resource_group_name=args.resource_group_name,
                public_ip_address_name=args.name,
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
            checked = pulumi.Output.all(found.sku, found.public_ip_allocation_method, found.location).apply(
                lambda a: _checked_existing(args.name, sku=a[0], allocation=a[1], location=a[2], wanted=args.location)
            )
            ip_address, ip_id = (
                pulumi.Output.all(checked, found.ip_address).apply(lambda a: a[1] or ""),
                pulumi.Output.all(checked, found.id).apply(lambda a: a[1] or ""),
            )
        else:
            self.public_ip = network.PublicIPAddress(
                f"{name}-pip",
                public_ip_address_name=args.name,
                resource_group_name=args.resource_group_name,
                location=args.location,
                sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
                public_ip_allocation_method="Static",
                public_ip_address_version="IPv4",
                zones=list(args.zones) or None,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, protect=args.retain, retain_on_delete=args.retain),
            )
            ip_address = self.public_ip.ip_address.apply(lambda ip: ip or "")
            ip_id = self.public_ip.id
        self.role_assignment = None
        if args.network_contributor_principal_id is not None:
            scope = pulumi.Output.from_input(args.resource_group_id)
            self.role_assignment = authorization.RoleAssignment(
                f"{name}-network-contributor",
                principal_id=args.network_contributor_principal_id,
                # A new identity may not have replicated to Entra ID yet; naming its type skips the lookup
                # that would fail with PrincipalNotFound (Azure RBAC docs, role-assignments-template).
                principal_type="ServicePrincipal",
                role_definition_id=scope.apply(lambda s: role_definition_id(s, NETWORK_CONTRIBUTOR_ROLE_ID)),
                scope=scope,
                description=f"AKS cloud provider: use public IP {args.name} and subnets in this resource group",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.binding = [r for r in (self.public_ip, self.role_assignment) if r is not None]
        self.name = args.name
        self.ip_address = ip_address
        self.id = ip_id
        self.register_outputs({"name": self.name, "ipAddress": self.ip_address, "id": self.id})


def existing_ip_problem(
    name: str, *, sku: str | None, allocation: str | None, location: str, wanted: str
) -> str | None:
    """Why an existing public IP cannot front the cluster's Standard load balancer, or None."""
    if sku != "Standard":
        return f"public IP {name!r} is SKU {sku!r}: a Standard load balancer needs a Standard IP"
    if allocation != "Static":
        return f"public IP {name!r} is {allocation!r}: the address must be Static"
    if location.replace(" ", "").lower() != wanted.lower():
        return f"public IP {name!r} is in {location!r}: the load balancer is in {wanted!r}, and needs an IP there"
    return None


def _checked_existing(name: str, *, sku: object, allocation: str | None, location: str | None, wanted: str) -> bool:
    # The invoke output gives the sku as a mapping; a typed PublicIPAddressSkuResponse has `.name`.
    sku_name = sku.get("name") if isinstance(sku, dict) else getattr(sku, "name", None)
    if problem := existing_ip_problem(
        name, sku=sku_name, allocation=allocation, location=location or "", wanted=wanted
    ):
        raise ValueError(problem)
    return True


def _validate(args: StaticPublicIpArgs) -> None:
    problems = field_problems(
        ("name", network_name_problem(args.name)),
        ("location", location_problem(args.location)),
        ("zones", zones_problem(list(args.zones))),
    )
    for key in args.tags:
        if key.lower().startswith(CLOUD_PROVIDER_TAG_PREFIX):
            problems.append(
                (
                    "tags",
                    f"{key!r}: the cloud provider deletes an IP tagged {CLOUD_PROVIDER_TAG_PREFIX}* with its Service",
                )
            )
    raise_if_any("StaticPublicIp", problems)
