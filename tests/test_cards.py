"""govcard.cards: decoding, front matter, headings, key lines, phrases, and the fast path for plain
front matter, which must read exactly what PyYAML reads whenever it reads anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from govcard.cards import (
    MAX_BYTES,
    Card,
    Heading,
    Unreadable,
    decode,
    parse,
    read,
    simple_yaml,
)
from govcard.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus/model-cards")

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus of public model cards is not at {CORPUS}"
)


def card(text: str) -> Card:
    return parse(text, "card.md")


# --- decoding and reading ------------------------------------------------------------------------


def test_decode_utf8() -> None:
    assert (
        decode("---\nlicense: mit\n---\n# Café ☕\n".encode())
        == "---\nlicense: mit\n---\n# Café ☕\n"
    )


def test_decode_drops_the_byte_order_mark() -> None:
    assert decode(b"\xef\xbb\xbf---\nlicense: mit\n") == "---\nlicense: mit\n"


@pytest.mark.parametrize(
    "raw", [b"a\r\nb\r\nc", b"a\rb\rc", b"a\r\nb\rc", b"a\nb\nc"], ids=["crlf", "cr", "mixed", "lf"]
)
def test_decode_line_endings(raw: bytes) -> None:
    assert decode(raw) == "a\nb\nc"


def test_decode_bom_and_crlf_keep_line_numbers() -> None:
    text = decode(b"\xef\xbb\xbf---\r\nlicense: mit\r\nco2_eq_emissions: 5\r\n---\r\n# T\r\n")
    parsed = card(text)
    assert parsed.metadata == {"license": "mit", "co2_eq_emissions": 5}
    assert parsed.key_line("co2_eq_emissions") == 3
    assert parsed.headings == [Heading(1, "T", 5)]


@pytest.mark.parametrize(
    "raw",
    [b"---\nlicense: mit\n---\n\x00", "---\n".encode("utf-16"), b"\x00"],
    ids=["nul", "utf-16", "only-nul"],
)
def test_decode_nul_is_binary(raw: bytes) -> None:
    with pytest.raises(Unreadable) as caught:
        decode(raw)
    assert str(caught.value) == "the file is binary (it contains NUL bytes), not a Markdown card"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"---\nlicense: mit\n---\n\xff\n", "the file is not UTF-8 (byte 0xff on line 4)"),
        (b"caf\xe9\n", "the file is not UTF-8 (byte 0xe9 on line 1)"),
        (b"a\nb\nc\n\xe2\x98", "the file is not UTF-8 (byte 0xe2 on line 4)"),
        (b"a\r\nb\r\n\x80", "the file is not UTF-8 (byte 0x80 on line 3)"),
    ],
    ids=["latin-1-byte", "latin-1-word", "truncated-sequence", "crlf"],
)
def test_decode_non_utf8_says_where(raw: bytes, message: str) -> None:
    with pytest.raises(Unreadable) as caught:
        decode(raw)
    assert str(caught.value) == message


def test_read_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(Unreadable) as caught:
        read(path)
    assert (
        str(caught.value) == "the file is 10,485,761 bytes; a model card may be at most 10,485,760"
    )


def test_read_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(Unreadable) as caught:
        read(tmp_path / "missing.md")
    assert str(caught.value) == "cannot read the file: No such file or directory"
    with pytest.raises(Unreadable) as caught:
        read(tmp_path)
    assert str(caught.value) == "cannot read the file: Is a directory"


def test_read_gives_the_path(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_bytes(b"---\r\nlicense: mit\r\n---\r\n# T\r\n")
    parsed = read(path)
    assert parsed.path == str(path)
    assert parsed.metadata == {"license": "mit"}


# --- front matter ----------------------------------------------------------------------------------


def test_parse_splits_front_matter_and_body() -> None:
    parsed = card("---\nlicense: mit\ntags:\n- a\n---\n\n# Title\n\nText.\n")
    assert parsed.metadata == {"license": "mit", "tags": ["a"]}
    assert parsed.front_matter_error is None
    assert parsed.front_lines == ["license: mit", "tags:", "- a"]
    assert parsed.body_start == 6
    assert parsed.body == "\n# Title\n\nText.\n"
    assert parsed.body_lines == ["", "# Title", "", "Text.", ""]
    assert parsed.headings == [Heading(1, "Title", 7)]


def test_parse_closing_dots_and_trailing_spaces() -> None:
    parsed = card("---  \nlicense: mit\n...\n# T\n")
    assert parsed.metadata == {"license": "mit"}
    assert parsed.body_start == 4


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("# Title\n", (1, "no YAML front matter (a card starts with a --- line)")),
        ("", (1, "no YAML front matter (a card starts with a --- line)")),
        ("---\nlicense: mit\n# Title\n", (1, "the front matter is not closed by a --- line")),
        ("---\n- a\n- b\n---\n", (2, "the front matter is a list, not a mapping of keys")),
        ("---\njust words\n---\n", (2, "the front matter is a str, not a mapping of keys")),
        ("---\n42\n---\n", (2, "the front matter is a int, not a mapping of keys")),
    ],
    ids=["none", "empty", "unclosed", "list", "string", "number"],
)
def test_parse_front_matter_errors(text: str, error: tuple[int, str]) -> None:
    parsed = card(text)
    assert parsed.front_matter_error == error
    assert parsed.metadata is None


def test_blank_lines_before_the_front_matter_are_allowed() -> None:
    # As huggingface_hub allows; line numbers stay those of the file.
    parsed = card("\n\n---\nlicense: mit\n---\n# T\n")
    assert parsed.metadata == {"license": "mit"}
    assert (parsed.front_start, parsed.key_line("license"), parsed.body_start) == (3, 4, 6)


def test_parse_yaml_error_has_its_line() -> None:
    parsed = card("---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n")
    assert parsed.metadata is None
    assert parsed.front_matter_error is not None
    line, message = parsed.front_matter_error
    assert line == 4
    assert message.startswith("the front matter is not valid YAML: ")


@pytest.mark.parametrize("block", ["", "# only a comment", "~", "null"])
def test_parse_empty_front_matter_is_an_empty_mapping(block: str) -> None:
    parsed = card(f"---\n{block}\n---\n# T\n" if block else "---\n---\n# T\n")
    assert parsed.metadata == {}
    assert parsed.front_matter_error is None


def test_parse_alias_bomb_is_not_expanded() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    parsed = card("---\n" + "\n".join(lines) + "\nlicense: mit\n---\n# T\n")
    assert parsed.metadata is not None
    assert parsed.metadata["license"] == "mit"
    assert parsed.metadata["i"][0] is parsed.metadata["h"]


# --- headings ----------------------------------------------------------------------------------


def test_headings_levels_titles_and_lines() -> None:
    parsed = card(
        "---\nlicense: mit\n---\n# Title\n\n## Use ##\n### Deep   \n###### Six\n####### Seven\n"
        "#hashtag\n"
    )
    assert parsed.headings == [
        Heading(1, "Title", 4),
        Heading(2, "Use", 6),
        Heading(3, "Deep", 7),
        Heading(6, "Six", 8),
    ]


def test_headings_ignore_code_fences() -> None:
    body = "\n".join(
        [
            "# Real",  # 1
            "```python",
            "# a comment, not a heading",
            "```",
            "## After backticks",  # 5
            "~~~",
            "# inside tildes",
            "```",
            "# still inside: backticks do not close tildes",
            "~~~",
            "## After tildes",  # 11
            "````",
            "```",
            "# inside: a shorter fence does not close a longer one",
            "````",
            "## After the long fence",  # 16
            "   ```",
            "# inside an indented fence",
            "   ```",
            "## After the indented fence",  # 20
            "```",
            "# an unclosed fence hides the rest",
        ]
    )
    parsed = parse(body, "card.md")
    assert parsed.headings == [
        Heading(1, "Real", 1),
        Heading(2, "After backticks", 5),
        Heading(2, "After tildes", 11),
        Heading(2, "After the long fence", 16),
        Heading(2, "After the indented fence", 20),
    ]


# --- key lines -----------------------------------------------------------------------------------

FRONT = """\
---
# a comment: not a key
tags:
- license: not this one
license: mit
'quoted': yes
co2_eq_emissions:
  source: codecarbon
  emissions: 5
