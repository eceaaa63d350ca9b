"""alb-graceful: scale in and out behind an ALB without dropped requests (seed 003).

Builds the readiness-gated namespace, Service and ALB Ingress before the graceful app, whose probe,
preStop hook and grace period let the ALB drain each pod (health check interval 5 s: the seed's 3 s is invalid).
The scenario, its knobs and how to verify it: docs/scenarios/alb-graceful.md.
"""

from __future__ import annotations

import pulumi
from pydantic import Field, model_validator

from components.aws.annotations import AlbHealthCheck, AlbIngressAnnotations, AlbTargetGroupAttributes
from components.aws.annotations.values import success_codes_problem
from components.limits import aws as limits
from k8s.graceful import READINESS_GATE_LABEL, GracefulApp, GracefulAppArgs, grace_period_problem
from k8s.versions import PYTHON_IMAGE
from stacks.aws_base import build_aws_base, export_base
from stacks.config import Loc, StackModel, raise_problems, within
from stacks.experiments.model import Action, Experiment, exported
from stacks.experiments.predicates import FieldIs, RequestCount
from stacks.workloads import PlacedConfig, WorkloadsConfig, hostname_command, hostname_variable, placement, request_loop

NAME = "graceful"


class AppConfig(StackModel):
    """The app's pods, probe and shutdown."""

    namespace: str = Field("default", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    """Namespace, labelled for readiness gates (seed: default, labelled in place; another name is created)."""
    replicas: int = Field(3, ge=2, le=50)
    """Pods before the scale-in (the seed does not say; at least 2 so one can leave)."""
    scale_in_to: int = Field(1, ge=1, le=49)
    """Replicas the check scales in to."""
    image: str = Field(PYTHON_IMAGE, min_length=1)
    """Image running k8s/apps/graceful_server.py from a ConfigMap (needs python)."""
    health_path: str = Field("/health", pattern=r"^/[A-Za-z0-9._~/-]*$")
    """Readiness probe and ALB health check path (seed: /logistics/health of the blog's app; here /health)."""
    readiness_initial_delay_seconds: int = Field(3, ge=0, le=300)
    """readinessProbe initialDelaySeconds (seed: 3)."""
    readiness_period_seconds: int = Field(3, ge=1, le=300)
    """readinessProbe periodSeconds (seed: 3)."""
    pre_stop_sleep_seconds: int = Field(120, ge=0, le=3600)
    """How long the preStop hook waits after failing /health (seed: sleep 120)."""
    termination_grace_period_seconds: int = Field(150, ge=1, le=7200)
    """Must exceed preStopSleepSeconds, or the kubelet kills the pod mid-hook (seed: longer than 120)."""


class IngressConfig(StackModel):
    """The ALB's health check and target group."""

    healthcheck_interval_seconds: int = within(limits.HEALTH_CHECK_INTERVAL, 5)
    """healthcheck-interval-seconds (seed: '3', below the ALB's minimum; 5 is the nearest valid)."""
    healthcheck_timeout_seconds: int = within(limits.HEALTH_CHECK_TIMEOUT, 4)
    """healthcheck-timeout-seconds, below the interval (the controller's default 5 is not)."""
    unhealthy_threshold_count: int = within(limits.THRESHOLD_COUNT, 2)
    """Failed checks before the ALB stops routing to a pod (controller default 2)."""
    success_codes: str = "200-301"
    """success-codes (seed: '200-301')."""
    deregistration_delay_seconds: int = within(limits.DEREGISTRATION_DELAY, 60)
    """deregistration_delay.timeout_seconds (AWS default 300); keep it within preStopSleepSeconds."""

    @model_validator(mode="after")
    def _check(self) -> IngressConfig:
        problems: list[tuple[Loc, str]] = []
        if self.healthcheck_interval_seconds <= self.healthcheck_timeout_seconds:
            problems.append(
                (
                    ("healthcheckIntervalSeconds",),
                    f"{self.healthcheck_interval_seconds} must be greater than healthcheckTimeoutSeconds "
                    f"{self.healthcheck_timeout_seconds} (ELBv2 refuses the target group otherwise)",
                )
            )
        if problem := success_codes_problem(self.success_codes, limits.ALB_SUCCESS_CODES):
            problems.append((("successCodes",), problem))
        raise_problems(problems)
        return self


class Config(PlacedConfig):
    """alb-graceful: the shared EKS bed and an app that leaves the ALB before it stops."""

    app: AppConfig = AppConfig()
    """The app's pods, probe and shutdown."""
    ingress: IngressConfig = IngressConfig()
    """The ALB's health check and deregistration delay."""
    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the app pods run."""

    @model_validator(mode="after")
    def _rules(self) -> Config:
        problems: list[tuple[Loc, str]] = []
        app = self.app
        if problem := grace_period_problem(app.termination_grace_period_seconds, app.pre_stop_sleep_seconds):
            problems.append((("app", "terminationGracePeriodSeconds"), problem))
        if app.scale_in_to >= app.replicas:
            problems.append((("app", "scaleInTo"), f"{app.scale_in_to} must be below replicas {app.replicas}"))
        raise_problems(problems)
        return self


def annotations(cfg: Config) -> AlbIngressAnnotations:
    """The blog's Ingress: health check on the app's path, codes 200-301, a short interval."""
    ingress = cfg.ingress
    return AlbIngressAnnotations(
        scheme="internet-facing",
        target_type="ip",  # readiness gates work with ip targets only
        health_check=AlbHealthCheck(
            path=cfg.app.health_path,
            interval_seconds=ingress.healthcheck_interval_seconds,
            timeout_seconds=ingress.healthcheck_timeout_seconds,
            unhealthy_threshold_count=ingress.unhealthy_threshold_count,
            success_codes=ingress.success_codes,
        ),
        target_group_attributes=AlbTargetGroupAttributes(
            deregistration_delay_seconds=ingress.deregistration_delay_seconds
        ),
    )


# The blog's load loop (3000 requests, 0.05 s apart) and when the scale-in starts in it.
LOAD_REQUESTS, LOAD_INTERVAL_SECONDS, SCALE_IN_AFTER_SECONDS = 3000, 0.05, 30


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Steady load from this machine while the deployment scales in: no 5xx at all."""
    ns = cfg.app.namespace
    return [
        request_loop(
            "scaleIn",
            f"{LOAD_REQUESTS} requests while scaling {cfg.app.replicas} -> {cfg.app.scale_in_to} replicas",
            "{url}/",
            (
                RequestCount(LOAD_REQUESTS),
                FieldIs(
                    "status",
                    500,
                    op="<",
                    meaning="each leaving pod fails /health and is deregistered before it stops serving; "
                    "the blog measured 504s 340 -> 0, 502s 200 -> 30",
                ),
            ),
            count=LOAD_REQUESTS,
            interval_seconds=LOAD_INTERVAL_SECONDS,
            actions=(
                Action(
                    SCALE_IN_AFTER_SECONDS * time_scale,
                    ("kubectl", "-n", ns, "scale", "deployment", NAME, f"--replicas={cfg.app.scale_in_to}"),
                    "scale in while the load runs",
                ),
            ),
            time_scale=time_scale,
        )
    ]


def commands(cfg: Config) -> dict[str, str]:
    ns = cfg.app.namespace
    alb = hostname_variable("ALB", "ingress", NAME, ns)
    return {
        "url": hostname_command("ingress", NAME, ns),
        "readinessGates": f"kubectl -n {ns} get pods -l app={NAME}"
        " -o custom-columns=POD:.metadata.name,GATES:.spec.readinessGates[*].conditionType,"
        "READY:.status.conditions[?(@.type=='Ready')].status",
        "namespaceLabel": f"kubectl get namespace {ns} -L {READINESS_GATE_LABEL}",
        # Terminal 1: steady load, status codes counted (bounded: 3000 requests).
        "load": f"{alb}; for i in $(seq 1 3000); do curl -s -o /dev/null -w '%{{http_code}}\\n' http://$ALB/;"
        " sleep 0.05; done | sort | uniq -c",
        # Terminal 2, while the load runs: the scale-in the blog measured (504s 340 -> 0, 502s 200 -> 30).
        "scaleIn": f"kubectl -n {ns} scale deployment {NAME} --replicas={cfg.app.scale_in_to}",
        "scaleOut": f"kubectl -n {ns} scale deployment {NAME} --replicas={cfg.app.replicas}",
        "targets": f"TG=$(kubectl -n {ns} get targetgroupbindings -o jsonpath='{{.items[0].spec.targetGroupARN}}');"
        " watch -n 2 aws elbv2 describe-target-health --target-group-arn $TG"
        " --query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State,TargetHealth.Reason]' --output text",
        "drainingPod": f"kubectl -n {ns} get pods -l app={NAME} -w",
    }


def build(cfg: Config) -> None:
    """The bed and the graceful app behind its ALB, in the order the readiness gate needs."""
    base = build_aws_base(cfg)
    where = placement(base, cfg.workloads)
    if cfg.ingress.deregistration_delay_seconds > cfg.app.pre_stop_sleep_seconds:
        pulumi.log.warn(
            f"alb-graceful: ingress.deregistrationDelaySeconds {cfg.ingress.deregistration_delay_seconds} exceeds "
            f"app.preStopSleepSeconds {cfg.app.pre_stop_sleep_seconds}: a draining target can outlive its pod, and "
            "requests still in flight on it then fail with 5XX"
        )
    app = GracefulApp(
        NAME,
        GracefulAppArgs(
            provider=base.cluster.provider,
            controller=base.lb_controller.release,
            ingress_annotations=annotations(cfg).annotations(),
            namespace=cfg.app.namespace,
            name=NAME,
            replicas=cfg.app.replicas,
            image=cfg.app.image,
            health_path=cfg.app.health_path,
            readiness_initial_delay_seconds=cfg.app.readiness_initial_delay_seconds,
            readiness_period_seconds=cfg.app.readiness_period_seconds,
            pre_stop_sleep_seconds=cfg.app.pre_stop_sleep_seconds,
            termination_grace_period_seconds=cfg.app.termination_grace_period_seconds,
            placement=where,
        ),
    )
    pulumi.export("url", app.ingress.hostname.apply(lambda h: f"http://{h}"))
    pulumi.export("experiments", exported(experiments(cfg)))
    export_base(base, commands(cfg))
