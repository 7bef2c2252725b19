"""Every problem of a project file in one run: its structure, its cross-references, and the
locations and measurement files of its training facts.

`loader.load` reports the first two together. The third needs the carbon stage (a location is
known only to codecarbon's data, a measurement file must be read), which comes after the loader;
here it also runs on what is valid of a file the loader refused, so that a user who fixes the
structure does not meet a new class of problems on the next run.
"""

from __future__ import annotations

from pathlib import Path

from govcard import carbon, loader
from govcard.errors import GovcardError, Problem


def load(file: str | Path) -> loader.Project:
    """Load a project file and check its locations and measurement files; raise one
    `loader.InvalidProject` with every problem in file order (the first `loader.MAX_PROBLEMS`)."""
    return check(file)[0]


def check(file: str | Path) -> tuple[loader.Project, list[str]]:
    """`load`, and the warnings of the carbon stage: facts that are valid but suspicious (a
    power per GPU below 30 W, say), each located as a problem is."""
    try:
        project = loader.load(file)
    except loader.InvalidProject as exc:
        raise exc.adding(location_problems(exc.salvaged)) from None
    try:
        results = carbon.footprints(project)
    except GovcardError as exc:
        raise loader.InvalidProject(project, exc.problems, len(exc.problems)) from None
    return project, [warning for result in results for warning in result.warnings]


def location_problems(project: loader.Project) -> list[Problem]:
    """The unknown locations and unreadable measurement files of a project's training facts."""
    try:
        carbon.footprints(project)
    except GovcardError as exc:
        return exc.problems
    return []
