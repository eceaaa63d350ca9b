""".ci/run finds README.md's two commands (the quick start and the test command) it runs verbatim."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ci_commands(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / ".ci" / "run"), "--print-commands"], capture_output=True, text=True, timeout=30, check=False
    )


def test_ci_finds_both_readme_commands():
    result = ci_commands(ROOT)
    assert result.returncode == 0, result.stderr
    quick_start, test_command = result.stdout.splitlines()
    readme = (ROOT / "README.md").read_text().splitlines()
    assert quick_start in readme and test_command in readme, "verbatim README lines"
    assert "-r requirements.txt" in quick_start and "requirements-dev.txt" not in quick_start
    assert "testbed plan eks-base --out plan-out" in quick_start
    assert "-r requirements-dev.txt" in test_command and "pytest" in test_command


def test_ci_fails_when_a_marker_is_missing(tmp_path):
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    readme = (ROOT / "README.md").read_text()
    (tmp_path / "README.md").write_text(readme.replace("<!-- quick-start-command", "<!-- something-else"))
    result = ci_commands(tmp_path)
    assert result.returncode == 1
    assert "no quick-start-command found in README.md" in result.stderr
