"""Pulumi program: build the scenario named by config `testbed:scenario` (default: the stack name)."""

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from components.errors import ArgsError
from stacks import ConfigError, build_scenario

try:
    build_scenario({**get_config_env(), **CONFIG.get()}, pulumi.get_stack())
except (ConfigError, ArgsError) as err:
    raise pulumi.RunError(str(err)) from None  # one line per problem, no traceback
