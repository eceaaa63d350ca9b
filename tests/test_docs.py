"""The docs a user reads: every command they show exists, every output they cite is exported,
every link resolves, the README stays short, and every stack has its page.

Commands are checked against the real parser (`testbed.__main__.parser`); `plan` commands are run
(under the mock engine, as the tests run every stack); outputs come from the recorded plans of
the stack files.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from k8s.versions import INGRESS_NGINX_CHART_VERSION
from stacks import SCENARIOS
from testbed import __main__ as cli
from testbed.stackfile import known_stacks, read_stack_config, stack_file

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
SCENARIO_DOCS = DOCS / "scenarios"
README_LIMIT_BYTES = 10_000

TESTBED_COMMAND = re.compile(r"(?P<python>(?:\S*/)?python3?) -m testbed\b(?P<args>[^`\n]*)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
STACK_OUTPUT = re.compile(r"pulumi stack output (?!-)([A-Za-z]\w*)")
OUTPUT_KEY = re.compile(r"\b(commands|experiments)\.([A-Za-z]\w*)")


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def stack_headers() -> dict[Path, str]:
    """The comment block each stack file opens with."""
    headers = {}
    for name in known_stacks():
        path = stack_file(name)
        lines = []
        for line in path.read_text().splitlines():
            if not line.startswith("#"):
                break
            lines.append(line)
        headers[path] = "\n".join(lines)
    return headers


def code_spans(text: str) -> list[str]:
    """Every line of a fenced block and every inline code span (a wrapped span joined into one line)."""
    spans = []
    for block in FENCE.findall(text):
        spans.extend(block.splitlines())
    prose = FENCE.sub("", text)
    spans.extend(span.replace("\n", " ") for span in INLINE_CODE.findall(prose))
    return spans


def documented_commands() -> list[tuple[str, str]]:
    """(where, argument string) of every `python -m testbed ...` in the README, docs and stack files."""
    found = []
    sources = {path: code_spans(path.read_text()) for path in markdown_files()}
    # A stack file's header: `#   <command>   <what it does>`, two spaces or more between them.
    sources.update(
        {path: [re.split(r"\s{2,}", line)[0] for line in text.splitlines()] for path, text in stack_headers().items()}
    )
    for path, spans in sources.items():
        for span in spans:
            for match in TESTBED_COMMAND.finditer(span):
                args = re.split(r"&&|\|\||[;|#]", match["args"])[0]
                found.append((f"{path.relative_to(ROOT)}: {match[0].strip()}", args))
    return found


def argv(args: str) -> list[str]:
    """The argument list a shell would pass, with the docs' placeholders filled in."""
    args = args.replace("[", "").replace("]", "").replace("...", "")
    return [{"<stack>": "eks-base", "<scenario>": "eks-base", "F": "0.1"}.get(word, word) for word in shlex.split(args)]


COMMANDS = documented_commands()


def test_the_docs_show_testbed_commands():
    subcommands = {argv(args)[0] for _, args in COMMANDS}
    assert {"plan", "check", "golden", "list", "schema", "tools"} <= subcommands


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_every_testbed_command_parses(where, args):
    words = argv(args)
    try:
        parsed = cli.parse(words)
    except SystemExit as exit:
        pytest.fail(f"{where}: the parser refuses {words} (exit {exit.code})")
    stacks = set(known_stacks())
    if parsed.command == "plan":
        assert parsed.scenario in stacks | set(SCENARIOS), where
    if parsed.command in ("check", "golden"):
        assert set(parsed.stacks) <= stacks, where


# The docs' plans with nothing left to fill in (a placeholder such as KEY=VALUE is only parsed).
PLAN_COMMANDS = sorted(
    {
        shlex.join(argv(args))
        for _, args in COMMANDS
        if argv(args)[0] == "plan" and "<" not in args and "KEY=" not in args
    }
)


