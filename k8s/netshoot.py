"""Netshoot: seed 001's `netshoot-pod` Deployment, one idle toolbox pod per node.

The seed deployed it to watch each node's routing table gain a `/32` route and an `eni…`
interface per pod IP. Here the replicas are spread over the nodes by a topology spread
constraint (the seed got one per node by luck of the scheduler), so every node shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from k8s.pods import app_labels, pod_spec, resources, restricted_container_security
from k8s.versions import NETSHOOT_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems

NAME = "netshoot-pod"
"""The seed's Deployment name, container name and `app` label."""


@dataclass(frozen=True, kw_only=True)
class NetshootArgs(WorkloadArgs):
    """How many netshoot pods (seed: in the default namespace), and what they wait for."""

    replicas: int = 3
    """Seed: 3, one per node."""
    wait_for: tuple[pulumi.Resource, ...] = ()
    """What the pods need first, typically the node groups."""


class Netshoot(Workload):
    """A Deployment of nicolaka/netshoot idling on `tail -f /dev/null`, spread one per node."""

    def __init__(self, name: str, args: NetshootArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:Netshoot", name, opts, workload=args)
        _validate(args)
        labels = app_labels(NAME)
        self.deployment = self._deployment(
            name=NAME,
            labels=labels,
            pod=pod_spec(
                # Seed: terminationGracePeriodSeconds 0, the toolbox holds nothing to drain.
                termination_grace_period_seconds=0,
                topology_spread_constraints=[
                    kubernetes.core.v1.TopologySpreadConstraintArgs(
                        max_skew=1,
                        topology_key="kubernetes.io/hostname",
                        when_unsatisfiable="DoNotSchedule",
                        label_selector=kubernetes.meta.v1.LabelSelectorArgs(match_labels=labels),
                    )
                ],
                containers=[
                    kubernetes.core.v1.ContainerArgs(
                        name=NAME,
                        image=NETSHOOT_IMAGE,
                        command=["tail"],
                        args=["-f", "/dev/null"],
                        # No endpoint to probe: the pod only has to hold its IP. Tools that
                        # need raw sockets (tcpdump) belong in `kubectl debug --profile=netadmin`.
                        security_context=restricted_container_security(),
                        resources=resources(cpu="10m", memory="16Mi", cpu_limit="200m", memory_limit="128Mi"),
                    )
                ],
            ),
            depends_on=args.wait_for,
        )
        self.register_outputs({"name": NAME})


def _validate(args: NetshootArgs) -> None:
    raise_if_any("Netshoot", replicas_problems(args.replicas, 100, least=1))
