"""Travel models: how long it takes a caregiver to get from one place to another."""

from scheduler.travel.base import TravelModel, TravelProfile, profile_of
from scheduler.travel.great_circle import GreatCircleTravel

__all__ = ["GreatCircleTravel", "TravelModel", "TravelProfile", "profile_of"]
