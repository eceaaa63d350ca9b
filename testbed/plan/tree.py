"""The plan as a tree for people: each resource with the settings that matter and what it waits for."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from testbed.engine import Resource, Secret
from testbed.plan import summaries
from testbed.plan.model import SECRET, Plan, plain
from testbed.plan.summaries.common import Summary


def short_type(token: str) -> str:
    """'aws:ec2/subnet:Subnet' -> 'aws.ec2.Subnet'; 'kubernetes:core/v1:Service' -> 'k8s.core.v1.Service'."""
    package, module, kind = token.split(":", 2)
    if package == "pulumi" and module == "providers":
        return f"provider.{kind}"
    if package in ("aws", "tls", "azure-native"):
        module = module.split("/")[0]  # 'ec2/subnet' names the SDK file, not a namespace
    package = {"kubernetes": "k8s"}.get(package, package)
    return ".".join([package, *([module.replace("/", ".")] if module not in ("", "index") else []), kind])


def _render_value(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, Secret) or value == SECRET:
        return SECRET
    if isinstance(value, str):
        if value in names:
            return names[value]
        if value.startswith("-----BEGIN"):
            return "<pem>"
        return value if len(value) <= 90 else value[:87] + "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v, names) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render_value(v, names)}" for k, v in sorted(value.items())) + "}"
    return str(value)


def render_tree(plan: Plan) -> str:
    """The resource tree: type, name, the settings that matter, and what each waits for."""
    by_urn = plan.recording.by_urn()
    # Cloud ids (subnet-…, arn:…) read better as the names of their resources; Kubernetes ids are
    # plain object names ("server"), which would rename every equal string, so they stay as they are.
    names = {r.id: r.name for r in plan.resources if r.id and not r.type.startswith("kubernetes:")}
    names.update({r.urn: r.name for r in plan.resources})
    children: dict[str | None, list[Resource]] = defaultdict(list)
    for r in sorted(plan.resources, key=lambda r: (r.name, r.type)):
        parent = r.parent if r.parent in by_urn else None
        children[parent].append(r)

    lines = [f"{plan.stack} (scenario {plan.scenario}): {len(plan.resources)} resources"]

    def walk(parent: str | None, indent: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch, nested = ("└─ ", "   ") if last else ("├─ ", "│  ")
            lines.append(f"{indent}{branch}{short_type(r.type)} {r.name}")
            detail_indent = indent + nested + "   "
            for label, value in (summaries.SUMMARIES.get(r.type) or _default_summary(r))(r.inputs):
                if value not in (None, [], {}, ""):
                    # Annotations (@key) print whole: a weighted action's JSON is read to the end.
                    shown = value if label.startswith("@") and isinstance(value, str) else _render_value(value, names)
                    lines.append(f"{detail_indent}{label}: {shown}")
            if r.options:
                flags = [k if v is True else f"{k}={_render_value(v, names)}" for k, v in sorted(r.options.items())]
                lines.append(f"{detail_indent}options: {', '.join(flags)}")
            waits = [names.get(u, u) for u in r.explicit_dependencies if u != r.parent]
            if waits:
                lines.append(f"{detail_indent}after: {', '.join(waits)}")
            walk(r.urn, indent + nested)

    walk(None, "")
    if plan.recording.outputs:
        lines.append("")
        lines.append("outputs:")
        lines.extend(_output_lines(plain(plan.recording.outputs), "  "))
    if plan.recording.warnings:
        lines.append("")
        lines.extend(f"warning: {w}" for w in plan.recording.warnings)
    return "\n".join(lines) + "\n"


def _output_lines(outputs: dict[str, Any], indent: str) -> list[str]:
    """Stack outputs, one line per leaf, nested mappings indented; strings in full."""
    lines = []
    for key, value in outputs.items():
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{key}:")
            lines.extend(_output_lines(value, indent + "  "))
        elif isinstance(value, str):
            lines.append(f"{indent}{key}: {value}")
        else:
            lines.append(f"{indent}{key}: {_render_value(value, {})}")
    return lines


def _default_summary(resource: Resource) -> Summary:
    if resource.type.startswith("kubernetes:"):
        return summaries.kubernetes.default
    return lambda inputs: ()
