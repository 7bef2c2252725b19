"""A newcomer's path: the README's set-up command, run as written in a clean clone and a fresh venv."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from govcard.render import GENERATED_LINE

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The shell commands of the README's "Set up" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_the_readme_has_the_two_commands() -> None:
    install, tests = readme_commands()
    assert "pip install ." in install and "govcard render examples/bigcode/project.yaml" in install
    assert "pip install -e '.[test]'" in tests and tests.endswith("pytest")
    assert tests.rsplit("&& ", 2)[-2:] == ["pip install -e '.[test]' ", "pytest"]
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text(
        encoding="utf-8"
    )


def test_getting_started_installs_from_the_checkout() -> None:
    # govcard is not on PyPI yet: `pip install govcard` would find nothing, or someone else's.
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    install = page.split("## 1. Install", 1)[1].split("\n## ", 1)[0]
    (commands,) = re.findall(r"```sh\n(.*?)\n```", install, flags=re.DOTALL)
    assert "pip install '.[all]'" in commands
    assert not re.search(r"pip install '?govcard", commands)


@pytest.mark.slow
@pytest.mark.skipif(
    not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout"
)
def test_the_main_job_runs_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "govcard"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    install, _ = readme_commands()
    environment = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    result = subprocess.run(
        ["bash", "-c", install],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = clone / "out"
    governance = (out / "GOVERNANCE.md").read_text(encoding="utf-8")
    assert governance.startswith(f"{GENERATED_LINE}\n\n# BigCode Governance Card\n")
    cards = sorted(p.parent.name for p in out.glob("models/*/README.md"))
    assert cards == ["santacoder", "starcoder", "starcoderbase"]
    assert "wrote 12 files to out" in result.stdout
    assert (out / "exports" / "fmti" / "fmti-report.csv").is_file()
