"""Reference data that ships with the project: what the gates and tests judge against.

Each `*.json` here is derived (by `derive.py`, `python -m testbed reference`) from an upstream
file and holds only data: a chart's tree of value keys and types, the LB controller's CRD
schemas without descriptions, its published IAM policy's statements, EKS add-on configuration
schemas without descriptions. Every file names its upstream sources (repository, path, tag,
commit, sha256 of the file read) and carries `digest`, the sha256 of its canonical `data`, so a
hand edit shows even where the upstream copies are not at hand.

File layout: {kind, name, version, sources: [...], derivedBy, digest, data[, notes]}.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent
DERIVED_BY = "python -m testbed reference (testbed/reference/derive.py)"


def encode(document: dict[str, Any]) -> str:
    """The on-disk text of a data file: its keys in the order given (where it comes from first),
    `data` sorted, one line per node so a regenerated file diffs readably, newline-terminated."""
    ordered = {**document, "data": json.loads(json.dumps(document["data"], sort_keys=True))}
    return json.dumps(ordered, indent=1, ensure_ascii=False) + "\n"


def canonical_digest(data: Any) -> str:
    """sha256 of `data` serialised canonically (sorted keys, no whitespace)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ReferenceError(LookupError):
    """A shipped data file is missing or its data does not match its digest."""


def _file_name(kind: str, name: str, version: str) -> str:
    return f"{kind}-{name}-{version}.json"


@cache
def load(kind: str, name: str, version: str) -> dict[str, Any] | None:
    """The document of one data file, its digest verified; None when nothing ships for it."""
    path = DATA_DIR / _file_name(kind, name, version)
    if not path.exists():
        return None
    document = json.loads(path.read_text())
    if canonical_digest(document["data"]) != document["digest"]:
        raise ReferenceError(f"{path.name}: data does not match its digest (regenerate: python -m testbed reference)")
    return document


def documents() -> list[dict[str, Any]]:
    """Every shipped data file's document, digests verified."""
    found = []
    for path in sorted(DATA_DIR.glob("*.json")):
        document = json.loads(path.read_text())
        loaded = load(document["kind"], document["name"], document["version"])
        if loaded is None or path.name != _file_name(document["kind"], document["name"], document["version"]):
            raise ReferenceError(f"{path.name}: named unlike its kind, name and version")
        found.append(loaded)
    return found


def source_line(document: dict[str, Any]) -> str:
    """'<repo> <path> @ <ref>' of a document's first source, for a finding's [source]."""
    source = document["sources"][0]
    return f"{source['repository']} {source['path']} @ {source['ref']}"


def chart_values(chart: str, version: str) -> dict[str, Any] | None:
    """The document of a chart version's values tree (see derive.value_tree), or None if it does not ship."""
    return load("helm-values", chart, version)


def accepted_values(document: dict[str, Any]) -> dict[str, Any]:
    """The values a chart reads: its tree, plus the trees of the dependencies its templates merge
    under its own values (`mergedAtTop`, e.g. the k8s-at-home common library)."""
    tree = document["data"]
    for name in document.get("mergedAtTop", []):
        tree = _merge(tree[name], tree)
    return tree


def _merge(library: Any, chart: Any) -> Any:
    """The chart's tree over the library's, as the library's mustMergeOverwrite does.

    Where the library's default is free-form ({} or null), so is the merge: the library renders
    that value whole (toYaml), and the chart's non-empty default there is an example, not the
    list of keys. An empty chart default over a library mapping leaves the library's keys.
    """
    if library in ("map", "any") and isinstance(chart, dict):
        return library
    if isinstance(library, dict) and chart == "map":
        return library
    if isinstance(library, dict) and isinstance(chart, dict):
        merged = dict(library)
        for key, value in chart.items():
            merged[key] = _merge(library[key], value) if key in library else value
        return merged
    return chart


def crd_schemas(chart: str, version: str) -> dict[str, Any] | None:
    """'<apiVersion> <Kind>' -> openAPIV3Schema of the chart's CRDs, or None if they do not ship."""
    document = load("crd-schemas", chart, version)
    return None if document is None else document["data"]


def iam_policy(name: str, version: str) -> dict[str, Any]:
    """A published IAM policy document (Version, Statement)."""
    document = load("iam-policy", name, version)
    if document is None:
        raise ReferenceError(f"no shipped IAM policy {name} {version}")
    return document["data"]


def addon_schemas(addon: str) -> dict[str, dict[str, Any]]:
    """add-on version -> configuration schema, for every version of `addon` that ships."""
    prefix = f"eks-addon-schema-{addon}-"
    schemas = {}
    for path in sorted(DATA_DIR.glob(f"{prefix}*.json")):
        version = path.name.removeprefix(prefix).removesuffix(".json")
        document = load("eks-addon-schema", addon, version)
        if document is not None:
            schemas[version] = document["data"]
    return schemas
