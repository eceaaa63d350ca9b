"""Derive the shipped reference data from the upstream files in shared/reference/.

`python -m testbed reference` rewrites testbed/reference/*.json; `--check` only reports the
files that differ from what the upstream copies give. The upstream copies live outside the
project (../shared/reference, or $TESTBED_SHARED/reference); their prose and code never enter
it: only the keys, types, schemas and policy statements derived here, each file with the
upstream repository, path, tag, commit and the sha256 of every file it was derived from.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testbed.reference import DATA_DIR, DERIVED_BY, canonical_digest, encode

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def shared_reference_dir() -> Path | None:
    """shared/reference (from $TESTBED_SHARED, or ../shared beside the checkout), if present."""
    candidate = Path(os.environ.get("TESTBED_SHARED") or PROJECT_ROOT.parent / "shared") / "reference"
    return candidate if candidate.is_dir() else None


@dataclass(frozen=True)
class Upstream:
    """One upstream file, as shared/reference/SOURCES.md records it."""

    local: str
    """Path under shared/reference/."""
    repository: str
    path: str
    ref: str
    commit: str
    via: str = ""
    """How the local copy was made when it is not a byte-exact copy of `path`."""

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}/blob/{self.commit or self.ref}/{self.path}"


# ---- what the data files hold -------------------------------------------------------------------

SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
"""Schema keywords whose value maps names (not keywords) to schemas."""
DATA_KEYWORDS = ("default", "enum", "const", "example", "examples")
"""Schema keywords whose value is data, kept as it is."""


def without_descriptions(schema: Any) -> Any:
    """An OpenAPI/JSON schema without its prose: `description` dropped from every schema node.

    A property *named* description is kept (it lives under `properties`), and so is data
    (defaults, enums). A mapping under an unknown keyword is read as a schema: AWS returns
    coredns's podDisruptionBudget with its sub-schemas directly in the node, not under properties.
    """
    if isinstance(schema, list):
        return [without_descriptions(child) for child in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "description" and isinstance(value, str):
            continue
        if key in DATA_KEYWORDS:
            result[key] = value
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: without_descriptions(child) for name, child in value.items()}
        else:
            result[key] = without_descriptions(value)
    return result


def value_tree(values: Any) -> Any:
    """The tree of a values.yaml: a closed mapping (non-empty default) becomes a dict of its keys;
    every other default becomes its type, where `map`, `list` and `any` (a null default) accept
    anything below them."""
    if isinstance(values, dict):
        return {str(k): value_tree(v) for k, v in values.items()} if values else "map"
    if isinstance(values, list):
        return "list"
    if values is None:
        return "any"
    if isinstance(values, bool):
        return "boolean"
    if isinstance(values, int):
        return "integer"
    if isinstance(values, float):
        return "number"
    return "string"


def chart_values(files: Sequence[bytes], dependencies: Sequence[str]) -> dict[str, Any]:
    """The chart's values tree, each dependency's values under its name, as Helm coalesces them."""
    own, *deps = (yaml.safe_load(f) or {} for f in files)
    tree = value_tree(own)
    for name, values in zip(dependencies, deps, strict=True):
        tree[name] = value_tree(values)
    return tree


def crd_schemas(files: Sequence[bytes]) -> dict[str, Any]:
    """'<group>/<version> <Kind>' -> openAPIV3Schema without descriptions, for every CRD version."""
    schemas = {}
    for document in yaml.safe_load_all(files[0]):
        if not document or document.get("kind") != "CustomResourceDefinition":
            continue
        spec = document["spec"]
        for version in spec["versions"]:
            key = f"{spec['group']}/{version['name']} {spec['names']['kind']}"
            schemas[key] = without_descriptions(version["schema"]["openAPIV3Schema"])
    return dict(sorted(schemas.items()))


def iam_policy(files: Sequence[bytes]) -> dict[str, Any]:
    """The policy document's Version and Statement list, as published."""
    document = json.loads(files[0])
    return {"Version": document["Version"], "Statement": document["Statement"]}


def addon_schema(files: Sequence[bytes]) -> dict[str, Any]:
    """An EKS add-on's configuration schema without descriptions."""
    return without_descriptions(json.loads(files[0]))


