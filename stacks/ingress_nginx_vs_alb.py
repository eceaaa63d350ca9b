"""ingress-nginx-vs-alb: one echo server reached two ways, 4 hops against 2 (seed 002).

Builds the echo server behind today's path (NLB -> node -> ingress-nginx -> pod) and the proposed
one (ALB -> pod, with the same path rewrite as an ALB transform) on the shared EKS bed, and the
commands that compare them.
The scenario, its knobs and how to verify it: docs/scenarios/ingress-nginx-vs-alb.md.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, model_validator

from components.aws.annotations import AlbIngressAnnotations, NlbServiceAnnotations
from components.k8s_labels import matches
from k8s.ingress import Ingress, IngressArgs, IngressPath
from k8s.ingress_nginx import SERVICE_NAME as NGINX_SERVICE
from k8s.ingress_nginx import IngressNginx, IngressNginxArgs
from stacks.aws_base import build_aws_base, export_base
from stacks.config import Loc, StackModel, raise_problems
from stacks.echo_server import NAME as ECHO
from stacks.echo_server import NAME_PATTERN, EchoServerConfig, echo_server, strip_prefix
from stacks.workloads import PlacedConfig, WorkloadsConfig, hostname_command, hostname_variable, placement

NGINX_INGRESS = "echoserver-nginx"
ALB_INGRESS = "echoserver-alb"


class EchoConfig(EchoServerConfig):
    """The echo server both paths reach."""

    path_prefix: str = Field("/test", pattern=r"^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")
    """The prefix both paths strip (seed: /test, i.e. `/test(/|$)(.*)` -> `/$2`)."""
    host: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
    """Rule host (seed: XXXXX.test.com, a placeholder); null: any host, so the LB names work as they are."""


class NginxConfig(StackModel):
    """Today's path: ingress-nginx behind an NLB."""

    namespace: str = Field("ingress-nginx", pattern=NAME_PATTERN)
    """Namespace of the ingress-nginx release."""
    replicas: int = Field(1, ge=1, le=10)
    """ingress-nginx controller pods."""
    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    """The NLB Service's externalTrafficPolicy (seed: Cluster, the extra node hop)."""
    nlb_target_type: Literal["instance", "ip"] = "instance"
    """NLB targets: instance (NodePort on every node, seed's 4 hops) or ip (the nginx pods)."""
    nlb_target_node_labels: dict[str, str] = {"role": "client"}
    """Instance targets only: the nodes the NLB sends to (the entry hop). Default: the client node,
    which runs neither ingress-nginx nor the echo server, so that `commands.restartNode` restarts
    exactly the node every NLB connection crosses. {}: every node (the seed's setup)."""


class Config(PlacedConfig):
    """ingress-nginx-vs-alb: the shared EKS bed, the echo server, and both paths to it."""

    echoserver: EchoConfig = EchoConfig()
    """The echo server."""
    ingress_nginx: NginxConfig = NginxConfig()
    """NLB -> ingress-nginx."""
    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the echo server and ingress-nginx run."""

    @model_validator(mode="after")
    def _rules(self) -> Config:
        problems: list[tuple[Loc, str]] = []
        if self.ingress_nginx.namespace == self.echoserver.namespace:
            problems.append((("ingressNginx", "namespace"), "must differ from echoserver.namespace"))
        if self.ingress_nginx.namespace in ("default", "kube-system"):
            problems.append((("ingressNginx", "namespace"), f"{self.ingress_nginx.namespace!r}: use its own namespace"))
        entry = self.ingress_nginx.nlb_target_node_labels
        if entry and self.ingress_nginx.nlb_target_type != "instance":
            problems.append(
                (("ingressNginx", "nlbTargetNodeLabels"), f"{entry}: only with nlbTargetType instance; allowed: {{}}")
            )
        elif entry and not any(matches(entry, group.labels) for group in self.node_groups.values()):
            problems.append((("ingressNginx", "nlbTargetNodeLabels"), f"{entry}: no node group has these labels"))
        raise_problems(problems)
        return self


def nginx_path(prefix: str) -> str:
    """Seed 002's ingress-nginx path: `<prefix>(/|$)(.*)`."""
    return f"{prefix}(/|$)(.*)"


def nginx_annotations() -> dict[str, str]:
    """Seed 002's ingress-nginx annotation (use-regex is implied by rewrite-target; said explicitly)."""
    return {
        "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
        "nginx.ingress.kubernetes.io/use-regex": "true",
    }


def nlb_annotations(cfg: Config) -> NlbServiceAnnotations:
    """The NLB in front of ingress-nginx."""
    return NlbServiceAnnotations(
        target_type=cfg.ingress_nginx.nlb_target_type,
        scheme="internet-facing",
        target_node_labels=cfg.ingress_nginx.nlb_target_node_labels,
    )


def alb_annotations(cfg: Config) -> AlbIngressAnnotations:
    """The proposed path: ALB straight to the pods, with the same rewrite."""
    return AlbIngressAnnotations(
        scheme="internet-facing",
        target_type="ip",
        transforms={ECHO: (strip_prefix(cfg.echoserver.path_prefix),)},
    )


def restart_node_command(entry: dict[str, str]) -> str:
    """Reboot the NLB's entry node (the first node carrying `entry`), or name what to pick without one."""
    if entry:
        selector = ",".join(f"{k}={v}" for k, v in sorted(entry.items()))
        node = f"NODE=$(kubectl get nodes -l {selector} -o jsonpath='{{.items[0].metadata.name}}')"
    else:
        node = "NODE=<a node running neither pod>"
    instance = "$(kubectl get node $NODE -o jsonpath='{.spec.providerID}' | cut -d/ -f5)"
    return f"{node}; aws ec2 reboot-instances --instance-ids {instance}"


