"""LoadBalancerController: the AWS Load Balancer Controller, owned end to end by Pulumi.

Creates, under one component:
- the controller's IAM policy (the published one for the pinned version,
  `lb_controller_policy.py`) and an IAM role trusted only by the service account
  `kube-system/aws-load-balancer-controller`, with audience `sts.amazonaws.com`, through the
  cluster's OIDC provider (IRSA);
- that ServiceAccount, annotated with the role: ours, so Helm is told `serviceAccount.create=false`;
- a CA and a serving certificate for the controller's admission webhooks, kept in Pulumi state:
  the chart would otherwise generate new ones on every render (`genCA` in _helpers.tpl), so
  every `pulumi up` would show a change and roll the pods (eks-charts#347, LBC #3014);
- the Helm release of the pinned chart with `clusterName`, `region` and `vpcId` explicit (no
  IMDS lookups, which IMDSv2 with hop limit 1 blocks), pinned to the system nodes, and the
  Service mutator webhook off: it would make the controller the default for every
  LoadBalancer Service and fail Service creation while the controller is down (#4140).

`release` is exposed: every Ingress, LoadBalancer Service and TargetGroupBinding must depend
on it, so that `pulumi destroy` deletes them while the controller can still delete the AWS
load balancers it made (otherwise the VPC delete hangs on their ENIs and security groups, #2014).
For that, the release itself depends on everything the controller needs to act: its
ServiceAccount, the role's policy attachment, and `wait_for` (its nodes, which wait for the
NAT path to AWS APIs, and CoreDNS: `Cluster.system_ready`). Pulumi deletes a resource only
after everything depending on it, so all of these outlive the objects the controller reconciles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as kubernetes
import pulumi_tls as tls

from ..errors import raise_if_any
from ..helm import HelmAddOn, deep_merge, helm_release
from .irsa import irsa_trust_policy
from .lb_controller_policy import lb_controller_policy
from .versions import LB_CONTROLLER, LB_CONTROLLER_POLICY_VERSION

if TYPE_CHECKING:
    from .cluster import Cluster

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
RELEASE_NAME = "aws-load-balancer-controller"
# The chart names its webhook Service "<chart name minus -controller>-webhook-service".
WEBHOOK_SERVICE = "aws-load-balancer-webhook-service"
WEBHOOK_CERT_HOURS = 10 * 365 * 24
INGRESS_CLASS = "alb"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerControllerArgs:
    """Where the controller runs and what it manages."""

    cluster_name: pulumi.Input[str]
    """EKS cluster name (`Cluster.cluster_name`): the chart's `clusterName`."""
    region: pulumi.Input[str]
    """AWS region of the cluster: the chart's `region` (no IMDS lookup)."""
    vpc_id: pulumi.Input[str]
    """VPC of the cluster (`Network.vpc_id`): the chart's `vpcId` (no IMDS lookup)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (`Cluster.oidc_provider_arn`), trusted by the IRSA role."""
    oidc_issuer: pulumi.Input[str]
    """Issuer without https:// (`Cluster.oidc_issuer`)."""
    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    node_selector: Mapping[str, str] = field(default_factory=dict)
    """Node labels the controller's pods run on, typically `ClusterArgs.system_node_selector`.
    Default: none, so any node."""
    tolerations: Sequence[Mapping[str, str]] = ()
    """Kubernetes tolerations of the controller's pods, for tainted system nodes (`tolerations_for`)."""
    replica_count: int = 2
    """Chart default: one leader, one standby that keeps the webhook answering."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What the controller needs to run and reach AWS, created first and deleted last: the node groups
    matching `node_selector` (with the egress they wait for) and CoreDNS (`Cluster.system_ready`)."""
    extra_values: Mapping[str, Any] = field(default_factory=dict)
    """Helm values merged last, over ours."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags added to the controller's IAM policy and role."""

    @classmethod
    def for_cluster(
        cls, cluster: Cluster, *, region: pulumi.Input[str], vpc_id: pulumi.Input[str], **rest: Any
    ) -> LoadBalancerControllerArgs:
        """The controller wired to `cluster`: its name, OIDC provider and issuer, Kubernetes provider,
        system placement (selector and tolerations), and `wait_for=cluster.system_ready`, so that
        destroy deletes the controller before its nodes and CoreDNS. `rest`: the other fields."""
        system = cluster.system_placement
        return cls(
            cluster_name=cluster.cluster_name,
            region=region,
            vpc_id=vpc_id,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            provider=cluster.provider,
            node_selector=system.node_selector,
            tolerations=system.tolerations,
            wait_for=cluster.system_ready,
            **rest,
        )


def helm_values(
    args: LoadBalancerControllerArgs,
    *,
    ca_cert: pulumi.Input[str],
    cert: pulumi.Input[str],
    key: pulumi.Input[str],
) -> dict[str, Any]:
    """Chart values: ours, then `args.extra_values` on top."""
    ours = {
        "clusterName": args.cluster_name,
        "region": args.region,
        "vpcId": args.vpc_id,
        "replicaCount": args.replica_count,
        "serviceAccount": {"create": False, "name": SERVICE_ACCOUNT},
        "nodeSelector": dict(args.node_selector),
        "tolerations": [dict(t) for t in args.tolerations],
        "enableServiceMutatorWebhook": False,
        "webhookTLS": {"caCert": ca_cert, "cert": cert, "key": key},
    }
    return deep_merge(ours, args.extra_values)


