"""The built wheel works without the source tree: templates and schemas ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the built wheel installed; dependencies come from this environment.

    The current site-packages is appended through a plain path line in a .pth file: its own .pth
    files (the editable install of govcard) are not processed, so only the wheel's govcard is seen.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next((tmp / "dist").glob("govcard-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "outer-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
    )
    return env_dir


def run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(env_dir / "bin" / "govcard"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_wheel_validates_the_example_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import govcard; print(govcard.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(installed) in where, "the wheel's govcard, not the source tree's, must be imported"
    result = run(installed, "validate", str(EXAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{EXAMPLE}: valid (1 dataset, 3 models)\n"


@pytest.mark.slow
def test_wheel_ships_the_starter_and_the_schema(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "init", "starter", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run(installed, "validate", "starter/project.yaml", cwd=tmp_path).returncode == 0
    shipped = (tmp_path / "starter" / "project.schema.json").read_text(encoding="utf-8")
    assert shipped == (ROOT / "schemas" / "project.schema.json").read_text(encoding="utf-8")
