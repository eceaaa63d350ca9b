"""ALB listener-rule JSON for Ingress annotations: actions, conditions and transforms.

`alb.ingress.kubernetes.io/actions.<name>`, `conditions.<name>` and `transforms.<name>` hold
JSON whose shapes are documented in the controller's docs/guide/ingress/annotations.md and
docs/guide/tasks/url_rewrite.md (transforms: LBC >= v2.14.1, PR #4396). `<name>` must be the
`service.name` of an Ingress backend: for an action, with `port.name: use-annotation`.
Limits are the ELBv2 API's (botocore elbv2 FixedResponseActionConfig, RedirectActionConfig,
TargetGroupTuple, TargetGroupStickinessConfig, RuleCondition, RewriteConfig).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ...limits import aws as limits
from .values import (
    PORT,
    Problem,
    choice_problem,
    cidr_problem,
    dns_label_problem,
    is_int,
)

FIXED_RESPONSE_CONTENT_TYPES = ("text/plain", "text/css", "text/html", "application/javascript", "application/json")
FIXED_RESPONSE_STATUS = re.compile(r"^[245]\d\d$")
MESSAGE_BODY_MAX = limits.FIXED_RESPONSE_BODY_LENGTH
REDIRECT_STATUS_CODES = ("HTTP_301", "HTTP_302")
REDIRECT_PROTOCOLS = ("HTTP", "HTTPS", "#{protocol}")
FORWARD_WEIGHT = limits.FORWARD_WEIGHT
FORWARD_TARGET_GROUPS_MAX = limits.FORWARD_TARGET_GROUPS
STICKINESS_DURATION = limits.STICKINESS_DURATION
CONDITION_VALUE_MAX = limits.RULE_CONDITION_VALUE_LENGTH
CONDITION_VALUES_MAX = limits.RULE_CONDITION_VALUES
"""ALB: at most 3 match values per condition and 5 per rule (ELB user guide, listener rules)."""
RULE_VALUES_MAX = 5
SINGLE_CONDITION_FIELDS = ("host-header", "http-request-method", "path-pattern", "source-ip")
"""Fields a rule may have at most one condition on."""
REWRITE_MAX = 1024
_TARGET_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[\w-]+/[0-9a-f]+$")


# ---- actions -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FixedResponse:
    """A fixed HTTP response from the ALB itself."""

    status_code: int
    """2XX, 4XX or 5XX."""
    content_type: str | None = None
    """text/plain, text/css, text/html, application/javascript or application/json."""
    message_body: str | None = None
    """At most 1024 characters."""

    def problems(self) -> list[Problem]:
        problems = []
        if not is_int(self.status_code) or not FIXED_RESPONSE_STATUS.match(str(self.status_code)):
            problems.append(("status_code", f"{self.status_code!r}: allowed: a 2XX, 4XX or 5XX code"))
        if self.content_type is not None and (p := choice_problem(self.content_type, FIXED_RESPONSE_CONTENT_TYPES)):
            problems.append(("content_type", p))
        if self.message_body is not None and len(self.message_body) > MESSAGE_BODY_MAX:
            problems.append(
                ("message_body", f"is {len(self.message_body)} characters; allowed: at most {MESSAGE_BODY_MAX}")
            )
        return problems

    def document(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.content_type is not None:
            config["contentType"] = self.content_type
        config["statusCode"] = str(self.status_code)
        if self.message_body is not None:
            config["messageBody"] = self.message_body
        return {"type": "fixed-response", "fixedResponseConfig": config}


@dataclass(frozen=True, kw_only=True)
class Redirect:
    """A redirect; unset parts keep the request's (#{host}, #{path}, ...)."""

    status_code: Literal["HTTP_301", "HTTP_302"]
    protocol: str | None = None
    """HTTP, HTTPS or #{protocol}; HTTPS to HTTP is not allowed."""
    port: int | Literal["#{port}"] | None = None
    host: str | None = None
    path: str | None = None
    query: str | None = None

    def problems(self) -> list[Problem]:
        problems = []
        if p := choice_problem(self.status_code, REDIRECT_STATUS_CODES):
            problems.append(("status_code", p))
        if self.protocol is not None and (p := choice_problem(self.protocol, REDIRECT_PROTOCOLS)):
            problems.append(("protocol", p))
        if self.port is not None and self.port != "#{port}" and self.port not in PORT:
            problems.append(("port", f"{self.port!r}: allowed: {PORT} or '#{{port}}'"))
        most = CONDITION_VALUE_MAX
        if self.host is not None and not 1 <= len(self.host) <= most:
            problems.append(("host", f"{self.host!r}: allowed: 1-{most} characters"))
        if self.path is not None and (not self.path.startswith("/") or len(self.path) > most):
            problems.append(("path", f"{self.path!r}: allowed: an absolute path of 1-{most} characters"))
        if self.query is not None and (len(self.query) > most or self.query.startswith("?")):
            problems.append(("query", f"{self.query!r}: allowed: at most {most} characters, without the leading '?'"))
        return problems

    def document(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for key, value in (("host", self.host), ("path", self.path), ("port", self.port)):
            if value is not None:
                config[key] = str(value)
        for key, value in (("protocol", self.protocol), ("query", self.query)):
            if value is not None:
                config[key] = value
        config["statusCode"] = self.status_code
        return {"type": "redirect", "redirectConfig": config}


@dataclass(frozen=True, kw_only=True)
class ForwardTarget:
    """One target group of a weighted forward: a Kubernetes Service (name and port) or a target group ARN."""

    weight: int
    """FORWARD_WEIGHT."""
    service_name: str | None = None
    service_port: int | str | None = None
    """The Service's port number or port name."""
    target_group_arn: str | None = None

    def problems(self) -> list[Problem]:
        problems = []
        if p := FORWARD_WEIGHT.problem(self.weight):
            problems.append(("weight", p))
        if (self.service_name is None) == (self.target_group_arn is None):
            problems.append(("service_name", "set exactly one of service_name and target_group_arn"))
        if self.service_name is not None:
            if p := dns_label_problem(self.service_name):
                problems.append(("service_name", p))
            port = self.service_port
            if port is None:
                problems.append(("service_port", f"required with service_name: a port number {PORT} or a port name"))
            elif (is_int(port) and port not in PORT) or (not is_int(port) and dns_label_problem(str(port))):
                problems.append(("service_port", f"{port!r}: allowed: a port number {PORT} or a port name"))
        if self.target_group_arn is not None and not _TARGET_GROUP_ARN.match(self.target_group_arn):
            problems.append(("target_group_arn", f"{self.target_group_arn!r} is not a target group ARN"))
        return problems

    def document(self) -> dict[str, Any]:
        if self.target_group_arn is not None:
            return {"targetGroupARN": self.target_group_arn, "weight": self.weight}
        return {"serviceName": self.service_name, "servicePort": self.service_port, "weight": self.weight}


@dataclass(frozen=True, kw_only=True)
class WeightedForward:
    """Forward to up to 5 target groups by weight (the seed's canary)."""

    targets: tuple[ForwardTarget, ...]
    stickiness_enabled: bool | None = None
    """Target group stickiness; the seed writes `{"enabled": false}` explicitly."""
    stickiness_duration_seconds: int | None = None
    """STICKINESS_DURATION; required when stickiness is enabled."""

    def problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if not 1 <= len(self.targets) <= FORWARD_TARGET_GROUPS_MAX:
            problems.append(("targets", f"{len(self.targets)} target groups; allowed: 1-{FORWARD_TARGET_GROUPS_MAX}"))
        for index, target in enumerate(self.targets):
            problems += [(f"targets[{index}].{f}", r) for f, r in target.problems()]
        weights = [t.weight for t in self.targets if is_int(t.weight)]
        if self.targets and len(weights) == len(self.targets) and not any(w > 0 for w in weights):
            problems.append(("targets", "every weight is 0; allowed: at least one weight above 0"))
        if self.stickiness_enabled and self.stickiness_duration_seconds is None:
            problems.append(
                ("stickiness_duration_seconds", f"required when stickiness is enabled: {STICKINESS_DURATION}")
            )
        if self.stickiness_duration_seconds is not None:
            if p := STICKINESS_DURATION.problem(self.stickiness_duration_seconds):
                problems.append(("stickiness_duration_seconds", p))
            if not self.stickiness_enabled:
                problems.append(("stickiness_duration_seconds", "set only with stickiness_enabled=True"))
        return problems

    def document(self) -> dict[str, Any]:
        config: dict[str, Any] = {"targetGroups": [t.document() for t in self.targets]}
        if self.stickiness_enabled is not None:
            stickiness: dict[str, Any] = {"enabled": self.stickiness_enabled}
            if self.stickiness_duration_seconds is not None:
                stickiness["durationSeconds"] = self.stickiness_duration_seconds
            config["targetGroupStickinessConfig"] = stickiness
        return {"type": "forward", "forwardConfig": config}


Action = FixedResponse | Redirect | WeightedForward


# ---- conditions ----------------------------------------------------------------------------------


def _values_problems(values: tuple[str, ...]) -> list[Problem]:
    problems = []
    if not 1 <= len(values) <= CONDITION_VALUES_MAX:
        problems.append(("values", f"{len(values)} values; allowed: 1-{CONDITION_VALUES_MAX} per condition"))
    for value in values:
        if not 1 <= len(value) <= CONDITION_VALUE_MAX:
            problems.append(("values", f"{value!r}: allowed: 1-{CONDITION_VALUE_MAX} characters"))
    return problems


@dataclass(frozen=True, kw_only=True)
class _MatchValues:
    """A condition on a list of match values, written as `{"field": ..., <config>: {"values": [...]}}`."""

    values: tuple[str, ...]
    field: ClassVar[str]
    config: ClassVar[str]
    """The key of the condition's config in its JSON."""

    def __init_subclass__(cls, *, field: str, config: str, **kwargs: Any) -> None:
        """A condition names its `field` and `config` key as class keywords; one that adds no field of its
        own (HostHeader, PathPattern, ...) is the base's dataclass, with the base's __init__, eq and repr."""
        super().__init_subclass__(**kwargs)
        cls.field, cls.config = field, config

    def problems(self) -> list[Problem]:
        return _values_problems(self.values)

    def document(self) -> dict[str, Any]:
        return {"field": self.field, self.config: self._config()}

    def _config(self) -> dict[str, Any]:
        return {"values": list(self.values)}


class HostHeader(_MatchValues, field="host-header", config="hostHeaderConfig"):
    """Match the Host header (wildcards * and ?)."""


class PathPattern(_MatchValues, field="path-pattern", config="pathPatternConfig"):
    """Match the URL path (wildcards * and ?), in addition to the Ingress path."""

    def problems(self) -> list[Problem]:
        problems = super().problems()
        problems += [("values", f"{v!r}: a path pattern starts with '/'") for v in self.values if not v.startswith("/")]
        return problems


@dataclass(frozen=True, kw_only=True)
class HttpHeader(_MatchValues, field="http-header", config="httpHeaderConfig"):
    """Match an HTTP header (not Host; use HostHeader)."""

    name: str

    def problems(self) -> list[Problem]:
        problems = super().problems()
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}", self.name) or self.name.lower() == "host":
            problems.append(("name", f"{self.name!r}: allowed: an RFC 7230 header name of 1-40 characters, not Host"))
        return problems

    def _config(self) -> dict[str, Any]:
        return {"httpHeaderName": self.name, **super()._config()}


