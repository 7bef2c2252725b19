"""Folders govcard replaces as a whole (`render -o`, `site build -o`, `--keep-source`): only its
own, never half of one, and never a traceback.

Kills are real: the command runs in a forked child process that counts its changes to the file
system (every `os.mkdir`, `rename`, `unlink`, `rmdir`, `open`, file opened for writing, and the
atomic exchange) and sends itself a signal just before the n-th one; the test then looks at what
is on disk. Write errors are real too: a read-only folder, a full and a read-only tmpfs mounted
in a user namespace (skipped where the system does not allow one), /dev/full as stdout.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import run, snapshot

from govcard import output, render
from govcard.site import SITE, SOURCE

GOVCARD = [sys.executable, "-m", "govcard"]
OLD = """\
project: {name: Old}
models:
  - {id: a, name: A, license: mit}
  - {id: b, name: B, license: apache-2.0}
"""
NEW = """\
project: {name: New}
datasets:
  - {id: d, name: D}
models:
  - {id: a, name: A2, license: mit}
  - {id: c, name: C, license: apache-2.0}
"""


def hidden(folder: Path) -> list[str]:
    """Hidden entries in `folder`: where staging and old folders would be left."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- running a command in a child process that is killed at its n-th change -------------------


WRITE_MODES = set("wax+")


def _counting(trace: list[str], kill_at: int | None, sig: int) -> None:
    """From now on, in this process: record every change to the file system, and send `sig` to
    this process just before change number `kill_at`."""

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if name == "open":  # a file opened for reading changes nothing
                mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
                if not WRITE_MODES & set(str(mode)):
                    return function(*args, **kwargs)
            trace.append(name)
            if len(trace) == kill_at:
                os.kill(os.getpid(), sig)
            return function(*args, **kwargs)

        return wrapper

    for name in ("mkdir", "rename", "replace", "rmdir", "unlink", "open"):
        setattr(os, name, counted(f"os.{name}", getattr(os, name)))
    builtins.open = counted("open", builtins.open)
    io.open = counted("open", io.open)
    output.exchange = counted("exchange", output.exchange)  # type: ignore[method-assign]


