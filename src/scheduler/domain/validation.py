"""Checks that span records (references, cycles): every problem is collected, none raised early.

Field-level checks live on the pydantic models; what needs the whole scenario lives here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from scheduler.domain.model import Location, Scenario, TravelModelName


@dataclass(frozen=True)
class Finding:
    """A problem located by collection and position; loaders turn it into file/row/field."""

    collection: str  # "caregivers" | "clients" | "visits"
    index: int
    field: str
    message: str
    item_id: str | None = None


def find_reference_problems(scenario: Scenario) -> list[Finding]:
    """Every cross-record problem of ``scenario``: duplicates, dangling ids, dependency cycles."""
    findings: list[Finding] = []
    for name in ("caregivers", "clients", "visits"):
        records = getattr(scenario, name)
        counts = Counter(r.id for r in records)
        for i, r in enumerate(records):
            if counts[r.id] > 1:
                findings.append(Finding(name, i, "id", f"duplicate id {r.id!r}", r.id))

    findings += _coordinates_fit_travel(scenario)
    caregiver_ids = {c.id for c in scenario.caregivers}
    client_ids = {c.id for c in scenario.clients}
    visit_ids = {v.id for v in scenario.visits}

    for i, caregiver in enumerate(scenario.caregivers):
        ordered = sorted(caregiver.shifts, key=lambda sh: sh.start)
        for earlier, later in pairwise(ordered):
            if later.start < earlier.end:
                findings.append(
                    Finding(
                        "caregivers",
                        i,
                        "shifts",
                        f"shifts overlap ({earlier.start} - {earlier.end} and "
                        f"{later.start} - {later.end})",
                        caregiver.id,
                    )
                )

    for i, client in enumerate(scenario.clients):
        for field in ("excluded_caregivers", "preferred_caregivers"):
            for cid in sorted(getattr(client, field) - caregiver_ids):
                findings.append(
                    Finding("clients", i, field, f"unknown caregiver {cid!r}", client.id)
                )
        both = client.excluded_caregivers & client.preferred_caregivers
        for cid in sorted(both):
            findings.append(
                Finding(
                    "clients",
                    i,
                    "preferred_caregivers",
                    f"caregiver {cid!r} is both preferred and excluded",
                    client.id,
                )
            )

    for i, visit in enumerate(scenario.visits):
        if visit.client_id not in client_ids:
            findings.append(
                Finding("visits", i, "client_id", f"unknown client {visit.client_id!r}", visit.id)
            )
        if visit.pinned_caregiver is not None and visit.pinned_caregiver not in caregiver_ids:
            findings.append(
                Finding(
                    "visits",
                    i,
                    "pinned_caregiver",
                    f"unknown caregiver {visit.pinned_caregiver!r}",
                    visit.id,
                )
            )
        if visit.pinned_caregiver is not None and visit.caregivers_required > 1:
            findings.append(
                Finding(
                    "visits",
                    i,
                    "pinned_caregiver",
                    "a double-handed visit cannot be pinned to one caregiver",
                    visit.id,
                )
            )
        dep = visit.dependency
        if dep is not None:
            if dep.after == visit.id:
                findings.append(
                    Finding(
                        "visits", i, "dependency.after", "a visit cannot depend on itself", visit.id
                    )
                )
            elif dep.after not in visit_ids:
                findings.append(
                    Finding(
                        "visits", i, "dependency.after", f"unknown visit {dep.after!r}", visit.id
                    )
                )

    findings.extend(_dependency_cycles(scenario))
    return findings


def _dependency_cycles(scenario: Scenario) -> list[Finding]:
    after = {v.id: v.dependency.after for v in scenario.visits if v.dependency is not None}
    position = {v.id: i for i, v in enumerate(scenario.visits)}
    reported: set[str] = set()
    findings: list[Finding] = []
    for start in after:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in after and node not in seen:
            seen.append(node)
            node = after[node]
        if node is not None and node in seen and node not in reported:
            cycle = seen[seen.index(node) :]
            reported.update(cycle)
            findings.append(
                Finding(
                    "visits",
                    position[node],
                    "dependency.after",
                    "dependency cycle: " + " -> ".join([*cycle, node]),
                    node,
                )
            )
    return findings


def _coordinates_fit_travel(scenario: Scenario) -> list[Finding]:
    """Planar travel needs x_km/y_km everywhere; the geographic models need lat/lon."""
    planar = scenario.settings.travel.model is TravelModelName.PLANAR
    places: list[tuple[str, int, str, str, Location]] = [
        ("caregivers", i, "home", c.id, c.home) for i, c in enumerate(scenario.caregivers)
    ]
    places += [("clients", i, "location", c.id, c.location) for i, c in enumerate(scenario.clients)]
    findings = []
    for collection, index, key, item_id, place in places:
        if planar and not place.is_planar:
            message = "planar travel needs x_km/y_km coordinates"
            findings.append(Finding(collection, index, f"{key}.x_km", message, item_id))
        elif not planar and place.is_planar:
            message = f"{scenario.settings.travel.model.value} travel needs lat/lon coordinates"
            findings.append(Finding(collection, index, f"{key}.lat", message, item_id))
    return findings