model-index:
- name: M
  results:
  - task:
      type: text-generation
base_model: org/name
---
# T
"""


@pytest.mark.parametrize(
    ("keys", "line"),
    [
        (("license",), 5),
        (("quoted",), 6),
        (("co2_eq_emissions",), 7),
        (("co2_eq_emissions", "emissions"), 9),
        (("co2_eq_emissions", "missing"), 7),
        (("model-index", "name"), 11),
        (("model-index", "results", "task", "type"), 14),
        (("base_model",), 15),
        (("missing",), 1),
        (("source",), 1),
    ],
)
def test_key_line(keys: tuple[str, ...], line: int) -> None:
    assert card(FRONT).key_line(*keys) == line


def test_key_line_with_crlf_and_bom() -> None:
    text = decode(b"\xef\xbb\xbf" + FRONT.replace("\n", "\r\n").encode())
    assert card(text).key_line("co2_eq_emissions", "emissions") == 9


def test_body_line_of() -> None:
    parsed = card("---\nlicense: mit\n---\n# T\n\nTrained with CodeCarbon.\n")
    assert parsed.body_line_of("codecarbon") == 6
    assert parsed.body_line_of("missing") == 4


# --- lines_with ------------------------------------------------------------------------------------


def test_lines_with_gives_body_offsets() -> None:
    parsed = card(
        "---\nco2_eq_emissions: 5\nnote: carbon\n---\n# Carbon\n\nNo figure.\n"
        "CO2: 5 g, emissions of CO2 and carbon\n\nEmission.\n"
    )
    assert parsed.body_lines[0] == "# Carbon"
    # Each line once, in order; case-insensitive; never a front matter line.
    assert parsed.lines_with("co2", "carbon", "emission") == [
        (0, "# Carbon"),
        (3, "CO2: 5 g, emissions of CO2 and carbon"),
        (5, "Emission."),
    ]
    assert parsed.lines_with("co2") == [(3, "CO2: 5 g, emissions of CO2 and carbon")]
    assert parsed.lines_with("nothing") == []


def test_lines_with_on_the_last_line_without_newline() -> None:
    parsed = card("---\nlicense: mit\n---\nfirst\nlast carbon")
    assert parsed.lines_with("carbon") == [(1, "last carbon")]
    assert parsed.line_around(0) == "first"
    assert parsed.body_lines[1] == "last carbon"


def test_lowered_keeps_every_position() -> None:
    # str.lower() makes "İ" two characters; only ASCII letters are lowered.
    parsed = card("---\nlicense: MIT\n---\nİstanbul StarCoder Ω\n")
    assert parsed.lowered == "istanbul starcoder Ω\n\nlicense: mit\n".replace("i", "İ", 1)
    assert len(parsed.lowered) == len(parsed.body) + 1 + len(parsed.front)
    assert parsed.lowered.find("starcoder") == parsed.body.find("StarCoder")


# --- the title and the keys the check reads ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("# StarCoder\n\ntext\n", "StarCoder"),
        ("intro\n\n#\tSDXL-Turbo Model Card ##\n", "SDXL-Turbo Model Card"),
        ("## Only a subsection\n#hashtag\n", ""),
        ("text\n# First\n# Second\n", "First"),
    ],
)
def test_title_is_the_first_level_one_heading(body: str, title: str) -> None:
    assert card(f"---\nlicense: mit\n---\n{body}").title == title


CHECKED = frozenset({"license", "base_model", "tags"})


def only_checked(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    """The keys of CHECKED (unusual front matter is read whole, with all its keys)."""
    return None if metadata is None else {k: v for k, v in metadata.items() if k in CHECKED}


def test_selected_keys_are_read_from_their_own_blocks() -> None:
    text = (
        "---\nlicense: mit\nmodel-index:\n- name: x\n  results: [{bad\nbase_model: a/b\n"
        "tags:\n- lora\n- base_model:a/b\n---\n# T\n"
    )
    parsed = parse(text, "card.md", CHECKED)
    # The model-index is not read, so its broken YAML is not reported.
    assert parsed.metadata == {
        "license": "mit",
        "base_model": "a/b",
        "tags": ["lora", "base_model:a/b"],
    }
    assert parsed.keys == {"license", "model-index", "base_model", "tags"}
    assert parse(text, "card.md").metadata is None


def test_selected_keys_report_errors_in_what_they_read() -> None:
    parsed = parse("---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n", "card.md", CHECKED)
    assert parsed.metadata is None
    assert parsed.front_matter_error is not None
    assert parsed.front_matter_error[0] == 4


@pytest.mark.parametrize(
    "front",
    [
        "- license: mit\n",  # a list
        "just words\n",  # a scalar
        '"license": mit\n',  # a quoted key
        "license: mit\nlicense: apache-2.0\n",  # a repeated key
        "a: &x mit\nlicense: *x\n",  # an alias to another block
    ],
    ids=["list", "scalar", "quoted-key", "repeated", "alias"],
)
def test_unusual_front_matter_is_read_whole(front: str) -> None:
    text = f"---\n{front}---\n# T\n"
    whole = parse(text, "card.md")
    selected = parse(text, "card.md", CHECKED)
    assert (only_checked(selected.metadata), selected.front_matter_error) == (
        None
        if whole.metadata is None
        else {k: v for k, v in whole.metadata.items() if k in CHECKED},
        whole.front_matter_error,
    )


@needs_corpus
def test_selected_keys_agree_with_the_whole_front_matter_on_the_corpus() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        text = decode(path.read_bytes())
        whole, selected = parse(text, path.name), parse(text, path.name, CHECKED)
        assert whole.metadata is not None or whole.front_matter_error is not None
        expected = {k: v for k, v in (whole.metadata or {}).items() if k in CHECKED}
        assert only_checked(selected.metadata or {}) == expected, path.name
        assert set(whole.metadata or {}) <= selected.keys, path.name


# --- the fast path: simple_yaml reads what PyYAML reads -----------------------------------------


def typed(value: Any) -> Any:
    """A value with the type of every part spelt out: 1, 1.0 and True differ, nan equals nan."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def assert_agrees(lines: list[str]) -> Any:
    """simple_yaml returns None, or exactly what yaml.safe_load reads (an empty block, which
    PyYAML reads as None, is the empty mapping that `parse` makes of it)."""
    fast = simple_yaml(lines)
    if fast is None:
        return None
    text = "\n".join(lines)
    try:
        slow = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssertionError(
            f"simple_yaml read {fast!r} from {text!r}, which PyYAML rejects: {exc}"
        ) from None
    assert typed(fast) == typed({} if slow is None else slow), text
    return fast


