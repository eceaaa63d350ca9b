"""The AWS Load Balancer Controller's annotation value formats, and the checks every builder shares.

Every annotation value is a string (docs/guide/ingress/annotations.md, "Annotation keys and
values can only be strings"): boolean `'true'`, integer `'42'`, stringList `s1,s2,s3`,
stringMap `k1=v1,k2=v2`, json. The controller ignores a key it does not know and logs, at
best, a value it cannot parse (LBC #1756), so the builders refuse both before anything is
applied: each collects every problem of its arguments, each naming the field and what is
allowed, and raises one AnnotationError.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from ...errors import ArgsError
from ...limits import Range, is_int
from ...limits import aws as limits
from ...text_rules import Spelling
from ..tags import tag_problems as aws_tag_problems

Problem = tuple[str, str]
"""(field, what is wrong and what is allowed)."""


class AnnotationError(ArgsError):
    """Every problem found in an annotation builder's arguments (a ValueError), each naming its field."""


def raise_if_any(builder: str, problems: Sequence[Problem]) -> None:
    """Raise AnnotationError for `builder` when `problems` is not empty."""
    if problems:
        raise AnnotationError(builder, problems)


class Checked(Protocol):
    """A nested part of a builder (a health check, attributes, TLS): it lists its own problems."""

    def problems(self) -> list[Problem]: ...


def nested(parts: Iterable[tuple[str, Checked | None]]) -> list[Problem]:
    """(field, part or None) -> the problems of each part that is set, with their fields under the part's."""
    return [
        (f"{name}.{field}", reason) for name, part in parts if part is not None for field, reason in part.problems()
    ]


class AnnotationBuilder(ABC):
    """A builder of one resource's annotations (AlbIngressAnnotations, NlbServiceAnnotations): `annotations()`
    checks every field, raising one AnnotationError, then writes `_values()` with their keys under PREFIX."""

    PREFIX: ClassVar[str]

    @abstractmethod
    def problems(self) -> list[Problem]:
        """Every problem with the fields, as (field, reason)."""

    @abstractmethod
    def _values(self) -> dict[str, str]:
        """The annotations without the prefix, from fields `problems()` found valid: only `annotations()`
        calls it, after checking them."""

    def annotations(self) -> dict[str, str]:
        raise_if_any(type(self).__name__, self.problems())
        return {self.PREFIX + suffix: value for suffix, value in self._values().items()}


PORT = limits.PORT

# ---- formats -------------------------------------------------------------------------------------


def boolean(value: bool) -> str:
    """The controller's boolean: 'true' or 'false'."""
    return "true" if value else "false"


def string_list(items: Iterable[object]) -> str:
    """stringList: `a,b,c` (items checked by `list_item_problem`)."""
    return ",".join(str(item) for item in items)


def string_map(pairs: Mapping[str, object]) -> str:
    """stringMap: `k1=v1,k2=v2`, in the mapping's order (builders pass a fixed order); a ',' or '\\'
    in a key or value is escaped with '\\' (the controller's reading since v2.14.1)."""
    return ",".join(f"{_escape(key)}={_escape(str(value))}" for key, value in pairs.items())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,")


def compact_json(value: Any) -> str:
    """JSON without spaces; key order is the builder's, so the same input gives the same text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_string_list(text: str) -> list[str]:
    """The controller's reading of a stringList: split on commas, blanks trimmed, empties dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_string_map(text: str) -> dict[str, str]:
    """The controller's reading of a stringMap (pkg/annotations/parser.go, splitKeyValuePairs and
    ParseStringMapAnnotation, v2.14.1+): '\\' takes the next character literally; a ',' ends a pair
    only when an '=' follows somewhere after it; each pair splits at its first '='; blanks trimmed.
    ValueError where the controller reports a parse error (a pair without '=' or with an empty key)."""
    pairs: dict[str, str] = {}
    items: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index + 1])
            index += 2
            continue
        if char == ",":
            remaining = text[index + 1 :].strip()
            if "=" in remaining:
                items.append("".join(current).strip())
                current = []
            elif remaining:
                items += ["".join(current).strip(), remaining]
                current = []
                index = len(text)
                break
            else:
                current.append(char)
        else:
            current.append(char)
        index += 1
    if current:
        items.append("".join(current).strip())
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"failed to parse stringMap annotation: {text!r}")
        pairs[key.strip()] = value.strip()
    return pairs


