"""EC2 instance types: which exist (a compact list shipped with the project) and which are Graviton (ARM).

The list is EC2's own InstanceType enum (botocore's ec2 service model, a dev dependency only),
written as one line per family: `<family> <size> <size> ...`. Regenerate it with
`python -m components.limits.ec2` (needs botocore); tests/test_limits.py says when it is stale.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("ec2_instance_types.txt")
_NAME = re.compile(r"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>[a-z0-9-]+)$")
# Graviton families carry a "g" among the letters after the generation digit: t4g, m6gd, c7gn, x2gd, im4gn,
# is4gen; a1 is the first Graviton. (docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html)
_GRAVITON = re.compile(r"^(a1|[a-z]+\d+[a-z]*g[a-z]*)$")


@cache
def instance_types() -> frozenset[str]:
    """Every instance type EC2 knew when the list was written."""
    names = set()
    for line in DATA.read_text().splitlines():
        if line and not line.startswith("#"):
            family, *sizes = line.split()
            names.update(f"{family}.{size}" for size in sizes)
    return frozenset(names)


def instance_type_problem(name: str) -> str | None:
    """Why `name` is not an EC2 instance type, or None."""
    if name in instance_types():
        return None
    match = _NAME.match(name)
    family = match["family"] if match else ""
    sizes = sorted(n.partition(".")[2] for n in instance_types() if n.startswith(f"{family}."))
    if sizes:
        return f"{name!r}: an EC2 instance type; family {family} has sizes {', '.join(sizes)}"
    return f"{name!r}: an EC2 instance type like t3.medium or m6g.large (family.size)"


def is_graviton(name: str) -> bool:
    """An ARM (AWS Graviton) instance type: needs an ARM_64 AMI, and an ARM one needs it."""
    return bool(_GRAVITON.match(name.partition(".")[0]))


def render(names: list[str]) -> str:
    """The shipped file's text for `names`."""
    families: dict[str, list[str]] = {}
    for name in names:
        family, _, size = name.partition(".")
        families.setdefault(family, []).append(size)
    lines = [f"{family} {' '.join(sizes)}" for family, sizes in sorted(families.items())]
    return "# EC2 InstanceType enum (botocore ec2 service model): <family> <size>...\n" + "\n".join(lines) + "\n"


def botocore_instance_types() -> list[str]:
    """EC2's InstanceType enum from botocore (dev dependency)."""
    import botocore.session

    return list(botocore.session.get_session().get_service_model("ec2").shape_for("InstanceType").enum)


if __name__ == "__main__":
    DATA.write_text(render(botocore_instance_types()))
    print(f"wrote {DATA} ({len(instance_types.__wrapped__())} instance types)")