HUB_FRONT_MATTER = """\
license: apache-2.0
language:
- en
- fr
tags:
- text-classification
- pytorch
datasets:
  - imdb
metrics:
- accuracy
co2_eq_emissions:
  emissions: 12.5
  source: codecarbon
  training_type: fine-tuning
  geographical_location: Paris, France
  hardware_used: NVIDIA A100
pipeline_tag: text-classification
library_name: transformers
inference: false
widget:
base_model: google-bert/bert-base-uncased
license_name: "my license"
license_link: 'https://example.org/license'
# a comment line
thumbnail: https://example.org/a.png
"""


def test_simple_yaml_reads_typical_hub_metadata() -> None:
    lines = HUB_FRONT_MATTER.splitlines()
    fast = assert_agrees(lines)
    assert fast is not None, "the fast path should read plain Hub metadata"
    assert fast["co2_eq_emissions"]["emissions"] == 12.5
    assert fast["inference"] is False
    assert fast["widget"] is None
    assert fast["datasets"] == ["imdb"]


@pytest.mark.parametrize(
    "block",
    [
        "tags: [a, b]",
        "a: {b: c}",
        "a: &x 1\nb: *x",
        "a: !!str 1",
        "a: |\n  text",
        "a: >\n  text",
        "a: b # comment",
        'a: "esc\\n"',
        "a: 'it''s'",
        "model-index:\n- name: M\n  results: []",
        "a:\n  b:\n    c: 1",
        "a: 2023-01-02",
        "a: 1_000",
        "a: 0x1F",
        "a: 007",
        "a: 1e5",
        "a: 1:30",
        "a: b\n  continued",
        "a: 1\na: 2",
        "'a': 1",
        "a : 1",
        "a:b",
        "a:\n- x\n  y: 1",
        "a:\n  - x\n- y",
        "a:\n  b: 1\n  - c",
        "a: -",
        "a: <<",
        "a: =",
        "? a\n: b",
        "- a",
    ],
)
def test_simple_yaml_leaves_the_rest_to_pyyaml(block: str) -> None:
    assert simple_yaml(block.split("\n")) is None


