"""`govcard init`: a commented starter project.yaml that validates as written."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from govcard.errors import GovcardError
from govcard.output import write_text
from govcard.schema import json_schema_text

SCHEMA_FILE = "project.schema.json"


def starter_text() -> str:
    """The starter project.yaml shipped in templates/init/."""
    return files("govcard").joinpath("templates/init/project.yaml").read_text(encoding="utf-8")


def write(directory: Path, force: bool = False) -> list[Path]:
    """Write project.yaml and project.schema.json into `directory`; return their paths."""
    project = directory / "project.yaml"
    if project.exists() and not force:
        raise GovcardError.at(
            str(project), "already exists; edit it, or pass --force to overwrite it"
        )
    if directory.exists() and not directory.is_dir():
        raise GovcardError.at(str(directory), "is not a directory")
    schema = directory / SCHEMA_FILE
    write_text(project, starter_text())
    write_text(schema, json_schema_text())
    return [project, schema]
