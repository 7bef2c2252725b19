"""The built wheel works without the source tree (templates and schemas ship inside it), and its
core install, without extras, runs what CI needs and names the extra a command lacks."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the built wheel installed as `pip install govcard` would: with its core
    dependencies, from the package index, and none of the extras (site, carbon, export)."""
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
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env_dir / "bin" / "python"),
            "install",
            "--quiet",
            str(wheel),
        ],
        check=True,
        env=_outside(),
    )
    return env_dir


def _wheel(env_dir: Path) -> Path:
    """The wheel file the venv's govcard was installed from (`installed`)."""
    return next((env_dir.parent / "dist").glob("govcard-*.whl"))


def _outside() -> dict[str, str]:
    """This environment's variables, less those that would point a command at this venv."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}


def run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env_dir / "bin" / "govcard"), *args],
        cwd=cwd,
        env=_outside(),
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
    assert result.stdout == f"{EXAMPLE}: valid (2 datasets, 3 models)\n"


@pytest.mark.slow
def test_wheel_ships_the_starter_and_the_schema(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "init", "starter", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run(installed, "validate", "starter/project.yaml", cwd=tmp_path).returncode == 0
    shipped = (tmp_path / "starter" / "project.schema.json").read_text(encoding="utf-8")
    assert shipped == (ROOT / "schemas" / "project.schema.json").read_text(encoding="utf-8")


LOCATED = """\
project:
  name: Located
models:
  - id: a
    name: A
    training:
      gpu_hours: 1000
      gpu_power_w: 300
      location: {country: FRA}
  - id: b
    name: B
    training:
      gpu_hours: 1000
      gpu_power_w: 300
      location: {cloud: aws, region: us-west-2}
"""


@pytest.mark.slow
def test_the_core_install_has_no_extra(installed: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import importlib.util as u;"
            "print(*[m for m in ('mkdocs', 'material', 'codecarbon', 'pandas', 'mlcroissant',"
            " 'cyclonedx') if u.find_spec(m)])",
        ],
        cwd=tmp_path,
        env=_outside(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert found.strip() == "", "the core install must not pull the site, carbon or export extras"


@pytest.mark.slow
def test_the_core_install_validates_renders_checks_and_accounts(
    installed: Path, tmp_path: Path
) -> None:
    """The CI commands: the README's render of the example, its cards checked, carbon figures."""
    result = run(installed, "render", str(EXAMPLE), "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote 12 files to out\n"
    # The FMTI export reads its indicators from the package's data files.
    with open(tmp_path / "out" / "exports" / "fmti" / "fmti-report.csv", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 1 + 100  # the header, a row per indicator
    result = run(installed, "check", "out/models/", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("3 cards checked: 0 errors, 0 warnings, 0 notes\n")
    fixture = ROOT / "tests" / "fixtures" / "carbon.yaml"
    assert run(installed, "validate", str(fixture), cwd=tmp_path).returncode == 0
    result = run(installed, "carbon", str(fixture), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)["models"]
    assert [m["id"] for m in models] == ["starcoderbase", "santacoder"]
    assert models[0]["carbon_intensity_kg_per_kwh"] == 0.15495


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("site", "build", str(EXAMPLE), "-o", "site"),
        ("site", "serve", str(EXAMPLE)),
        ("publish", str(EXAMPLE), "--space", "org/governance", "--dry-run"),
    ],
    ids=["site build", "site serve", "publish"],
)
def test_the_core_install_names_the_site_extra(
    installed: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run(installed, *args, cwd=tmp_path)
    assert result.returncode == 2
    command = " ".join(args[: 2 if args[0] == "site" else 1])
    assert result.stderr == (
        f"govcard {command}: needs the site extra, which is not installed: "
        f"pip install '{_wheel(installed)}[site]'\n"
    )
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == [], "nothing is written"


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "carbon", "render"])
def test_the_core_install_names_the_carbon_extra_for_a_location(
    installed: Path, tmp_path: Path, command: str
) -> None:
    (tmp_path / "project.yaml").write_text(LOCATED, encoding="utf-8")
    result = run(installed, command, "project.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "project.yaml:9:17: models[0].training.location: looking up its grid intensity needs the "
        f"carbon extra, which is not installed: pip install '{_wheel(installed)}[carbon]', "
        "or give carbon_intensity_kg_per_kwh\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("direct_url", "command"),
    [
        ("", "pip install 'govcard[site]'"),  # from the index: no direct_url.json
        (
            '{"url": "file:///home/me/govcard", "dir_info": {"editable": true}}',
            "pip install -e '/home/me/govcard[site]'",
        ),
        (
            '{"url": "file:///home/me/my%20govcard", "dir_info": {}}',
            "pip install '/home/me/my govcard[site]'",
        ),
        (
            '{"url": "file:///tmp/dist/govcard-0.9.0-py3-none-any.whl", "archive_info": {}}',
            "pip install '/tmp/dist/govcard-0.9.0-py3-none-any.whl[site]'",
        ),
        (
            '{"url": "https://github.com/org/govcard.git", '
            '"vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": "7f3c9e1"}}',
            "pip install 'govcard[site] @ git+https://github.com/org/govcard.git@7f3c9e1'",
        ),
        (
            '{"url": "https://example.org/govcard-0.9.0.tar.gz", "archive_info": {}}',
            "pip install 'govcard[site] @ https://example.org/govcard-0.9.0.tar.gz'",
        ),
        ("not json", "pip install 'govcard[site]'"),
    ],
    ids=["index", "editable", "folder", "wheel", "git", "url", "unreadable"],
)
def test_the_install_command_names_where_govcard_came_from(direct_url: str, command: str) -> None:
    """The examples of PEP 610 (direct_url.json) as pip writes them."""
    from govcard.extras import install_command

    assert install_command("site", direct_url) == command


def test_the_install_command_of_this_environment_is_its_checkout() -> None:
    """The tests run from a checkout installed with pip (the README's `pip install -e '.[test]'`):
    pip's own record of it gives the checkout's path."""
    import shlex

    from govcard.extras import install_command

    assert install_command("carbon").endswith(" " + shlex.quote(f"{ROOT}[carbon]"))


def test_each_extra_provides_what_its_guard_looks_for() -> None:
    """govcard/extras.py names the packages each extra of pyproject.toml installs; `all` has every
    extra and `test` pulls `all`, so the tests see the whole of govcard."""
    import re
    import tomllib
    from importlib.metadata import packages_distributions

    from govcard.extras import PACKAGES

    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    provided = packages_distributions()
    for extra, packages in PACKAGES.items():
        names = {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in optional[extra]}
        for package in packages:
            assert {d.lower() for d in provided[package]} <= names, (extra, package)
    assert optional["all"] == [f"govcard[{','.join(PACKAGES)}]"]
    assert "govcard[all]" in optional["test"]
