"""Soft person-to-client terms, each a named function returning its cost (0 when satisfied).

The optimiser sums them into its cost; KPIs and explanations report them by name.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.domain.model import Caregiver, Client, Weights


def non_preferred_caregiver(caregiver: Caregiver, client: Client, weights: Weights) -> int:
    """The client named preferred caregivers and this is not one of them."""
    if client.preferred_caregivers and caregiver.id not in client.preferred_caregivers:
        return weights.non_preferred_caregiver
    return 0


def language_mismatch(caregiver: Caregiver, client: Client, weights: Weights) -> int:
    """The client speaks given languages and the caregiver speaks none of them."""
    if client.languages and not (client.languages & caregiver.languages):
        return weights.language_mismatch
    return 0


def gender_mismatch(caregiver: Caregiver, client: Client, weights: Weights) -> int:
    """The client prefers a caregiver of a gender this caregiver is not (or did not state)."""
    if client.preferred_gender is not None and caregiver.gender != client.preferred_gender:
        return weights.gender_mismatch
    return 0


def new_caregiver_for_client(caregiver: Caregiver, client: Client, weights: Weights) -> int:
    """The client's known caregivers are given and this is not one of them."""
    if client.known_caregivers and caregiver.id not in client.known_caregivers:
        return weights.new_caregiver_for_client
    return 0


SOFT_TERMS: dict[str, Callable[[Caregiver, Client, Weights], int]] = {
    "non_preferred_caregiver": non_preferred_caregiver,
    "language_mismatch": language_mismatch,
    "gender_mismatch": gender_mismatch,
    "new_caregiver_for_client": new_caregiver_for_client,
}


def preference_cost(caregiver: Caregiver, client: Client, weights: Weights) -> int:
    return sum(term(caregiver, client, weights) for term in SOFT_TERMS.values())
