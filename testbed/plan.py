"""What a stack would build, as data (plan.json, manifests/) and as a tree for people."""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testbed.engine import Recording, Resource, Secret

SECRET = "[secret]"


@dataclass(frozen=True)
class Plan:
    """A recording of one stack, with the scenario it builds."""

    scenario: str
    recording: Recording

    @property
    def stack(self) -> str:
        return self.recording.stack

    @property
    def resources(self) -> list[Resource]:
        return self.recording.resources


def plain(value: Any, *, in_secret: bool = False) -> Any:
    """JSON-ready data with secrets replaced by "[secret]".

    Pulumi marks a whole top-level input secret when any value inside it is (a Helm release's
    `values` holding a private key, say). A secret scalar is hidden; a secret mapping or list
    stays readable except for private keys, so the plan still shows what would be deployed.
    """
    if isinstance(value, Secret):
        if isinstance(value.value, (dict, list, tuple)):
            return plain(value.value, in_secret=True)
        return SECRET
    if isinstance(value, dict):
        return {str(k): plain(v, in_secret=in_secret) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, in_secret=in_secret) for v in value]
    if in_secret and isinstance(value, str) and "PRIVATE KEY" in value:
        return SECRET
    return value


def secret_inputs(resource: Resource) -> list[str]:
    """Top-level inputs the program marked secret."""
    return sorted(k for k, v in resource.inputs.items() if isinstance(v, Secret))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan.json document (keys per DESIGN.md, plus id, remote, options)."""
    return {
        "scenario": plan.scenario,
        "stack": plan.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "id": r.id,
                "parent": r.parent,
                "custom": r.custom,
                "remote": r.remote,
                "provider": r.provider,
                "dependencies": r.dependencies,
                "explicitDependencies": r.explicit_dependencies,
                "options": r.options,
                "inputs": plain(r.inputs),
                "secretInputs": secret_inputs(r),
            }
            for r in plan.resources
        ],
        "outputs": plain(plan.recording.outputs),
        "warnings": list(plan.recording.warnings),
    }


def plan_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, sort_keys=True) + "\n"


def is_kubernetes_object(resource: Resource) -> bool:
    return resource.custom and resource.type.startswith("kubernetes:") and "metadata" in resource.inputs


def is_helm_release(resource: Resource) -> bool:
    return resource.type == "kubernetes:helm.sh/v3:Release"


def manifests(plan: Plan) -> dict[str, str]:
    """Relative path -> YAML of every Kubernetes object and Helm release the stack would create."""
    files: dict[str, str] = {}
    for r in plan.resources:
        if is_helm_release(r):
            inputs = plain(r.inputs)
            namespace = inputs.get("namespace", "default")
            document = {
                "kind": "HelmRelease",
                "name": inputs.get("name", r.name),
                "namespace": namespace,
                "chart": inputs.get("chart"),
                "version": inputs.get("version"),
                "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
                "values": inputs.get("values", {}),
            }
            files[f"{namespace}/HelmRelease-{document['name']}.yaml"] = _yaml(document)
        elif is_kubernetes_object(r):
            document = plain(r.inputs)
            metadata = document.get("metadata", {})
            folder = metadata.get("namespace") or "_cluster"
            files[f"{folder}/{document.get('kind')}-{metadata.get('name')}.yaml"] = _yaml(document)
    return dict(sorted(files.items()))


def _yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, width=120)


def write_plan(plan: Plan, out: Path) -> list[Path]:
    """Write plan.json and manifests/ into the folder `out` (a fresh staging folder: testbed.outdir
    moves it into place); returns the files written."""
    written = [out / "plan.json"]
    written[0].write_text(plan_json(plan))
    for relative, text in manifests(plan).items():
        path = out / "manifests" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


# ---- the tree -------------------------------------------------------------------------------

_Summary = Callable[[dict[str, Any]], Iterable[tuple[str, Any]]]


def _pick(*paths: str) -> _Summary:
    def summary(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
        for path in paths:
            label, _, path = path.rpartition("=") if "=" in path else (path.split(".")[-1], "", path)
            value = _get(inputs, path)
            if value not in (None, [], {}, ""):
                yield label, value

    return summary


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _subnet(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "zone", inputs.get("availabilityZone")
    yield "cidr", inputs.get("cidrBlock")
    tags = inputs.get("tags") or {}
    yield "tags", {k: v for k, v in tags.items() if k.startswith("kubernetes.io/")}


def _role(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    try:
        statements = json.loads(inputs.get("assumeRolePolicy", "{}")).get("Statement", [])
    except (TypeError, json.JSONDecodeError):
        return
    for s in statements:
        yield "trust", s.get("Principal")
        yield from (s.get("Condition") or {}).items()


def _policy(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    try:
        statements = json.loads(inputs.get("policy", "{}")).get("Statement", [])
    except (TypeError, json.JSONDecodeError):
        return
    actions = sum(len(s["Action"]) if isinstance(s["Action"], list) else 1 for s in statements)
    yield "statements", len(statements)
    yield "actions", actions


def _launch_template(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield from _pick(
        "httpTokens=metadataOptions.httpTokens",
        "hopLimit=metadataOptions.httpPutResponseHopLimit",
        "rootGiB=blockDeviceMappings.0.ebs.volumeSize",
        "encrypted=blockDeviceMappings.0.ebs.encrypted",
    )(inputs)
    user_data = inputs.get("userData")
    if isinstance(user_data, str) and user_data:
        try:
            text = base64.b64decode(user_data).decode()
        except (ValueError, UnicodeDecodeError):
            yield "userData", f"{len(user_data)} base64 characters"
            return
        kinds = re.findall(r"^Content-Type: (\S+)", text, flags=re.MULTILINE)
        yield "userData", [k for k in kinds if not k.startswith("multipart/")]
        if match := re.search(r'^\s*maxPodsExpression: "?([^"\n]+)"?$', text, flags=re.MULTILINE):
            yield "nodeadm maxPodsExpression", match[1]


def _service(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "type", spec.get("type")
    yield "loadBalancerClass", spec.get("loadBalancerClass")
    yield (
        "ports",
        [
            f"{p.get('name') + ' ' if p.get('name') else ''}{p.get('port')}->{p.get('targetPort', p.get('port'))}"
            f"/{p.get('protocol', 'TCP')}"
            for p in spec.get("ports") or []
        ],
    )
    yield "externalTrafficPolicy", spec.get("externalTrafficPolicy")
    yield "selector", spec.get("selector")
    yield "sourceRanges", spec.get("loadBalancerSourceRanges")
    yield from _annotations(metadata)


def _annotations(metadata: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """One line per annotation: the load balancer settings are read one by one."""
    for key, value in sorted((metadata.get("annotations") or {}).items()):
        yield f"@{key}", value


def _ingress(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "class", spec.get("ingressClassName")
    for rule in spec.get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            service = (path.get("backend") or {}).get("service") or {}
            port = service.get("port") or {}
            where = f"{rule.get('host') or '*'}{path.get('path') or ''} ({path.get('pathType')})"
            yield "rule", f"{where} -> {service.get('name')}:{port.get('number', port.get('name'))}"
    yield from _annotations(metadata)


def _namespace(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    yield "name", metadata.get("name")
    yield "labels", {k: v for k, v in (metadata.get("labels") or {}).items() if k != "app.kubernetes.io/managed-by"}


def _deployment(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "replicas", spec.get("replicas")
    yield "terminationGracePeriodSeconds", pod.get("terminationGracePeriodSeconds")
    for container in pod.get("containers") or []:
        readiness = container.get("readinessProbe") or {}
        if path := (readiness.get("httpGet") or {}).get("path"):
            delay, period = readiness.get("initialDelaySeconds", 0), readiness.get("periodSeconds", 10)
            yield "readiness", f"GET {path} (after {delay}s, every {period}s)"
        pre_stop = ((container.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}
        yield "preStop", " ".join(pre_stop.get("command") or [])
    yield "nodeSelector", pod.get("nodeSelector")
    yield (
        "spread",
        [f"{c.get('topologyKey')} maxSkew {c.get('maxSkew')}" for c in pod.get("topologySpreadConstraints") or []],
    )
    yield "annotations", metadata.get("annotations")
    yield from _containers(inputs)


def _security_group(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    def rules(direction: str) -> list[str]:
        found = []
        for rule in inputs.get(direction) or []:
            ports = "all" if rule.get("protocol") == "-1" else f"{rule.get('protocol')}/{rule.get('fromPort')}"
            if rule.get("toPort") not in (None, rule.get("fromPort")) and rule.get("protocol") != "-1":
                ports += f"-{rule.get('toPort')}"
            found.append(
                f"{ports} {'from' if direction == 'ingress' else 'to'} {', '.join(rule.get('cidrBlocks') or [])}"
            )
        return found

    yield "description", inputs.get("description")
    yield "ingress", rules("ingress") or "none"
    yield "egress", rules("egress")


def _addon(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "addon", inputs.get("addonName")
    if values := inputs.get("configurationValues"):
        yield "config", json.loads(values)


def _release(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "chart", f"{inputs.get('chart')}@{inputs.get('version')}"
    yield "repo", (inputs.get("repositoryOpts") or {}).get("repo")
    yield "namespace", inputs.get("namespace")
    yield "values", _flatten(plain(inputs.get("values") or {}))


def _kubernetes(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    yield "namespace", metadata.get("namespace")
    yield "annotations", metadata.get("annotations")


def _role_assignment(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    role = str(inputs.get("roleDefinitionId") or "")
    guid = role.rsplit("/", 1)[-1]
    yield "role", f"{AZURE_ROLES[guid]} ({guid})" if guid in AZURE_ROLES else role
    yield "scope", inputs.get("scope")
    yield "principal", f"{inputs.get('principalType')} {inputs.get('principalId')}"


def _managed_cluster(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "name", inputs.get("resourceName")
    yield "resourceGroup", inputs.get("resourceGroupName")
    yield "version", inputs.get("kubernetesVersion")
    network = inputs.get("networkProfile") or {}
    yield (
        "network",
        " ".join(
            str(network.get(k))
            for k in ("networkPlugin", "networkPluginMode", "loadBalancerSku", "outboundType")
            if network.get(k)
        ),
    )
    yield "podCidr", network.get("podCidr")
    yield "serviceCidr", network.get("serviceCidr")
    yield "identity", (inputs.get("identity") or {}).get("type")
    yield "enableRBAC", inputs.get("enableRBAC")
    yield "oidcIssuer", (inputs.get("oidcIssuerProfile") or {}).get("enabled")
    for pool in inputs.get("agentPoolProfiles") or []:
        yield f"pool {pool.get('name')}", _pool_line(pool)


def _agent_pool(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "cluster", inputs.get("resourceName")
    yield f"pool {inputs.get('agentPoolName')}", _pool_line(inputs)


def _pool_line(pool: dict[str, Any]) -> str:
    parts = [str(pool.get("mode")), f"{pool.get('count')} x {pool.get('vmSize')}"]
    if pool.get("availabilityZones"):
        parts.append(f"zones {','.join(pool['availabilityZones'])}")
    if pool.get("nodeLabels"):
        parts.append("labels " + ",".join(f"{k}={v}" for k, v in sorted(pool["nodeLabels"].items())))
    if pool.get("nodeTaints"):
        parts.append("taints " + ",".join(pool["nodeTaints"]))
    return ", ".join(parts)


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


AZURE_ROLES = {"4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor"}


def _containers(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    spec = _get(inputs, "spec.template.spec") or {}
    for kind in ("initContainers", "containers"):
        for c in spec.get(kind) or []:
            label = f"{'init ' if kind == 'initContainers' else ''}container {c.get('name')}"
            ports = [str(p.get("containerPort")) for p in c.get("ports") or []]
            yield label, f"{c.get('image')}{' ports ' + ','.join(ports) if ports else ''}"
            yield "  command", c.get("command")
            if env := {e["name"]: e.get("value") for e in c.get("env") or [] if "value" in e}:
                yield "  env", env
            caps = _get(c, "securityContext.capabilities.add")
            user = _get(c, "securityContext.runAsUser")
            yield "  runAsUser", user
            yield "  addCapabilities", caps


def _target_group_binding(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    spec = inputs.get("spec") or {}
    yield "namespace", _get(inputs, "metadata.namespace")
    yield "serviceRef", spec.get("serviceRef")
    yield "targetGroupARN", spec.get("targetGroupARN")
    yield "targetType", spec.get("targetType")
    for rule in _get(spec, "networking.ingress") or []:
        yield "allow", {"from": rule.get("from"), "ports": rule.get("ports")}


def _listener(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "listen", f"{inputs.get('protocol')} {inputs.get('port')}"
    yield "loadBalancer", inputs.get("loadBalancerArn")
    yield "tcpIdleTimeoutSeconds", inputs.get("tcpIdleTimeoutSeconds")
    for action in inputs.get("defaultActions") or []:
        yield action.get("type"), action.get("targetGroupArn")


def _sg_rule(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    ports = {inputs.get("fromPort"), inputs.get("toPort")}
    yield "group", inputs.get("securityGroupId")
    yield "rule", f"{inputs.get('ipProtocol')} {'-'.join(str(p) for p in sorted(ports, key=str))}"
    yield "peer", inputs.get("referencedSecurityGroupId") or inputs.get("cidrIpv4")


_SUMMARIES: dict[str, _Summary] = {
    "aws:lb/loadBalancer:LoadBalancer": _pick(
        "loadBalancerType",
        "internal",
        "subnets",
        "securityGroups",
        "idleTimeout",
        "clientKeepAlive",
        "enableCrossZoneLoadBalancing",
    ),
    "aws:lb/targetGroup:TargetGroup": _pick(
        "protocol",
        "targetType",
        "port",
        "preserveClientIp",
        "deregistrationDelay",
        "healthCheck=healthCheck.protocol",
        "healthCheckPath=healthCheck.path",
        "healthCheckMatcher=healthCheck.matcher",
    ),
    "aws:lb/listener:Listener": _listener,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule,
    "kubernetes:core/v1:ConfigMap": lambda i: [
        ("namespace", _get(i, "metadata.namespace")),
        ("files", sorted(i.get("data") or {})),
    ],
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": _target_group_binding,
    "aws:ec2/vpc:Vpc": _pick("cidrBlock"),
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/natGateway:NatGateway": _pick("subnet=subnetId", "allocation=allocationId"),
    "aws:ec2/route:Route": _pick("to=destinationCidrBlock", "via=gatewayId", "via=natGatewayId"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _pick("subnet=subnetId", "table=routeTableId"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/instance:Instance": _pick(
        "instanceType",
        "subnet=subnetId",
        "publicIp=associatePublicIpAddress",
        "httpTokens=metadataOptions.httpTokens",
        "hopLimit=metadataOptions.httpPutResponseHopLimit",
        "keyName",
        "securityGroups=vpcSecurityGroupIds",
        "profile=iamInstanceProfile",
    ),
    "aws:iam/instanceProfile:InstanceProfile": _pick("role"),
    "aws:eks/nodeGroup:NodeGroup": _pick(
        "nodeGroupName",
        "instanceTypes",
        "min=scalingConfig.minSize",
        "desired=scalingConfig.desiredSize",
        "max=scalingConfig.maxSize",
        "subnets=subnetIds",
        "labels",
        "taints",
        "amiType",
        "capacityType",
        "launchTemplate=launchTemplate.id",
    ),
    "aws:eks/addon:Addon": _addon,
    "eks:index:Cluster": _pick(
        "name",
        "version",
        "authenticationMode",
        "endpointPublicAccess",
        "endpointPrivateAccess",
        "publicAccessCidrs",
        "createOidcProvider",
        "useDefaultVpcCni",
        "privateSubnetIds",
        "publicSubnetIds",
    ),
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _pick("policyArn"),
    "kubernetes:helm.sh/v3:Release": _release,
    "kubernetes:core/v1:Service": _service,
    "kubernetes:apps/v1:Deployment": _deployment,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:core/v1:Namespace": _namespace,
    "kubernetes:core/v1:NamespacePatch": _namespace,
    "pulumi:providers:kubernetes": _pick("enableServerSideApply"),
    "azure-native:resources:ResourceGroup": _pick("name=resourceGroupName", "location"),
    "azure-native:network:VirtualNetwork": _pick(
        "name=virtualNetworkName", "resourceGroup=resourceGroupName", "addressSpace=addressSpace.addressPrefixes"
    ),
    "azure-native:network:Subnet": _pick("name=subnetName", "addressPrefix"),
    "azure-native:network:PublicIPAddress": _pick(
        "name=publicIpAddressName",
        "resourceGroup=resourceGroupName",
        "sku=sku.name",
        "allocation=publicIPAllocationMethod",
        "version=publicIPAddressVersion",
        "zones",
        "tags",
    ),
    "azure-native:managedidentity:UserAssignedIdentity": _pick("name=resourceName", "resourceGroup=resourceGroupName"),
    "azure-native:authorization:RoleAssignment": _role_assignment,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:AgentPool": _agent_pool,
}


def short_type(token: str) -> str:
    """'aws:ec2/subnet:Subnet' -> 'aws.ec2.Subnet'; 'kubernetes:core/v1:Service' -> 'k8s.core.v1.Service'."""
    package, module, kind = token.split(":", 2)
    if package == "pulumi" and module == "providers":
        return f"provider.{kind}"
    if package in ("aws", "tls", "azure-native"):
        module = module.split("/")[0]  # 'ec2/subnet' names the SDK file, not a namespace
    package = {"kubernetes": "k8s"}.get(package, package)
    return ".".join([package, *([module.replace("/", ".")] if module not in ("", "index") else []), kind])


def _render_value(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, Secret) or value == SECRET:
        return SECRET
    if isinstance(value, str):
        if value in names:
            return names[value]
        if value.startswith("-----BEGIN"):
            return "<pem>"
        return value if len(value) <= 90 else value[:87] + "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v, names) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render_value(v, names)}" for k, v in sorted(value.items())) + "}"
    return str(value)


def render_tree(plan: Plan) -> str:
    """The resource tree: type, name, the settings that matter, and what each waits for."""
    by_urn = plan.recording.by_urn()
    # Cloud ids (subnet-…, arn:…) read better as the names of their resources; Kubernetes ids are
    # plain object names ("server"), which would rename every equal string, so they stay as they are.
    names = {r.id: r.name for r in plan.resources if r.id and not r.type.startswith("kubernetes:")}
    names.update({r.urn: r.name for r in plan.resources})
    children: dict[str | None, list[Resource]] = defaultdict(list)
    for r in sorted(plan.resources, key=lambda r: (r.name, r.type)):
        parent = r.parent if r.parent in by_urn else None
        children[parent].append(r)

    lines = [f"{plan.stack} (scenario {plan.scenario}): {len(plan.resources)} resources"]

    def walk(parent: str | None, indent: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch, nested = ("└─ ", "   ") if last else ("├─ ", "│  ")
            lines.append(f"{indent}{branch}{short_type(r.type)} {r.name}")
            detail_indent = indent + nested + "   "
            for label, value in (_SUMMARIES.get(r.type) or _default_summary(r))(r.inputs):
                if value not in (None, [], {}, ""):
                    # Annotations (@key) print whole: a weighted action's JSON is read to the end.
                    shown = value if label.startswith("@") and isinstance(value, str) else _render_value(value, names)
                    lines.append(f"{detail_indent}{label}: {shown}")
            if r.options:
                flags = [k if v is True else f"{k}={_render_value(v, names)}" for k, v in sorted(r.options.items())]
                lines.append(f"{detail_indent}options: {', '.join(flags)}")
            waits = [names.get(u, u) for u in r.explicit_dependencies if u != r.parent]
            if waits:
                lines.append(f"{detail_indent}after: {', '.join(waits)}")
            walk(r.urn, indent + nested)

    walk(None, "")
    if plan.recording.outputs:
        lines.append("")
        lines.append("outputs:")
        lines.extend(_output_lines(plain(plan.recording.outputs), "  "))
    if plan.recording.warnings:
        lines.append("")
        lines.extend(f"warning: {w}" for w in plan.recording.warnings)
    return "\n".join(lines) + "\n"


def _output_lines(outputs: dict[str, Any], indent: str) -> list[str]:
    """Stack outputs, one line per leaf, nested mappings indented; strings in full."""
    lines = []
    for key, value in outputs.items():
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{key}:")
            lines.extend(_output_lines(value, indent + "  "))
        elif isinstance(value, str):
            lines.append(f"{indent}{key}: {value}")
        else:
            lines.append(f"{indent}{key}: {_render_value(value, {})}")
    return lines


def _default_summary(resource: Resource) -> _Summary:
    if resource.type.startswith("kubernetes:"):
        return _kubernetes
    return lambda inputs: ()