# ---- checks --------------------------------------------------------------------------------------


def choice_problem(value: object, allowed: Sequence[object]) -> str | None:
    if value not in allowed:
        return f"{value!r} is not one of {', '.join(str(a) for a in allowed)}"
    return None


def list_item_problem(item: object) -> str | None:
    """Why `item` cannot be an element of a stringList (the controller splits on ',' and trims)."""
    text = str(item)
    if not text.strip():
        return "an empty item; allowed: non-empty text without commas"
    if "," in text:
        return f"{text!r} contains a comma, which splits it in two; allowed: text without commas"
    if text != text.strip():
        return f"{text!r} has leading or trailing blanks, which the controller trims"
    return None


def map_entry_problem(key: str, value: object) -> str | None:
    """Why `key=value` cannot be an entry of a stringMap: the controller splits a pair at its first '='
    and trims blanks; ',' and '\\' are escaped by `string_map`, and '=' in a value is kept (LBC #1674)."""
    if not key.strip() or "=" in key or key != key.strip():
        return f"key {key!r}: non-empty, without '=' and without leading or trailing blanks"
    if str(value) != str(value).strip():
        return f"{key}={value!r}: the value has leading or trailing blanks, which the controller trims"
    return None


_AWS_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def load_balancer_name_problem(name: str) -> str | None:
    """ELBv2 CreateLoadBalancer Name: at most 32 characters, alphanumerics or hyphens, not
    beginning or ending with a hyphen, not beginning with 'internal-'."""
    if len(name) > 32:
        return f"{name!r} is {len(name)} characters; allowed: at most 32"
    if not _AWS_NAME.match(name):
        return f"{name!r}: allowed: letters, digits and '-', not starting or ending with '-'"
    if name.startswith("internal-"):
        return f"{name!r}: must not begin with 'internal-'"
    return None


_CERTIFICATE_ARN = re.compile(
    rf"^arn:aws[a-z-]*:(?:acm:{limits.REGION_NAME}:\d{{12}}:certificate/[A-Za-z0-9-]+"
    r"|iam::\d{12}:server-certificate/[\w+=,.@/-]+)$"
)