@pytest.mark.parametrize("command", PLAN_COMMANDS)
def test_every_plan_command_plans(command, tmp_path, monkeypatch, capfd):
    """The docs' plans, their `-c` overrides included, are valid configs (`--out` goes to a temporary dir)."""
    monkeypatch.chdir(ROOT)
    words = shlex.split(command)
    if "--out" in words:
        words[words.index("--out") + 1] = str(tmp_path / "out")
    assert cli.main(words) == 0, capfd.readouterr().err


def test_the_docs_use_the_virtualenv_python():
    """One convention everywhere: `.venv/bin/python -m testbed`, never a bare `python -m testbed`."""
    bare = [where for where, _ in COMMANDS if not where.split(": ", 1)[1].startswith(".venv/bin/python ")]
    assert bare == []


def test_readme_is_short():
    assert len(README.read_bytes()) < README_LIMIT_BYTES


def test_readme_keeps_the_two_commands_where_ci_reads_them():
    """.ci/run takes the line after the first ```sh that follows `<!-- test-command`."""
    lines = README.read_text().splitlines()
    marker = next(i for i, line in enumerate(lines) if line.startswith("<!-- test-command"))
    fence = next(i for i in range(marker + 1, len(lines)) if lines[i].startswith("```sh"))
    assert lines[fence + 1] == (
        "python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.txt && "
        ".venv/bin/python -m testbed tools && timeout 1200 .venv/bin/python -m pytest -q"
    )
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt && "
        ".venv/bin/python -m testbed plan eks-base --out plan-out\n"
    ) in README.read_text()


