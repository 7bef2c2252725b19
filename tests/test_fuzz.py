"""Fuzzing: hostile model cards and project files never crash, hang, forge output or write on failure.

govcard runs in CI on cards written by strangers (issue 11). These hypothesis properties feed it
hostile input and check what a maintainer relies on:

- every command ends within a generous bound (`TIMEOUT` seconds an invocation) with exit 0, 1 or
  2, and never with a traceback;
- `check`: the text output holds no raw control character (ESC, CR, BEL, ...) and no line a card
  could forge: every line is a finding, its `  fix:` line, or the one summary line at the end,
  whose counts match the findings; the exit code is 1 exactly when there are errors, whatever
  the format; JSON and SARIF parse; every `--format github` line is a workflow command (`::`)
  with no raw control character;
- `validate` and `render -o OUT`: they agree on the exit code; on exit 2 nothing is written (OUT
  absent or unchanged, no staging folder left behind); on exit 0 no raw HTML tag, `javascript:`
  link or heading from the facts appears in the rendered Markdown outside code.

Families (`pytest -s` prints how many inputs each tried, by exit code):

- `cards`: generated cards: front matter with random keys and hostile values (YAML tags such as
  `!!bool maybe` and `!!timestamp foo`, 400- and 5,000-digit integers, .inf/.nan, anchors,
  aliases and alias bombs, deep nesting), bodies with many headings, long runs of spaces and
  digits, unicode, control characters and terminal escapes, forged output lines; laid out with
  front matter at the end or unclosed, CRLF/CR, a BOM, NUL and non-UTF-8 bytes, truncated; given
  as a file (with a hostile name), a folder or stdin, with or without a hostile `--base-card`.
- `corpus`: byte flips, deletions, duplications, insertions and truncations of the real cards in
  `../shared/corpus/model-cards` (skipped when that folder is absent).
- `projects`: `examples/*/project.yaml` with values replaced by hostile scalars and long
  Markdown/HTML, keys dropped, duplicated or renamed, types swapped, anchors, merge keys, alias
  bombs and text-level damage, through `validate` and `render -o out` (into a fresh folder or
  over a previous render).
- `process-cards`, `process-projects`: a handful of each through a real `python -m govcard`.

In process, each input runs in a forked child (click's CliRunner in an already warm
interpreter: no start-up cost), so an input that hangs is killed after `TIMEOUT` seconds and
memory is capped at `MEMORY_LIMIT`; a crash is reported with the child's traceback, and each
exception type and place counts as a distinct bug, so hypothesis shrinks and reports each one.

Running (the forked children need a POSIX system; elsewhere the module is skipped):

    pytest tests/test_fuzz.py        # default: derandomized; 700 generated cards, 400 corpus
                                     # mutations, 800 project files, 8 + 6 in real processes;
                                     # about 2 minutes on 2 cores when nothing fails
    pytest tests/test_fuzz.py -m fuzz -s    # the long run only: random, 5,000 inputs a family
                                            # (runs of up to 10**6 characters) and 250 real processes
    GOVCARD_FUZZ=1 pytest tests/test_fuzz.py -s                       # both
    GOVCARD_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py -m fuzz -s  # longer still

The long-run tests carry the `fuzz` marker and skip themselves unless `-m` selects `fuzz` or
GOVCARD_FUZZ=1 is set, so a plain `pytest` runs only the default properties. Add
`--hypothesis-show-statistics` for hypothesis's own counts and timings. A failing property is
reported with its smallest input, long runs folded (`b'#' + b' ' * 3000 + b'x'`); when it fails,
shrinking can add a few minutes to the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import shared_corpus

from govcard.check import KEYS, RULES
from govcard.cli import cli
from govcard.render import GENERATED_LINE

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {p.parent.name: p for p in sorted((ROOT / "examples").glob("*/project.yaml"))}
CORPUS = shared_corpus()
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.md")) if CORPUS.is_dir() else []

TIMEOUT = 10.0
"""Seconds one invocation may take. Linear code answers any input here in well under a second;
this is a bound on hangs (catastrophic backtracking, quadratic passes), not a benchmark."""
PROCESS_TIMEOUT = 30.0
"""The same for a real process, start-up included."""
MEMORY_LIMIT = 3 * 1024**3
"""Address space of a forked child, so a memory blow-up fails one input, not the machine."""

LONG_EXAMPLES = int(os.environ.get("GOVCARD_FUZZ_EXAMPLES", "0") or 0)

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
# No explain phase: it reruns a failing input dozens of times to say which lines it ran.
DEFAULT = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_HEALTH,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


def long_settings(default: int, process: bool = False) -> settings:
    """The long run's settings: random, and `default` inputs (GOVCARD_FUZZ_EXAMPLES overrides
    it, and a twentieth of it for the families that start a real process each time)."""
    examples = default
    if LONG_EXAMPLES:
        examples = max(10, LONG_EXAMPLES // 20) if process else LONG_EXAMPLES
    return settings(DEFAULT, max_examples=examples, derandomize=False)


@pytest.fixture(scope="module")
def long_run(request: pytest.FixtureRequest) -> None:
    """Skip the long run unless `-m` selects `fuzz` or GOVCARD_FUZZ=1."""
    expression = str(request.config.getoption("markexpr") or "")
    selected = re.search(r"\bfuzz\b", expression.replace("not fuzz", "")) is not None
    if not selected and os.environ.get("GOVCARD_FUZZ") != "1":
        pytest.skip("the long fuzz run: pytest -m fuzz, or GOVCARD_FUZZ=1")


# --- counting -----------------------------------------------------------------------------------

TRIED: Counter[str] = Counter()
EXITS: defaultdict[str, Counter[str]] = defaultdict(Counter)


@pytest.fixture(scope="module", autouse=True)
def _print_counts() -> Iterator[None]:
    yield
    for output in _previous_outputs.values():
        shutil.rmtree(output.parent, ignore_errors=True)
    if TRIED:
        print("\nfuzz inputs tried, by family (exit codes of the commands they ran):")
        for family, count in sorted(TRIED.items()):
            exits = ", ".join(f"{code}: {n}" for code, n in sorted(EXITS[family].items()))
            print(f"  {family}: {count} inputs ({exits})")


# --- readable reprs -------------------------------------------------------------------------------

_RUN = re.compile(r"(.{1,16}?)\1{7,}", re.DOTALL)
_BYTES_RUN = re.compile(rb"(.{1,16}?)\1{7,}", re.DOTALL)


def compact(value: Any) -> str:
    """repr of text or bytes with long runs folded: `'#' + ' ' * 3000 + 'x'`."""
    parts: list[str] = []
    position = 0
    for run in (_BYTES_RUN if isinstance(value, bytes) else _RUN).finditer(value):
        if run.start() > position:
            parts.append(repr(value[position : run.start()]))
        unit = run.group(1)
        parts.append(f"{unit!r} * {len(run.group()) // len(unit)}")
        position = run.start() + len(run.group()) // len(unit) * len(unit)
    if position < len(value) or not parts:
        parts.append(repr(value[position:]))
    return " + ".join(parts)


# --- hostile material -----------------------------------------------------------------------------

ESCAPES = [
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\x1b[31m",
    "\x1b[1A\x1b[2K",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J",
    "\r",
    "\x08",
    "\x07",
    "\x0b",
    "\x0c",
    "\x7f",
    "\x85",
    "\x00",
    "\u2028",
    "\u2029",
    "\u202e",
    "\ufeff",
]
FORGED = [
    "\n0 cards checked: 0 errors, 0 warnings, 0 notes\n",
    "\nREADME.md:1:1: no-license error: forged\n  fix: nothing\n",
    "\n::error file=x.md,line=1::forged\n",
    "\r1 card checked: 0 errors, 0 warnings, 0 notes",
    "%0A::error::forged",
]
HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "<details open><summary>x</summary>",
    "<!-- hidden -->",
    "[click](javascript:alert(1))",
    "](javascript:alert(1))",
    "<javascript:alert(1)>",
]
MARKDOWN = [
    "\n# govcard-injected-heading\n",
    "\n---\n",
    "\n===\n",
    "\n| a | b |\n|---|---|\n",
    "```",
    "~~~",
    "`",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{#",
    "*",
    "_",
    "\\",
    "\n1. ",
    "\n- ",
    "\n> ",
    "&amp;",
    "&#60;script&#62;",
    "[",
    "](",
    ")",
    "\t",
]
UNICODE = [
    "\u0130",
    "\u00df",
    "e\u0301",
    "\U0001f600",
    "\U0010ffff",
    "\ufb01",
    "\u216b",
    "\u00a0",
    "\u3000",
    "\u0661\u0662",
    "\U0001d7d9",
    "\u200b",
    "\ufffd",
]
CARD_PHRASES = [
    "licensed under the BigCode OpenRAIL-M v1 license agreement.",
    "This model is subject to the use restrictions in Attachment A.",
    "There are no use restrictions.",
    "CO2 emissions: 16.68 t",
    "124 kgCO2e",
    "Carbon emitted: 0.5 kg CO2eq",
    "energy 1,287 MWh",
    "fine-tuned from bigcode/starcoder with LoRA",
    "based on bigscience/bloom",
    "a 4-bit GPTQ quantization of TheBloke/x",
    "a merge of",
    "[LICENSE](LICENSE)",
    "https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement",
    "License: not stated",
    "under the CreativeML OpenRAIL-M license",
    "Apache 2.0",
    "## License",
    "# Model Card for x",
]
PIECES = ESCAPES + FORGED + HTML + MARKDOWN + UNICODE + CARD_PHRASES
REPEATABLE = [
    " ",
    "\t",
    "\n",
    "\n\n",
    " \n",
    "\n ",
    "#",
    "# ",
    "#\n",
    "a",
    "1",
    "1,",
    "1 ",
    "1.",
    "co2 ",
    "co2 1 ",
    "licen",
    "license ",
    "restrictions ",
    "under the ",
    "`",
    "-",
    "*",
    "_",
    "[",
    "](",
    "<",
    "\\",
    "|",
    "=",
]
TAGGED = [
    "!!bool maybe",
    "!!int ''",
    "!!float ''",
    "!!timestamp foo",
    "!!timestamp 2023-02-30",
    "!!binary aGVsbG8=",
    "!!binary '!!!'",
    "!!int 0x",
    "!!float .inf",
    "!!str 1",
    "!!null ''",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!pairs [a: 1]",
    "!!python/object/apply:os.system ['id']",
    "!!python/name:os.system",
    "!foo bar",
    "!<tag:yaml.org,2002:int> x",
    "!!map []",
    "!!seq {}",
]
NUMBERS = [
    "1" * 400,
    "-" + "9" * 400,
    "4" * 4300,
    "1" * 4301,
    "1" * 5000,
    "0." + "0" * 400 + "1",
    "1" + "0" * 400 + ".5",
    "1e400",
    "-1e400",
    "1e-400",
    ".inf",
    "-.inf",
    "+.inf",
    ".nan",
    ".NaN",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1:20:30",
    "-0",
    "0.0",
    "-5",
    "16.68",
    "124",
    "2023-02-30",
    "2023-01-01T00:00:00Z",
    "9999-12-31",
]
STRUCTURES = [
    "",
    "~",
    "null",
    "yes",
    "[]",
    "{}",
    "*undefined",
    "&a x",
    "&r [*r]",
    "&m {k: *m}",
    "{a: 1, a: 2}",
    "[1, [2, [3, [4]]]]",
    "[a, b",
    "{a",
    "|",
    ">",
    "'unterminated",
    '"unterminated',
    "? x",
    "- x",
    "@x",
    "`x",
    "%x",
    '"\\x1b[2J"',
    '"\\u001b]0;pwned\\u0007"',
    '"\\0"',
    '"\\ud800"',
    '"\\L\\P\\N"',
    '"\\e[31m"',
]
LICENSES = [
    "bigcode-openrail-m",
    "bigscience-openrail-m",
    "bigscience-bloom-rail-1.0",
    "creativeml-openrail-m",
    "openrail++",
    "openrail",
    "other",
    "apache-2.0",
    "mit",
    "unknown",
    "bigcode/starcoder",
    "bigscience/bloom",
    "runwayml/stable-diffusion-v1-5",
]


def repeats(max_repeat: int) -> st.SearchStrategy[str]:
    """A unit repeated up to `max_repeat` times: runs of spaces, digits, headings, brackets."""
    return st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(REPEATABLE),
        st.integers(0, max_repeat),
    )


# Lines shaped like the worst cases of a backtracking pattern or a quadratic pass: a word a search
# starts from, a long run, and an ending that makes the match fail late.
LINE_STARTS = ["", "# ", "## ", "co2 ", "CO2 emissions: ", "license", "licensed under ", "x"]
LINE_STARTS += ["http://", "[x](", "fine-tuned from ", "subject to the ", "- ", "1. ", "> "]
LINE_UNITS = [*REPEATABLE, "http://", "rail ", "(", "1,", "fine-tuned from stable diffusion "]
LINE_UNITS += ["restrictions ", "license" + " " * 100 + "\n", "x licen", "1 kg ", "\\`"]
LINE_ENDS = ["", "x", " x", "#", " #", "\n", " kg", " t", "!", "/", ")", "]", "\x00"]


def shaped_lines(max_repeat: int) -> st.SearchStrategy[str]:
    """`start + unit * count + end`: the inputs that made patterns and passes slow."""
    return st.builds(
        lambda start, unit, count, end: start + unit * count + end,
        st.sampled_from(LINE_STARTS),
        st.sampled_from(LINE_UNITS),
        st.integers(0, max_repeat),
        st.sampled_from(LINE_ENDS),
    )


def hostile_text(max_repeat: int) -> st.SearchStrategy[str]:
    """Text made of arbitrary unicode, escapes, HTML, Markdown, forged lines and long runs."""
    return st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.text(max_size=12),
            repeats(max_repeat),
            shaped_lines(max_repeat),
        ),
        max_size=6,
    ).map("".join)


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` exactly (escapes for what is not printable)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def fragments(max_repeat: int) -> st.SearchStrategy[str]:
    """A YAML value written on one line: tags, huge numbers, odd structures, hostile text."""
    text = hostile_text(max_repeat)
    return st.one_of(
        st.sampled_from(TAGGED + NUMBERS + STRUCTURES + LICENSES),
        text.map(double_quoted),
        # Raw characters: YAML refuses most controls, folds line breaks, reads what it can.
        text.map(lambda t: "'" + t.replace("'", "''") + "'"),
        text,
        st.integers().map(str),
        st.floats().map(repr),
        st.integers(1, max(1, min(max_repeat, 5000))).map(lambda n: "[" * n + "]" * n),
        st.integers(1, max(1, min(max_repeat, 5000))).map(lambda n: "{a: " * n + "}" * n),
        st.integers(1, max(1, min(max_repeat, 20000))).map(lambda n: "[" * n),
        st.lists(st.sampled_from(NUMBERS + LICENSES + TAGGED[:4]), max_size=4).map(
            lambda items: "[" + ", ".join(items) + "]"
        ),
    )


def key_fragments() -> st.SearchStrategy[str]:
    """Keys that are not plain names: quoted escapes, numbers, booleans, collections, merges."""
    return st.one_of(
        st.sampled_from(
            [
                "~",
                "1",
                "true",
                "<<",
                "[a, b]",
                "{a: 1}",
                '"\\x1b[2J"',
                '"\\x1b]0;pwned\\x07"',
                '"<script>"',
                '"a\\nb"',
                '"license "',
                '"License"',
                "license_",
                "licence",
                "? complex",
                "&k license",
                "*k",
                "!!str license",
            ]
        ),
        hostile_text(64).map(double_quoted),
    )


def alias_bomb(depth: int, prefix: str = "bomb") -> list[str]:
    """YAML lines whose last key expands to 10**depth values through aliases."""
    lines = [f"{prefix}0: &{prefix}0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, depth + 1):
        items = ", ".join([f"*{prefix}{level - 1}"] * 10)
        lines.append(f"{prefix}{level}: &{prefix}{level} [{items}]")
    return lines


# --- running govcard ----------------------------------------------------------------------------


class Outcome:
    """What one invocation did."""

    def __init__(
        self,
        args: list[str],
        exit_code: int | None,
        stdout: str,
        stderr: str,
        crash: str = "",
        seconds: float = 0.0,
        hang: bool = False,
        died: str = "",
        not_utf8: str = "",
    ) -> None:
        self.args = args
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.crash = crash
        """The traceback of an exception that escaped govcard, or ""."""
        self.seconds = seconds
        self.hang = hang
        self.died = died
        self.not_utf8 = not_utf8
        """The stream that was not UTF-8 (a real process writes bytes), or ""."""

    def command(self) -> str:
        shown = (compact(a) if len(a) > 40 or not a.isprintable() else a for a in self.args)
        return "govcard " + " ".join(shown)


_BUGS: dict[str, type[AssertionError]] = {}


def bug(kind: str, message: str) -> AssertionError:
    """An AssertionError whose class is one per kind of bug, so hypothesis tells bugs apart."""
    cls = _BUGS.get(kind)
    if cls is None:
        cls = _BUGS[kind] = type(re.sub(r"\W+", "_", kind).strip("_")[:90], (AssertionError,), {})
    return cls(message)


def _crash_kind(command: str, text: str) -> str:
    """`Traceback in check: ValueError at cards.py:210` from a formatted traceback."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', text)
    govcard_frames = [f for f in frames if "govcard" in f[0] and "test_fuzz" not in f[0]]
    where = govcard_frames[-1] if govcard_frames else (frames[-1] if frames else ("?", "0"))
    last = text.strip().splitlines()[-1] if text.strip() else "?"
    exception = last.split(":", 1)[0]
    return f"Traceback in {command}: {exception} at {Path(where[0]).name}:{where[1]}"


