"""Run a Pulumi program under Pulumi's mock engine and record everything it would create.

This is the offline "synth" behind `python -m testbed plan` and the tests:
- a monitor that records every RegisterResource request (type, name, parent, provider,
  dependencies, inputs) with resource references turned off: rehydrating references on the
  monitor thread hangs or fails at random ("attached to a different loop", research/pulumi.md §2);
- mocks that answer with realistic outputs (testbed/fakes.py), never with unknowns:
  the run is not a preview, so every `apply` runs (a preview would skip them and pass);
- a watchdog: a hung run (pulumi/pulumi#7888) dumps every thread's stack and exits the process
  instead of hanging the caller forever.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import logging
import runpy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import resource_pb2

from testbed import fakes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROGRAM = PROJECT_ROOT / "__main__.py"
PROJECT = "testbed"
DEFAULT_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret. Its repr never shows the value."""

    value: Any

    def __repr__(self) -> str:
        return "Secret([secret])"


@dataclass
class Resource:
    """One registered resource, as the engine would receive it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    remote: bool
    provider: str | None
    """URN of the explicit provider, or None for the default provider."""
    dependencies: list[str]
    """URNs this resource waits for: from inputs and from depends_on."""
    explicit_dependencies: list[str]
    """The part of `dependencies` no input explains: what `depends_on` added."""
    inputs: dict[str, Any]
    id: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recording:
    """Everything one run of a program registered, sorted by URN."""

    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]
    warnings: list[str]

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}


def unwrap(value: Any) -> Any:
    """Plain Python data from deserialized inputs, with secrets as Secret(...)."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return Secret(unwrap(value.get("value")))
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine sends every number as a float
    return value


class _Cloud(mocks.Mocks):
    def __init__(self, config: Mapping[str, str]):
        self.config = dict(config)

    def new_resource(self, args: mocks.MockResourceArgs):
        return fakes.resource_outputs(args.typ, args.name, args.inputs, self.config)

    def call(self, args: mocks.MockCallArgs):
        return fakes.call_result(args.token, args.args, self.config), []


class _RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that records full registration requests, with resource references off."""

    def __init__(self, cloud: _Cloud):
        super().__init__(cloud)
        self.recorded: list[Resource] = []

    def GetDeploymentInfo(self, request):
        info = super().GetDeploymentInfo(request)
        features = [f for f in info.supportedFeatures if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def SupportsFeature(self, request):
        supported = request.id not in ("outputValues", "resourceReferences")
        return type("SupportsFeatureResponse", (), {"hasSupport": supported})

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(
                Resource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=request.custom,
                    remote=request.remote,
                    provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                    dependencies=sorted(set(request.dependencies)),
                    explicit_dependencies=sorted(
                        set(request.dependencies)
                        - {urn for deps in request.propertyDependencies.values() for urn in deps.urns}
                    ),
                    inputs=unwrap(rpc.deserialize_properties(request.object)),
                    id=response.id,
                    options=_options(request),
                )
            )
        return response


def _options(request) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if request.protect:
        options["protect"] = True
    if request.retainOnDelete:
        options["retainOnDelete"] = True
    if request.ignoreChanges:
        options["ignoreChanges"] = sorted(request.ignoreChanges)
    if request.deleteBeforeReplace:
        options["deleteBeforeReplace"] = True
    timeouts = {k: getattr(request.customTimeouts, k) for k in ("create", "update", "delete")}
    if any(timeouts.values()):
        options["customTimeouts"] = {k: v for k, v in timeouts.items() if v}
    return options


class _WarningLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_program(
    stack: str,
    config: Mapping[str, str],
    *,
    program: Path | Callable[[], None] = PROGRAM,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> Recording:
    """Run `program` (a Pulumi program file, or a function that declares resources) as stack
    `stack` with `config` (`namespace:key` -> engine string).

    Raises whatever the program raises (pulumi.RunError for a bad config). A run that
    hangs for `timeout_seconds` ends the process with every thread's stack on stderr.
    """
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    cloud = _Cloud(config)
    monitor = _RecordingMonitor(cloud)
    logger = logging.getLogger(f"testbed.engine.{stack}")
    logger.propagate = False
    log = _WarningLog()
    logger.handlers[:] = [log]

    runtime_settings.ROOT.set(None)  # otherwise a second run reuses the first run's Stack
    _ensure_event_loop()
    pulumi.runtime.set_all_config(dict(config))
    mocks.set_mocks(cloud, project=PROJECT, stack=stack, preview=False, logger=logger, monitor=monitor)
    root = runtime_settings.get_root_resource()
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run():
        if callable(program):
            program()
        else:
            runpy.run_path(str(program), run_name="__main__")
        return pulumi.Output.from_input(root.outputs).apply(outputs.update)

    faulthandler.dump_traceback_later(timeout_seconds, exit=True)
    try:
        run()
    except BaseException:
        _drain_event_loop()
        raise
    finally:
        faulthandler.cancel_dump_traceback_later()
    if not monitor.recorded:
        raise RuntimeError(f"stack {stack}: the program registered no resources")
    return Recording(
        stack=stack,
        resources=sorted(monitor.recorded, key=lambda r: r.urn),
        outputs=unwrap(_mark_secrets(root.outputs, outputs)),
        warnings=list(log.messages),
    )


def _drain_event_loop() -> None:
    """Cancel what a failed program left pending, so its tasks do not surface later, at a random
    garbage collection, as errors of whatever code runs then."""
    loop = asyncio.get_event_loop_policy().get_event_loop()
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending and not loop.is_running():
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    gc.collect()


def _ensure_event_loop() -> None:
    """set_mocks needs the thread's event loop; asyncio.run() earlier in the process unsets it."""
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def _mark_secrets(declared: dict[str, Any], resolved: dict[str, Any]) -> dict[str, Any]:
    """Resolved stack outputs, with those exported as secrets wrapped in Secret."""
    marked = {}
    for name, value in resolved.items():
        output = declared.get(name)
        is_secret = isinstance(output, pulumi.Output) and _sync(output.is_secret())
        marked[name] = Secret(value) if is_secret else value
    return marked


def _sync(awaitable) -> Any:
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(awaitable)
