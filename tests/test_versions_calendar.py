"""Support calendars: phases on given days, the default versions' choice, validation and warnings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from components.aws.versions import EKS_SUPPORT_CALENDAR, EKS_VERSION
from components.azure.versions import AKS_SUPPORT_CALENDAR, AKS_VERSION
from components.versions_calendar import (
    SupportCalendar,
    SupportPhase,
    SupportWindow,
    in_extended_support,
    in_standard_support,
    minor_version,
    support_warning,
)
from stacks.aks_tcp import aks_version_warning
from stacks.aws_base import eks_version_warning
from stacks.support import TODAY_ENV

CHOSEN_ON = date(2026, 11, 27)  # the day the defaults were chosen (issue 11)
THREE_MONTHS = timedelta(days=92)

TOY = SupportCalendar(
    service="Toy",
    extended_name="extended support",
    windows={
        "1.9": SupportWindow(
            release=date(2020, 1, 1), standard_end=date(2020, 12, 31), extended_end=date(2021, 12, 31)
        ),
        "1.10": SupportWindow(release=date(2020, 6, 1), standard_end=date(2021, 6, 30), extended_end=date(2022, 6, 30)),
    },
    source="test",
)


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (date(2019, 12, 31), SupportPhase.UNRELEASED),
        (date(2020, 1, 1), SupportPhase.STANDARD),
        (date(2020, 12, 31), SupportPhase.STANDARD),
        (date(2021, 1, 1), SupportPhase.EXTENDED),
        (date(2021, 12, 31), SupportPhase.EXTENDED),
        (date(2022, 1, 1), SupportPhase.ENDED),
    ],
)
def test_phase_boundaries_are_inclusive_last_days(day, phase):
    assert TOY.phase("1.9", day) is phase


def test_patch_versions_map_to_their_minor():
    assert minor_version("1.35.3") == "1.35"
    assert TOY.phase("1.9.7", date(2020, 2, 1)) is SupportPhase.STANDARD
    assert in_standard_support(TOY, "1.9", date(2020, 2, 1))
    assert in_extended_support(TOY, "1.9", date(2021, 2, 1))
    assert not in_standard_support(TOY, "1.11", date(2020, 2, 1))


def test_newest_sorts_numerically_not_as_text():
    assert TOY.newest_in_standard_support(date(2020, 7, 1), for_at_least=timedelta(days=30)) == "1.10"
    assert TOY.known_versions() == ["1.9", "1.10"]


def test_a_window_must_be_ordered():
    with pytest.raises(ValueError, match="release < standard_end"):
        SupportWindow(release=date(2021, 1, 1), standard_end=date(2020, 1, 1), extended_end=date(2022, 1, 1))


def test_unknown_version_names_the_known_ones():
    assert TOY.unknown_version_problem("1.8") == "'1.8' is not in the Toy support calendar; known: 1.9, 1.10"
    assert TOY.unknown_version_problem("1.10") is None


@pytest.mark.parametrize(
    ("calendar", "default"), [(EKS_SUPPORT_CALENDAR, EKS_VERSION), (AKS_SUPPORT_CALENDAR, AKS_VERSION)]
)
def test_default_is_the_newest_in_standard_support_for_three_months_when_chosen(calendar, default):
    assert calendar.newest_in_standard_support(CHOSEN_ON, for_at_least=THREE_MONTHS) == default
    assert calendar.phase(default, CHOSEN_ON + THREE_MONTHS) is SupportPhase.STANDARD


def test_the_seed_eks_version_is_in_extended_support_when_chosen():
    # AWS calendar: 1.33 left standard support on 2026-07-29, why the default moved.
    assert in_extended_support(EKS_SUPPORT_CALENDAR, "1.33", CHOSEN_ON)


def test_eks_extended_support_warning_names_the_extra_cost(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-11-27")
    assert eks_version_warning("1.33") == (
        "Amazon EKS Kubernetes 1.33 left standard support on 2026-07-29; until 2027-07-29 it runs in extended "
        "support: the control plane bills $0.50/h more ($4.00 per 8-hour day)"
    )
    assert eks_version_warning("1.36") is None


def test_aks_out_of_community_support_warns(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-12-01")
    warning = aks_version_warning("1.34")
    assert warning is not None and "left standard support on 2026-11-30" in warning and "Premium tier" in warning
    assert aks_version_warning("1.36") is None


def test_warning_on_an_ended_and_an_unreleased_version():
    assert "out of support since 2021-12-31" in (support_warning(TOY, "1.9", date(2022, 1, 1), extended_cost="x") or "")
    assert "not released until 2020-06-01" in (support_warning(TOY, "1.10", date(2020, 1, 1), extended_cost="x") or "")


def test_a_bad_today_is_one_line(monkeypatch):
    from stacks.support import plan_date

    monkeypatch.setenv(TODAY_ENV, "tomorrow")
    with pytest.raises(ValueError, match=r"^TESTBED_TODAY='tomorrow' is not a date like 2026-11-27$"):
        plan_date()


def _plan(stack: str, **overrides: object):
    from stacks.config import engine_value
    from testbed.engine import run_program
    from testbed.stackfile import read_stack_config

    raw = {**read_stack_config(stack), **{k: engine_value(v) for k, v in overrides.items()}}
    return run_program(stack, raw)


def test_a_plan_of_the_seeds_eks_version_warns_with_the_extra_cost(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-11-27")
    cluster = {"kubernetesVersion": "1.33"}
    warnings = _plan("eks-base", **{"testbed:cluster": cluster}).warnings
    assert [w for w in warnings if "standard support" in w] == [eks_version_warning("1.33")]


def test_the_default_plans_warn_the_day_their_version_leaves_standard_support(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2027-08-03")  # the day after EKS 1.36's standard support ends
    assert any(
        "Amazon EKS Kubernetes 1.36 left standard support on 2027-08-02" in w for w in _plan("eks-base").warnings
    )
    monkeypatch.setenv(TODAY_ENV, "2026-11-27")
    assert not any("support" in w for w in _plan("eks-base").warnings)
    assert not any("support" in w for w in _plan("aks-tcp").warnings)