certificate_arn_problem = Spelling(
    _CERTIFICATE_ARN,
    " is not a certificate ARN; allowed: arn:aws:acm:<region>:<account>:certificate/<id> "
    "or arn:aws:iam::<account>:server-certificate/<name>",
)
"""An ACM certificate ARN (or an IAM server certificate ARN), as the controller passes it to ELBv2."""
ssl_policy_problem = Spelling(re.compile(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$"), " is not an ELBSecurityPolicy-* name")
"""A listener's security policy, as both builders take it (ALB `ssl-policy`, NLB `ssl-negotiation-policy`)."""


def cidr_problem(cidr: str) -> str | None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return f"{cidr!r} is not a CIDR like 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)"
    return None


def tag_problems(tags: Mapping[str, str]) -> list[Problem]:
    """ELBv2 tags (components/aws/tags.py: AWS's rules), as a stringMap carries them: a key holds no
    '=' (the controller splits there) and no edge blanks (it trims); a value may hold '=' (LBC #1674)."""
    problems = [(f"tags[{key}]" if key else "tags", reason) for key, reason in aws_tag_problems(tags)]
    for key, value in tags.items():
        if "=" in key or key != key.strip() or (isinstance(value, str) and value != value.strip()):
            problems.append((f"tags[{key}]", f"{key}={value!r}: no '=' in the key, no leading or trailing blanks"))
    return problems


_STATUS_CODE_ITEM = re.compile(r"^(\d{1,3})(?:-(\d{1,3}))?$")


def success_codes_problem(codes: str, allowed: Range) -> str | None:
    """A health check matcher: `200`, `200,202` or `200-299`, every code within `allowed`."""
    items = codes.split(",")
    for item in items:
        match = _STATUS_CODE_ITEM.match(item)
        if not match:
            return f"{codes!r}: allowed: codes like 200, lists like 200,202 or ranges like 200-299"
        low = int(match[1])
        high = int(match[2] or match[1])
        if low not in allowed or high not in allowed or low > high:
            return f"{codes!r}: every code must lie within {allowed}, and a range must go upwards"
    return None


dns_label_problem = Spelling(
    re.compile(r"^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$"),
    ": allowed: 1-63 lowercase letters, digits and '-', starting with a letter, not ending with '-'",
)
"""A Kubernetes Service name (DNS-1035 label): what an Ingress backend `service.name` may be."""


def health_check_port_problem(port: object) -> str | None:
    """A health check port: `traffic-port`, a port number, or the name of a Service port (the controller
    resolves it: to the NodePort for instance targets, the targetPort for ip targets)."""
    if (
        port == "traffic-port"
        or (is_int(port) and port in PORT)
        or (isinstance(port, str) and port_name_problem(port) is None)
    ):
        return None
    return f"{port!r}: allowed: a port {PORT}, 'traffic-port' or a Service port name"


_PORT_NAME = re.compile(r"^(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")


def port_name_problem(name: str) -> str | None:
    """A Service port name (IANA_SVC_NAME): 1-15 lowercase letters, digits and '-', at least one letter,
    no '-' at either end or twice in a row."""
    if not _PORT_NAME.match(name) or not any(c.isalpha() for c in name):
        return f"{name!r}: a port name: 1-15 lowercase letters, digits and '-' with at least one letter"
    return None


def path_problem(path: str, *, max_length: int = 1024) -> str | None:
    if not path.startswith("/") or len(path) > max_length or any(c.isspace() for c in path):
        return f"{path!r}: allowed: an absolute path (starting with '/') of at most {max_length} characters, no blanks"
    return None


def choice_problems(values: Iterable[tuple[str, object | None, Sequence[object]]]) -> list[Problem]:
    """(field, value or None, allowed values) -> a problem for each set value that is not allowed."""
    return [(name, p) for name, value, allowed in values if value is not None and (p := choice_problem(value, allowed))]


SCHEMES = ("internal", "internet-facing")
TARGET_TYPES = ("instance", "ip")


class LoadBalancerSettings(Protocol):
    """The settings both builders have under the same names."""

    @property
    def scheme(self) -> str | None: ...

    @property
    def target_type(self) -> str | None: ...

    @property
    def ip_address_type(self) -> str | None: ...


def load_balancer_problems(
    settings: LoadBalancerSettings, ip_address_types: Sequence[str], name: tuple[str, str | None]
) -> list[Problem]:
    """The load balancer's own settings, as both builders check them: scheme, target type, IP address type
    (`ip_address_types`: the ALB has one more) and name (`(field, value)`: each builder has its own field)."""
    problems = choice_problems(
        (
            ("scheme", settings.scheme, SCHEMES),
            ("target_type", settings.target_type, TARGET_TYPES),
            ("ip_address_type", settings.ip_address_type, ip_address_types),
        )
    )
    name_field, value = name
    if value is not None and (p := load_balancer_name_problem(value)):
        problems.append((name_field, p))
    return problems


def range_problems(values: Iterable[tuple[str, int | None, Range]]) -> list[Problem]:
    """(field, value or None, allowed range) -> a problem for each set value outside its range."""
    return [(name, p) for name, value, allowed in values if value is not None and (p := allowed.problem(value))]


def keyed(
    key: str,
    *,
    spelled: Callable[[Any], object] | None = None,
    then: Callable[[Any], Mapping[str, object]] | None = None,
) -> Any:
    """A field that defaults to None and, when set, `keyed_values` writes under `key` (its value as `spelled`
    writes it, if given), followed right away by the pairs `then` derives from it."""
    return dataclasses.field(default=None, metadata={"key": key, "spelled": spelled, "then": then})


def keyed_values(instance: Any) -> dict[str, str]:
    """`key -> value` for each set field of a dataclass that is declared `keyed(key)`, in the fields' order
    (a field's derived pairs right after it), as `annotation_values` writes them."""
    pairs: list[tuple[str, object]] = []
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        if "key" not in f.metadata or value is None:
            continue
        spelled, then = f.metadata["spelled"], f.metadata["then"]
        pairs.append((f.metadata["key"], spelled(value) if spelled else value))
        pairs += then(value).items() if then else ()
    return annotation_values(pairs)


def annotation_values(pairs: Iterable[tuple[str, object]]) -> dict[str, str]:
    """`key -> value` for each pair whose value is set (None leaves the controller's default),
    booleans as the controller writes them, in the order given (it is the order in the annotation)."""
    return {key: boolean(value) if isinstance(value, bool) else str(value) for key, value in pairs if value is not None}