def test_every_stack_has_its_page_and_the_readme_a_row():
    readme = README.read_text()
    pages = {path.stem for path in SCENARIO_DOCS.glob("*.md")}
    assert pages == set(known_stacks())
    for name in known_stacks():
        assert f"| [{name}](docs/scenarios/{name}.md) |" in readme
        assert f"docs/scenarios/{name}.md" in stack_headers()[stack_file(name)]


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {github_anchor(match) for match in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("doc", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc):
    broken = []
    for target in LINK.findall(FENCE.sub("", doc.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        if not path.exists():
            broken.append(f"{target}: no {path}")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert broken == []


def cited_outputs(text: str) -> set[tuple[str, ...]]:
    """Output names a text cites: ('url',) for `pulumi stack output url`, ('commands', 'load') for commands.load."""
    cited = {(name,) for name in STACK_OUTPUT.findall(text)}
    cited |= set(OUTPUT_KEY.findall(text))
    return cited


def missing_outputs(cited: set[tuple[str, ...]], outputs: dict) -> list[str]:
    missing = []
    for path in sorted(cited):
        value = outputs
        for key in path:
            if not isinstance(value, dict) or key not in value:
                missing.append(".".join(path))
                break
            value = value[key]
    return missing


@pytest.mark.parametrize("stack", known_stacks())
def test_every_output_a_page_cites_is_exported(stack, plan_stack):
    cited = cited_outputs((SCENARIO_DOCS / f"{stack}.md").read_text())
    assert cited, f"docs/scenarios/{stack}.md cites no output"
    assert missing_outputs(cited, plan_stack(stack).outputs) == []


# AWS resources that have no tags at all.
UNTAGGABLE = {
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
}


def aws_stacks() -> list[str]:
    return [name for name in known_stacks() if "aws:region" in read_stack_config(name)]


README_OUTPUT = re.compile(r"pulumi stack output ([A-Za-z]\w*)[^\n`]*?-s (\$S|[\w-]+)")


@pytest.mark.parametrize("stack", aws_stacks())
def test_every_output_the_readme_cites_is_exported(stack, plan_stack):
    """`pulumi stack output NAME -s $S` on every AWS stack (the teardown reads region, clusterName, vpcId)."""
    cited = {(name,) for name, target in README_OUTPUT.findall(README.read_text()) if target in ("$S", stack)}
    assert {("region",), ("clusterName",), ("vpcId",)} <= cited
    assert missing_outputs(cited, plan_stack(stack).outputs) == []


@pytest.mark.parametrize("stack", aws_stacks())
def test_the_leftover_filters_match_what_the_stack_tags(stack, plan_stack):
    """README: one VPC and one Elastic IP per bed, both found by `tag:testbed:stack`."""
    readme = README.read_text()
    assert "Name=tag:testbed:stack,Values=$S" in readme
    assert "Key=testbed:stack,Values=$S" in readme
    recording = plan_stack(stack)
    for kind in ("aws:ec2/vpc:Vpc", "aws:ec2/eip:Eip"):
        found = [r for r in recording.resources if r.type == kind]
        assert len(found) == 1, kind
        assert found[0].inputs["tags"]["testbed:stack"] == stack
    # "every resource the stack makes on AWS that takes tags carries testbed:stack"
    untagged = {r.type for r in recording.resources if r.type.startswith(("aws:", "eks:")) and "tags" not in r.inputs}
    assert untagged <= UNTAGGABLE
    mistagged = [
        r.name
        for r in recording.resources
        if "tags" in r.inputs and r.type.startswith(("aws:", "eks:")) and r.inputs["tags"].get("testbed:stack") != stack
    ]
    assert mistagged == []


def test_the_aks_leftover_checks_match_the_stack(plan_stack):
    recording = plan_stack("aks-tcp")
    page = (SCENARIO_DOCS / "aks-tcp.md").read_text()
    groups = [r for r in recording.resources if r.type == "azure-native:resources:ResourceGroup"]
    assert {g.inputs["tags"]["testbed-stack"] for g in groups} == {"aks-tcp"}
    for text in (page, README.read_text()):
        assert "az group list --tag testbed-stack=aks-tcp" in text
        assert f"az group exists -n {recording.outputs['nodeResourceGroup']}" in text
    ip = next(r for r in recording.resources if r.type == "azure-native:network:PublicIPAddress")
    assert ip.options.get("protect") is True
    assert (
        f"az network public-ip delete -g {ip.inputs['resourceGroupName']} -n {ip.inputs['publicIpAddressName']}" in page
    )


def test_the_ingress_nginx_page_says_why_the_bed_exists_and_what_it_pins():
    page = (SCENARIO_DOCS / "ingress-nginx-vs-alb.md").read_text()
    assert "retired in March 2026" in page
    assert (
        f"{INGRESS_NGINX_CHART_VERSION} (controller v{INGRESS_NGINX_CHART_VERSION.replace('4.', '1.', 1)}) today"
        in page
    )


@pytest.mark.parametrize("stack", known_stacks())
def test_time_and_cost_in_the_readme_and_the_page_are_the_lifecycle_model(stack, plan_stack):
    """The README row and the stack's page quote what `plan` computes (on the pinned plan date)."""
    from datetime import date

    from testbed import golden
    from testbed.lifecycle import analyse, region_of

    config = read_stack_config(stack)
    region = region_of(config)
    lifecycle = analyse(plan_stack(stack).resources, region=region, today=date.fromisoformat(golden.PLANNED_ON))
    up, down, per_hour = round(lifecycle.create.minutes), round(lifecycle.destroy.minutes), lifecycle.cost.per_hour
    row = f"| [{stack}](docs/scenarios/{stack}.md) | "
    (line,) = [line for line in README.read_text().splitlines() if line.startswith(row)]
    assert line.endswith(f" | ~{up} min | {per_hour:.2f} |"), line
    page = (SCENARIO_DOCS / f"{stack}.md").read_text()
    assert (
        f"`pulumi up` ~{up} min, `pulumi destroy` ~{down} min (critical paths); "
        f"${per_hour:.2f}/h (${per_hour * 8:.2f} per 8-hour day) in {region}"
    ) in page
