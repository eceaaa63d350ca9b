"""The seeds' HTTP check loops, as experiments run from this machine: `curl` repeated against the
load balancer's URL, each answer's body and status one request event."""

from __future__ import annotations

from stacks.experiments.model import Action, Expectation, Experiment

# One HTTP request as the experiments' runner repeats it: the body, then the status on a line of its own.
HTTP_ONCE = ("curl", "-s", "-m", "10", "-w", "\\nstatus=%{http_code}\\n")
HTTP_STATUS = {"status": r"status=(\d{3})"}

SECONDS_PER_REQUEST = 0.2
"""About how long one request takes from this machine: a loop's length when it runs back to back."""


def request_loop(
    name: str,
    title: str,
    url: str,
    expectations: tuple[Expectation, ...],
    *,
    count: int,
    interval_seconds: float = 0,
    actions: tuple[Action, ...] = (),
    parse: dict[str, str] | None = None,
    time_scale: float = 1.0,
) -> Experiment:
    """`count` HTTP requests from this machine, back to back (the seeds' check loops) or `interval_seconds`
    apart (a steady load), with `actions` run while it goes. `time_scale` scales the interval here; the
    caller scales its actions' `after_seconds` itself, as it declares them."""
    return Experiment(
        name=name,
        title=title,
        where="local",
        argv=(*HTTP_ONCE, url),
        interval_seconds=interval_seconds * time_scale,
        count=count,
        expected_seconds=count * interval_seconds * time_scale if interval_seconds else count * SECONDS_PER_REQUEST,
        expectations=expectations,
        mode="repeat",
        parse=parse or HTTP_STATUS,
        actions=actions,
        time_scale=time_scale,
    )
