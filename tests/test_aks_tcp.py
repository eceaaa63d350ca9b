"""SCENARIOS.md `aks-tcp` and issue 7, item by item, on the recorded graph of stacks/Pulumi.aks-tcp.yaml.

Expected values are seed 004's (its manifests and procedure) and the choices the issue makes,
written here; none is read back from the mock.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

from stacks import scenario_module
from stacks.config import ConfigError, load_config
from testbed.engine import Recording, Secret
from testbed.stackfile import read_stack_config
from tests import plans
from tests.graph import of_type, one, revealed

LOCATION = "koreacentral"
CLUSTER = "aks-tcp"
CLUSTER_RG = "rg-aks-tcp"
NETWORK_RG = "rg-network"
PIP = "kimmap-tcp-pip"
NAMESPACE = "kimmap"
BACKEND = "kimmap-backend"
SERVICE = "kimmap-backend-tcp"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
P = "service.beta.kubernetes.io/"
SEED_ANNOTATIONS = {
    f"{P}azure-load-balancer-resource-group": "rg-network",
    f"{P}azure-pip-name": "kimmap-tcp-pip",
    f"{P}port_9999_health-probe_protocol": "TCP",
    f"{P}azure-load-balancer-health-probe-interval": "59",
    f"{P}azure-load-balancer-health-probe-num-of-probe": "2",
    f"{P}azure-load-balancer-tcp-idle-timeout": "4",
}

RG = "azure-native:resources:ResourceGroup"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
ROLE = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
SERVICE_TYPE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"

AksTcp = scenario_module("aks-tcp").Config


@pytest.fixture(scope="module")
def bed(plan_stack) -> Recording:
    return plan_stack("aks-tcp")


def plan_with(**overrides: object) -> Recording:
    return plans.plan_with("aks-tcp", **overrides)


def service_config(**changes: object) -> dict:
    base = yaml.safe_load(read_stack_config("aks-tcp")["testbed:service"])
    for key, value in changes.items():
        if isinstance(value, dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def group(recording: Recording, name: str):
    return next(g for g in of_type(recording, RG) if g.inputs["resourceGroupName"] == name)


def service(recording: Recording):
    return one(recording, SERVICE_TYPE)


# ---- resource groups and network ------------------------------------------------------------


def test_a_resource_group_for_the_cluster_and_one_for_networking(bed):
    assert sorted(g.inputs["resourceGroupName"] for g in of_type(bed, RG)) == sorted([CLUSTER_RG, NETWORK_RG])
    assert {g.inputs["location"] for g in of_type(bed, RG)} == {LOCATION}


def test_vnet_and_standalone_node_subnet_in_the_network_group(bed):
    vnet = one(bed, "azure-native:network:VirtualNetwork")
    assert vnet.inputs["resourceGroupName"] == NETWORK_RG
    assert vnet.inputs["addressSpace"] == {"addressPrefixes": ["10.224.0.0/16"]}
    assert "subnets" not in vnet.inputs, "inline subnets and Subnet resources must not be mixed"
    subnet = one(bed, "azure-native:network:Subnet")
    assert subnet.inputs["subnetName"] == "snet-nodes"
    assert subnet.inputs["addressPrefix"] == "10.224.0.0/24"
    assert "addressPrefixes" not in subnet.inputs  # some Azure services read only the singular field
    assert subnet.inputs["resourceGroupName"] == NETWORK_RG
    assert subnet.inputs["virtualNetworkName"] == vnet.inputs["virtualNetworkName"]


# ---- the fixed public IP and the role --------------------------------------------------------


def test_public_ip_is_standard_static_ipv4_in_rg_network_with_the_seeds_name(bed):
    pip = one(bed, PUBLIC_IP)
    assert pip.inputs["publicIpAddressName"] == PIP
    assert pip.inputs["resourceGroupName"] == NETWORK_RG
    assert pip.inputs["sku"] == {"name": "Standard", "tier": "Regional"}
    assert pip.inputs["publicIPAllocationMethod"] == "Static"
    assert pip.inputs["publicIPAddressVersion"] == "IPv4"
    assert pip.inputs["location"] == one(bed, CLUSTER_TYPE).inputs["location"] == LOCATION
    assert pip.inputs["zones"] == ["1", "2", "3"]
    assert not [k for k in pip.inputs.get("tags", {}) if k.lower().startswith("k8s-azure-")]


def test_public_ip_is_protected_and_retained_with_its_group(bed):
    assert one(bed, PUBLIC_IP).options == {"protect": True, "retainOnDelete": True}
    assert group(bed, NETWORK_RG).options == {"retainOnDelete": True}, "deleting the group would delete the IP"
    assert group(bed, CLUSTER_RG).options == {}


def test_retain_false_lets_destroy_remove_the_ip():
    recording = plan_with(**{"testbed:publicIp": {"name": PIP, "zones": ["1", "2", "3"], "retain": False}})
    assert one(recording, PUBLIC_IP).options == {}
    assert group(recording, NETWORK_RG).options == {}


def test_cluster_identity_is_network_contributor_on_the_network_group(bed):
    role = one(bed, ROLE)
    identity = one(bed, IDENTITY)
    assert identity.inputs["resourceGroupName"] == CLUSTER_RG
    assert role.inputs["roleDefinitionId"].endswith(
        f"/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
    )
    assert role.inputs["roleDefinitionId"].startswith("/subscriptions/")
    assert role.inputs["scope"] == group(bed, NETWORK_RG).id, "the resource group, not only the IP"
    assert role.inputs["principalType"] == "ServicePrincipal"
    assert role.inputs["principalId"]
    assert identity.urn in role.dependencies, "the principal is the control-plane identity's"


def test_the_role_is_granted_before_the_cluster_with_a_user_assigned_identity(bed):
    cluster = one(bed, CLUSTER_TYPE)
    assert one(bed, ROLE).urn in cluster.explicit_dependencies
    identity = one(bed, IDENTITY)
    assert cluster.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.id]}


# ---- an existing network group and IP (publicIp.existing) -------------------------------------


def existing_bed() -> Recording:
    return plan_with(**{"testbed:publicIp": {"name": PIP, "existing": True}})


def test_existing_group_and_ip_are_referenced_not_created():
    recording = existing_bed()
    assert [g.inputs["resourceGroupName"] for g in of_type(recording, RG)] == [CLUSTER_RG]
    assert of_type(recording, PUBLIC_IP) == []
    assert [r.name for r in recording.resources if r.options.get("protect") or r.options.get("retainOnDelete")] == []


def test_existing_group_still_gets_the_role_and_the_virtual_network():
    recording = existing_bed()
    role = one(recording, ROLE)
    assert role.inputs["scope"].startswith("/subscriptions/")
    assert role.inputs["scope"].endswith(f"/resourceGroups/{NETWORK_RG}"), "the existing group, by name"
    assert role.inputs["roleDefinitionId"].endswith(f"/roleDefinitions/{NETWORK_CONTRIBUTOR}")
    assert role.urn in one(recording, CLUSTER_TYPE).explicit_dependencies
    assert one(recording, "azure-native:network:VirtualNetwork").inputs["resourceGroupName"] == NETWORK_RG


def test_existing_ip_service_keeps_the_seeds_annotations_and_waits_for_the_role():
    recording = existing_bed()
    svc = service(recording)
    assert svc.inputs["metadata"]["annotations"] == SEED_ANNOTATIONS
    for resource in (one(recording, ROLE), one(recording, DEPLOYMENT)):
        assert resource.urn in svc.explicit_dependencies, resource.name
    assert recording.outputs["publicIpName"] == PIP
    assert recording.outputs["publicIp"] and recording.outputs["serviceIngressIp"] == recording.outputs["publicIp"]


@pytest.mark.parametrize(
    ("sku", "allocation", "location", "problem"),
    [
        ("Standard", "Static", "koreacentral", None),
        ("Standard", "Static", "Korea Central", None),
        ("Basic", "Static", "koreacentral", "is SKU 'Basic': a Standard load balancer needs a Standard IP"),
        ("Standard", "Dynamic", "koreacentral", "is 'Dynamic': the address must be Static"),
        ("Standard", "Static", "japaneast", "is in 'japaneast': the load balancer is in 'koreacentral'"),
    ],
)
def test_an_existing_ip_must_fit_the_load_balancer(sku, allocation, location, problem):
    from components.azure.public_ip import existing_ip_problem

    found = existing_ip_problem(PIP, sku=sku, allocation=allocation, location=location, wanted=LOCATION)
    assert (found is None) if problem is None else (problem in (found or ""))


# ---- AKS -------------------------------------------------------------------------------------


def test_aks_cluster_settings(bed):
    cluster = one(bed, CLUSTER_TYPE)
    assert cluster.inputs["resourceName"] == CLUSTER
    assert cluster.inputs["resourceGroupName"] == CLUSTER_RG
    assert cluster.inputs["kubernetesVersion"] == "1.36"
    assert cluster.inputs["enableRBAC"] is True
    assert cluster.inputs["oidcIssuerProfile"] == {"enabled": True}
    network = cluster.inputs["networkProfile"]
    assert (network["networkPlugin"], network["networkPluginMode"]) == ("azure", "overlay")
    assert (network["loadBalancerSku"], network["outboundType"]) == ("standard", "loadBalancer")
    assert cluster.options["ignoreChanges"] == ["agentPoolProfiles"], "the inline pool is never edited"


def test_one_inline_system_pool_labelled_infra(bed):
    (system,) = one(bed, CLUSTER_TYPE).inputs["agentPoolProfiles"]
    assert system["name"] == "system"
    assert system["mode"] == "System"
    assert system["nodeLabels"] == {"role": "infra"}
    assert system["count"] >= 2, "AKS: a System pool has at least two nodes"
    assert system["vmSize"] == "Standard_D4s_v5"
    assert not system["vmSize"].startswith("Standard_B")
    assert system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert system["vnetSubnetID"] == one(bed, "azure-native:network:Subnet").id


@pytest.mark.parametrize("pool", ["server", "client"])
def test_server_and_client_are_separate_user_agent_pools(bed, pool):
    resource = one(bed, POOL, f"aks-{pool}")
    assert resource.inputs["agentPoolName"] == pool
    assert resource.inputs["mode"] == "User"
    assert resource.inputs["nodeLabels"] == {"role": pool}
    assert resource.inputs["count"] == 1
    assert resource.inputs["vmSize"] == "Standard_D2s_v5"
    assert resource.inputs["resourceName"] == CLUSTER
    assert resource.inputs["resourceGroupName"] == CLUSTER_RG
    assert resource.inputs["vnetSubnetID"] == one(bed, "azure-native:network:Subnet").id
    assert len(of_type(bed, POOL)) == 2


def test_kubernetes_provider_uses_the_user_credentials_as_a_secret(bed):
    provider = one(bed, "pulumi:providers:kubernetes")
    assert isinstance(provider.inputs["kubeconfig"], Secret)
    kubeconfig = yaml.safe_load(revealed(provider.inputs["kubeconfig"]))
    assert kubeconfig["kind"] == "Config", "the base64 credentials are decoded"
    assert isinstance(bed.outputs["kubeconfig"], Secret)


# ---- workload --------------------------------------------------------------------------------


def test_namespace_kimmap(bed):
    namespace = one(bed, "kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == NAMESPACE
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_tcp_server_deployment_on_role_server_listening_on_8888(bed):
    deployment = one(bed, DEPLOYMENT)
    assert deployment.inputs["metadata"]["name"] == BACKEND
    assert deployment.inputs["metadata"]["namespace"] == NAMESPACE
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"role": "server"}
    (container,) = pod["containers"]
    assert container["ports"] == [{"name": "tcp", "containerPort": 8888, "protocol": "TCP"}]
    assert container["command"][-2:] == ["--port", "8888"]
    assert container["readinessProbe"]["tcpSocket"] == {"port": 8888}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["runAsNonRoot"] is True
    assert "limits" in container["resources"]
    assert one(bed, POOL, "aks-server").urn in deployment.explicit_dependencies


def test_the_server_runs_the_repositorys_program_from_a_configmap(bed):
    config_map = one(bed, "kubernetes:core/v1:ConfigMap")
    program = (Path(__file__).parents[1] / "k8s" / "apps" / "tcp_echo.py").read_text()
    assert config_map.inputs["data"] == {"tcp_echo.py": program}
    pod = one(bed, DEPLOYMENT).inputs["spec"]["template"]["spec"]
    (volume,) = pod["volumes"]
    assert volume["configMap"]["name"] == config_map.inputs["metadata"]["name"]
    (container,) = pod["containers"]
    image, _, tag = container["image"].rpartition(":")
    assert image.endswith("/python") and re.fullmatch(r"3\.\d+\.\d+-slim-\w+", tag), "a stock Python image, pinned"
    assert container["command"][:4] == ["python", "-I", "-B", "/app/tcp_echo.py"]


# ---- the Service -----------------------------------------------------------------------------


def test_service_is_a_loadbalancer_9999_to_8888(bed):
    svc = service(bed)
    assert svc.inputs["metadata"]["name"] == SERVICE
    assert svc.inputs["metadata"]["namespace"] == NAMESPACE
    spec = svc.inputs["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["ports"] == [{"name": "tcp-client", "port": 9999, "targetPort": 8888, "protocol": "TCP"}]
    assert spec["externalTrafficPolicy"] == "Cluster", "part 1 of the seed"
    labels = one(bed, DEPLOYMENT).inputs["spec"]["template"]["metadata"]["labels"]
    assert spec["selector"]["app"] == BACKEND and all(labels[k] == v for k, v in spec["selector"].items())


def test_service_carries_the_seeds_annotations(bed):
    assert service(bed).inputs["metadata"]["annotations"] == SEED_ANNOTATIONS
    assert bed.warnings == []


def test_service_waits_for_the_role_the_ip_and_the_backend(bed):
    svc = service(bed)
    for resource in (one(bed, ROLE), one(bed, PUBLIC_IP), one(bed, DEPLOYMENT)):
        assert resource.urn in svc.explicit_dependencies, resource.name
    assert svc.options["customTimeouts"]["create"] == "20m", "a first Azure LB takes longer than 10 minutes"


def test_part_2_local_keeps_what_takes_effect_and_warns_on_the_rest():
    recording = plan_with(**{"testbed:service": service_config(externalTrafficPolicy="Local")})
    svc = service(recording)
    assert svc.inputs["spec"]["externalTrafficPolicy"] == "Local"
    annotations = svc.inputs["metadata"]["annotations"]
    assert f"{P}port_9999_health-probe_protocol" not in annotations
    assert annotations[f"{P}azure-load-balancer-health-probe-interval"] == "59"
    assert annotations[f"{P}azure-load-balancer-health-probe-num-of-probe"] == "2"
    assert len(recording.warnings) == 1
    assert recording.warnings[0].startswith(f"{SERVICE}: {P}port_9999_health-probe_protocol=TCP is ignored")
    assert recording.outputs["ignoredAnnotations"] == [recording.warnings[0].removeprefix(f"{SERVICE}: ")]
    assert recording.outputs["healthProbes"] == {
        "9999": "HTTP /healthz on healthCheckNodePort, every 59 s, 2 consecutive results flip a node"
    }


def test_part_2_local_with_a_probe_port_keeps_the_tcp_probe():
    recording = plan_with(
        **{"testbed:service": service_config(externalTrafficPolicy="Local", healthProbe={"port": 9999})}
    )
    annotations = service(recording).inputs["metadata"]["annotations"]
    assert annotations[f"{P}port_9999_health-probe_protocol"] == "TCP"
    assert annotations[f"{P}port_9999_health-probe_port"] == "9999"
    assert recording.warnings == []


# ---- outputs ---------------------------------------------------------------------------------


def test_outputs_give_the_fixed_ip_and_the_commands(bed):
    ip = bed.outputs["publicIp"]
    assert ip and bed.outputs["publicIpName"] == PIP
    assert bed.outputs["serviceIngressIp"] == ip, "the Service is fronted by the named IP"
    commands = bed.outputs["commands"]
    assert commands["connect"] == f"nc {ip} 9999"
    assert commands["client"] == f"python k8s/apps/tcp_echo.py client {ip} 9999 --count 3"
    assert commands["probes"].startswith("az network lb probe list -g ")
    assert f"-g {bed.outputs['nodeResourceGroup']} --lb-name kubernetes" in commands["probes"]
    assert "threshold:probeThreshold" in commands["probes"] and "interval:intervalInSeconds" in commands["probes"]
    assert commands["credentials"] == f"az aks get-credentials -g {CLUSTER_RG} -n {CLUSTER}"
    assert bed.outputs["healthProbes"] == {
        "9999": "TCP on NodePort of 9999, every 59 s, 2 consecutive results flip a node"
    }


# ---- config ----------------------------------------------------------------------------------


load = functools.partial(plans.load_stack, AksTcp, "aks-tcp")
problems = functools.partial(plans.refusal, AksTcp, "aks-tcp")


def test_only_the_location_gives_the_seeds_values():
    cfg = load_config(AksTcp, {"azure-native:location": LOCATION}, stack="aks-tcp")
    assert cfg == load()
    assert cfg.resource_groups.network == NETWORK_RG and cfg.resource_groups.cluster == CLUSTER_RG
    assert cfg.public_ip.name == PIP and cfg.public_ip.retain is True
    assert cfg.service.external_traffic_policy == "Cluster"
    probe = cfg.service.health_probe
    assert (probe.protocol, probe.interval_seconds, probe.num_of_probe) == ("TCP", 59, 2)


def test_location_is_required():
    assert problems(**{"azure-native:location": "Korea Central"}) == [
        "azure-native:location: 'Korea Central' is not an Azure location name like 'koreacentral'"
        " (lowercase, no spaces)"
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(AksTcp, {}, stack="aks-tcp")
    assert caught.value.lines[0].startswith("azure-native:location: missing; this key has no default")


def health(**probe: object) -> dict:
    return {"testbed:service": service_config(healthProbe=probe)}


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            health(intervalSeconds=4),
            "testbed:service.healthProbe.intervalSeconds: 4: the cloud provider's minimum is 5 seconds",
        ),
        (health(numOfProbe=1), "testbed:service.healthProbe.numOfProbe: 1: the cloud provider's minimum is 2"),
        (
            health(numOfProbe=3),
            "testbed:service.healthProbe.intervalSeconds: interval 59 s x num-of-probe 3 = 177 s for port 9999;"
            " the cloud provider needs it below 120 s",
        ),
        (health(protocol="UDP"), "testbed:service.healthProbe.protocol: 'UDP': one of TCP, HTTP, HTTPS"),
        (
            health(port="tcp"),
            "testbed:service.healthProbe.port: 'tcp' is not a port name of the Service (ports: 9999/tcp-client)",
        ),
        (health(requestPath="ready"), "testbed:service.healthProbe.requestPath: 'ready' must start with '/'"),
        (
            {"testbed:service": service_config(tcpIdleTimeoutMinutes=120)},
            "testbed:service.tcpIdleTimeoutMinutes: 120: at most 100",
        ),
        (
            {"testbed:service": service_config(allowedIpRanges=["me"])},
            "testbed:service.allowedIpRanges: 'me' is not a CIDR like 203.0.113.0/24 (host bits zero)",
        ),
        (
            {"testbed:service": service_config(externalTrafficPolicy="local")},
            "testbed:service.externalTrafficPolicy: 'local': one of Cluster, Local",
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": 1.3}},
            'testbed:cluster.kubernetesVersion: 1.3: write the version quoted, e.g. "1.36" (YAML reads 1.30 as 1.3)',
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": "1.37.1"}},
            "testbed:cluster.kubernetesVersion: '1.37.1' is not in the AKS support calendar; "
            "known: 1.32, 1.33, 1.34, 1.35, 1.36",
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": "latest"}},
            'testbed:cluster.kubernetesVersion: \'latest\' is not an AKS Kubernetes version like "1.35" or "1.35.3"',
        ),
        (
            {"testbed:cluster": {"systemPool": {"vmSize": "Standard_D4s_v5", "count": 1, "labels": {"role": "infra"}}}},
            "testbed:cluster.systemPool.count: 1: a System pool needs 2 to 1000 nodes",
        ),
        (
            {"testbed:cluster": {"systemPool": {"vmSize": "Standard_B4ms", "count": 2, "labels": {"role": "infra"}}}},
            "testbed:cluster.systemPool.vmSize: 'Standard_B4ms': AKS does not allow B-series (burstable) VMs"
            " in a System pool",
        ),
        (
            {"testbed:cluster": {"nodePools": {"Server": {"labels": {"role": "server"}}}}},
            "testbed:cluster.nodePools.Server: 'Server' is not an AKS node pool name:"
            " 1-12 lowercase letters and digits, starting with a letter",
        ),
        (
            {"testbed:cluster": {"nodePools": {"server": {"labels": {"kubernetes.azure.com/role": "server"}}}}},
            "testbed:cluster.nodePools.server.labels: 'kubernetes.azure.com/role': AKS reserves the prefixes"
            " kubernetes.azure.com/, kubernetes.io/, k8s.io/",
        ),
        (
            {
                "testbed:cluster": {
                    "nodePools": {"server": {"labels": {"role": "server"}, "taints": ["dedicated=server"]}}
                }
            },
            "testbed:cluster.nodePools.server.taints: taint 'dedicated=server' is not 'key=value:Effect'",
        ),
        (
            {"testbed:cluster": {"nodePools": {"client": {"labels": {"role": "client"}}}}},
            "testbed:cluster.nodePools: no pool has the label role=server, so kimmap-backend could not run"
            " (pools: ['client', 'system'])",
        ),
        (
            {"testbed:publicIp": {"name": "kimmap tcp pip"}},
            "testbed:publicIp.name: 'kimmap tcp pip' is not an Azure network resource name: 1-80 letters, digits,"
            " '_', '.', '-', starting with a letter or digit and ending with a letter, digit or '_'",
        ),
        (
            {"testbed:publicIp": {"zones": ["1", "4"]}},
            "testbed:publicIp.zones: ['1', '4'] must be distinct zones among ['1', '2', '3'] (or empty: no zone)",
        ),
        (
            {"testbed:resourceGroups": {"cluster": "rg-network", "network": "rg-network"}},
            "testbed:resourceGroups.network: 'rg-network' is also the cluster's group; the seed keeps them apart",
        ),
        (
            {"testbed:network": {"podCidr": "10.224.0.0/16"}},
            "testbed:network.podCidr: addressSpace 10.224.0.0/16 overlaps podCidr 10.224.0.0/16",
        ),
        (
            {"testbed:network": {"nodeSubnet": "10.225.0.0/24"}},
            "testbed:network.nodeSubnet: 10.225.0.0/24 is not inside the address space 10.224.0.0/16",
        ),
        (
            {"testbed:network": {"dnsServiceIp": "10.1.0.10"}},
            "testbed:network.dnsServiceIp: 10.1.0.10 must be inside the Service CIDR 10.0.0.0/16,"
            " not its first two addresses",
        ),
        (
            {"testbed:clusterName": "-aks"},
            "testbed:clusterName: '-aks' is not an AKS cluster name: 1-63 letters, digits",
        ),
        ({"testbed:region": "x"}, "testbed:region: unknown key; known keys: azure-native: location; testbed: backend,"),
    ],
)
def test_bad_values_are_one_line_naming_the_key(overrides, line):
    lines = problems(**overrides)
    assert any(found.startswith(line) for found in lines), lines


def test_every_problem_at_once():
    lines = problems(**health(intervalSeconds=1, numOfProbe=1), **{"testbed:publicIp": {"zones": ["9"]}})
    assert len(lines) == 3, lines


def test_a_pool_is_refused_for_its_name_its_spec_and_its_role_at_once():
    # The spec checks itself (AgentPoolSpec), the name is checked as the key, the System pool's minimums by its role.
    lines = problems(
        **{
            "testbed:cluster": {
                "systemPool": {"vmSize": "Standard_B4ms", "count": 1, "labels": {"role": "infra"}},
                "nodePools": {"Server": {"labels": {"role": "server"}, "taints": ["dedicated"]}},
            }
        }
    )
    assert lines == [
        "testbed:cluster.systemPool.vmSize: 'Standard_B4ms': AKS does not allow B-series (burstable) VMs"
        " in a System pool",
        "testbed:cluster.systemPool.count: 1: a System pool needs 2 to 1000 nodes",
        "testbed:cluster.nodePools.Server: 'Server' is not an AKS node pool name:"
        " 1-12 lowercase letters and digits, starting with a letter",
        "testbed:cluster.nodePools.Server.taints: taint 'dedicated' is not 'key=value:Effect'",
    ]


def test_a_bad_pool_spec_hides_neither_the_system_minimums_nor_the_reserved_name():
    # A field that fails stops pydantic's later validators; the System role's rules and the reserved name are
    # said all the same, on the values given (the count's default, 1, included).
    lines = problems(
        **{
            "testbed:cluster": {
                "systemPool": {"vmSize": "B2s", "taints": ["bad"]},
                "nodePools": {
                    "Server": {"labels": {"role": "server"}},
                    "system": {"vmSize": "Standard_D2s_v5"},
                },
            }
        }
    )
    assert lines == [
        "testbed:cluster.systemPool.vmSize: 'B2s' is not an Azure VM size like 'Standard_D4s_v5'",
        "testbed:cluster.systemPool.taints: taint 'bad' is not 'key=value:Effect'",
        "testbed:cluster.systemPool.count: 1: a System pool needs 2 to 1000 nodes",
        "testbed:cluster.nodePools.Server: 'Server' is not an AKS node pool name:"
        " 1-12 lowercase letters and digits, starting with a letter",
        "testbed:cluster.nodePools.system: is the System pool's name",
    ]


def test_an_odd_pool_name_is_quoted_so_each_problem_stays_one_line():
    server = {"vmSize": "Standard_D2s_v5", "labels": {"role": "server"}}
    assert problems(**{"testbed:cluster": {"nodePools": {"a\nb": server}}}) == [
        "testbed:cluster.nodePools.'a\\nb': 'a\\nb': text without control characters (CR, LF, NUL, tab ...):"
        " it would reach headers and environments"
    ]
    assert problems(**{"testbed:cluster": {"nodePools": {"": server}}}) == [
        "testbed:cluster.nodePools.'': '' is not an AKS node pool name:"
        " 1-12 lowercase letters and digits, starting with a letter"
    ]
