"""`plan --out`: refused with one line before planning when unusable; written whole into a staging
folder and moved into place; only what testbed wrote is ever replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testbed.__main__ import main
from testbed.outdir import MARKER, OutError, out_problem, publish


def writer(files: dict[str, str]):
    def write(folder: Path) -> list[Path]:
        written = []
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
        return written

    return write


def test_a_new_folder_gets_the_files_and_the_marker(tmp_path: Path):
    out = tmp_path / "new" / "plan"
    assert out_problem(str(out)) is None
    written = publish(out, writer({"plan.json": "{}", "manifests/a/b.yaml": "x"}))
    assert written == [out / "plan.json", out / "manifests/a/b.yaml"]
    assert (out / MARKER).read_text().splitlines()[1:] == ["plan.json", "manifests/a/b.yaml"]
    assert sorted(p.name for p in tmp_path.joinpath("new").iterdir()) == ["plan"], "no staging folder left behind"


def test_a_second_plan_replaces_the_first_whole(tmp_path: Path):
    out = tmp_path / "out"
    publish(out, writer({"plan.json": "1", "manifests/old-stack/x.yaml": "old"}))
    assert out_problem(str(out)) is None, "a folder testbed wrote may be written again"
    publish(out, writer({"plan.json": "2", "manifests/new/y.yaml": "new"}))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [MARKER, "manifests/new/y.yaml", "plan.json"], "no file or empty folder of the old plan is left"
    assert (out / "plan.json").read_text() == "2"


def test_a_users_file_is_never_deleted(tmp_path: Path):
    out = tmp_path / "out"
    publish(out, writer({"plan.json": "1"}))
    (out / "manifests").mkdir()
    (out / "manifests" / "mine.yaml").write_text("the user's")
    problem = out_problem(str(out))
    assert problem is not None and "manifests/mine.yaml" in problem and "\n" not in problem
    with pytest.raises(OutError):
        publish(out, writer({"plan.json": "2"}))
    assert (out / "manifests" / "mine.yaml").read_text() == "the user's"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: "", "a folder path (not empty)"),
        (lambda tmp: "   ", "a folder path (not empty)"),
        (lambda tmp: "/dev/null", "a folder; this is a file or device"),
        (lambda tmp: str(_file(tmp)), "a folder; this is a file or device"),
        (lambda tmp: str(_file(tmp) / "sub"), "is a file"),
        (lambda tmp: str(_foreign(tmp)), "holds other files"),
        (lambda tmp: str(_link(tmp)), "not a symlink"),
        (lambda tmp: "out\nx", "without control characters"),
    ],
    ids=["empty", "blank", "dev-null", "file", "under-a-file", "foreign-folder", "symlink", "newline"],
)
def test_unusable_places_are_one_line(tmp_path: Path, make, expected: str):
    problem = out_problem(make(tmp_path))
    assert problem is not None and expected in problem and "\n" not in problem and problem.startswith("--out ")


def test_an_unwritable_place_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    real_access = os.access
    # root may write anywhere: the permission check itself is what is tested here
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    problem = out_problem(str(locked / "out"))
    assert problem is not None and "is not writable" in problem and "\n" not in problem


def test_plan_refuses_before_planning(tmp_path: Path, capfd: pytest.CaptureFixture):
    target = _file(tmp_path)
    assert main(["plan", "eks-base", "--out", str(target)]) == 2
    captured = capfd.readouterr()
    assert captured.out == "", "nothing was planned"
    assert captured.err.strip().splitlines() == [f"--out {str(target)!r}: a folder; this is a file or device"]
    assert target.read_text() == "a user's file"


def test_plan_writes_into_an_empty_folder_and_again(tmp_path: Path, capfd: pytest.CaptureFixture):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["plan", "eks-base", "--out", str(out)]) == 0
    first = sorted(p.relative_to(out) for p in out.rglob("*.yaml"))
    assert main(["plan", "nlb-ip", "--out", str(out)]) == 0
    second = sorted(p.relative_to(out) for p in out.rglob("*.yaml"))
    assert first and second and set(first) != set(second)
    marked = (out / MARKER).read_text().splitlines()[1:]
    assert sorted(marked) == sorted(["lifecycle.json", "plan.json", *(p.as_posix() for p in second)])
    capfd.readouterr()


def _file(tmp: Path) -> Path:
    path = tmp / "a-file"
    path.write_text("a user's file")
    return path


def _foreign(tmp: Path) -> Path:
    folder = tmp / "mine"
    (folder / "manifests").mkdir(parents=True)
    (folder / "manifests" / "keep.yaml").write_text("x")
    return folder


def _link(tmp: Path) -> Path:
    (tmp / "real").mkdir()
    link = tmp / "link"
    link.symlink_to(tmp / "real")
    return link