# Plain front matter that the fast path reads, and must read as PyYAML does.
AGREEMENT = {
    "words": "a: hello world",
    "colon-without-space": "a: http://example.org/a:b",
    "hash-without-space": "a: C#",
    "comma": "a: Paris, France",
    "dash-first": "a: -foo",
    "plus": "a: +",
    "tilde": "a: ~",
    "tilde-word": "a: ~x",
    "null-words": "a: null\nb: Null\nc: NULL\nd:",
    "booleans": "a: yes\nb: No\nc: on\nd: OFF\ne: True\nf: false",
    "not-booleans": "a: y\nb: n\nc: tRUE",
    "integers": "a: 0\nb: -3\nc: +7\nd: 123456789012345678901234567890",
    "floats": "a: 1.5\nb: .5\nc: 1.\nd: -0.0\ne: +2.25",
    "quoted": "a: 'yes'\nb: \"1.5\"\nc: ''\nd: \"\"\ne: 'a: b # c'",
    "list": "a:\n- x\n- 1\n- \nb:\n  - y",
    "mapping": "a:\n  b: 1\n  c: two\n  d:",
    "blank-lines": "a:\n\n- x\n\n- y\nb: 1",
    "non-ascii": "a: café ☕\nb: 'naïve'",
    "signed-dot-float-minus": "a: -.5",
    "signed-dot-float-plus": "a: +.5",
    "infinity": "a: .inf",
    "minus-infinity": "a: -.inf",
    "plus-infinity": "a: +.Inf",
    "not-a-number": "a: .NaN",
    "boolean-key-yes": "yes: 1",
    "boolean-key-on": "on: push",
    "boolean-key-True": "True: x",
    "null-key": "null: x",
    "nested-boolean-key": "a:\n  off: 1",
    "two-spaces-after-dash": "a:\n-  x",
    "tab-after-colon": "a:\tb",
    "trailing-tab": "a: \t",
    "line-separator": "a: b\u2028c",
    "next-line": "a: b\x85c",
    "control-character": "a: bell\x07",
    "delete-character": "a: x\x7f",
}