class HttpRequestMethod(_MatchValues, field="http-request-method", config="httpRequestMethodConfig"):
    """Match the request method (GET, POST, ...)."""

    def problems(self) -> list[Problem]:
        problems = super().problems()
        problems += [
            ("values", f"{v!r}: allowed: A-Z, '-' and '_', at most 40 characters")
            for v in self.values
            if not re.fullmatch(r"[A-Z_-]{1,40}", v)
        ]
        return problems


@dataclass(frozen=True, kw_only=True)
class QueryString:
    """Match query-string pairs: (key, value), key None for a value alone."""

    pairs: tuple[tuple[str | None, str], ...]
    field = "query-string"

    def problems(self) -> list[Problem]:
        problems = _values_problems(tuple(v for _, v in self.pairs))
        problems += [
            ("pairs", f"key {k!r}: allowed: 1-{CONDITION_VALUE_MAX} characters")
            for k, _ in self.pairs
            if k is not None and not 1 <= len(k) <= CONDITION_VALUE_MAX
        ]
        return problems

    def document(self) -> dict[str, Any]:
        values = [{"key": k, "value": v} if k is not None else {"value": v} for k, v in self.pairs]
        return {"field": self.field, "queryStringConfig": {"values": values}}


@dataclass(frozen=True, kw_only=True)
class SourceIp:
    """Match the client's source address (CIDRs)."""

    cidrs: tuple[str, ...]
    field = "source-ip"

    def problems(self) -> list[Problem]:
        problems = [("cidrs", r) for _, r in _values_problems(self.cidrs)]
        problems += [("cidrs", p) for c in self.cidrs if (p := cidr_problem(c))]
        return problems

    def document(self) -> dict[str, Any]:
        return {"field": self.field, "sourceIpConfig": {"values": list(self.cidrs)}}


