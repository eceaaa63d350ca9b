"""Run a Pulumi program under Pulumi's mocks with nothing but the installed packages, and report it.

tests/test_package.py copies this file next to examples/platform-team's program in a temporary
directory and runs it with the Python of a fresh virtualenv that holds only the built wheel and
its `[aws]` dependencies, in isolated mode (`python -I`: no PYTHONPATH, no user site, not even
the script's own directory on sys.path). So it imports pulumi and the standard library only,
never the checkout's `testbed.engine` or `testbed.fakes`: those are the beds' tools, not the
wheel's.

    python -I platform_mocks.py <program.py> <project> <stack> '<config as JSON>'

prints one JSON document: every registered resource (type, name, parent, inputs), the stack
outputs, and what the interpreter could import (so the test can prove the checkout was absent).

The mocks answer with plausible outputs and never with unknowns (the run is not a preview, so
every `apply` runs); an invoke they do not know is an error rather than a silent `{}`. Resource
references are off in the monitor: rehydrating them on its thread hangs or fails at random
(research notes, "Resource references in mocks are fragile").
"""

from __future__ import annotations

import base64
import faulthandler
import hashlib
import importlib.util
import json
import runpy
import sys
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import resource_pb2

TIMEOUT_SECONDS = 120


def _hex(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def _pem(kind: str, name: str) -> str:
    """A PEM-shaped block that says it is a mock."""
    body = base64.b64encode(f"mock {kind} of {name}".encode()).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


# Type -> (output field, PEM kind) of what each pulumi-tls resource makes.
TLS_OUTPUTS = {
    "tls:index/privateKey:PrivateKey": (("privateKeyPem", "RSA PRIVATE KEY"), ("publicKeyPem", "PUBLIC KEY")),
    "tls:index/selfSignedCert:SelfSignedCert": (("certPem", "CERTIFICATE"),),
    "tls:index/certRequest:CertRequest": (("certRequestPem", "CERTIFICATE REQUEST"),),
    "tls:index/locallySignedCert:LocallySignedCert": (("certPem", "CERTIFICATE"),),
}


class PlausibleCloud(mocks.Mocks):
    """Outputs shaped like AWS's, EKS's, TLS's and Helm's for what the AWS components create."""

    def __init__(self, region: str, account: str = "123456789012"):
        self.region = region
        self.account = account

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if regional else ''}:{self.account}:{resource}"

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        rid = _hex(typ, name)
        if typ == "eks:index:Cluster":
            # A remote component: only its declared outputs, never echoed inputs (their types differ).
            cluster = inputs.get("name", name)
            issuer = f"oidc.eks.{self.region}.amazonaws.com/id/{_hex('oidc', cluster, length=32).upper()}"
            kubeconfig = {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": cluster, "cluster": {"server": f"https://{rid}.eks.amazonaws.com"}}],
                "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": cluster}}],
                "current-context": cluster,
                "users": [{"name": cluster, "user": {}}],
            }
            return f"{name}-{rid[:8]}", {
                "kubeconfigJson": json.dumps(kubeconfig),
                "oidcProviderArn": self.arn("iam", f"oidc-provider/{issuer}", regional=False),
                "oidcIssuer": issuer,
                "clusterSecurityGroupId": f"sg-{rid}",
            }
        outputs = {**inputs}
        if typ.startswith("aws:ec2/"):
            prefix = {
                "vpc": "vpc",
                "subnet": "subnet",
                "internetGateway": "igw",
                "natGateway": "nat",
                "eip": "eipalloc",
            }
            kind = typ.split("/")[1].split(":")[0]
            rid = f"{prefix.get(kind, kind.lower())}-{rid}"
            if kind == "launchTemplate":
                outputs["latestVersion"] = 1
        elif typ in ("aws:iam/role:Role", "aws:iam/policy:Policy"):
            resource_name = inputs.get("name") or f"{name}-{_hex('autoname', name, length=7)}"
            outputs.update(
                name=resource_name,
                arn=self.arn("iam", f"{typ.split('/')[1].split(':')[0]}/{resource_name}", regional=False),
            )
            rid = resource_name if typ.endswith("Role") else outputs["arn"]
        elif typ == "aws:eks/nodeGroup:NodeGroup":
            outputs["status"] = "ACTIVE"
        elif typ in TLS_OUTPUTS:
            for field, kind in TLS_OUTPUTS[typ]:
                outputs[field] = _pem(kind, name)
        elif typ == "kubernetes:helm.sh/v3:Release":
            outputs["status"] = {"name": inputs.get("name"), "namespace": inputs.get("namespace"), "status": "deployed"}
        return rid, outputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list]:
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = "abc"
            return {
                "names": [f"{self.region}{x}" for x in letters],
                "zoneIds": [f"{self.region[:3]}{self.region[-1]}-az{i}" for i in range(1, 4)],
                "state": args.args.get("state"),
                "id": self.region,
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        raise NotImplementedError(f"no mock result for invoke {args.token}")


class RecordingMonitor(mocks.MockMonitor):
    """Records every registration request; resource references turned off."""

    def __init__(self, cloud: PlausibleCloud):
        super().__init__(cloud)
        self.recorded: list[dict[str, Any]] = []

    def GetDeploymentInfo(self, request):
        info = super().GetDeploymentInfo(request)
        features = [f for f in info.supportedFeatures if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def SupportsFeature(self, request):
        return type(
            "SupportsFeatureResponse", (), {"hasSupport": request.id not in ("outputValues", "resourceReferences")}
        )

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(
                {
                    "type": request.type,
                    "name": request.name,
                    "parent": request.parent or None,
                    "urn": response.urn,
                    "dependencies": sorted(set(request.dependencies)),
                    "inputs": plain(rpc.deserialize_properties(request.object)),
                }
            )
        return response


def plain(value: Any) -> Any:
    """JSON-ready data: a secret as {"secret": value}, whole floats as ints (the engine sends floats)."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return {"secret": plain(value.get("value"))}
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def main(program: str, project: str, stack: str, config: dict[str, str]) -> dict[str, Any]:
    """Run `program` as `project`/`stack` with `config` under the mocks; what it registered and exported."""
    cloud = PlausibleCloud(region=config.get("aws:region", "eu-west-1"))
    monitor = RecordingMonitor(cloud)
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_all_config(config)
    mocks.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor)
    root = runtime_settings.get_root_resource()
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run():
        runpy.run_path(program, run_name="__main__")
        return pulumi.Output.from_input(root.outputs).apply(outputs.update)

    faulthandler.dump_traceback_later(TIMEOUT_SECONDS, exit=True)
    try:
        run()
    finally:
        faulthandler.cancel_dump_traceback_later()
    return {
        "resources": sorted(monitor.recorded, key=lambda r: r["urn"]),
        "outputs": plain(outputs),
        "sysPath": sys.path,
        "importable": {m: importlib.util.find_spec(m) is not None for m in ("components", "stacks", "testbed", "k8s")},
        "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("lb_testbed_components", "pulumi_azure_native")),
        "componentsFile": sys.modules["lb_testbed_components"].__file__,
    }


if __name__ == "__main__":
    program_path, project_name, stack_name, config_json = sys.argv[1:5]
    print(json.dumps(main(program_path, project_name, stack_name, json.loads(config_json)), sort_keys=True))
