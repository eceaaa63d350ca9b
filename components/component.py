"""The base of the components whose outputs are declared once: as attributes and as registered outputs.

Pulumi shows a component's registered outputs (`register_outputs`) in its state; programs read
the same values as the component's attributes. `Component.publish` sets both from one list, under
the attribute's name in Python and its camelCase in the registered outputs, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

import pulumi


def camel_case(name: str) -> str:
    """`security_group_id` -> `securityGroupId`."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class Component(pulumi.ComponentResource):
    """A ComponentResource that ends with `publish(...)` instead of setting and registering each output."""

    def publish(self, **outputs: Any) -> None:
        """Set each output as this component's attribute of that name, then register them all (camelCase).

        Call it last in the constructor: registering its outputs ends a component."""
        for attribute, value in outputs.items():
            setattr(self, attribute, value)
        self.register_outputs({camel_case(attribute): value for attribute, value in outputs.items()})