@pytest.mark.parametrize("name", list(AGREEMENT))
def test_simple_yaml_agrees_with_pyyaml(name: str) -> None:
    assert_agrees(AGREEMENT[name].split("\n"))


def test_simple_yaml_reads_the_plain_agreement_cases() -> None:
    """The fast path is taken for the plain cases, so the agreement tests test something."""
    for name in ("words", "booleans", "integers", "floats", "quoted", "list", "mapping"):
        assert simple_yaml(AGREEMENT[name].split("\n")) is not None, name


def _front_lines(text: str) -> list[str]:
    """A card's front matter lines; a card may start with blank lines (the Hub accepts that)."""
    parsed = parse(text.lstrip("\n"), "card.md")
    return parsed.front_lines


@needs_corpus
def test_simple_yaml_on_the_corpus() -> None:
    read_fast = 0
    paths = sorted(CORPUS.glob("*.md"))
    assert paths
    with_front_matter = 0
    for path in paths:
        lines = _front_lines(decode(path.read_bytes()))
        if lines:  # a few real cards have none
            with_front_matter += 1
            read_fast += assert_agrees(lines) is not None
    assert with_front_matter >= len(paths) * 0.9
    assert read_fast >= 5


def test_simple_yaml_on_what_render_writes(tmp_path: Path) -> None:
    projects = sorted((ROOT / "examples").glob("*/project.yaml"))
    licenses = [
        "bigcode-openrail-m",
        "bigscience-openrail-m",
        "bigscience-bloom-rail-1.0",
        "creativeml-openrail-m",
        "openrail++",
        "openrail",
        "apache-2.0",
        "mit",
        "{id: other, name: acme, link: https://example.org/license}",
    ]
    models = "".join(
        f"  - id: m{i}\n    name: 'M: {i} # yes'\n    license: {lic}\n"
        f"    tags: ['on', 'yes', '1.5', 'null']\n    base_model: bigcode/starcoderbase\n"
        for i, lic in enumerate(licenses)
    )
    demo = tmp_path / "demo.yaml"
    demo.write_text("project: {name: Demo}\nmodels:\n" + models, encoding="utf-8")
    read_fast = checked = 0
    for i, project in enumerate([*projects, demo]):
        out = tmp_path / f"out{i}"
        result = CliRunner().invoke(cli, ["render", str(project), "-o", str(out)])
        assert result.exit_code == 0, result.output
        for readme in sorted(out.glob("models/*/README.md")):
            checked += 1
            read_fast += assert_agrees(_front_lines(readme.read_text(encoding="utf-8"))) is not None
    assert checked >= len(licenses)
    assert read_fast >= 1


