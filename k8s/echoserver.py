"""EchoServer: the seeds' echo server (echoserver:1.5 on port 8080) and the Service in front of it.

Seeds 001 and 003 apply it as `deploy-echo` (2 replicas, label app=deploy-websrv, container
`akos-websrv`, terminationGracePeriodSeconds 0) behind the NLB Service `svc-nlb-ip-type`;
seed 002 puts it in namespace `echoserver` behind Ingresses. It answers every request with the
request it saw and its own `Hostname:`, which is what the seeds count.

The Service is either a ClusterIP (an Ingress sends traffic to it) or, given
`NlbServiceAnnotations`, a LoadBalancer Service of class `service.k8s.aws/nlb` that depends on the
LB controller's release, so that `pulumi destroy` deletes it while the controller can still
delete the NLB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as kubernetes

from components.aws.annotations import NlbServiceAnnotations, ServicePort
from components.errors import raise_if_any
from components.placement import Placement
from k8s.load_balancer import ingress_hostname
from k8s.namespaces import namespace
from k8s.pods import app_labels, http_container, resources
from k8s.versions import ECHOSERVER_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems, root_http_pod

CONTAINER_PORT = 8080


def echoserver_security() -> kubernetes.core.v1.SecurityContextArgs:
    """echoserver:1.5 is nginx (openresty) started as root, writing its logs and temp files into
    its own file system; the seeds' image is kept as it is, so it keeps root and a writable root
    file system, without privilege escalation and with every capability but the three its master
    needs to hand work to its worker processes dropped."""
    return kubernetes.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        capabilities=kubernetes.core.v1.CapabilitiesArgs(drop=["ALL"], add=["CHOWN", "SETGID", "SETUID"]),
        seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


@dataclass(frozen=True, kw_only=True)
class EchoServerArgs(WorkloadArgs):
    """The echo server Deployment and its Service (seeds 001/003: in the default namespace)."""

    create_namespace: bool = False
    """Create `namespace` (seed 002's `echoserver`); False for one that exists (`default`)."""
    deployment_name: str = "deploy-echo"
    app_label: str = "deploy-websrv"
    container_name: str = "akos-websrv"
    replicas: int = 2
    image: str = ECHOSERVER_IMAGE
    termination_grace_period_seconds: int | None = 0
    """Seed 001/003: 0 (the pods are killed at once); None keeps Kubernetes' 30 s."""
    service_name: str = "svc-nlb-ip-type"
    service_ports: Sequence[ServicePort] = (ServicePort(name="http", port=80, target_port=CONTAINER_PORT),)
    service_type: Literal["ClusterIP", "NodePort"] = "ClusterIP"
    """Without `load_balancer`: ClusterIP for ip targets, NodePort for instance targets."""
    load_balancer: NlbServiceAnnotations | None = None
    """Make the Service an NLB (annotations and spec from the typed builder); None: ClusterIP."""
    controller: pulumi.Resource | None = None
    """The AWS LB controller's release; required with `load_balancer`."""
    placement: Placement = field(default_factory=Placement)
    """Where the pods run and what they wait for (`Cluster.placement`); default: any node, nothing."""


class EchoServer(Workload):
    """echoserver Deployment and a ClusterIP or NLB Service."""

    namespace: kubernetes.core.v1.Namespace | None
    service: kubernetes.core.v1.Service
    backend: list[pulumi.Resource]
    """What an Ingress routing to the Service waits for: the Service, and the namespace if created here."""
    hostname: pulumi.Output[str]
    """The NLB's DNS name ("" for a ClusterIP Service)."""

    def __init__(self, name: str, args: EchoServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:EchoServer", name, opts, workload=args)
        _validate(args)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        labels = app_labels(args.app_label)
        self.namespace = None
        namespace_deps: list[pulumi.Resource] = []
        if args.create_namespace:
            self.namespace = namespace(f"{name}-namespace", name=args.namespace, opts=k8s_opts)
            namespace_deps.append(self.namespace)

        container = http_container(
            name=args.container_name,
            image=args.image,
            port=CONTAINER_PORT,
            security_context=echoserver_security(),
            resources=resources(),
        )
        self.deployment = self._deployment(
            name=args.deployment_name,
            labels=labels,
            pod=root_http_pod(
                args.placement, container, termination_grace_period_seconds=args.termination_grace_period_seconds
            ),
            depends_on=[*namespace_deps, *args.placement.wait_for],
        )

        annotations = None
        if args.load_balancer is not None:
            assert args.controller is not None  # _validate
            annotations = args.load_balancer.annotations()
            service_spec: dict = {**args.load_balancer.service_spec(args.service_ports), "selector": labels}
            depends_on = [args.controller, *namespace_deps]
        else:
            service_spec = {
                "type": args.service_type,
                "ports": [p.document() for p in args.service_ports],
                "selector": labels,
            }
            depends_on = list(namespace_deps)
        self.service = self._service(
            name=args.service_name, labels=labels, annotations=annotations, spec=service_spec, depends_on=depends_on
        )
        self.backend = [self.service, *namespace_deps]
        self.hostname = self.service.status.apply(ingress_hostname)
        self.register_outputs({"hostname": self.hostname})


def _validate(args: EchoServerArgs) -> None:
    problems = replicas_problems(args.replicas, 100)
    if args.load_balancer is not None and args.controller is None:
        problems.append(("controller", "required with load_balancer: the NLB Service must depend on the controller"))
    if not args.service_ports:
        problems.append(("service_ports", "empty; the Service needs a port"))
    if args.namespace == "default" and args.create_namespace:
        problems.append(("create_namespace", "the default namespace always exists"))
    raise_if_any("EchoServer", problems)
