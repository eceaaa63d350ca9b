"""The plan as data: what a stack would build (plan.json, manifests/), as the gates and tests read it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testbed.engine import Recording, Resource, Secret

SECRET = "[secret]"


@dataclass(frozen=True)
class Plan:
    """A recording of one stack, with the scenario it builds."""

    scenario: str
    recording: Recording

    @property
    def stack(self) -> str:
        return self.recording.stack

    @property
    def resources(self) -> list[Resource]:
        return self.recording.resources


def plain(value: Any, *, in_secret: bool = False) -> Any:
    """JSON-ready data with secrets replaced by "[secret]".

    Pulumi marks a whole top-level input secret when any value inside it is (a Helm release's
    `values` holding a private key, say). A secret scalar is hidden; a secret mapping or list
    stays readable except for private keys, so the plan still shows what would be deployed.
    """
    if isinstance(value, Secret):
        if isinstance(value.value, (dict, list, tuple)):
            return plain(value.value, in_secret=True)
        return SECRET
    if isinstance(value, dict):
        return {str(k): plain(v, in_secret=in_secret) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, in_secret=in_secret) for v in value]
    if in_secret and isinstance(value, str) and "PRIVATE KEY" in value:
        return SECRET
    return value


def secret_inputs(resource: Resource) -> list[str]:
    """Top-level inputs the program marked secret."""
    return sorted(k for k, v in resource.inputs.items() if isinstance(v, Secret))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan.json document (keys per DESIGN.md, plus id, remote, options)."""
    return {
        "scenario": plan.scenario,
        "stack": plan.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "id": r.id,
                "parent": r.parent,
                "custom": r.custom,
                "remote": r.remote,
                "provider": r.provider,
                "dependencies": r.dependencies,
                "explicitDependencies": r.explicit_dependencies,
                "options": r.options,
                "inputs": plain(r.inputs),
                "secretInputs": secret_inputs(r),
            }
            for r in plan.resources
        ],
        "outputs": plain(plan.recording.outputs),
        "warnings": list(plan.recording.warnings),
    }


def plan_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, sort_keys=True) + "\n"


def is_kubernetes_object(resource: Resource) -> bool:
    return resource.custom and resource.type.startswith("kubernetes:") and "metadata" in resource.inputs


def is_helm_release(resource: Resource) -> bool:
    return resource.type == "kubernetes:helm.sh/v3:Release"


def manifests(plan: Plan) -> dict[str, str]:
    """Relative path -> YAML of every Kubernetes object and Helm release the stack would create."""
    files: dict[str, str] = {}
    for r in plan.resources:
        if is_helm_release(r):
            inputs = plain(r.inputs)
            namespace = inputs.get("namespace", "default")
            document = {
                "kind": "HelmRelease",
                "name": inputs.get("name", r.name),
                "namespace": namespace,
                "chart": inputs.get("chart"),
                "version": inputs.get("version"),
                "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
                "values": inputs.get("values", {}),
            }
            files[f"{namespace}/HelmRelease-{document['name']}.yaml"] = _yaml(document)
        elif is_kubernetes_object(r):
            document = plain(r.inputs)
            metadata = document.get("metadata", {})
            folder = metadata.get("namespace") or "_cluster"
            files[f"{folder}/{document.get('kind')}-{metadata.get('name')}.yaml"] = _yaml(document)
    return dict(sorted(files.items()))


def _yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, width=120)


def write_plan(plan: Plan, out: Path) -> list[Path]:
    """Write plan.json and manifests/ into the folder `out` (a fresh staging folder: testbed.outdir
    moves it into place); returns the files written."""
    written = [out / "plan.json"]
    written[0].write_text(plan_json(plan))
    for relative, text in manifests(plan).items():
        path = out / "manifests" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