_warm: list[bool] = []


def warm_up() -> None:
    """Import and compile what the commands use, once, so forked children start warm."""
    if _warm:
        return
    _warm.append(True)
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="govcard-fuzz-") as tmp:
        runner.invoke(cli, ["check", "-"], input=b"---\nlicense: mit\n---\n# x\n")
        example = str(next(iter(EXAMPLES.values())))
        runner.invoke(cli, ["validate", example])
        runner.invoke(cli, ["render", example, "-o", str(Path(tmp) / "out")])


def _child(batch: list[tuple[list[str], bytes | None]], cwd: str, write_fd: int) -> None:
    os.chdir(cwd)
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit may be in place
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    runner = CliRunner()
    with os.fdopen(write_fd, "wb", buffering=0) as pipe:
        for args, stdin in batch:
            start = time.perf_counter()
            result = runner.invoke(cli, args, input=stdin, prog_name="govcard")
            crash = ""
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                crash = "".join(traceback.format_exception(*result.exc_info))
            message = pickle.dumps(
                {
                    "exit_code": result.exit_code,
                    "stdout": result.stdout_bytes,
                    "stderr": result.stderr_bytes,
                    "crash": crash,
                    "seconds": time.perf_counter() - start,
                }
            )
            pipe.write(struct.pack("<Q", len(message)) + message)


