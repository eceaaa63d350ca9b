"""aks-tcp: a raw TCP server on AKS behind the Azure Load Balancer, on a fixed public IP (seed 004).

Builds the network group with its prepared public IP and role, AKS with role-labelled pools, the
TCP server and its LoadBalancer Service with the seed's annotations (and, for
externalTrafficPolicy Local, a warning per annotation the cloud would ignore). Its config: stacks/aks_tcp_config.py.
The scenario, its knobs and how to verify it: docs/scenarios/aks-tcp.md.
"""

from __future__ import annotations

import pulumi

from components.azure import (
    AksCluster,
    AksClusterArgs,
    ClusterIdentity,
    ClusterIdentityArgs,
    Network,
    NetworkArgs,
    ResourceGroups,
    ResourceGroupsArgs,
    StaticPublicIp,
    StaticPublicIpArgs,
)
from components.azure import annotations as azure_lb
from components.azure.versions import AKS_SUPPORT_CALENDAR
from k8s.load_balancer import LoadBalancerService, LoadBalancerServiceArgs, ServicePort
from k8s.tcp_echo import TcpEchoServer, TcpEchoServerArgs
from stacks.aks_tcp_config import (
    AKS_LOAD_BALANCER,
    BACKEND,
    BACKEND_NODE_SELECTOR,
    BACKEND_PORT,
    NAMESPACE,
    NODE_SUBNET,
    SERVICE,
    SERVICE_PORT,
    SERVICE_PORT_NAME,
    SYSTEM_POOL_NAME,
    Config,
    lb_settings,
)
from stacks.config import ConfigProblems
from stacks.experiments.model import Action, Experiment, exported
from stacks.experiments.predicates import FieldIs, RequestCount
from stacks.support import version_warning


def aks_version_warning(version: str) -> str | None:
    """The warning for an AKS version out of community support on the plan date."""
    return version_warning(
        AKS_SUPPORT_CALENDAR,
        version,
        extended_cost="AKS creates it only on the Premium tier, billed per cluster-hour, while this bed uses Free",
    )


# Seed 004's check, bounded: a connection every 15 s for 10 minutes, the Service deleted and
# re-created (pulumi up) after 30 s; Pulumi's `up` of the Service takes minutes.
CONNECTIONS, CONNECTION_INTERVAL_SECONDS, RECREATE_AFTER_SECONDS, SETTLED = 40, 15, 30, 3


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Connections from this machine to the static IP: the banner names the pod, before the
    Service is re-created and, at the same address, after."""
    settled = CONNECTIONS - SETTLED + 1
    return [
        Experiment(
            name="recreate",
            title=f"{CONNECTIONS} connections to the static IP while the Service is re-created",
            where="local",
            argv=("python", "k8s/apps/tcp_echo.py", "client", "{publicIp}", str(SERVICE_PORT), "--count", "1"),
            interval_seconds=CONNECTION_INTERVAL_SECONDS * time_scale,
            count=CONNECTIONS,
            expected_seconds=(CONNECTIONS - 1) * CONNECTION_INTERVAL_SECONDS * time_scale,
            expectations=(
                RequestCount(CONNECTIONS),
                FieldIs("ok", True, last=1),
                FieldIs("server", op="set", last=1, meaning=f"the banner names the {BACKEND} pod"),
                FieldIs("ok", True, first=settled, meaning="the static IP answers again once the Service is back"),
                FieldIs("server", op="set", first=settled, meaning="and the banner names a pod again"),
            ),
            mode="repeat",
            parse={"server": r"pod=(\S+)"},
            actions=(
                Action(
                    RECREATE_AFTER_SECONDS * time_scale,
                    (
                        "sh",
                        "-c",
                        f"kubectl -n {NAMESPACE} delete service {SERVICE} --wait && pulumi up --yes --skip-preview",
                    ),
                    "delete the Service; pulumi up re-creates it on the same static IP",
                ),
            ),
            time_scale=time_scale,
        )
    ]


def build(cfg: Config) -> None:
    """Build the bed in the seed's order and export how to reach and inspect it."""
    if warning := aks_version_warning(cfg.cluster.kubernetes_version):
        pulumi.log.warn(warning)
    groups, pip, cluster = _platform(cfg, tags={"testbed-stack": pulumi.get_stack(), **cfg.tags})
    service, lb = _backend(cfg, cluster, pip)
    _export(cfg, groups, cluster, pip, service, lb)