def in_child(
    action: Callable[[], Any],
    kill_at: int | None = None,
    sig: int = signal.SIGKILL,
    setup: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run `action` in a forked child; return how it ended: `killed` (the signal), or `exit`,
    `stdout`, `stderr` and `trace` (the changes it made) when it ran to its end."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_end)
            if setup is not None:
                setup()
            trace: list[str] = []
            _counting(trace, kill_at, sig)
            result = action()
            report = {"trace": trace}
            if result is not None:
                report.update(exit=result.exit_code, stdout=result.stdout, stderr=result.stderr)
                report["exception"] = (
                    repr(result.exception)
                    if result.exception and not isinstance(result.exception, SystemExit)
                    else None
                )
            data = json.dumps(report).encode("utf-8")
            while data:
                data = data[os.write(write_end, data) :]
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return {"killed": os.WTERMSIG(status)}
    assert os.WEXITSTATUS(status) == 0, f"the child failed (status {status})"
    return dict(json.loads(b"".join(chunks)))


def no_exchange() -> None:
    """In a child: swap by two renames, as on a system without an atomic exchange."""
    output.exchange = lambda a, b: False  # type: ignore[assignment]


# --- only govcard's own folders are replaced ---------------------------------------------------

# Folders that are not govcard's, by what they hold.
NOT_GOVCARD = {
    "mkdocs-project": {
        "mkdocs.yml": "site_name: Mine\n",
        "docs/index.md": "# Mine\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        "notes.md": "my notes\n",
    },
    "mkdocs-site": {
        "search/search_index.json": '{"docs": []}\n',
        "index.html": "<h1>Mine</h1>\n",
        "sitemap.xml": "<urlset/>\n",
    },
    "named-like-govcard-output": {
        "GOVERNANCE.md": "# My own governance card\n",
        "models/a/README.md": "# A\n",
    },
    "json-of-another-tool": {
        "governance.json": '{\n  "generator": "other",\n  "facts": {}\n}\n',
        ".govcard.json": '{"kind": "site"}\n',
    },
    "marker-is-a-link": {
        "real.json": '{\n  "generator": "govcard",\n  "kind": "site"\n}\n',
    },
}


def fill(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if "real.json" in files:
        for name in (".govcard.json", "governance.json"):
            (folder / name).symlink_to("real.json")


COMMANDS = {
    "render -o": (["render", "project.yaml", "-o", "target"], "target", "render into"),
    "site build -o": (["site", "build", "project.yaml", "-o", "target"], "target", "build the site into"),
    "site build --keep-source": (["site", "build", "project.yaml", "-o", "site", "--keep-source", "target"], "target", "keep the source in"),
}  # fmt: skip


@pytest.mark.parametrize("content", sorted(NOT_GOVCARD))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_govcard_did_not_write_is_refused_and_kept(
    write, workdir: Path, command: str, content: str
) -> None:
    args, folder, message = COMMANDS[command]
    write(OLD)
    fill(Path(folder), NOT_GOVCARD[content])
    before = snapshot(Path(folder))
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{folder}: holds files govcard did not write ("), line
    assert f"); {message} an empty " in line, line
    assert snapshot(Path(folder)) == before
    assert not Path("site").exists(), "nothing is written when a folder is refused"
    assert hidden(workdir) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("render -o", "site build -o"),
        ("render -o", "site build --keep-source"),
        ("site build -o", "render -o"),
        ("site build -o", "site build --keep-source"),
        ("site build --keep-source", "site build -o"),
        ("site build --keep-source", "render -o"),
    ],
)
def test_a_folder_of_another_kind_is_refused(write, workdir: Path, first: str, second: str) -> None:
    write(OLD)
    args, _, _ = COMMANDS[first]
    assert run(*args).exit_code == 0
    before = snapshot(Path("target"))
    args, _, message = COMMANDS[second]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("target: holds files govcard did not write (")
    assert f"); {message} an empty " in result.stderr
    assert snapshot(Path("target")) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_empty_folder_and_govcard_s_own_folder_are_replaced(
    write, workdir: Path, command: str
) -> None:
    args, folder, _ = COMMANDS[command]
    write(OLD)
    Path(folder).mkdir()
    assert run(*args).exit_code == 0
    first = snapshot(Path(folder))
    write(NEW)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert snapshot(Path(folder)) != first
    assert hidden(workdir) == []


def test_the_markers_say_govcard_and_the_kind() -> None:
    for kind in (SITE, SOURCE):
        marker = json.loads(output.marker_text(kind, ["b.md", "a/index.html"]))
        assert list(marker)[:2] == ["generator", "kind"]
        assert (marker["generator"], marker["kind"]) == ("govcard", kind.name)
        assert marker["files"] == ["a/index.html", "b.md"]
    assert render.OUTPUT.marker == "governance.json"


@pytest.mark.parametrize("output_option", [".", "..", "sub/.."])
def test_the_current_folder_or_one_holding_it_is_refused(
    write, workdir: Path, output_option: str
) -> None:
    write(OLD, "in/project.yaml")
    Path("sub").mkdir()
    os.chdir("in")
    for args in (
        ["render", "project.yaml", "-o", output_option],
        ["site", "build", "project.yaml", "-o", output_option],
        ["site", "build", "project.yaml", "-o", "../site", "--keep-source", output_option],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        [line] = result.stderr.splitlines()
        assert "is the current folder or holds it" in line, line
    os.chdir(workdir)
    assert sorted(p.as_posix() for p in Path().rglob("*")) == ["in", "in/project.yaml", "sub"]


def test_an_empty_current_folder_is_not_replaced_either(write, workdir: Path) -> None:
    write(OLD, "project.yaml")
    Path("empty").mkdir()
    os.chdir("empty")
    result = run("render", "../project.yaml", "-o", ".")
    assert result.exit_code == 2
    assert result.stderr == (
        ".: is the current folder or holds it; govcard replaces its output folder as a whole, "
        "so give it a folder of its own\n"
    )
    assert list(Path().iterdir()) == []
    assert hidden(workdir) == []


def test_a_site_folder_that_holds_the_project_file_is_refused(write, workdir: Path) -> None:
    write(OLD)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    shutil.copy("project.yaml", "site/project.yaml")
    before = snapshot(Path("site"))
    result = run("site", "build", "site/project.yaml", "-o", "site")
    assert result.exit_code == 2
    assert result.stderr == (
        "site: holds site/project.yaml, which this command reads; govcard replaces this folder "
        "as a whole, so give it a folder of its own\n"
    )
    assert snapshot(Path("site")) == before


@pytest.mark.parametrize(
    ("site", "source"), [("site", "site"), ("site", "site/src"), ("a/site", "a")]
)
def test_keep_source_and_the_site_folder_must_not_overlap(
    write, workdir: Path, site: str, source: str
) -> None:
    write(OLD)
    result = run("site", "build", "project.yaml", "-o", site, "--keep-source", source)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{source}: must be outside the site folder, and the site folder outside it\n"
    )
    assert sorted(p.name for p in workdir.iterdir()) == ["project.yaml"]


def test_an_output_that_is_a_file_is_refused(write, workdir: Path) -> None:
    write(OLD)
    write("mine\n", "out")
    for args in (
        ["render", "project.yaml", "-o", "out"],
        ["site", "build", "project.yaml", "-o", "out"],
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert "'out' is a file" in result.stderr  # click's check of -o, before govcard's
    assert Path("out").read_text(encoding="utf-8") == "mine\n"


# --- kills: the old output or the new one, and the next run cleans up --------------------------


def old_output_and_new(write: Callable[..., Any]) -> tuple[Any, Any]:
    """old.yaml rendered into out/, and what new.yaml renders: the two states a swap may leave."""
    write(OLD, "old.yaml")
    write(NEW, "new.yaml")
    assert run("render", "new.yaml", "-o", "expected").exit_code == 0
    new = snapshot(Path("expected"))
    shutil.rmtree("expected")
    assert run("render", "old.yaml", "-o", "out").exit_code == 0
    return snapshot(Path("out")), new


def render_into(out: str, project: str) -> Callable[[], Any]:
    return lambda: run("render", project, "-o", out)


def test_render_killed_at_every_change_leaves_the_old_or_the_new_output(
    write, workdir: Path
) -> None:
    old, new = old_output_and_new(write)
    complete = in_child(render_into("out", "new.yaml"))
    assert complete["exit"] == 0 and snapshot(Path("out")) == new
    changes = complete["trace"]
    assert "exchange" in changes, changes
    seen = []
    for kill_at in range(1, len(changes) + 1):
        assert run("render", "old.yaml", "-o", "out").exit_code == 0
        assert in_child(render_into("out", "new.yaml"), kill_at) == {"killed": signal.SIGKILL}
        state = snapshot(Path("out"))
        assert state in (old, new), f"killed before change {kill_at} ({changes[kill_at - 1]})"
        seen.append("new" if state == new else "old")
        # The next run recognises what the killed one left, cleans it up, and succeeds.
        result = run("render", "new.yaml", "-o", "out")
        assert result.exit_code == 0, (kill_at, result.output)
        assert snapshot(Path("out")) == new
        assert hidden(workdir) == [], f"left behind after a kill before change {kill_at}"
    assert seen.index("new") == changes.index("exchange") + 1
    assert set(seen[: seen.index("new")]) == {"old"} and set(seen[seen.index("new") :]) == {"new"}


def test_without_an_atomic_exchange_a_killed_swap_is_put_back(write, workdir: Path) -> None:
    old, new = old_output_and_new(write)
    complete = in_child(render_into("out", "new.yaml"), setup=no_exchange)
    assert complete["exit"] == 0 and snapshot(Path("out")) == new
    changes = complete["trace"]
    assert changes.count("os.rename") == 2, changes
    missing = 0
    for kill_at in range(1, len(changes) + 1):
        assert run("render", "old.yaml", "-o", "out").exit_code == 0
        outcome = in_child(render_into("out", "new.yaml"), kill_at, setup=no_exchange)
        assert outcome == {"killed": signal.SIGKILL}
        if not Path("out").exists():
            # Killed between the two renames: the old output waits beside it, under its name...
            missing += 1
            [aside] = [p for p in workdir.iterdir() if p.name.startswith(".out.govcard-old-")]
            assert snapshot(aside) == old

            # ...and the next run puts it back before it starts, so a failing run leaves it.
            def fail(staging: Path) -> None:
                raise OSError(28, "No space left on device")

            with pytest.raises(output.GovcardError):
                output.replace(Path("out"), render.OUTPUT, fail)
        assert snapshot(Path("out")) in (old, new), f"killed before change {kill_at}"
        assert run("render", "new.yaml", "-o", "out").exit_code == 0
        assert snapshot(Path("out")) == new
        assert hidden(workdir) == []
    assert missing == 1, "exactly one kill point lies between the two renames"


def test_site_build_killed_at_its_steps_leaves_the_old_or_the_new_site(
    write, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write(OLD, "old.yaml")
    write(NEW, "new.yaml")
    build = ["site", "build", "-o", "site", "--keep-source", "src"]
    assert run(*build[:2], "new.yaml", *build[2:]).exit_code == 0
    new = snapshot(Path("site")), snapshot(Path("src"))
    assert run(*build[:2], "old.yaml", *build[2:]).exit_code == 0
    old = snapshot(Path("site")), snapshot(Path("src"))
    complete = in_child(lambda: run(*build[:2], "new.yaml", *build[2:]))
    assert complete["exit"] == 0, complete
    assert (snapshot(Path("site")), snapshot(Path("src"))) == new
    changes = complete["trace"]
    exchanges = [i + 1 for i, change in enumerate(changes) if change == "exchange"]
    assert len(exchanges) == 2, "the kept source and the site are each swapped in"
    # Around each exchange (just before, just after, in the cleanup), the first steps, the last
    # ones, and a spread over the build.
    points = {1, 2, 3, len(changes), len(changes) - 1}
    for at in exchanges:
        points |= {at - 2, at - 1, at, at + 1, at + 2, at + 5}
    points |= set(range(1, len(changes), max(1, len(changes) // 12)))
    for kill_at in sorted(p for p in points if 1 <= p <= len(changes)):
        assert run(*build[:2], "old.yaml", *build[2:]).exit_code == 0
        outcome = in_child(lambda: run(*build[:2], "new.yaml", *build[2:]), kill_at)
        assert outcome == {"killed": signal.SIGKILL}
        site, source = snapshot(Path("site")), snapshot(Path("src"))
        assert site in (old[0], new[0]), f"site, killed before change {kill_at}"
        assert source in (old[1], new[1]), f"source, killed before change {kill_at}"
        result = run(*build[:2], "old.yaml", *build[2:])
        assert result.exit_code == 0, (kill_at, result.output)
        assert (snapshot(Path("site")), snapshot(Path("src"))) == old
        assert hidden(workdir) == [], f"left behind after a kill before change {kill_at}"


def test_runs_killed_one_after_another_leave_a_folder_the_next_run_replaces(
    write, workdir: Path
) -> None:
    write(OLD, "old.yaml")
    write(NEW, "new.yaml")
    assert run("render", "new.yaml", "-o", "expected").exit_code == 0
    new = snapshot(Path("expected"))
    assert run("render", "old.yaml", "-o", "out").exit_code == 0
    old = snapshot(Path("out"))
    chance = random.Random(11)
    for _ in range(40):
        project = chance.choice(["old.yaml", "new.yaml"])
        setup = chance.choice([None, no_exchange])
        outcome = in_child(render_into("out", project), chance.randint(1, 30), setup=setup)
        if "killed" not in outcome:
            assert outcome["exit"] == 0, outcome
        if Path("out").exists():
            assert snapshot(Path("out")) in (old, new)
    assert run("render", "new.yaml", "-o", "out").exit_code == 0
    assert snapshot(Path("out")) == new
    assert hidden(workdir) == []


def test_concurrent_runs_leave_one_complete_output(write, workdir: Path) -> None:
    projects = [OLD.replace("Old", f"Run {i}") for i in range(4)]
    expected = []
    for i, text in enumerate(projects):
        write(text, f"p{i}.yaml")
        assert run("render", f"p{i}.yaml", "-o", f"expected{i}").exit_code == 0
        expected.append(snapshot(Path(f"expected{i}")))
        shutil.rmtree(f"expected{i}")
    assert run("render", "p0.yaml", "-o", "out").exit_code == 0
    start_read, start_write = os.pipe()
    children = []
    for i in range(len(projects)):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(start_write)
                os.read(start_read, 1)  # all start together
                for _ in range(5):
                    if run("render", f"p{i}.yaml", "-o", "out").exit_code != 0:
                        break
                else:
                    code = 0
            finally:
                os._exit(code)
        children.append(pid)
    os.close(start_read)
    os.close(start_write)
    statuses = [os.waitpid(pid, 0)[1] for pid in children]
    assert statuses == [0] * len(children)
    assert snapshot(Path("out")) in expected
    assert hidden(workdir) == []


# --- Ctrl-C: one line, exit 130, and what it says is what is on disk --------------------------


@pytest.mark.parametrize(
    ("moment", "message", "state"),
    [
        ("open", "interrupted; the previous output is unchanged", "old"),  # writing staging
        ("exchange", "interrupted; the new output is in place", "new"),  # held back over the swap
        ("os.rmdir", "interrupted; the new output is in place", "new"),  # the cleanup
    ],
)
def test_ctrl_c_while_writing_swapping_or_cleaning_up(
    write, workdir: Path, moment: str, message: str, state: str
) -> None:
    old, new = old_output_and_new(write)
    changes = in_child(render_into("out", "new.yaml"))["trace"]
    assert run("render", "old.yaml", "-o", "out").exit_code == 0
    kill_at = changes.index(moment) + 1
    if moment == "open":
        kill_at = changes.index(moment, changes.index("os.mkdir")) + 1
    if moment == "os.rmdir":
        kill_at = changes.index(moment, changes.index("exchange")) + 1
    outcome = in_child(render_into("out", "new.yaml"), kill_at, signal.SIGINT)
    assert outcome["exception"] is None, outcome["exception"]
    assert outcome["exit"] == 130
    assert outcome["stdout"] == ""
    assert outcome["stderr"] == f"out: {message}\n"
    assert snapshot(Path("out")) == {"old": old, "new": new}[state]
    assert hidden(workdir) == []


CTRL_C_AT = textwrap.dedent(
    """
    import os, signal, sys
    from govcard import output
    from govcard.cli import main

    remove = output._remove_tree

    def interrupted_removal(folder):
        # Ctrl-C right as the cleanup starts.
        os.kill(os.getpid(), signal.SIGINT)
        return remove(folder)

    output._remove_tree = interrupted_removal
    sys.argv = ["govcard", *sys.argv[1:]]
    main()
    """
)


@pytest.mark.parametrize("case", ["after-the-swap", "after-a-failed-build"])
def test_ctrl_c_during_cleanup_in_a_real_process(write, workdir: Path, case: str) -> None:
    write(OLD)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    before = snapshot(Path("site"))
    write(NEW)
    args = ["site", "build", "project.yaml", "-o", "site"]
    if case == "after-a-failed-build":
        write("# {{ project.name }}\n\n[gone](gone.md)\n", "mine/site/index.md.j2")
        args += ["--template-dir", "mine"]
    result = subprocess.run(
        [sys.executable, "-c", CTRL_C_AT, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 130, result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    if case == "after-the-swap":
        assert line == "site: interrupted; the new output is in place"
        assert snapshot(Path("site")) != before
    else:
        assert line == "site: interrupted; the previous output is unchanged"
        assert snapshot(Path("site")) == before
    assert hidden(workdir) == []


# --- write errors: one line, exit 2, the old output in place ----------------------------------


def can_unshare(*options: str) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", *options, "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


def in_namespace(script: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run a shell script as root of a new user and mount namespace (tmpfs mounts allowed)."""
    (workdir / "script.sh").write_text(script, encoding="utf-8")
    environment = {**os.environ, "GOVCARD": " ".join(GOVCARD)}
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-eu", "script.sh"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


TMPFS = """\
mkdir -p mnt
mount -t tmpfs -o size={size} tmpfs mnt
$GOVCARD {command} old.yaml -o mnt/out > /dev/null 2>&1
find mnt/out -type f | sort | xargs sha256sum > before.txt
{fault}
set +e
$GOVCARD {command} new.yaml -o mnt/out > stdout.txt 2> stderr.txt
echo $? > status.txt
set -e
find mnt/out -type f | sort | xargs sha256sum > after.txt
ls -a mnt > listing.txt
"""
FAULTS = {
    "full": (
        "dd if=/dev/zero of=mnt/filler bs=4096 2>/dev/null || true",
        "No space left on device",
    ),
    "read-only": ("mount -o remount,ro mnt", "Read-only file system"),
}


@pytest.mark.skipif(
    not can_unshare("--user", "--map-root-user", "--mount"),
    reason="needs unprivileged user namespaces (unshare --user --map-root-user --mount)",
)
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("command", ["render", "site build"])
def test_a_full_or_read_only_file_system(write, workdir: Path, fault: str, command: str) -> None:
    write(OLD, "old.yaml")
    write(NEW, "new.yaml")
    setup, reason = FAULTS[fault]
    size = "4m" if command == "site build" else "256k"
    script = TMPFS.format(size=size, command=command, fault=setup)
    result = in_namespace(script, workdir)
    assert result.returncode == 0, result.stderr
    stderr = Path("stderr.txt").read_text(encoding="utf-8")
    assert "Traceback" not in stderr, stderr
    assert Path("status.txt").read_text(encoding="utf-8").strip() == "2", stderr
    [line] = stderr.splitlines()
    assert line.startswith("mnt/out"), line
    assert line.endswith(f": could not write: {reason}; the previous output is unchanged"), line
    assert Path("stdout.txt").read_text(encoding="utf-8") == ""
    assert Path("after.txt").read_text() == Path("before.txt").read_text()
    listing = Path("listing.txt").read_text(encoding="utf-8").split()
    assert [name for name in listing if ".govcard-" in name] == []


def test_a_read_only_parent_folder(write, workdir: Path) -> None:
    if os.geteuid() == 0 and not can_unshare("--user"):
        pytest.skip("root ignores folder permissions; needs unshare --user to drop that")
    write(OLD, "old.yaml")
    write(NEW, "new.yaml")
    assert run("render", "old.yaml", "-o", "parent/out").exit_code == 0
    before = snapshot(Path("parent/out"))
    Path("parent").chmod(0o555)
    try:
        # As root, a new user namespace without a mapping takes away the right to ignore modes.
        prefix = ["unshare", "--user"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *GOVCARD, "render", "new.yaml", "-o", "parent/out"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        Path("parent").chmod(0o755)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert result.stderr == (
        "parent/out: could not write: Permission denied; the previous output is unchanged\n"
    )
    assert snapshot(Path("parent/out")) == before
    assert hidden(Path("parent")) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["render", "project.yaml", "-o", "out"],
        ["render", "project.yaml", "-o", "out", "--check"],
        ["site", "build", "project.yaml", "-o", "site"],
    ],
)
def test_a_full_stdout_is_one_line(write, workdir: Path, args: list[str]) -> None:
    write(OLD)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*GOVCARD, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Exception ignored" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert result.stderr == "<stdout>: could not write: No space left on device\n"


def deep_tree(folder: Path, levels: int = 3000) -> None:
    """`levels` nested folders in `folder`: deeper than Python's recursion limit and than PATH_MAX
    allows by path, so they are made (and must be read) relative to an open folder."""
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def test_a_very_deep_tree_in_a_site_folder_is_one_line(write, workdir: Path) -> None:
    write(OLD)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    deep_tree(Path("site"))
    try:
        result = run("site", "build", "project.yaml", "-o", "site")
        assert result.exit_code == 2, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith("site: holds files govcard did not write (d/d/d/d/"), line
        assert len(line) < 300
    finally:
        output._remove_flat(workdir / "site")


def test_a_very_deep_leftover_is_removed(write, workdir: Path) -> None:
    write(OLD)
    leftover = workdir / ".site.govcard-new-deep"  # a staging folder no running govcard holds
    leftover.mkdir()
    deep_tree(leftover)
    try:
        result = run("site", "build", "project.yaml", "-o", "site")
        assert result.exit_code == 0, result.output
        assert hidden(workdir) == []
    finally:
        if leftover.exists():
            output._remove_flat(leftover)


def test_leftovers_of_a_running_build_are_left_alone(write, workdir: Path) -> None:
    """A staging folder whose lock is held belongs to a running govcard: a sweep keeps it."""
    write(OLD)
    target = (workdir / "out").resolve()
    staging, lock = output._staging(target)
    try:
        (staging / "half.md").write_text("being written\n", encoding="utf-8")
        assert run("render", "project.yaml", "-o", "out").exit_code == 0
        assert (staging / "half.md").is_file()
    finally:
        output._unlock(lock)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert not staging.exists()
    assert hidden(workdir) == []


def test_markers_are_regular_files(workdir: Path) -> None:
    folder = workdir / "f"
    folder.mkdir()
    output.stamp(folder, SITE)
    assert output.is_marked(folder, SITE)
    assert not output.is_marked(folder, SOURCE)
    os.rename(folder / ".govcard.json", folder / "real")
    (folder / ".govcard.json").symlink_to("real")
    assert not output.is_marked(folder, SITE)
    (folder / ".govcard.json").unlink()
    os.mkfifo(folder / ".govcard.json")
    assert stat.S_ISFIFO((folder / ".govcard.json").lstat().st_mode)
    assert not output.is_marked(folder, SITE)  # and does not block on the FIFO


# --- permissions: the user's umask, as any tool that writes files --------------------------------


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """umask(mask) sets the process's umask for the test; the old one is put back after."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_init_writes_files_with_the_user_s_umask(workdir: Path, umask, mask: int) -> None:
    # They were 0600 whatever the umask: tempfile's mode for a temporary file.
    umask(mask)
    assert run("init", "new").exit_code == 0
    for name in ("project.yaml", "project.schema.json"):
        assert mode(Path("new", name)) == 0o666 & ~mask, name
    assert mode(Path("new")) == 0o777 & ~mask


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_file_replaced_keeps_its_permissions(workdir: Path, umask) -> None:
    umask(0o022)
    output.write_text(Path("kept.txt"), "old\n")
    os.chmod("kept.txt", 0o640)
    output.write_text(Path("kept.txt"), "new\n")
    assert (mode(Path("kept.txt")), Path("kept.txt").read_text(encoding="utf-8")) == (
        0o640,
        "new\n",
    )
    assert hidden(workdir) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_rendered_folders_have_the_user_s_umask(write, workdir: Path, umask, mask: int) -> None:
    # The staging folder that becomes the output was tempfile's 0700: nobody else could read the
    # cards, a web server included.
    umask(mask)
    write(NEW)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert mode(Path("out")) == 0o777 & ~mask
    assert mode(Path("out/models")) == 0o777 & ~mask
    assert mode(Path("out/GOVERNANCE.md")) == 0o666 & ~mask


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_rendered_folder_replaced_keeps_its_permissions(write, workdir: Path, umask) -> None:
    umask(0o022)
    write(OLD)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    os.chmod("out", 0o750)
    write(NEW)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert mode(Path("out")) == 0o750
    assert Path("out/datasets/d/README.md").is_file()  # the new output, in the old folder's mode