Condition = HostHeader | PathPattern | HttpHeader | HttpRequestMethod | QueryString | SourceIp


def _listed_problems(rules: tuple[Condition, ...] | tuple[Transform, ...], empty: str) -> list[Problem]:
    """A rule's conditions or transforms: `empty` when there is none, and each one's problems under its index."""
    problems: list[Problem] = [] if rules else [("", empty)]
    for index, rule in enumerate(rules):
        problems += [(f"[{index}].{f}", r) for f, r in rule.problems()]
    return problems


def conditions_problems(conditions: tuple[Condition, ...]) -> list[Problem]:
    """A rule's conditions: each valid, at most one of host/method/path/source, at most 5 values in all."""
    problems = _listed_problems(conditions, "no conditions; allowed: at least one")
    for field in SINGLE_CONDITION_FIELDS:
        count = sum(1 for c in conditions if c.field == field)
        if count > 1:
            problems.append(("", f"{count} {field} conditions; allowed: at most one per rule"))
    total = sum(len(_condition_values(c)) for c in conditions)
    if total > RULE_VALUES_MAX:
        problems.append(("", f"{total} match values; allowed: at most {RULE_VALUES_MAX} per rule"))
    return problems


def _condition_values(condition: Condition) -> tuple[Any, ...]:
    if isinstance(condition, QueryString):
        return condition.pairs
    if isinstance(condition, SourceIp):
        return condition.cidrs
    return condition.values