def _platform(cfg: Config, tags: dict[str, str]) -> tuple[ResourceGroups, StaticPublicIp, AksCluster]:
    """Steps 1-3: the resource groups, the network, the control-plane identity, the public IP with
    the identity's role on its group, and the cluster after that role."""
    groups = ResourceGroups(
        "rg",
        ResourceGroupsArgs(
            location=cfg.location,
            names={"cluster": cfg.resource_groups.cluster, "network": cfg.resource_groups.network},
            # Deleting a resource group deletes what is in it: a retained IP needs a retained group.
            retain_on_delete=("network",) if cfg.public_ip.retain and not cfg.public_ip.existing else (),
            existing=("network",) if cfg.public_ip.existing else (),
            tags=tags,
        ),
    )
    net = Network(
        "net",
        NetworkArgs(
            resource_group_name=groups.names["network"],
            location=cfg.location,
            vnet_name=cfg.network.vnet_name,
            address_space=cfg.network.address_space,
            subnets={NODE_SUBNET: cfg.network.node_subnet},
            tags=tags,
        ),
    )
    identity = ClusterIdentity(
        "identity",
        ClusterIdentityArgs(
            identity_name=f"id-{cfg.cluster_name}",
            resource_group_name=groups.names["cluster"],
            location=cfg.location,
            tags=tags,
        ),
    )
    pip = StaticPublicIp(
        "pip",
        StaticPublicIpArgs(
            name=cfg.public_ip.name,
            resource_group_name=groups.names["network"],
            resource_group_id=groups.ids["network"],
            location=cfg.location,
            zones=cfg.public_ip.zones,
            network_contributor_principal_id=identity.principal_id,
            retain=cfg.public_ip.retain and not cfg.public_ip.existing,
            existing=cfg.public_ip.existing,
            tags=tags,
        ),
    )
    grant = pip.role_assignment
    if grant is None:  # cannot happen: a principal was given
        raise RuntimeError("StaticPublicIp made no role assignment")
    cluster = AksCluster(
        "aks",
        AksClusterArgs(
            cluster_name=cfg.cluster_name,
            resource_group_name=groups.names["cluster"],
            location=cfg.location,
            node_subnet_id=net.subnet_ids[NODE_SUBNET],
            control_plane_identity_id=identity.id,
            kubernetes_version=cfg.cluster.kubernetes_version,
            system_pool_name=SYSTEM_POOL_NAME,
            system_pool=cfg.cluster.system_pool,
            user_pools=cfg.cluster.node_pools,
            pod_cidr=cfg.network.pod_cidr,
            service_cidr=cfg.network.service_cidr,
            dns_service_ip=cfg.network.dns_service_ip,
            # The node subnet is in rg-network: AKS joins it with the control-plane identity at creation.
            wait_for=[grant],
            tags=tags,
        ),
    )
    return groups, pip, cluster