def run_forked(
    batch: list[tuple[list[str], bytes | None]], cwd: Path, timeout: float = TIMEOUT
) -> list[Outcome]:
    """Run `govcard ARGS` (with stdin bytes) for each of `batch` in a forked child, in `cwd`.

    Each invocation may take `timeout` seconds; one that takes longer is killed and returned
    with `hang` set (and the rest of the batch is not run).
    """
    warm_up()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 0
        try:
            os.close(read_fd)
            _child(batch, str(cwd), write_fd)
        except BaseException:
            traceback.print_exc()
            status = 70
        finally:
            os._exit(status)
    os.close(write_fd)
    buffer = b""
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + timeout
    hang = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                hang = True
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 8:
                (size,) = struct.unpack("<Q", buffer[:8])
                if len(buffer) < 8 + size:
                    break
                data = pickle.loads(buffer[8 : 8 + size])
                buffer = buffer[8 + size :]
                args = batch[len(outcomes)][0]
                outcomes.append(
                    Outcome(
                        args,
                        data["exit_code"],
                        data["stdout"].decode("utf-8", "backslashreplace"),
                        data["stderr"].decode("utf-8", "backslashreplace"),
                        data["crash"],
                        data["seconds"],
                    )
                )
                deadline = time.monotonic() + timeout
    finally:
        os.close(read_fd)
        if hang:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if hang:
        args = batch[len(outcomes)][0]
        outcomes.append(Outcome(args, None, "", "", seconds=timeout, hang=True))
    elif len(outcomes) < len(batch):
        how = (
            f"killed by signal {os.WTERMSIG(status)}"
            if os.WIFSIGNALED(status)
            else f"exit status {os.WEXITSTATUS(status)}"
        )
        args = batch[len(outcomes)][0]
        outcomes.append(Outcome(args, None, "", "", died=how))
    return outcomes