def commands(cfg: Config) -> dict[str, str]:
    echo = cfg.echoserver
    ns = echo.namespace
    nlb = hostname_variable("NLB", "svc", NGINX_SERVICE, cfg.ingress_nginx.namespace)
    alb = hostname_variable("ALB", "ingress", ALB_INGRESS, ns)
    host = f" -H 'Host: {echo.host}'" if echo.host else ""
    prefix = echo.path_prefix
    timing = "-o /dev/null -w '%{time_total}\\n'"
    stats = 'sort -n | awk \'{a[NR]=$1} END {print "n="NR, "p50="a[int(NR*0.5)], "p90="a[int(NR*0.9)], "max="a[NR]}\''
    # One connection reused for 600 requests, one a second; a failed or re-opened connection is printed.
    long_lived = (
        'python3 -c "import http.client,sys,time\n'
        "c=http.client.HTTPConnection(sys.argv[1],80,timeout=5)\n"
        "for i in range(600):\n"
        " t=time.strftime('%H:%M:%S')\n"
        " try:\n"
        "  c.request('GET',sys.argv[2]" + (f",headers={{'Host':'{echo.host}'}}" if echo.host else "") + ");"
        " r=c.getresponse(); r.read(); print(t,r.status,flush=True)\n"
        " except Exception as e:\n"
        "  print(t,'FAILED',type(e).__name__,e,flush=True); c.close()\n"
        ' time.sleep(1)"'
    )
    return {
        "nginxUrl": hostname_command("svc", NGINX_SERVICE, cfg.ingress_nginx.namespace, suffix=f"{prefix}/"),
        "albUrl": hostname_command("ingress", ALB_INGRESS, ns, suffix=f"{prefix}/"),
        # The rewrite: both must print the path without the prefix (e.g. /index.html).
        "rewriteViaNginx": f"{nlb}; curl -s{host} http://$NLB{prefix}/index.html | grep -iE 'real path|request_uri'",
        "rewriteViaAlb": f"{alb}; curl -s{host} http://$ALB{prefix}/index.html | grep -iE 'real path|request_uri'",
        "latencyViaNginx": f"{nlb}; for i in $(seq 1 100); do curl -s{host} {timing} http://$NLB{prefix}/; done"
        f" | {stats}",
        "latencyViaAlb": f"{alb}; for i in $(seq 1 100); do curl -s{host} {timing} http://$ALB{prefix}/; done"
        f" | {stats}",
        "longLivedViaNginx": f"{nlb}; {long_lived} $NLB {prefix}/",
        "longLivedViaAlb": f"{alb}; {long_lived} $ALB {prefix}/",
        # While a long-lived check runs: restart the NLB's entry node, which runs neither the echo
        # server nor ingress-nginx: the NLB path crosses it, the ALB path does not.
        "pods": f"kubectl get pods -o wide -n {ns}; kubectl get pods -o wide -n {cfg.ingress_nginx.namespace}",
        "restartNode": restart_node_command(cfg.ingress_nginx.nlb_target_node_labels),
    }


def build(cfg: Config) -> None:
    """The bed, the echo server and both paths to it, and how to compare them."""
    base = build_aws_base(cfg)
    provider, controller = base.cluster.provider, base.lb_controller.release
    where = placement(base, cfg.workloads)
    echo = cfg.echoserver
    server = echo_server(echo, provider, where)
    nginx = IngressNginx(
        "ingress-nginx",
        IngressNginxArgs(
            provider=provider,
            controller=controller,
            load_balancer=nlb_annotations(cfg),
            namespace=cfg.ingress_nginx.namespace,
            external_traffic_policy=cfg.ingress_nginx.external_traffic_policy,
            replicas=cfg.ingress_nginx.replicas,
            placement=where,
        ),
    )
    via_nginx = Ingress(
        NGINX_INGRESS,
        IngressArgs(
            provider=provider,
            namespace=echo.namespace,
            name=NGINX_INGRESS,
            ingress_class_name=nginx.ingress_class,
            # ingress-nginx reconciles it (its admission webhook must answer); it in turn depends on the LB controller.
            controller=nginx.release,
            host=echo.host,
            annotations=nginx_annotations(),
            paths=[
                IngressPath(
                    path=nginx_path(echo.path_prefix),
                    path_type="ImplementationSpecific",
                    service_name=ECHO,
                    service_port=80,
                )
            ],
            wait_for=[*server.backend, controller],
        ),
    )
    via_alb = Ingress(
        ALB_INGRESS,
        IngressArgs(
            provider=provider,
            namespace=echo.namespace,
            name=ALB_INGRESS,
            ingress_class_name=base.lb_controller.ingress_class,
            controller=controller,
            host=echo.host,
            annotations=alb_annotations(cfg).annotations(),
            paths=[IngressPath(path=echo.path_prefix, service_name=ECHO, service_port=80)],
            wait_for=server.backend,
        ),
    )
    pulumi.export("nginxUrl", via_nginx.hostname.apply(lambda h: f"http://{h}{echo.path_prefix}/"))
    pulumi.export("albUrl", via_alb.hostname.apply(lambda h: f"http://{h}{echo.path_prefix}/"))
    pulumi.export("paths", request_paths(cfg))
    export_base(base, commands(cfg))


def request_paths(cfg: Config) -> dict[str, str]:
    """The hops a request takes on each path."""
    return {
        "nginx": "client -> NLB -> any node (NodePort, kube-proxy) -> ingress-nginx pod -> echoserver pod"
        if cfg.ingress_nginx.nlb_target_type == "instance"
        else "client -> NLB -> ingress-nginx pod -> echoserver pod",
        "alb": "client -> ALB -> echoserver pod (target type ip)",
    }