class LoadBalancerController(pulumi.ComponentResource):
    """IRSA role, ServiceAccount, webhook certificates and the Helm release of the AWS LB controller."""

    release: kubernetes.helm.v3.Release
    """Depend on this from everything the controller reconciles."""
    role_arn: pulumi.Output[str]
    ingress_class: str
    """IngressClass the chart creates (`alb`)."""

    def __init__(self, name: str, args: LoadBalancerControllerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:LoadBalancerController", name, None, opts)
        _validate(args)
        role, attachment = self._irsa_role(name, args)
        service_account = self._service_account(name, args, role)
        webhook_tls = self._webhook_certificates(name)
        self.release = helm_release(
            f"{name}-release",
            HelmAddOn(
                release_name=RELEASE_NAME,
                namespace=NAMESPACE,
                chart=LB_CONTROLLER,
                # Placement and `extra_values` are in helm_values already.
                values=helm_values(args, **webhook_tls),
                wait_for=[service_account, attachment, *args.wait_for],
            ),
            provider=args.provider,
            parent=self,
        )
        self.role_arn = role.arn
        self.ingress_class = INGRESS_CLASS
        self.register_outputs({"releaseStatus": self.release.status, "roleArn": self.role_arn})

    def _irsa_role(
        self, name: str, args: LoadBalancerControllerArgs
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """The controller's IAM policy and the role its ServiceAccount assumes through the OIDC provider."""
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        policy = aws.iam.Policy(
            f"{name}-policy",
            description=f"AWS Load Balancer Controller {LB_CONTROLLER_POLICY_VERSION} (docs/install/iam_policy.json)",
            policy=partition.apply(lambda p: json.dumps(lb_controller_policy(p))),
            tags=dict(args.tags),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            description=f"IRSA role of {NAMESPACE}/{SERVICE_ACCOUNT}",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda a: json.dumps(irsa_trust_policy(a[0], a[1], NAMESPACE, SERVICE_ACCOUNT))
            ),
            tags=dict(args.tags),
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-role-policy", role=role.name, policy_arn=policy.arn, opts=child
        )
        return role, attachment

    def _service_account(
        self, name: str, args: LoadBalancerControllerArgs, role: aws.iam.Role
    ) -> kubernetes.core.v1.ServiceAccount:
        """The controller's ServiceAccount, annotated with its IRSA role (the chart creates none)."""
        return kubernetes.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=kubernetes.meta.v1.ObjectMetaArgs(
                name=SERVICE_ACCOUNT,
                namespace=NAMESPACE,
                labels={"app.kubernetes.io/name": SERVICE_ACCOUNT, "app.kubernetes.io/managed-by": "pulumi"},
                annotations={"eks.amazonaws.com/role-arn": role.arn},
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )

    def _webhook_certificates(self, name: str) -> dict[str, pulumi.Input[str]]:
        """A CA and a serving certificate for the admission webhooks, as `helm_values`' `ca_cert`,
        `cert` and `key` (the key a secret)."""
        child = pulumi.ResourceOptions(parent=self)
        ca_key = tls.PrivateKey(f"{name}-webhook-ca", algorithm="RSA", rsa_bits=2048, opts=child)
        ca = tls.SelfSignedCert(
            f"{name}-webhook-ca",
            private_key_pem=ca_key.private_key_pem,
            is_ca_certificate=True,
            subject=tls.SelfSignedCertSubjectArgs(common_name="aws-load-balancer-controller-ca"),
            validity_period_hours=WEBHOOK_CERT_HOURS,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
            opts=child,
        )
        serving_key = tls.PrivateKey(f"{name}-webhook", algorithm="RSA", rsa_bits=2048, opts=child)
        dns_names = [
            f"{WEBHOOK_SERVICE}.{NAMESPACE}",
            f"{WEBHOOK_SERVICE}.{NAMESPACE}.svc",
            f"{WEBHOOK_SERVICE}.{NAMESPACE}.svc.cluster.local",
        ]
        request = tls.CertRequest(
            f"{name}-webhook",
            private_key_pem=serving_key.private_key_pem,
            dns_names=dns_names,
            subject=tls.CertRequestSubjectArgs(common_name=dns_names[1]),
            opts=child,
        )
        serving_cert = tls.LocallySignedCert(
            f"{name}-webhook",
            cert_request_pem=request.cert_request_pem,
            ca_cert_pem=ca.cert_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            validity_period_hours=WEBHOOK_CERT_HOURS,
            allowed_uses=["server_auth", "digital_signature", "key_encipherment"],
            opts=child,
        )
        return {
            "ca_cert": ca.cert_pem,
            "cert": serving_cert.cert_pem,
            "key": pulumi.Output.secret(serving_key.private_key_pem),
        }


def _validate(args: LoadBalancerControllerArgs) -> None:
    problems: list[tuple[str, str]] = []
    if args.replica_count < 1:
        problems.append(("replica_count", f"{args.replica_count} is below 1"))
    raise_if_any("LoadBalancerController", problems)
