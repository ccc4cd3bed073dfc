"""Who may serve a visit: the hard person-to-visit rules, as plain predicates on the domain.

Used to compile the optimiser's allowed-vehicle lists and to explain unassigned visits. The
independent validator (``scheduler.solution.validate``) deliberately does not import this module.
"""

from __future__ import annotations

from datetime import date

from scheduler.domain.model import Caregiver, Client, Visit


def missing_skills(caregiver: Caregiver, visit: Visit, day: date | None = None) -> frozenset[str]:
    """Skills the visit needs that the caregiver lacks on ``day`` (credentials lapse)."""
    return visit.required_skills - caregiver.skills_on(day)


def has_required_role(caregiver: Caregiver, visit: Visit) -> bool:
    return not visit.roles or caregiver.role in visit.roles


def is_qualified(caregiver: Caregiver, visit: Visit, day: date | None = None) -> bool:
    """Skills and role: what the care plan asks of the person, whoever the client is."""
    return not missing_skills(caregiver, visit, day) and has_required_role(caregiver, visit)


def is_excluded(caregiver: Caregiver, client: Client) -> bool:
    return caregiver.id in client.excluded_caregivers


def household_compatible(caregiver: Caregiver, client: Client) -> bool:
    """Pets and smoking: a caregiver who must avoid them never enters such a home."""
    if caregiver.avoids_pets and client.has_pets:
        return False
    return not (caregiver.avoids_smoking and client.smoker)


def respects_pin(caregiver: Caregiver, visit: Visit) -> bool:
    return visit.pinned_caregiver is None or visit.pinned_caregiver == caregiver.id


def is_eligible(
    caregiver: Caregiver, client: Client, visit: Visit, day: date | None = None
) -> bool:
    """All hard person-to-visit rules at once (on ``day``; any day when None)."""
    return (
        is_qualified(caregiver, visit, day)
        and not is_excluded(caregiver, client)
        and household_compatible(caregiver, client)
        and respects_pin(caregiver, visit)
    )
