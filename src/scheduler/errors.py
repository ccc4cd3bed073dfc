"""Errors raised by the scheduler: subclasses of builtin exceptions, one module for all of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, located as precisely as the source allows.

    ``row`` is the 1-based line number in a CSV file (the header is line 1), or the
    0-based position in a JSON list, shown as ``[i]``; ``item_id`` names the record when known.
    """

    source: str
    message: str
    row: int | str | None = None
    field: str | None = None
    item_id: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.item_id is not None:
            where += f" (id {self.item_id})"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class SchedulerError(Exception):
    """Base class of every error this package raises on purpose."""


class InputFileError(SchedulerError, ValueError):
    """A file could not be used. Carries every problem found, not only the first."""

    what = "the input"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {self.what}:\n{lines}")


class ScenarioError(InputFileError):
    """The scenario is invalid."""


class RosterFileError(InputFileError):
    """A roster file could not be read (for `scheduler check`)."""

    what = "the roster"


class ClusterError(InputFileError):
    """The Dask cluster named for the workers cannot be used."""

    what = "the cluster setting"


class OutputError(InputFileError):
    """The output folder cannot be written (checked before a solve starts)."""

    what = "the output folder"


class SolverError(SchedulerError, RuntimeError):
    """The optimiser reached a state that should be impossible (a bug, never bad input)."""


class MapError(InputFileError):
    """A map (OSM extract) could not be used for road travel or geocoding."""

    what = "the map"


class AddressError(InputFileError):
    """Addresses that the geocoder could not resolve (each with the closest matches)."""

    what = "the addresses"


class MatrixError(InputFileError):
    """A travel-time matrix file could not be used (unreadable, wrongly shaped, a value that is
    not a finite non-negative number, or pairs missing for places the scenario uses)."""

    what = "the travel matrix"


class TravelWarning(UserWarning):
    """Valid but doubtful travel input: a door far from any road, a cut-off road piece."""


class EventsError(InputFileError):
    """A repair's events could not be used (unreadable, invalid, or naming what is not there)."""

    what = "the events"


class StoreError(InputFileError):
    """The store (database) cannot be used as asked: not reachable, not migrated, or the
    roster named is not there or not in the state the operation needs."""

    what = "the store"

    def __init__(self, message: str | list[Problem]):
        super().__init__(message if isinstance(message, list) else [Problem("store", message)])