# Generated plain front matter: keys, scalars, block lists and one-level mappings.

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
RESERVED_WORDS = [
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "y", "n",
]  # fmt: skip
PLAIN_NAMES = NAMES.filter(lambda name: name not in RESERVED_WORDS)
WORDS = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,./()'-]{0,16}", fullmatch=True)
NUMBERS = st.one_of(
    st.from_regex(r"[-+]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][-+]?[0-9]{1,2})?", fullmatch=True),
    st.from_regex(
        r"[-+]?(0x[0-9A-Fa-f]{1,3}|0o?[0-7]{1,3}|[0-9]{1,3}(_[0-9]{3})+)", fullmatch=True
    ),
    st.from_regex(r"[-+]?\.(inf|Inf|INF|nan|NaN|NAN)", fullmatch=True),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
SPECIALS = st.sampled_from(
    [
        "0", "-3", "1.5", ".5", "1e5", "007", "0x1F", "1.", "2023-01-02", "2023-01-02T10:00:00Z",
        "yes", "no", "on", "off", "True", "FALSE", "y", "n", "null", "Null", "~", "", "-", "- x",
        "=", "<<", "'quoted'", '"double"', "'it''s'", '"a\\"b"', "a: b", "a #b", "a#b", "text:",
        "http://x.org/a:b", "[a, b]", "{a: b}", "&anchor x", "*alias", "!tag x", "|", ">", "%x",
        "@x", "`x`", "?x", ".", "...", "---", "a , b", "'a' b", "\"a\" b", "1:30", "1_000",
    ]
)  # fmt: skip
QUOTED = st.builds(
    lambda text, quote: quote + text + quote,
    st.text(alphabet="ab :#-,.'\"\\01", max_size=8),
    st.sampled_from(["'", '"']),
)
MIXED = st.text(alphabet="ab :#-'\".,01~!&*?[]{}|>%@`\t", max_size=10)
SCALARS = st.one_of(NUMBERS, SPECIALS, WORDS, QUOTED, MIXED)
SIMPLE_SCALARS = st.one_of(
    st.from_regex(r"[a-z]{1,8}( [a-z]{1,8})?", fullmatch=True),
    st.integers(-1000, 1000).map(str),
    st.sampled_from(["1.5", "yes", "null", "~", "''", '"x"', ""]),
)

# Deterministic, and without the shrink phase: a failing example is already small here, and
# shrinking one took longer than the rest of the suite.
HYPOTHESIS = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def _key_value(key: str, value: str) -> str:
    return f"{key}: {value}" if value else f"{key}:"


@HYPOTHESIS
@given(st.lists(st.tuples(PLAIN_NAMES, SCALARS), max_size=6, unique_by=lambda kv: kv[0]))
def test_simple_yaml_scalars_match_pyyaml(entries: list[tuple[str, str]]) -> None:
    assert_agrees([_key_value(key, value) for key, value in entries])


@HYPOTHESIS
@given(
    st.lists(
        st.tuples(st.one_of(NAMES, st.sampled_from(RESERVED_WORDS)), SIMPLE_SCALARS, st.booleans()),
        min_size=1,
        max_size=5,
        unique_by=lambda entry: entry[0],
    )
)
def test_simple_yaml_keys_match_pyyaml(entries: list[tuple[str, str, bool]]) -> None:
    lines = []
    for key, value, nested in entries:
        lines += ["parent:", f"  {_key_value(key, value)}"] if nested else [_key_value(key, value)]
        if nested:
            break  # one nested block, at the end: keys must stay unique
    assert_agrees(lines)


ENTRY = st.one_of(
    st.tuples(st.just("scalar"), SIMPLE_SCALARS),
    st.tuples(
        st.just("list"),
        st.lists(SIMPLE_SCALARS, max_size=4),
        st.sampled_from(["", "  ", "    "]),
        st.sampled_from([" ", "  "]),
    ),
    st.tuples(
        st.just("mapping"),
        st.lists(st.tuples(PLAIN_NAMES, SIMPLE_SCALARS), max_size=4, unique_by=lambda kv: kv[0]),
        st.sampled_from([" ", "  ", "    "]),
    ),
)


@HYPOTHESIS
@given(
    st.lists(st.tuples(PLAIN_NAMES, ENTRY), max_size=6, unique_by=lambda kv: kv[0]),
    st.lists(st.sampled_from(["", "# a comment", "   "]), max_size=3),
)
def test_simple_yaml_layout_matches_pyyaml(
    entries: list[tuple[str, tuple[Any, ...]]], fillers: list[str]
) -> None:
    lines: list[str] = []
    for index, (key, entry) in enumerate(entries):
        if index < len(fillers):
            lines.append(fillers[index])
        kind = entry[0]
        if kind == "scalar":
            lines.append(_key_value(key, entry[1]))
        elif kind == "list":
            _, items, indent, gap = entry
            lines.append(f"{key}:")
            lines += [f"{indent}-{gap}{item}".rstrip() if item else f"{indent}-" for item in items]
        else:
            _, pairs, indent = entry
            lines.append(f"{key}:")
            lines += [indent + _key_value(k, v) for k, v in pairs]
    assert_agrees(lines)


@HYPOTHESIS
@given(
    st.lists(
        st.tuples(PLAIN_NAMES, st.text(st.characters(exclude_categories=["Cs"]), max_size=6)),
        max_size=4,
        unique_by=lambda kv: kv[0],
    )
)
def test_simple_yaml_any_characters_match_pyyaml(entries: list[tuple[str, str]]) -> None:
    lines = [_key_value(key, value.replace("\n", " ").replace("\r", " ")) for key, value in entries]
    assert_agrees(lines)
