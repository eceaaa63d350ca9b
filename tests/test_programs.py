"""k8s/programs.py: the hash that rolls pods when a mounted program changes, and what a Deployment mounts."""

from __future__ import annotations

import pulumi
from hypothesis import given
from hypothesis import strategies as st

from k8s.programs import PROGRAMS_HASH, READ_ONLY_FILES, files_digest, mount_programs
from testbed.engine import run_program
from tests.graph import one

FILES = st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=40), min_size=1, max_size=4)


@given(FILES)
def test_digest_ignores_the_order_of_the_files(files):
    assert files_digest(files) == files_digest(dict(reversed(list(files.items()))))


@given(FILES, st.text(min_size=1, max_size=5))
def test_digest_changes_with_any_text(files, extra):
    name = sorted(files)[0]
    assert files_digest(files) != files_digest({**files, name: files[name] + extra})


def test_a_renamed_file_changes_the_digest():
    assert files_digest({"a.py": "x"}) != files_digest({"b.py": "x"})


def test_configmap_volume_mount_and_annotation_agree():
    mounted = {}

    def program() -> None:
        mounted["programs"] = mount_programs(
            "echo-program",
            name="echo-program",
            namespace="ns",
            labels={"app": "echo"},
            files={"echo.py": "print('hi')\n"},
            mount_path="/app",
            volume_name="program",
            opts=pulumi.ResourceOptions(),
        )

    recording = run_program("programs", {}, program=program)
    config_map = one(recording, "kubernetes:core/v1:ConfigMap", "echo-program")
    assert config_map.inputs["metadata"] == {
        "name": "echo-program",
        "namespace": "ns",
        "labels": {"app": "echo", "app.kubernetes.io/managed-by": "pulumi"},
    }
    assert config_map.inputs["data"] == {"echo.py": "print('hi')\n"}
    programs = mounted["programs"]
    assert programs.volume.name == programs.mount.name == "program"
    assert programs.volume.config_map.default_mode == READ_ONLY_FILES
    assert (programs.mount.mount_path, programs.mount.read_only) == ("/app", True)
    assert programs.annotations == {PROGRAMS_HASH: files_digest({"echo.py": "print('hi')\n"})}
