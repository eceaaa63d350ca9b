"""Checks both keep-alive beds share (seed 000's server, client and binding), on a Recording.

Seed values are written here, from seed 000's server.yaml command and client.yaml, never
read back from the mock or the stack file.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema

from components.aws.versions import LB_CONTROLLER_CHART, LB_CONTROLLER_CHART_VERSION
from testbed.engine import Recording, Resource
from testbed.reference import crd_schemas
from tests.graph import of_type, one

APP_DIR = Path(__file__).resolve().parents[1] / "k8s" / "apps" / "keepalive"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
RELEASE = "kubernetes:helm.sh/v3:Release"

# Seed 000: command: ["gunicorn", "--workers", "1", "-k", "gevent", "--bind", "0.0.0.0:8000",
# "--timeout", "10", "--keep-alive", "20", "app:app", "--log-level", "debug"]
SEED_GUNICORN = [
    "--workers",
    "1",
    "-k",
    "gevent",
    "--bind",
    "0.0.0.0:8000",
    "--timeout",
    "10",
    "--keep-alive",
    "20",
    "app:app",
    "--log-level",
    "debug",
]


def deployment(recording: Recording, app: str) -> Resource:
    return one(recording, DEPLOYMENT, f"{app}-deployment")


def pod_spec(resource: Resource) -> dict[str, Any]:
    return resource.inputs["spec"]["template"]["spec"]


def container(resource: Resource, name: str) -> dict[str, Any]:
    [found] = [c for c in pod_spec(resource)["containers"] if c["name"] == name]
    return found


def env(resource: Resource, name: str) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(resource, name).get("env", [])}


def check_namespaces(recording: Recording) -> None:
    names = sorted(n.inputs["metadata"]["name"] for n in of_type(recording, NAMESPACE))
    assert names == ["client", "server"]


def check_server(recording: Recording, *, keep_alive: int = 20) -> None:
    server = deployment(recording, "server")
    assert server.inputs["metadata"]["namespace"] == "server"
    spec = pod_spec(server)
    assert spec["nodeSelector"] == {"role": "server"}
    main = container(server, "server")
    command = SEED_GUNICORN.copy()
    command[command.index("--keep-alive") + 1] = str(keep_alive)
    assert main["command"] == ["python", "-m", "gunicorn", *command]
    assert main["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert main["workingDir"] == "/app"
    assert main["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    # The programs: app.py and the hashed requirements from k8s/apps/keepalive, as they are on disk.
    programs = one(recording, CONFIG_MAP, "server-programs")
    assert programs.inputs["metadata"]["namespace"] == "server"
    assert programs.inputs["data"] == {
        "app.py": (APP_DIR / "app.py").read_text(),
        "requirements.txt": (APP_DIR / "requirements.txt").read_text(),
    }
    [init] = spec["initContainers"]
    assert init["command"][:2] == ["pip", "install"] and "--require-hashes" in init["command"]
    assert init["image"] == main["image"] == "public.ecr.aws/docker/library/python:3.13.9-slim-bookworm"
    assert env(server, "server")["PYTHONPATH"] == "/deps"
    service = one(recording, SERVICE, "server-service")
    assert service.inputs["metadata"] == {
        "name": "server",
        "namespace": "server",
        "labels": {"app": "server", "app.kubernetes.io/name": "server", "app.kubernetes.io/managed-by": "pulumi"},
    }
    assert service.inputs["spec"]["type"] == "ClusterIP"
    assert service.inputs["spec"]["selector"] == {"app": "server", "app.kubernetes.io/name": "server"}
    assert service.inputs["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    assert spec["containers"][0]["name"] == "server" and len(spec["containers"]) == 1, "no sidecar by default"


def check_client(recording: Recording, load_balancer: Resource, dns_name: str) -> None:
    client = deployment(recording, "client")
    assert client.inputs["metadata"]["namespace"] == "client"
    spec = pod_spec(client)
    assert spec["nodeSelector"] == {"role": "client"}
    main = container(client, "client")
    assert main["command"] == ["sleep", "infinity"]
    assert main["workingDir"] == "/app", "kubectl exec ... python client.py runs where client.py is mounted"
    variables = env(client, "client")
    # HOST is the load balancer's DNS name, wired from its output (a dependency), not pasted.
    assert load_balancer.urn in client.dependencies
    assert variables["HOST"] == dns_name
    assert {k: variables[k] for k in ("PORT", "HOST_HEADER", "USE_TLS", "ENDPOINT")} == {
        "PORT": "80",
        "HOST_HEADER": dns_name,
        "USE_TLS": "false",
        "ENDPOINT": "/index",
    }
    programs = one(recording, CONFIG_MAP, "client-programs")
    assert programs.inputs["metadata"]["namespace"] == "client"
    assert programs.inputs["data"] == {"client.py": (APP_DIR / "client.py").read_text()}


def check_pods_are_restricted(recording: Recording) -> None:
    """Every container of the bed's own workloads: non-root, read-only root, no capabilities."""
    for resource in of_type(recording, DEPLOYMENT):
        spec = pod_spec(resource)
        for c in spec.get("initContainers", []) + spec["containers"]:
            context = c["securityContext"]
            assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001, c["name"]
            assert context["readOnlyRootFilesystem"] is True, c["name"]
            assert context["allowPrivilegeEscalation"] is False, c["name"]
            assert context["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert set(c["resources"]) == {"requests", "limits"}, c["name"]
    for ns in of_type(recording, NAMESPACE):
        assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def check_binding(recording: Recording, *, target_group: Resource, security_group: Resource) -> Resource:
    [binding] = of_type(recording, TGB)
    assert binding.inputs["apiVersion"] == "elbv2.k8s.aws/v1beta1"
    assert binding.inputs["kind"] == "TargetGroupBinding"
    assert binding.inputs["metadata"]["namespace"] == "server"
    spec = binding.inputs["spec"]
    assert spec["serviceRef"] == {"name": "server", "port": 80}
    assert spec["targetType"] == "ip"
    assert spec["targetGroupARN"] == target_group.id
    # The networking rule: the load balancer's security group may reach the pods on 8000.
    assert spec["networking"] == {
        "ingress": [
            {"from": [{"securityGroup": {"groupID": security_group.id}}], "ports": [{"protocol": "TCP", "port": 8000}]}
        ]
    }
    release = one(recording, RELEASE, "lbc-release")
    assert release.urn in binding.explicit_dependencies, "created after, and deleted before, the controller"
    assert one(recording, SERVICE, "server-service").urn in binding.dependencies
    validate_against_crd(binding.inputs)
    return binding


@functools.cache
def _tgb_schema() -> dict[str, Any]:
    """The controller's v1beta1 TargetGroupBinding schema, strict: an unknown field is an error.

    (The API server would silently prune it, so a typo'd field would do nothing.)
    """
    schemas = crd_schemas(LB_CONTROLLER_CHART, LB_CONTROLLER_CHART_VERSION) or {}
    schema = copy.deepcopy(schemas["elbv2.k8s.aws/v1beta1 TargetGroupBinding"])

    def strict(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                strict(value)
        elif isinstance(node, list):
            for value in node:
                strict(value)

    strict(schema)
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    return schema


@functools.cache
def _tgb_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_tgb_schema())


def validate_against_crd(document: dict[str, Any]) -> None:
    _tgb_validator().validate(document)