# ---- transforms ----------------------------------------------------------------------------------


def _rewrite_problems(regex: str, replace: str) -> list[Problem]:
    problems = []
    if not 1 <= len(regex) <= REWRITE_MAX:
        problems.append(("regex", f"is {len(regex)} characters; allowed: 1-{REWRITE_MAX}"))
    groups = None
    try:
        groups = re.compile(regex).groups
    except re.error as err:
        problems.append(("regex", f"{regex!r} is not a regular expression: {err}"))
    if len(replace) > REWRITE_MAX:
        problems.append(("replace", f"is {len(replace)} characters; allowed: at most {REWRITE_MAX}"))
    references = [int(n) for n in re.findall(r"\$(\d+)", replace)]
    if groups is not None and any(n > groups or n == 0 for n in references):
        has = f"only $1-${groups}" if groups else "no capture groups"
        problems.append(("replace", f"{replace!r} refers to a capture group the regex does not have ({has})"))
    return problems


@dataclass(frozen=True, kw_only=True)
class _Rewrite:
    """A transform's one rewrite: `regex` is matched, `replace` may use its capture groups ($1, $2, ...)."""

    regex: str
    replace: str
    type: ClassVar[str]
    config: ClassVar[str]
    """The key of the rewrite's config in the transform's JSON."""

    def __init_subclass__(cls, *, type: str, config: str, **kwargs: Any) -> None:
        """A transform names its `type` and `config` key as class keywords (it adds no field)."""
        super().__init_subclass__(**kwargs)
        cls.type, cls.config = type, config

    def problems(self) -> list[Problem]:
        return _rewrite_problems(self.regex, self.replace)

    def document(self) -> dict[str, Any]:
        rewrite = {"regex": self.regex, "replace": self.replace}
        return {"type": self.type, self.config: {"rewrites": [rewrite]}}


class UrlRewrite(_Rewrite, type="url-rewrite", config="urlRewriteConfig"):
    """Rewrite the request path before it reaches the targets (ALB transforms, Oct 2025; LBC >= v2.14.1)."""


class HostHeaderRewrite(_Rewrite, type="host-header-rewrite", config="hostHeaderRewriteConfig"):
    """Rewrite the Host header before the request reaches the targets."""


Transform = UrlRewrite | HostHeaderRewrite


def transforms_problems(transforms: tuple[Transform, ...]) -> list[Problem]:
    """A rule's transforms: each valid, at most one of each type."""
    problems = _listed_problems(transforms, "no transforms; allowed: one url-rewrite and/or one host-header-rewrite")
    for kind in (UrlRewrite.type, HostHeaderRewrite.type):
        if sum(1 for t in transforms if t.type == kind) > 1:
            problems.append(("", f"more than one {kind}; allowed: one of each type per rule"))
    return problems
