"""Errors a user can act on.

Every problem found in the user's input is collected first and reported once: a
:class:`PlanningError` carries a list of problem strings, each naming the YAML key path
(``technologies.ccgt.capex_per_mw``) or the file, column and first bad row, and what to do.
The CLI prints one line per problem and exits with a non-zero code, without a traceback
(unless ``--debug``).
"""

from __future__ import annotations


class PlanningError(Exception):
    """A user-facing error with one or more problems.

    Parameters
    ----------
    problems
        One message per problem. Each message names where the problem is (YAML key path,
        or file/column/row) and how to fix it.
    title
        A one-line heading printed before the problems.
    """

    exit_code = 2

    def __init__(self, problems: list[str] | str, title: str = "invalid input") -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.title = title
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"{self.title} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ScenarioError(PlanningError):
    """The scenario YAML or the data it points to is invalid."""


class InputDataError(PlanningError):
    """A data file (time series, telemetry) is missing, malformed or out of range."""


class SolveError(PlanningError):
    """The solver could not produce a usable solution (infeasible, unbounded, error)."""

    exit_code = 3


class LoadShedError(PlanningError):
    """The run shed load and ``--strict`` was given (the results are written; the exit code asks for a look)."""

    exit_code = 5


class ProblemCollector:
    """Collects problems and raises them together.

    Examples
    --------
    >>> problems = ProblemCollector()
    >>> problems.add("zones.north.demand.file: file 'x.csv' not found")
    >>> problems.raise_if_any(ScenarioError)
    Traceback (most recent call last):
    ...
    planning.errors.ScenarioError: ...
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def extend(self, messages: list[str]) -> None:
        self.problems.extend(messages)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, error_class: type[PlanningError] = ScenarioError, title: str = "invalid input") -> None:
        if self.problems:
            raise error_class(self.problems, title=title)


def did_you_mean(name: str, candidates) -> str:
    """`` — did you mean 'x'?`` for the closest candidate, or an empty string.

    A candidate that starts with ``name`` (a truncated key such as ``heat_rat``) wins; otherwise
    the closest by :func:`difflib.get_close_matches`.
    """
    from difflib import get_close_matches

    candidates = [str(c) for c in candidates]
    prefixed = [c for c in candidates if name and c.startswith(str(name)) and c != name]
    hint = prefixed[:1] or get_close_matches(str(name), candidates, n=1)
    return f" — did you mean '{hint[0]}'?" if hint else ""


def unknown_name(path: str, kind: str, name: object, known) -> str:
    """``<path>: unknown <kind> '<name>' — did you mean …? (defined: …)``: the message for a reference to an undefined name."""
    return (f"{path}: unknown {kind} '{name}'{did_you_mean(str(name), known)} "
            f"(defined: {', '.join(sorted(map(str, known))) or 'none'})")
