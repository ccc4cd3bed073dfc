"""The compliance policy as data: the service catalogue and the rules that generate visits.

The bundled ``default_policy.toml`` states each default with its source (42 CFR Part 484). An
agency passes its own file; a bad file is reported with its name and the field at fault.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import Field, ValidationError, model_validator

from scheduler.domain.model import Id, Role, _Frozen
from scheduler.errors import Problem, ScenarioError
from scheduler.plans.model import DayWindow, ServiceType

# Roles on the nursing ladder, lowest first; a role may give a service whose least role is at
# or below it. Therapists and social workers give only their own discipline's services.
NURSING_LADDER: tuple[frozenset[Role], ...] = (
    frozenset({Role.AIDE, Role.HHA, Role.CNA}),
    frozenset({Role.LPN}),
    frozenset({Role.RN}),
)
AIDE_LEVEL = NURSING_LADDER[0]


def roles_at_least(min_role: Role) -> frozenset[Role]:
    """Every role that may give a service whose least role is ``min_role``."""
    for rank, step in enumerate(NURSING_LADDER):
        if min_role in step:
            return frozenset().union(*NURSING_LADDER[rank:])
    return frozenset({min_role})


class RuleKind(StrEnum):
    AFTER_ADMISSION = "after_admission"  # once, within ``within_h`` of admission
    ROLLING = "rolling"  # at most ``every_days`` after the previous one (or admission)
    PERIODIC = "periodic"  # in the last ``window_days`` of every ``every_days`` from admission


class AppliesTo(StrEnum):
    ALL = "all"
    AIDE_SERVED = "aide_served"  # clients with an order an aide may give


class ComplianceRule(_Frozen):
    name: Id
    kind: RuleKind
    service: Id
    duration_min: int = Field(gt=0, le=8 * 60)
    within_h: int | None = Field(default=None, gt=0, le=30 * 24)
    every_days: int | None = Field(default=None, gt=0, le=366)
    window_days: int | None = Field(default=None, gt=0, le=366)
    applies_to: AppliesTo = AppliesTo.ALL
    priority: int = Field(default=5, ge=1, le=5)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Self:
        if self.kind is RuleKind.AFTER_ADMISSION and self.within_h is None:
            raise ValueError("an after_admission rule needs within_h")
        if self.kind in (RuleKind.ROLLING, RuleKind.PERIODIC) and self.every_days is None:
            raise ValueError(f"a {self.kind.value} rule needs every_days")
        if self.kind is RuleKind.PERIODIC and self.window_days is None:
            raise ValueError("a periodic rule needs window_days")
        if self.window_days and self.every_days and self.window_days > self.every_days:
            raise ValueError("window_days is longer than every_days")
        return self


class Policy(_Frozen):
    services: dict[str, ServiceType]
    rules: tuple[ComplianceRule, ...] = ()
    compliance_hours: DayWindow = DayWindow(start=time(8, 0), end=time(17, 0))

    @model_validator(mode="after")
    def _known_services(self) -> Self:
        for name, service in self.services.items():
            if service.name != name:
                raise ValueError(f"service {name!r} carries the name {service.name!r}")
        for rule in self.rules:
            if rule.service not in self.services:
                raise ValueError(f"rule {rule.name!r} names unknown service {rule.service!r}")
        return self


def default_policy_text() -> str:
    return resources.files("scheduler.plans").joinpath("default_policy.toml").read_text("utf-8")


def load_policy(path: Path | None = None) -> Policy:
    """The policy in ``path`` (TOML), or the bundled default; ScenarioError names what is wrong."""
    name = str(path) if path is not None else "default_policy.toml"
    try:
        raw = tomllib.loads(path.read_text("utf-8") if path is not None else default_policy_text())
    except OSError as exc:
        raise ScenarioError([Problem(name, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError:
        raise ScenarioError([Problem(name, "not a text file (UTF-8 TOML)")]) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ScenarioError([Problem(name, f"not valid TOML: {message}", row=line)]) from None
    given = raw.get("services", {})
    if not isinstance(given, dict):
        raise ScenarioError([Problem(name, "must be a table of services", field="services")])
    services = {
        key: {"name": key, **value} if isinstance(value, dict) else value
        for key, value in given.items()
    }
    try:
        return Policy.model_validate({**raw, "services": services})
    except ValidationError as exc:
        problems = [
            Problem(name, err["msg"], field=".".join(str(p) for p in err["loc"]) or None)
            for err in exc.errors()
        ]
        raise ScenarioError(problems) from exc
