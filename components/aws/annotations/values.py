"""The AWS Load Balancer Controller's annotation value formats, and the checks every builder shares.

Every annotation value is a string (docs/guide/ingress/annotations.md, "Annotation keys and
values can only be strings"): boolean `'true'`, integer `'42'`, stringList `s1,s2,s3`,
stringMap `k1=v1,k2=v2`, json. The controller ignores a key it does not know and logs, at
best, a value it cannot parse (LBC #1756), so the builders refuse both before anything is
applied: each collects every problem of its arguments, each naming the field and what is
allowed, and raises one AnnotationError.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import ArgsError

Problem = tuple[str, str]
"""(field, what is wrong and what is allowed)."""


class AnnotationError(ArgsError):
    """Every problem found in an annotation builder's arguments (a ValueError), each naming its field."""


def raise_if_any(builder: str, problems: Sequence[Problem]) -> None:
    """Raise AnnotationError for `builder` when `problems` is not empty."""
    if problems:
        raise AnnotationError(builder, problems)


def nested(prefix: str, problems: Iterable[Problem]) -> list[Problem]:
    """Problems of a nested part, with their fields under `prefix`."""
    return [(f"{prefix}.{field}", reason) for field, reason in problems]


@dataclass(frozen=True)
class Range:
    """An inclusive range of whole numbers, as AWS documents it."""

    low: int
    high: int
    unit: str = ""

    def __str__(self) -> str:
        separator = " to " if self.low < 0 else "-"
        return f"{self.low}{separator}{self.high}{self.unit}"

    def __contains__(self, value: object) -> bool:
        return is_int(value) and self.low <= value <= self.high  # type: ignore[operator]

    def problem(self, value: object) -> str | None:
        if not is_int(value):
            return f"{value!r} is not a whole number; allowed: {self}"
        if value not in self:
            return f"{value} is outside the allowed range {self}"
        return None


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


PORT = Range(1, 65535)

# ---- formats -------------------------------------------------------------------------------------


def boolean(value: bool) -> str:
    """The controller's boolean: 'true' or 'false'."""
    return "true" if value else "false"


def string_list(items: Iterable[object]) -> str:
    """stringList: `a,b,c` (items checked by `list_item_problem`)."""
    return ",".join(str(item) for item in items)


def string_map(pairs: Mapping[str, object]) -> str:
    """stringMap: `k1=v1,k2=v2`, in the mapping's order (builders pass a fixed order)."""
    return ",".join(f"{key}={value}" for key, value in pairs.items())


def compact_json(value: Any) -> str:
    """JSON without spaces; key order is the builder's, so the same input gives the same text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_string_list(text: str) -> list[str]:
    """The controller's reading of a stringList: split on commas, blanks trimmed, empties dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_string_map(text: str) -> dict[str, str]:
    """The controller's reading of a stringMap: `k=v` pairs split on commas, blanks trimmed."""
    pairs: dict[str, str] = {}
    for item in parse_string_list(text):
        key, _, value = item.partition("=")
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
    """Why `key=value` cannot be an entry of a stringMap."""
    if problem := list_item_problem(f"{key}={value}"):
        return problem
    if not key or "=" in key:
        return f"key {key!r} must be non-empty and contain no '='"
    if "=" in str(value):
        return f"{key}={value}: the value contains '=', which the controller's stringMap cannot carry"
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
    r"^arn:aws[a-z-]*:(?:acm:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:certificate/[A-Za-z0-9-]+"
    r"|iam::\d{12}:server-certificate/[\w+=,.@/-]+)$"
)


def certificate_arn_problem(arn: str) -> str | None:
    """An ACM certificate ARN (or an IAM server certificate ARN), as the controller passes it to ELBv2."""
    if not _CERTIFICATE_ARN.match(arn):
        return (
            f"{arn!r} is not a certificate ARN; allowed: arn:aws:acm:<region>:<account>:certificate/<id> "
            "or arn:aws:iam::<account>:server-certificate/<name>"
        )
    return None


def cidr_problem(cidr: str) -> str | None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return f"{cidr!r} is not a CIDR like 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)"
    return None


_TAG_TEXT = re.compile(r"^[\w\s.:/+\-@]*$")


def tag_problems(tags: Mapping[str, str]) -> list[Problem]:
    """ELBv2 Tag: key 1-128 and value 0-256 characters of letters, digits, spaces and _.:/=+-@
    (no '=' or ',' here: a stringMap cannot carry them); keys must not begin with 'aws:'."""
    problems = []
    for key, value in tags.items():
        field = f"tags[{key}]"
        if not 1 <= len(key) <= 128 or not _TAG_TEXT.match(key) or key != key.strip():
            problems.append((field, f"key {key!r}: allowed: 1-128 letters, digits, spaces and _.:/+-@, no edge blanks"))
        elif key.lower().startswith("aws:"):
            problems.append((field, f"key {key!r}: the aws: prefix is reserved for AWS"))
        if len(value) > 256 or not _TAG_TEXT.match(value) or value != value.strip():
            problems.append(
                (field, f"value {value!r}: allowed: 0-256 letters, digits, spaces and _.:/+-@, no edge blanks")
            )
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


_DNS_1035 = re.compile(r"^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def dns_label_problem(name: str) -> str | None:
    """A Kubernetes Service name (DNS-1035 label): what an Ingress backend `service.name` may be."""
    if not _DNS_1035.match(name):
        return f"{name!r}: allowed: 1-63 lowercase letters, digits and '-', starting with a letter, not ending with '-'"
    return None


def health_check_port_problem(port: object) -> str | None:
    """A health check port: a port number or `traffic-port`."""
    if port == "traffic-port" or (is_int(port) and port in PORT):
        return None
    return f"{port!r}: allowed: a port 1-65535 or 'traffic-port'"


def path_problem(path: str, *, max_length: int = 1024) -> str | None:
    if not path.startswith("/") or len(path) > max_length or any(c.isspace() for c in path):
        return f"{path!r}: allowed: an absolute path (starting with '/') of at most {max_length} characters, no blanks"
    return None


__all__ = [
    "PORT",
    "AnnotationError",
    "Problem",
    "Range",
    "boolean",
    "compact_json",
    "parse_string_list",
    "parse_string_map",
    "string_list",
    "string_map",
]