def run_process(args: list[str], cwd: Path, stdin: bytes | None = None) -> Outcome:
    """`python -m govcard ARGS` in a real process, with a UTF-8 locale."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONIOENCODING", None)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "govcard", *args],
            cwd=cwd,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=PROCESS_TIMEOUT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(args, None, "", "", seconds=PROCESS_TIMEOUT, hang=True)
    stdout = done.stdout.decode("utf-8", "backslashreplace")
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    crash = stderr[stderr.index("Traceback") :] if "Traceback (most recent" in stderr else ""
    code = done.returncode
    died = f"killed by signal {-code}" if code < 0 else ""
    not_utf8 = ""
    for name, raw in (("stdout", done.stdout), ("stderr", done.stderr)):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            not_utf8 = f"{name}: {raw[max(0, exc.start - 40) : exc.end + 40]!r}"
    seconds = time.perf_counter() - start
    return Outcome(args, code, stdout, stderr, crash, seconds, died=died, not_utf8=not_utf8)


# --- properties every command keeps --------------------------------------------------------------

# C0 controls but tab and line feed, DEL and the C1 controls (0x9b is a one-byte CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def assert_ends_cleanly(outcome: Outcome, family: str) -> None:
    """In time, exit 0, 1 or 2, no traceback."""
    name = outcome.args[0] if outcome.args else "govcard"
    EXITS[family][str(outcome.exit_code) if not outcome.hang else "hang"] += 1
    if outcome.hang:
        raise bug(
            f"Hang in {name}",
            f"{outcome.command()} did not finish within {outcome.seconds:.0f} s",
        )
    if outcome.died:
        raise bug(f"Died in {name}", f"{outcome.command()}: the process {outcome.died}")
    if outcome.crash:
        raise bug(
            _crash_kind(name, outcome.crash),
            f"{outcome.command()} exited {outcome.exit_code} with a traceback:\n{outcome.crash}",
        )
    assert outcome.exit_code in (0, 1, 2), f"{outcome.command()} exited {outcome.exit_code}"
    assert not outcome.not_utf8, (
        f"{outcome.command()} wrote bytes that are not UTF-8 on {outcome.not_utf8}"
    )
    assert "Traceback (most recent call last)" not in outcome.stdout + outcome.stderr, (
        f"{outcome.command()} printed a traceback:\n{outcome.stderr}"
    )


def assert_no_control_characters(outcome: Outcome, where: str) -> None:
    """Text meant for a terminal: no raw ESC, CR, BEL, ... (tab and newline are text)."""
    for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        bad = _CONTROL.search(text)
        assert bad is None, (
            f"{outcome.command()} ({where}): raw control character {bad.group()!r} on {stream}: "
            f"{text[max(0, bad.start() - 60) : bad.end() + 60]!r}"
        )


# --- model cards ----------------------------------------------------------------------------------

# The keys the check reads, then others cards carry.
CARD_KEYS = [
    *sorted(KEYS),
    "datasets",
    "language",
    "pipeline_tag",
    "library_name",
    "model-index",
    "inference",
    "pretty_name",
    "task_categories",
]
CO2_KEYS = ["emissions", "source", "training_type", "geographical_location", "hardware_used"]
FILE_NAMES = [
    b"README.md",
    b"model_card.md",
    b"card.md",
    b"\x1b]0;pwned\x07.md",
    b"\x1b[2J.md",
    b"a\nb.md",
    b"a\rb.md",
    b"0 cards checked: 0 errors, 0 warnings, 0 notes.md",
    b"x.md:1:1: no-license error: forged.md",
    b"\xff\xfe.md",
    b"%0A::error::x.md",
    b"card,title=x::y.md",
    b"--help.md",
    b"\xe2\x80\xae.md",
]
BAD_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xc3(", b"\xed\xa0\x80", b"\xe2\x80", b"\xf8\x88\x80"]


class CardInput:
    """A card (bytes) and how `govcard check` is given it."""

    def __init__(
        self, data: bytes, mode: str, name: bytes, base: bytes | None, strict: bool
    ) -> None:
        self.data, self.mode, self.name, self.base, self.strict = data, mode, name, base, strict

    def __repr__(self) -> str:
        base = "None" if self.base is None else compact(self.base)
        return (
            f"CardInput(data={compact(self.data)}, mode={self.mode!r}, name={self.name!r}, "
            f"base={base}, strict={self.strict})"
        )


@st.composite
def front_matters(draw: st.DrawFn, max_repeat: int) -> list[str]:
    """Front matter lines: real keys and hostile ones, scalar, list, mapping and flow values."""
    value = fragments(max_repeat)
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(st.sampled_from(CARD_KEYS), key_fragments()))
        shape = draw(st.sampled_from(["scalar", "scalar", "list", "mapping", "flow"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(value)}")
        elif shape == "list":
            lines.append(f"{key}:")
            lines += [f"- {draw(value)}" for _ in range(draw(st.integers(0, 3)))]
        elif shape == "mapping":
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(0, 3))):
                sub = draw(st.one_of(st.sampled_from(CO2_KEYS), key_fragments()))
                lines.append(f"  {sub}: {draw(value)}")
        else:
            items = draw(st.lists(value, max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
    if draw(st.integers(0, 9)) == 0:
        depth = draw(st.integers(1, 8))
        lines = alias_bomb(depth) + lines + [f"tags: *bomb{depth}", f"license: *bomb{depth}"]
    return lines


@st.composite
def card_bodies(draw: st.DrawFn, max_repeat: int) -> list[str]:
    """Body blocks: headings with runs of spaces, phrases a check reads, hostile paragraphs."""
    text = hostile_text(max_repeat)
    blocks: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(
            st.sampled_from(["heading", "heading", "phrase", "text", "fence", "many", "shaped"])
        )
        if kind == "heading":
            hashes = "#" * draw(st.integers(1, 7))
            gap = " " * draw(st.one_of(st.integers(0, 3), st.integers(0, max_repeat)))
            title = draw(st.one_of(st.sampled_from(CARD_PHRASES), text))
            closing = draw(st.sampled_from(["", " #", " ##", "#", "  ## " + " " * 64]))
            blocks.append(f"{hashes}{gap}{title}{closing}")
        elif kind == "phrase":
            blocks.append(" ".join(draw(st.lists(st.sampled_from(CARD_PHRASES), max_size=4))))
        elif kind == "text":
            blocks.append(draw(text))
        elif kind == "shaped":
            blocks.append(draw(shaped_lines(max_repeat)))
        elif kind == "fence":
            blocks.append(draw(st.sampled_from(["```", "~~~", "````python", "  ```"])))
        else:
            unit = draw(st.sampled_from(["#\n", "# x\n", "## License\n", "co2 1 kg\n", "-\n"]))
            blocks.append(unit * draw(st.integers(0, max_repeat)))
    return blocks


@st.composite
def card_bytes(draw: st.DrawFn, max_repeat: int) -> bytes:
    """A whole card: front matter and body laid out well or badly, then damaged as bytes."""
    front = "\n".join(draw(front_matters(max_repeat)))
    body = "\n\n".join(draw(card_bodies(max_repeat)))
    layout = draw(
        st.sampled_from(["front", "front", "front", "end", "none", "unclosed", "blank", "dots"])
    )
    if layout == "front":
        text = f"---\n{front}\n---\n{body}\n"
    elif layout == "end":
        text = f"{body}\n---\n{front}\n---\n"
    elif layout == "none":
        text = f"{front}\n{body}\n"
    elif layout == "unclosed":
        text = f"---\n{front}\n{body}\n"
    elif layout == "blank":
        text = f"\n \n---\n{front}\n---\n{body}"
    else:
        text = f"---\n{front}\n...\n{body}"
    data = text.encode("utf-8", "surrogatepass")
    ending = draw(st.sampled_from(["lf", "lf", "lf", "crlf", "cr", "mixed"]))
    if ending == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif ending == "cr":
        data = data.replace(b"\n", b"\r")
    elif ending == "mixed":
        data = data.replace(b"\n-", b"\r\n-").replace(b"\n#", b"\r#")
    if draw(st.integers(0, 5)) == 0:
        data = b"\xef\xbb\xbf" + data
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    if draw(st.integers(0, 7)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def card_inputs(draw: st.DrawFn, max_repeat: int) -> CardInput:
    """A card, given as a file (under a hostile name), in a folder or on stdin, with or without
    a hostile --base-card. (A composite, so a failing input is shown by its compact repr.)"""
    return CardInput(
        draw(card_bytes(max_repeat)),
        draw(st.sampled_from(["file", "file", "dir", "stdin"])),
        draw(st.sampled_from(FILE_NAMES)),
        draw(st.one_of(st.none(), st.none(), card_bytes(min(max_repeat, 2000)))),
        draw(st.booleans()),
    )


_corpus_cache: dict[str, bytes] = {}


def corpus_card(name: str) -> bytes:
    if name not in _corpus_cache:
        _corpus_cache[name] = (CORPUS / name).read_bytes()
    return _corpus_cache[name]


class CorpusInput:
    """A real card of the corpus and the mutations made to it (shown as such when a test fails)."""

    def __init__(self, name: str, mutations: list[tuple[Any, ...]], mode: str) -> None:
        self.source, self.mutations, self.mode = name, mutations, mode

    def __repr__(self) -> str:
        shown = [
            tuple(compact(part) if isinstance(part, str | bytes) else part for part in m)
            for m in self.mutations
        ]
        return f"CorpusInput({self.source!r}, mutations={shown}, mode={self.mode!r})"

    @property
    def data(self) -> bytes:
        data = corpus_card(self.source)
        for operation, position, *rest in self.mutations:
            at = position % (len(data) + 1)
            if operation == "flip":
                if at < len(data):
                    data = data[:at] + bytes([data[at] ^ rest[0]]) + data[at + 1 :]
            elif operation == "delete":
                data = data[:at] + data[at + rest[0] :]
            elif operation == "duplicate":
                data = data[: at + rest[0]] + data[at:]
            elif operation == "insert":
                data = data[:at] + rest[0] + data[at:]
            elif operation == "truncate":
                data = data[:at]
            elif operation == "front":  # a line right after the opening ---
                newline = data.find(b"\n") + 1
                data = data[:newline] + rest[0] + b"\n" + data[newline:]
            elif operation == "crlf":
                data = data.replace(b"\n", b"\r\n" if rest[0] else b"\r")
        return data

    def card(self) -> CardInput:
        return CardInput(self.data, self.mode, b"README.md", None, False)


@st.composite
def corpus_inputs(draw: st.DrawFn, max_repeat: int) -> CorpusInput:
    name = draw(st.sampled_from(CORPUS_FILES))
    value = fragments(max_repeat)
    mutations: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(
            st.sampled_from(
                ["flip", "delete", "duplicate", "insert", "insert", "truncate", "front", "crlf"]
            )
        )
        position = draw(st.integers(0, 200_000))
        if operation == "flip":
            mutations.append((operation, position, draw(st.integers(1, 255))))
        elif operation in ("delete", "duplicate"):
            mutations.append((operation, position, draw(st.integers(1, 4096))))
        elif operation == "insert":
            piece = draw(st.one_of(hostile_text(max_repeat), st.sampled_from(BAD_BYTES)))
            if isinstance(piece, str):
                piece = piece.encode("utf-8", "surrogatepass")
            mutations.append((operation, position, piece))
        elif operation == "front":
            line = f"{draw(st.sampled_from(CARD_KEYS))}: {draw(value)}"
            mutations.append((operation, 0, line.encode("utf-8", "surrogatepass")))
        elif operation == "crlf":
            mutations.append((operation, 0, draw(st.booleans())))
        else:
            mutations.append((operation, position))
    return CorpusInput(name, mutations, draw(st.sampled_from(["file", "stdin"])))


FORMATS = ["text", "json", "github", "sarif"]
_FINDING = re.compile(
    r"(?P<path>.*):(?P<line>\d+):(?P<column>\d+): (?P<rule>[a-z0-9-]+) "
    r"(?P<severity>error|warning|info): (?P<message>.*)"
)
_SUMMARY = re.compile(r"(\d+) cards? checked: (\d+) errors?, (\d+) warnings?, (\d+) notes?")


def _write_card(card: CardInput, folder: Path) -> tuple[list[str], bytes | None]:
    """Write the card (and base card) into `folder`; the check arguments and stdin to use."""
    args: list[str] = []
    stdin = None
    if card.mode == "stdin":
        args.append("-")
        stdin = card.data
    elif card.mode == "dir":
        (folder / "cards").mkdir()
        with open(os.path.join(os.fsencode(folder / "cards"), card.name), "wb") as handle:
            handle.write(card.data)
        args.append("cards")
    else:
        with open(os.path.join(os.fsencode(folder), card.name), "wb") as handle:
            handle.write(card.data)
        args.append(os.fsdecode(card.name))
    if card.base is not None:
        (folder / "base.md").write_bytes(card.base)
        args += ["--base-card", "base.md"]
    if card.strict:
        args.append("--strict")
    return args, stdin


def check_card_properties(card: CardInput, family: str, process: bool = False) -> None:
    """Run `govcard check` on a card in every format and assert the output properties."""
    TRIED[family] += 1
    with tempfile.TemporaryDirectory(prefix="govcard-fuzz-") as tmp:
        folder = Path(tmp)
        args, stdin = _write_card(card, folder)
        formats = ["text", "github"] if process else FORMATS
        batch = [(["check", *args, "--format", f], stdin) for f in formats]
        if process:
            outcomes = [run_process(a, folder, s) for a, s in batch]
        else:
            outcomes = run_forked(batch, folder)
    for outcome in outcomes:
        assert_ends_cleanly(outcome, family)
    by_format = dict(zip(formats, outcomes, strict=True))
    codes = {f: o.exit_code for f, o in by_format.items()}
    assert len(set(codes.values())) == 1, f"the exit code depends on the format: {codes}"

    text = by_format["text"]
    assert_no_control_characters(text, "text format")
    expected_files = {"file": {1}, "stdin": {1}, "dir": {0, 1}}[card.mode]
    if text.exit_code in (0, 1):
        _assert_text_report(text, expected_files)

    github = by_format["github"]
    if github.exit_code in (0, 1):
        for line in github.stdout.splitlines():
            assert line.startswith("::"), f"{github.command()}: not a workflow command: {line!r}"
        bad = _CONTROL.search(github.stdout)
        assert bad is None, f"{github.command()}: raw control character {bad.group()!r}"

    for name in ("json", "sarif"):
        if name in by_format and by_format[name].exit_code in (0, 1):
            try:
                json.loads(by_format[name].stdout)
            except ValueError as exc:
                raise AssertionError(f"{by_format[name].command()}: not JSON: {exc}") from None


def _assert_text_report(outcome: Outcome, expected_files: set[int]) -> None:
    """Findings with their fixes, then one summary whose counts match: nothing else."""
    assert outcome.stdout.endswith("\n"), f"{outcome.command()}: no final newline"
    lines = outcome.stdout[:-1].split("\n")
    summary = _SUMMARY.fullmatch(lines[-1])
    assert summary is not None, f"{outcome.command()}: the last line is {lines[-1]!r}"
    findings = lines[:-1]
    assert len(findings) % 2 == 0, f"{outcome.command()}: odd number of lines: {findings!r}"
    severities: Counter[str] = Counter()
    for finding, fix in zip(findings[::2], findings[1::2], strict=True):
        match = _FINDING.fullmatch(finding)
        assert match is not None, f"{outcome.command()}: a line that is no finding: {finding!r}"
        assert match["rule"] in RULES, f"{outcome.command()}: unknown rule in {finding!r}"
        assert fix.startswith("  fix: "), f"{outcome.command()}: a line that is no fix: {fix!r}"
        severities[match["severity"]] += 1
    files, errors, warnings, notes = (int(n) for n in summary.groups())
    counted = (severities["error"], severities["warning"], severities["info"])
    assert counted == (errors, warnings, notes), (
        f"{outcome.command()}: the summary says {errors, warnings, notes}, the lines {counted}"
    )
    assert files in expected_files, f"{outcome.command()}: {files} cards checked"
    assert (outcome.exit_code == 1) == (errors > 0), (
        f"{outcome.command()}: exit {outcome.exit_code} with {errors} errors"
    )


@settings(DEFAULT, max_examples=700)
@given(card=card_inputs(max_repeat=50_000))
def test_generated_cards(card: CardInput) -> None:
    check_card_properties(card, "cards")


@pytest.mark.skipif(not CORPUS_FILES, reason=f"no corpus of real cards in {CORPUS}")
@settings(DEFAULT, max_examples=400)
@given(card=corpus_inputs(max_repeat=50_000))
def test_mutated_corpus_cards(card: CorpusInput) -> None:
    check_card_properties(card.card(), "corpus")


@settings(DEFAULT, max_examples=8)
@given(card=card_inputs(max_repeat=5_000))
def test_cards_in_a_real_process(card: CardInput) -> None:
    check_card_properties(card, "process-cards", process=True)


@pytest.mark.fuzz
@long_settings(5000)
@given(card=card_inputs(max_repeat=1_000_000))
def test_generated_cards_long(long_run: None, card: CardInput) -> None:
    check_card_properties(card, "cards-long")


@pytest.mark.fuzz
@pytest.mark.skipif(not CORPUS_FILES, reason=f"no corpus of real cards in {CORPUS}")
@long_settings(5000)
@given(card=corpus_inputs(max_repeat=1_000_000))
def test_mutated_corpus_cards_long(long_run: None, card: CorpusInput) -> None:
    check_card_properties(card.card(), "corpus-long")


@pytest.mark.fuzz
@long_settings(250, process=True)
@given(card=card_inputs(max_repeat=200_000))
def test_cards_in_a_real_process_long(long_run: None, card: CardInput) -> None:
    check_card_properties(card, "process-cards-long", process=True)


# --- project files --------------------------------------------------------------------------------


class Frag(str):
    """A YAML value written on one line, as is."""


class Block(str):
    """A literal block scalar (`|-`)."""


class Node:
    """A mapping (items are (key, value) pairs, keys may repeat) or a sequence, with an anchor."""

    def __init__(self, kind: str, items: list[Any], anchor: str = "") -> None:
        self.kind, self.items, self.anchor = kind, items, anchor

    def copy(self) -> Node:
        def copied(value: Any) -> Any:
            return value.copy() if isinstance(value, Node) else value

        if self.kind == "map":
            return Node("map", [(k, copied(v)) for k, v in self.items], self.anchor)
        return Node("seq", [copied(v) for v in self.items], self.anchor)


def scalar(value: Any) -> Frag:
    """A plain Python value (from yaml.safe_load) as a fragment that reads back the same."""
    if value is None:
        return Frag("null")
    if isinstance(value, bool):
        return Frag("true" if value else "false")
    if isinstance(value, int | float):
        return Frag(repr(value))
    if isinstance(value, date | datetime):
        return Frag(value.isoformat())
    return Frag(double_quoted(str(value)))


def tree(value: Any) -> Any:
    if isinstance(value, dict):
        return Node("map", [(str(k), tree(v)) for k, v in value.items()])
    if isinstance(value, list):
        return Node("seq", [tree(v) for v in value])
    return scalar(value)


def _entry(head: str, value: Any, indent: int) -> list[str]:
    """The lines of `head` (`key:` or `-`, already indented) followed by its value."""
    pad = " " * (indent + 2)
    if isinstance(value, Block):
        return [f"{head} |-"] + [pad + line if line else "" for line in value.split("\n")]
    if isinstance(value, Node):
        anchor = f" &{value.anchor}" if value.anchor else ""
        if not value.items:
            return [f"{head}{anchor} {'{}' if value.kind == 'map' else '[]'}"]
        lines = [f"{head}{anchor}"]
        for item in value.items:
            if value.kind == "map":
                lines += _entry(f"{pad}{item[0]}:", item[1], indent + 2)
            else:
                lines += _entry(f"{pad}-", item, indent + 2)
        return lines
    return [f"{head} {value}" if value else head]


def emit(root: Node) -> str:
    lines: list[str] = []
    for key, value in root.items:
        lines += _entry(f"{key}:", value, 0)
    return "\n".join(lines) + "\n"


def _locations(root: Node) -> list[tuple[Node, int]]:
    """Every place in the tree a value sits: (container, index), in document order."""
    found: list[tuple[Node, int]] = []

    def walk(node: Node) -> None:
        for index, item in enumerate(node.items):
            found.append((node, index))
            value = item[1] if node.kind == "map" else item
            if isinstance(value, Node):
                walk(value)

    walk(root)
    return found


def _get(node: Node, index: int) -> Any:
    return node.items[index][1] if node.kind == "map" else node.items[index]


def _set(node: Node, index: int, value: Any) -> None:
    if node.kind == "map":
        node.items[index] = (node.items[index][0], value)
    else:
        node.items[index] = value


SWAPS: dict[str, Callable[[Any], Any]] = {
    "string": lambda old: Frag('"280"'),
    "number": lambda old: Frag("280"),
    "null": lambda old: Frag("null"),
    "bool": lambda old: Frag("true"),
    "list": lambda old: Node("seq", [old]),
    "map": lambda old: Node("map", [("value", old)]),
    "empty-list": lambda old: Node("seq", []),
    "empty-map": lambda old: Node("map", []),
}
MUTATIONS = ["value", "value", "markup", "markup", "markup", "drop", "duplicate", "rename", "swap"]
MUTATIONS += ["alias", "merge", "self", "bomb"]
TEXT_OPERATIONS = [
    "crlf",
    "cr",
    "bom",
    "bytes",
    "truncate",
    "flip",
    "directive",
    "second-document",
    "document-end",
    "tabs",
]


def block_or_fragment(text: str) -> Frag | Block:
    """A long text as a literal block when YAML can hold it so, else double-quoted."""
    first = next((line for line in text.split("\n") if line), "")
    if (
        text
        and not first[:1].isspace()
        and all(ch.isprintable() or ch == "\n" for ch in text)
        and not text.endswith("\n")
    ):
        return Block(text)
    return Frag(double_quoted(text))


class ProjectInput:
    """An example project file and the mutations made to it (shown as such when a test fails)."""

    def __init__(
        self,
        example: str,
        mutations: list[tuple[Any, ...]],
        text_damage: list[tuple[Any, ...]],
        over_previous: bool,
    ) -> None:
        self.example = example
        self.mutations = mutations
        self.text_damage = text_damage
        self.over_previous = over_previous

    def __repr__(self) -> str:
        def shown(parts: tuple[Any, ...]) -> str:
            return (
                "("
                + ", ".join(compact(p) if isinstance(p, str | bytes) else repr(p) for p in parts)
                + ")"
            )

        mutations = ", ".join(shown(m) for m in self.mutations)
        damage = ", ".join(shown(d) for d in self.text_damage)
        return (
            f"ProjectInput({self.example!r}, mutations=[{mutations}], text_damage=[{damage}], "
            f"over_previous={self.over_previous})"
        )

    def data(self) -> bytes:
        root = base_tree(self.example).copy()
        for mutation in self.mutations:
            apply_mutation(root, mutation)
        data = emit(root).encode("utf-8", "surrogatepass")
        for damage in self.text_damage:
            data = damage_text(data, damage)
        return data


_base_trees: dict[str, Node] = {}


def base_tree(example: str) -> Node:
    if example not in _base_trees:
        loaded = yaml.safe_load(EXAMPLES[example].read_text(encoding="utf-8"))
        _base_trees[example] = tree(loaded)
    return _base_trees[example]


def _is_text(value: Any) -> bool:
    """Prose (a quoted value with a space), not an id, URL or e-mail address."""
    return isinstance(value, Block) or (
        isinstance(value, Frag) and value.startswith('"') and " " in value
    )


def apply_mutation(root: Node, mutation: tuple[Any, ...]) -> None:
    operation, position, *rest = mutation
    places = _locations(root)
    if operation == "text":  # a text value replaced: the file stays valid more often
        places = [p for p in places if _is_text(_get(*p))]
    if not places:
        return
    node, index = places[position % len(places)]
    if operation in ("value", "text"):
        _set(node, index, rest[0])
    elif operation == "drop":
        del node.items[index]
    elif operation == "duplicate":
        item = node.items[index]
        node.items.insert(index + 1, item if node.kind == "seq" else (item[0], rest[0] or item[1]))
    elif operation == "rename":
        if node.kind == "map":
            node.items[index] = (rest[0], node.items[index][1])
        else:
            node.items[index] = Node("map", [(rest[0], node.items[index])])
    elif operation == "swap":
        _set(node, index, SWAPS[rest[0]](_get(node, index)))
    elif operation == "alias":  # the value at `position` anchored, the one at rest[0] its alias
        other, other_index = places[rest[0] % len(places)]
        value = _get(node, index)
        name = f"a{position}"
        if isinstance(value, Node):
            value.anchor = name
        else:
            _set(node, index, Frag(f"&{name} {value}"))
        _set(other, other_index, Frag(f"*{name}"))
    elif operation == "merge":  # a mapping anchored, merged into another with <<
        value = _get(node, index)
        target = _get(*places[rest[0] % len(places)])
        if isinstance(value, Node) and value.kind == "map" and isinstance(target, Node):
            value.anchor = f"m{position}"
            if target.kind == "map":
                target.items.insert(0, ("<<", Frag(f"*m{position}")))
    elif operation == "self":  # a collection that holds an alias to itself
        value = _get(node, index)
        if isinstance(value, Node):
            value.anchor = f"s{position}"
            if value.kind == "map":
                value.items.append(("self", Frag(f"*s{position}")))
            else:
                value.items.append(Frag(f"*s{position}"))
    elif operation == "bomb":
        depth = rest[0]
        lines = alias_bomb(depth, f"b{position}")
        for line in lines:
            key, _, value = line.partition(": ")
            root.items.insert(0, (key, Frag(value)))
        _set(node, index, Frag(f"*b{position}{depth}"))


def damage_text(data: bytes, damage: tuple[Any, ...]) -> bytes:
    operation, position, *rest = damage
    at = position % (len(data) + 1)
    if operation == "crlf":
        return data.replace(b"\n", b"\r\n")
    if operation == "cr":
        return data.replace(b"\n", b"\r")
    if operation == "bom":
        return b"\xef\xbb\xbf" + data
    if operation == "bytes":
        return data[:at] + rest[0] + data[at:]
    if operation == "truncate":
        return data[:at]
    if operation == "flip":
        return data[:at] + bytes([data[at] ^ rest[0]]) + data[at + 1 :] if at < len(data) else data
    if operation == "directive":
        return b"%YAML 1.1\n---\n" + data
    if operation == "second-document":
        return data + b"---\nproject: {name: second}\n"
    if operation == "document-end":
        return data + b"...\n"
    if operation == "tabs":
        return re.sub(rb"(?m)^  ", b"\t", data, count=rest[0])
    raise AssertionError(operation)


@st.composite
def project_inputs(draw: st.DrawFn, max_repeat: int) -> ProjectInput:
    example = draw(st.sampled_from(sorted(EXAMPLES)))
    value = fragments(max_repeat)
    markup = st.lists(
        st.one_of(st.sampled_from(HTML + MARKDOWN + FORGED + ESCAPES), hostile_text(max_repeat)),
        min_size=1,
        max_size=5,
    ).map("".join)
    # Text the schema accepts (no control characters), so that render runs on it.
    printable = st.characters(blacklist_categories=["Cc", "Cs"], whitelist_characters="\n\t")
    accepted = st.lists(
        st.one_of(
            st.sampled_from(HTML + MARKDOWN + FORGED[:3] + UNICODE + CARD_PHRASES),
            st.text(printable, max_size=12),
            repeats(200),
            repeats(max_repeat),
        ),
        min_size=1,
        max_size=5,
    ).map("".join)
    position = st.integers(0, 5000)
    mutations: list[tuple[Any, ...]] = []
    if draw(st.booleans()):  # markup in text values only: the file stays valid more often
        for _ in range(draw(st.integers(1, 3))):
            mutations.append(("text", draw(position), block_or_fragment(draw(accepted))))
        return ProjectInput(example, mutations, [], draw(st.booleans()))
    for _ in range(draw(st.integers(1, 5))):
        operation = draw(st.sampled_from(MUTATIONS))
        where = draw(position)
        if operation == "value":
            mutations.append(("value", where, Frag(draw(value))))
        elif operation == "markup":
            mutations.append(("text", where, block_or_fragment(draw(markup))))
        elif operation == "drop":
            mutations.append(("drop", where))
        elif operation == "duplicate":
            mutations.append(("duplicate", where, draw(st.one_of(st.none(), value.map(Frag)))))
        elif operation == "rename":
            renamed = st.one_of(
                key_fragments(),
                st.sampled_from(["gpu_hour", "Name", "licence", "id ", "source", "models", "x"]),
            )
            mutations.append(("rename", where, draw(renamed)))
        elif operation == "swap":
            mutations.append(("swap", where, draw(st.sampled_from(sorted(SWAPS)))))
        elif operation in ("alias", "merge"):
            mutations.append((operation, where, draw(position)))
        elif operation == "self":
            mutations.append(("self", where))
        else:
            mutations.append(("bomb", where, draw(st.integers(1, 7))))
    damage: list[tuple[Any, ...]] = []
    if draw(st.integers(0, 3)) == 0:
        for _ in range(draw(st.integers(1, 2))):
            operation = draw(st.sampled_from(TEXT_OPERATIONS))
            where = draw(st.integers(0, 100_000))
            if operation == "bytes":
                damage.append((operation, where, draw(st.sampled_from(BAD_BYTES))))
            elif operation == "flip":
                damage.append((operation, where, draw(st.integers(1, 255))))
            elif operation == "tabs":
                damage.append((operation, where, draw(st.integers(1, 5))))
            else:
                damage.append((operation, where))
    return ProjectInput(example, mutations, damage, draw(st.booleans()))


_previous_outputs: dict[str, Path] = {}


def previous_output(example: str) -> Path:
    """A render of the unmutated example (made once), to render over."""
    if example not in _previous_outputs:
        folder = Path(tempfile.mkdtemp(prefix="govcard-fuzz-previous-"))
        result = CliRunner().invoke(
            cli, ["render", str(EXAMPLES[example]), "-o", str(folder / "out")]
        )
        assert result.exit_code == 0, result.output
        _previous_outputs[example] = folder / "out"
    return _previous_outputs[example]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder` (hidden ones too), files with their bytes."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


HTML_MARKERS = ["<script", "<img", "<iframe", "<svg", "<style", "<a ", "<details", "<!--"]
_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})")
_INJECTED_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+govcard-injected", re.MULTILINE)
_JAVASCRIPT_LINK = re.compile(r"(?<!\\)\]\(\s*javascript:", re.IGNORECASE)


def prose(markdown: str) -> str:
    """Markdown without its YAML front matter, fenced code blocks and code spans: what a
    renderer reads as text and HTML."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 3)
        if end >= 0:
            markdown = markdown[end + 5 :]
    kept: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE_LINE.match(line)
        if fence is None:
            if opening:
                fence = opening.group(1)
            else:
                kept.append(line)
        elif (
            opening
            and opening.group(1)[0] == fence[0]
            and len(opening.group(1)) >= len(fence)
            and not line.strip().strip(fence[0])
        ):
            fence = None
    text = "\n".join(kept)
    runs = [m for m in re.finditer(r"`+", text) if not _escaped(text, m.start())]
    pieces, position, index = [], 0, 0
    while index < len(runs):
        run = runs[index]
        closing = next(
            (j for j in range(index + 1, len(runs)) if len(runs[j].group()) == len(run.group())),
            None,
        )
        if closing is None:
            index += 1
            continue
        pieces.append(text[position : run.start()])
        position = runs[closing].end()
        index = closing + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _escaped(text: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def check_project_properties(project: ProjectInput, family: str, process: bool = False) -> None:
    """`govcard validate` and `govcard render -o out` on a mutated project file."""
    TRIED[family] += 1
    data = project.data()
    source = data.decode("utf-8", "replace").lower()
    with tempfile.TemporaryDirectory(prefix="govcard-fuzz-") as tmp:
        folder = Path(tmp)
        (folder / "project.yaml").write_bytes(data)
        if project.over_previous:
            shutil.copytree(previous_output(project.example), folder / "out")
        before = snapshot(folder)
        batch: list[tuple[list[str], bytes | None]] = [
            (["validate", "project.yaml"], None),
            (["render", "project.yaml", "-o", "out"], None),
        ]
        if process:
            outcomes = [run_process(args, folder) for args, _ in batch]
        else:
            outcomes = run_forked(batch, folder)
        after = snapshot(folder)
        for outcome in outcomes:
            assert_ends_cleanly(outcome, family)
        validate, render = outcomes
        assert_no_control_characters(validate, "validate")
        assert_no_control_characters(render, "render")
        assert validate.exit_code in (0, 2), f"{validate.command()} exited {validate.exit_code}"
        if render.exit_code == 2:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            assert before == after, (
                f"{render.command()} exited 2 but wrote {changed[:5]}:\n{render.stderr}"
            )
        assert render.exit_code == validate.exit_code, (
            f"validate exited {validate.exit_code} ({validate.stderr.strip()[:300]!r}), "
            f"render {render.exit_code} ({render.stderr.strip()[:300]!r})"
        )
        if render.exit_code == 0:
            for card in sorted((folder / "out").rglob("*.md")):
                _assert_inert(card.read_text(encoding="utf-8"), source, card.relative_to(folder))


def _assert_inert(markdown: str, source: str, where: Path) -> None:
    """No HTML tag, javascript: link or heading from the facts outside code (the comment govcard
    writes under a card's metadata is govcard's, not the facts')."""
    text = prose(markdown).replace(GENERATED_LINE, "")
    lowered = text.lower()
    for marker in HTML_MARKERS:
        if marker in source and marker in lowered:
            at = lowered.index(marker)
            raise AssertionError(
                f"{where}: raw {marker} from the facts: {text[at - 80 : at + 80]!r}"
            )
    link = _JAVASCRIPT_LINK.search(text)
    assert link is None, (
        f"{where}: a javascript: link: {text[link.start() - 80 : link.end() + 40]!r}"
    )
    heading = _INJECTED_HEADING.search(text)
    assert heading is None, f"{where}: a heading from the facts: {heading.group()!r}"


@settings(DEFAULT, max_examples=800)
@given(project=project_inputs(max_repeat=50_000))
def test_mutated_projects(project: ProjectInput) -> None:
    check_project_properties(project, "projects")


@settings(DEFAULT, max_examples=6)
@given(project=project_inputs(max_repeat=5_000))
def test_projects_in_a_real_process(project: ProjectInput) -> None:
    check_project_properties(project, "process-projects", process=True)


@pytest.mark.fuzz
@long_settings(5000)
@given(project=project_inputs(max_repeat=1_000_000))
def test_mutated_projects_long(long_run: None, project: ProjectInput) -> None:
    check_project_properties(project, "projects-long")


@pytest.mark.fuzz
@long_settings(250, process=True)
@given(project=project_inputs(max_repeat=200_000))
def test_projects_in_a_real_process_long(long_run: None, project: ProjectInput) -> None:
    check_project_properties(project, "process-projects-long", process=True)


# --- the harness itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_unmutated_examples_read_back_and_validate(example: str, tmp_path: Path) -> None:
    """The generator's YAML of an unmutated example means the same and is valid, so what the
    fuzzing finds comes from its mutations."""
    data = ProjectInput(example, [], [], False).data()
    original = yaml.safe_load(EXAMPLES[example].read_text(encoding="utf-8"))
    assert yaml.safe_load(data) == original
    (tmp_path / "project.yaml").write_bytes(data)
    (validate,) = run_forked([(["validate", "project.yaml"], None)], tmp_path)
    assert validate.exit_code == 0, validate.stderr


def test_the_harness_sees_hangs_crashes_and_forged_lines(tmp_path: Path) -> None:
    """A child that hangs is killed in time; prose() hides code and keeps text."""
    start = time.monotonic()
    (outcome,) = run_forked([(["check", "-"], b"x")], tmp_path, timeout=0.0001)
    assert outcome.hang or outcome.exit_code in (0, 1)
    assert time.monotonic() - start < 5
    assert prose("---\na: <b>\n---\nx `<script>` y\n```\n<img>\n```\n<svg>") == "x  y\n<svg>"
    assert "<i" in prose("a \\`<i>` b")
    assert _SUMMARY.fullmatch("1 card checked: 0 errors, 0 warnings, 0 notes")
    assert compact("x" + " " * 30 + "y") == "'x' + ' ' * 30 + 'y'"
    assert compact(b"x" + b"ab" * 20) == "b'x' + b'ab' * 20"