def _backend(
    cfg: Config, cluster: AksCluster, pip: StaticPublicIp
) -> tuple[LoadBalancerService, azure_lb.AzureLoadBalancerAnnotations]:
    """Steps 4-6: the TCP server where the cluster places role=server pods, and its Service on the IP."""
    where = cluster.placement(BACKEND_NODE_SELECTOR)
    backend = TcpEchoServer(
        "backend",
        TcpEchoServerArgs(
            provider=cluster.provider,
            namespace=NAMESPACE,
            app=BACKEND,
            port=BACKEND_PORT,
            replicas=cfg.backend.replicas,
            node_selector=where.node_selector,
            tolerations=where.tolerations,
            image=cfg.backend.image,
            wait_for=where.wait_for,
        ),
    )

    lb = azure_lb.build(lb_settings(cfg))
    for message in lb.ignored:
        pulumi.log.warn(f"{SERVICE}: {message}")
    service = LoadBalancerService(
        "service",
        LoadBalancerServiceArgs(
            provider=cluster.provider,
            namespace=backend.namespace,
            name=SERVICE,
            selector=backend.selector,
            ports=[ServicePort(name=SERVICE_PORT_NAME, port=SERVICE_PORT, target_port=BACKEND_PORT)],
            annotations=lb.annotations,
            external_traffic_policy=cfg.service.external_traffic_policy,
            # The cloud provider needs the role and the IP before its first reconcile; and destroy
            # removes the Service (so the IP leaves the load balancer's frontend) before either.
            wait_for=[*pip.binding, backend.deployment],
        ),
    )
    return service, lb


def _export(
    cfg: Config,
    groups: ResourceGroups,
    cluster: AksCluster,
    pip: StaticPublicIp,
    service: LoadBalancerService,
    lb: azure_lb.AzureLoadBalancerAnnotations,
) -> None:
    node_rg = cluster.node_resource_group
    pulumi.export("location", cfg.location)
    pulumi.export("clusterName", cluster.cluster_name)
    pulumi.export("resourceGroups", groups.names)
    pulumi.export("nodeResourceGroup", node_rg)
    pulumi.export("publicIp", pip.ip_address)
    pulumi.export("publicIpName", pip.name)
    pulumi.export("serviceIngressIp", service.ingress_ip)
    pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("healthProbes", {str(port): probe.describe() for port, probe in lb.probes.items()})
    pulumi.export("ignoredAnnotations", lb.ignored)
    pulumi.export("experiments", exported(experiments(cfg)))
    probe_query = (
        "[].{name:name,protocol:protocol,port:port,path:requestPath,"
        "interval:intervalInSeconds,threshold:probeThreshold}"
    )
    rule_query = (
        "[].{name:name,frontendPort:frontendPort,backendPort:backendPort,"
        "idleTimeoutMinutes:idleTimeoutInMinutes,tcpReset:enableTcpReset,probe:probe.id}"
    )
    pulumi.export(
        "commands",
        {
            "credentials": f"az aks get-credentials -g {cfg.resource_groups.cluster} -n {cfg.cluster_name}",
            "nodes": "kubectl get nodes -L role -L topology.kubernetes.io/zone",
            "pods": f"kubectl -n {NAMESPACE} get pods -o wide",
            "service": f"kubectl -n {NAMESPACE} get service {SERVICE} -o wide",
            "serviceEvents": f"kubectl -n {NAMESPACE} describe service {SERVICE}",
            "serverLog": f"kubectl -n {NAMESPACE} logs deployment/{BACKEND} -f",
            # nc shows the banner (pod, node, the source address the pod saw), then echoes each line.
            "connect": pulumi.Output.concat("nc ", pip.ip_address, f" {SERVICE_PORT}"),
            "client": pulumi.Output.concat(
                "python k8s/apps/tcp_echo.py client ", pip.ip_address, f" {SERVICE_PORT} --count 3"
            ),
            "probes": pulumi.Output.concat(
                "az network lb probe list -g ",
                node_rg,
                f' --lb-name {AKS_LOAD_BALANCER} --query "{probe_query}" -o table',
            ),
            "rules": pulumi.Output.concat(
                "az network lb rule list -g ",
                node_rg,
                f' --lb-name {AKS_LOAD_BALANCER} --query "{rule_query}" -o table',
            ),
            "publicIp": (
                f"az network public-ip show -g {cfg.resource_groups.network} -n {cfg.public_ip.name}"
                ' --query "{ip:ipAddress,sku:sku.name,allocation:publicIPAllocationMethod,zones:zones,'
                'frontend:ipConfiguration.id}" -o yaml'
            ),
        },
    )


__all__ = ["Config", "ConfigProblems", "build", "lb_settings"]