# ---- the data files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    """One shipped data file: what it is, where it comes from, how it is derived."""

    file: str
    kind: str
    name: str
    version: str
    sources: tuple[Upstream, ...]
    derive: Callable[[Sequence[bytes]], Any]
    notes: str = ""
    merged_at_top: tuple[str, ...] = ()
    """Dependencies whose values the chart's templates also read at the top level."""

    def document(self, reference: Path) -> dict[str, Any]:
        contents = [(reference / s.local).read_bytes() for s in self.sources]
        data = self.derive(contents)
        sources = []
        for upstream, content in zip(self.sources, contents, strict=True):
            entry = {
                "repository": upstream.repository,
                "path": upstream.path,
                "ref": upstream.ref,
                "commit": upstream.commit,
                "url": upstream.url,
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            if upstream.via:
                entry["via"] = upstream.via
            sources.append(entry)
        document = {
            "kind": self.kind,
            "name": self.name,
            "version": self.version,
            "sources": sources,
            "derivedBy": DERIVED_BY,
            "digest": canonical_digest(data),
            "data": data,
        }
        if self.merged_at_top:
            document["mergedAtTop"] = list(self.merged_at_top)
        if self.notes:
            document["notes"] = self.notes
        return document


def _chart(name: str, version: str, repository: str, path: str, ref: str, commit: str, *, local: str = "") -> Upstream:
    return Upstream(local or f"charts/{name}-{version}/values.yaml", repository, path, ref, commit)


LBC = ("kubernetes-sigs/aws-load-balancer-controller", "v3.5.0", "11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4")

DATA_FILES: tuple[DataFile, ...] = (
    DataFile(
        "helm-values-aws-load-balancer-controller-3.5.0.json",
        "helm-values",
        "aws-load-balancer-controller",
        "3.5.0",
        (
            _chart(
                "aws-load-balancer-controller",
                "3.5.0",
                LBC[0],
                "helm/aws-load-balancer-controller/values.yaml",
                *LBC[1:],
            ),
        ),
        lambda files: chart_values(files, ()),
    ),
    DataFile(
        "helm-values-metrics-server-3.13.1.json",
        "helm-values",
        "metrics-server",
        "3.13.1",
        (
            _chart(
                "metrics-server",
                "3.13.1",
                "kubernetes-sigs/metrics-server",
                "charts/metrics-server/values.yaml",
                "metrics-server-helm-chart-3.13.1",
                "842dcc8c42f22cc19f10c7d5f2d32a9f4b6013b0",
            ),
        ),
        lambda files: chart_values(files, ()),
    ),
    DataFile(
        "helm-values-ingress-nginx-4.14.5.json",
        "helm-values",
        "ingress-nginx",
        "4.14.5",
        (
            _chart(
                "ingress-nginx",
                "4.14.5",
                "kubernetes/ingress-nginx",
                "charts/ingress-nginx/values.yaml",
                "helm-chart-4.14.5",
                "0a6fadc01bd4706bc77ceaf91487345a8d03d9c0",
            ),
        ),
        lambda files: chart_values(files, ()),
    ),
    DataFile(
        "helm-values-kube-ops-view-1.2.2.json",
        "helm-values",
        "kube-ops-view",
        "1.2.2",
        (
            _chart(
                "kube-ops-view",
                "1.2.2",
                "geek-cookbook/charts",
                "charts/stable/kube-ops-view/values.yaml",
                "kube-ops-view-1.2.2",
                "638c0ab5c5dac32682dac24ca57452dd2969ec1e",
            ),
            _chart(
                "common",
                "4.5.2",
                "k8s-at-home/library-charts",
                "charts/stable/common/values.yaml",
                "common-4.5.2",
                "1b8b81ceb368e378c01aaf826142cfd948a93042",
                local="charts/kube-ops-view-1.2.2/common-4.5.2/values.yaml",
            ),
        ),
        lambda files: chart_values(files, ("common",)),
        merged_at_top=("common",),
        notes=(
            "Helm coalesces a dependency's values.yaml, library charts included, under the dependency's name "
            "(`common`); the common library's `common.values.setup` (included by `common.all`) then merges "
            ".Values.common under the chart's own values, so its keys are also values at the top level."
        ),
    ),
    DataFile(
        "crd-schemas-aws-load-balancer-controller-3.5.0.json",
        "crd-schemas",
        "aws-load-balancer-controller",
        "3.5.0",
        (
            Upstream(
                "charts/aws-load-balancer-controller-3.5.0/crds/crds.yaml",
                LBC[0],
                "helm/aws-load-balancer-controller/crds/crds.yaml",
                *LBC[1:],
            ),
        ),
        crd_schemas,
    ),
    DataFile(
        "iam-policy-aws-load-balancer-controller-v2.13.3.json",
        "iam-policy",
        "aws-load-balancer-controller",
        "v2.13.3",
        (
            Upstream(
                "aws-load-balancer-controller/iam_policy-v2.13.3.json",
                LBC[0],
                "docs/install/iam_policy.json",
                "v2.13.3",
                "",
            ),
        ),
        iam_policy,
        notes="v3.5.0's docs/install/iam_policy.json has the same statements (no action added or removed).",
    ),
    DataFile(
        "eks-addon-schema-coredns-v1.11.1-eksbuild.8.json",
        "eks-addon-schema",
        "coredns",
        "v1.11.1-eksbuild.8",
        (
            Upstream(
                "eks-addons/coredns-v1.11.1-eksbuild.8.configurationSchema.json",
                "terraform-aws-modules/terraform-aws-eks",
                "docs/faq.md",
                "v21.19.0",
                "bef29c4d9523523e57fe898643fde2895106b339",
                via="the json block of `aws eks describe-addon-configuration --addon-name coredns --addon-version "
                "v1.11.1-eksbuild.8` output in the file, re-serialised; sha256 is of that json",
            ),
        ),
        addon_schema,
    ),
    DataFile(
        "eks-addon-schema-vpc-cni-v1.15.1-eksbuild.1.json",
        "eks-addon-schema",
        "vpc-cni",
        "v1.15.1-eksbuild.1",
        (
            Upstream(
                "eks-addons/vpc-cni-v1.15.1-eksbuild.1.configurationSchema.json",
                "aws/aws-cli",
                "awscli/examples/eks/describe-addon-configuration.rst",
                "develop",
                "07c4fe366b49c4dde816d674f4941134fc432673",
                via="the configurationSchema string of the file's Example 1, parsed and re-serialised; sha256 is of "
                "that json",
            ),
        ),
        addon_schema,
    ),
)


def write_all(reference: Path, *, check: bool = False, data_dir: Path | None = None) -> list[Path]:
    """Derive every data file from `reference` into `data_dir` (default: testbed/reference); the
    files that were (or, with check, would be) rewritten or removed."""
    data_dir = data_dir or DATA_DIR
    stale = []
    expected = {d.file for d in DATA_FILES}
    for data_file in DATA_FILES:
        path = data_dir / data_file.file
        text = encode(data_file.document(reference))
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text)
    stale.extend(p for p in sorted(data_dir.glob("*.json")) if p.name not in expected)
    if not check:
        for path in stale:
            if path.name not in expected:
                path.unlink()
    return stale
