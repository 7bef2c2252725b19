"""codecarbon's emissions.csv: each run counted once by its last row, runs added up across rows
and files, columns read by name; files made by the real tracker, and the tracker run live."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import textwrap
import time
from pathlib import Path

import pytest
from support import govcard_bounded

from govcard import carbon, loader, measurements
from govcard.errors import GovcardError

# The header line codecarbon 2.x/3.x trackers write (31 columns; newer ones add a few more).
HEADER_LINE = (
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
    "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,"
    "region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,"
    "gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue"
)
# The one codecarbon 1.x wrote: 12 columns, without run_id or pue.
OLD_HEADER_LINE = (
    "timestamp,experiment_id,project_name,duration,emissions,energy_consumed,country_name,"
    "country_iso_code,region,on_cloud,cloud_provider,cloud_region"
)
HEADER = HEADER_LINE.split(",")
OLD_HEADER = OLD_HEADER_LINE.split(",")


def row(run_id: str, duration: float, co2: float, energy: float, /, **extra: object) -> dict:
    """One tracker row; energy_consumed (kWh) includes the PUE of 1.5, emissions are kg."""
    gpu = energy / 1.5 * 0.9
    values: dict[str, object] = {
        "timestamp": "2024-05-01T10:00:00",
        "project_name": "demo",
        "run_id": run_id,
        "duration": duration,
        "emissions": co2,
        "emissions_rate": co2 / duration,
        "cpu_power": 42.5,
        "gpu_power": 1200.0,
        "ram_power": 10.0,
        "cpu_energy": energy / 1.5 * 0.08,
        "gpu_energy": gpu,
        "ram_energy": energy / 1.5 * 0.02,
        "energy_consumed": energy,
        "country_name": "France",
        "country_iso_code": "FRA",
        "region": "",
        "cloud_provider": "",
        "cloud_region": "",
        "os": "Linux-6.8.0-x86_64-with-glibc2.39",
        "python_version": "3.11.9",
        "codecarbon_version": "3.3.2",
        "cpu_count": 16,
        "cpu_model": "AMD EPYC 7763 64-Core Processor",
        "gpu_count": 4,
        "gpu_model": "4 x NVIDIA A100-SXM4-80GB",
        "longitude": 2.35,
        "latitude": 48.85,
        "ram_total_size": 64.0,
        "tracking_mode": "machine",
        "on_cloud": "N",
        "pue": 1.5,
    }
    values.update(extra)
    return values


# Two runs: run-a flushed once (its second row holds its totals), run-b stopped after one row.
ROWS = [
    row("run-a", 600.0, 0.14, 0.25),
    row("run-b", 1800.0, 0.42, 0.75),
    row("run-a", 3600.0, 0.84, 1.5),
]


def csv_text(rows: list[dict], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def emissions(write):
    """emissions(rows, header=HEADER, name=...) -> the path of a written emissions.csv."""

    def _emissions(
        rows: list[dict] = ROWS, header: list[str] = HEADER, name: str = "emissions.csv"
    ) -> Path:
        return write(csv_text(rows, header).encode(), name)

    return _emissions


def read_errors(path: Path, run_id: str | None = None) -> list[str]:
    with pytest.raises(GovcardError) as caught:
        measurements.read(path, run_id)
    return [str(p) for p in caught.value.problems]


# --- reading -----------------------------------------------------------------------------------


def refused(project: loader.Project) -> str:
    """The one-line error carbon.footprints raises for a project's measurement files."""
    with pytest.raises(GovcardError) as caught:
        carbon.footprints(project)
    return str(caught.value)


def test_headers_are_codecarbons() -> None:
    assert (len(HEADER), len(OLD_HEADER)) == (31, 12)


def test_each_run_counts_by_its_last_row_and_runs_add_up(emissions) -> None:
    path = emissions()
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER_LINE
    measured = measurements.read(path)
    assert measured.files == ("emissions.csv",)
    assert (measured.rows, measured.runs) == (3, 2)
    assert measured.energy_kwh == pytest.approx(1.5 + 0.75)
    assert measured.co2eq_kg == pytest.approx(0.84 + 0.42)
    assert measured.duration_s == pytest.approx(3600 + 1800)
    assert measured.pues == (1.5,)
    assert measured.it_energy_kwh == pytest.approx(2.25 / 1.5)
    assert measured.places == ("FRA",)


def test_the_longest_duration_holds_the_totals_in_any_row_order(emissions) -> None:
    # codecarbon's "update" mode rewrites the file, so a run's rows need not stay in order.
    measured = measurements.read(emissions([ROWS[2], ROWS[1], ROWS[0]]))
    assert measured.energy_kwh == pytest.approx(2.25)


def test_without_a_duration_column_the_last_row_holds_the_totals(write) -> None:
    text = "run_id,energy_consumed,emissions\nr1,1.0,0.5\nr1,3.0,1.5\nr2,2.0,1.0\n"
    measured = measurements.read(write(text.encode(), "emissions.csv"))
    assert (measured.energy_kwh, measured.co2eq_kg, measured.runs) == (5.0, 2.5, 2)
    assert measured.duration_s is None


def test_run_id_selects_one_run(emissions) -> None:
    path = emissions()
    run_a = measurements.read(path, "run-a")
    assert (run_a.rows, run_a.runs, run_a.energy_kwh, run_a.co2eq_kg) == (2, 1, 1.5, 0.84)
    run_b = measurements.read(path, "run-b")
    assert (run_b.rows, run_b.runs, run_b.energy_kwh, run_b.co2eq_kg) == (1, 1, 0.75, 0.42)


def test_columns_are_read_by_name_in_any_order(emissions) -> None:
    in_order = measurements.read(emissions(name="in-order.csv"))
    shuffled = measurements.read(emissions(header=list(reversed(HEADER))))
    assert shuffled == dataclasses.replace(in_order, files=("emissions.csv",))


def test_old_twelve_column_header(emissions) -> None:
    rows = [
        {**row("", 100.0, 0.002, 0.01), "experiment_id": "e1", "region": "quebec"},
        {**row("", 200.0, 0.004, 0.02), "experiment_id": "e1", "region": "quebec"},
    ]
    # Without a run_id column, each row is a run: they add up.
    measured = measurements.read(emissions(rows, OLD_HEADER))
    assert (measured.rows, measured.runs, measured.rows_without_run_id) == (2, 2, 2)
    assert measured.energy_kwh == pytest.approx(0.03)
    assert measured.co2eq_kg == pytest.approx(0.006)
    assert measured.duration_s == pytest.approx(300)
    assert measured.pues == ()
    assert measured.places == ("FRA/quebec",)


def test_only_the_required_columns(write) -> None:
    path = write(b"energy_consumed,emissions\n2.0,0.5\n1.0,0.25\n", "emissions.csv")
    measured = measurements.read(path)
    assert (measured.rows, measured.energy_kwh, measured.co2eq_kg) == (2, 3.0, 0.75)
    assert measured.duration_s is None
    assert measured.pues == ()
    assert measured.places == ()


def test_byte_order_mark_is_tolerated(write) -> None:
    path = write(("\ufeff" + csv_text(ROWS)).encode(), "emissions.csv")
    assert measurements.read(path).rows == 3


def test_crlf_line_ends(write) -> None:
    path = write(csv_text(ROWS).replace("\n", "\r\n").encode(), "emissions.csv")
    assert measurements.read(path).energy_kwh == pytest.approx(2.25)


def test_several_places(emissions) -> None:
    rows = [*ROWS, row("run-c", 60.0, 0.01, 0.1, country_iso_code="CAN", region="quebec")]
    assert measurements.read(emissions(rows)).places == ("FRA", "CAN/quebec")


# --- errors ------------------------------------------------------------------------------------


def test_missing_column(write) -> None:
    path = write(b"timestamp,emissions,duration\n2024-05-01,0.5,10\n", "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv:1:1: no energy_consumed column; is this codecarbon's emissions.csv?"
    ]


def test_missing_both_columns(write) -> None:
    path = write(b"a,b\n1,2\n", "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv:1:1: no emissions or energy_consumed column; is this codecarbon's emissions.csv?"
    ]


def test_non_number_cell_has_its_line_number(emissions) -> None:
    rows = [*ROWS[:2], row("run-a", 600.0, 0.14, 0.25, emissions="n/a")]
    assert read_errors(emissions(rows)) == [
        "emissions.csv:4:1: emissions: expected a number >= 0, got 'n/a'"
    ]


def test_every_bad_cell_is_reported(emissions) -> None:
    rows = [
        row("run-a", 600.0, 0.14, 0.25, energy_consumed=""),
        ROWS[1],
        row("run-a", 600.0, 0.14, 0.25, emissions="-1", pue="high"),
    ]
    assert read_errors(emissions(rows)) == [
        "emissions.csv:2:1: energy_consumed: expected a number >= 0, got ''",
        "emissions.csv:4:1: emissions: expected a number >= 0, got '-1'",
        "emissions.csv:4:1: pue: expected a number >= 0, got 'high'",
    ]


def test_nan_cell_is_refused(emissions) -> None:
    rows = [row("run-a", 600.0, 0.14, 0.25, energy_consumed="nan")]
    assert read_errors(emissions(rows)) == [
        "emissions.csv:2:1: energy_consumed: expected a number >= 0, got 'nan'"
    ]


def test_no_rows_for_run_id_lists_the_runs_of_the_file(emissions) -> None:
    assert read_errors(emissions(), "run-z") == [
        "emissions.csv: no run_id 'run-z' in emissions.csv; its runs are run-a (emissions.csv:2), "
        "run-b (emissions.csv:3)"
    ]


def test_header_only(emissions) -> None:
    assert read_errors(emissions([])) == [
        "emissions.csv: has no rows; run a codecarbon tracker first"
    ]


def test_missing_file(workdir) -> None:
    assert read_errors(Path("nope.csv")) == [
        "nope.csv: no such file; codecarbon_csv is relative to project.yaml"
    ]


def test_not_utf8(write) -> None:
    path = write(b"energy_consumed,emissions\n1,0.5\n\xff\xfe\n", "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv: is not a UTF-8 text file; give codecarbon's emissions.csv"
    ]


def test_too_large(write, monkeypatch) -> None:
    monkeypatch.setattr(measurements, "MAX_BYTES", 10)
    path = write(b"energy_consumed,emissions\n1,0.5\n", "emissions.csv")
    assert read_errors(path) == ["emissions.csv: is 32 bytes; an emissions.csv may be at most 10"]


def test_the_size_limit_holds_while_reading(write, monkeypatch) -> None:
    # A file that grows, or reports less than it holds, is cut at the limit: read limit + 1 bytes.
    path = write(b"energy_consumed,emissions\n1,0.5\n", "emissions.csv")
    real_fstat = os.fstat

    def fstat(descriptor: int) -> os.stat_result:
        info = real_fstat(descriptor)
        return os.stat_result((*info[:6], 0, *info[7:]))  # st_size 0, like /proc files

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(measurements, "MAX_BYTES", 10)
    assert read_errors(path) == [
        "emissions.csv: is more than 10 bytes; an emissions.csv may be at most that"
    ]


def test_a_cell_over_the_csv_field_limit_is_one_line(write) -> None:
    # csv.Error: field larger than field limit (131072) was a traceback.
    path = write(f'energy_consumed,emissions\n1,0.5\n"{"1" * 200_000}",0.5\n'.encode(), "e.csv")
    assert read_errors(path) == [
        "e.csv:3:1: is not a CSV file codecarbon wrote: field larger than field limit (131072)"
    ]


def test_a_long_bad_cell_is_cut(write) -> None:
    path = write(f"energy_consumed,emissions\n{'9' * 5000},0.5\n".encode(), "emissions.csv")
    assert read_errors(path) == [
        f"emissions.csv:2:1: energy_consumed: expected a number >= 0, got '{'9' * 57}...'"
    ]


def test_problems_stop_after_a_hundred(write) -> None:
    path = write(b"energy_consumed,emissions\n" + b"x,0.5\n" * 1000, "emissions.csv")
    found = read_errors(path)
    assert len(found) == 101
    assert found[99] == "emissions.csv:101:1: energy_consumed: expected a number >= 0, got 'x'"
    assert found[100] == (
        "emissions.csv: stopped after the first 100 problems; fix these and run again"
    )


def test_lines_are_bounded(write, monkeypatch) -> None:
    # 46 MB of "1,1" rows took 26 s and 978 MB.
    monkeypatch.setattr(measurements, "MAX_ROWS", 5)
    path = write(b"energy_consumed,emissions\n" + b"1,1\n" * 5, "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv:6:1: has more than 5 lines; is this codecarbon's emissions.csv?"
    ]
    path.write_bytes(b"energy_consumed,emissions\n" + b"1,1\n" * 4)
    assert measurements.read(path).rows == 4


def test_runs_are_bounded(write, monkeypatch) -> None:
    monkeypatch.setattr(measurements, "MAX_RUNS", 3)
    rows = "".join(f"r{i},1,1\n" for i in range(4))
    path = write(f"run_id,energy_consumed,emissions\n{rows}".encode(), "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv:5:1: has more than 3 runs; is this codecarbon's emissions.csv?"
    ]


def test_distinct_places_and_pues_take_linear_time_and_are_capped(write) -> None:
    # Each distinct value was looked for in a list of all before: quadratic in the rows.
    lines = "".join(f"1,1,{1 + i / 1_000_000},C{i}\n" for i in range(100_000))
    path = write(f"energy_consumed,emissions,pue,country_iso_code\n{lines}".encode(), "e.csv")
    started = time.perf_counter()
    measured = measurements.read(path)
    assert time.perf_counter() - started < 20  # about 0.3 s; the lists took 80 s
    assert measured.rows == 100_000
    assert measured.places == (*(f"C{i}" for i in range(20)), "and 99,980 more")
    assert len(measured.pues) == 20


def test_control_characters_in_places_are_refused(write) -> None:
    path = write(b"energy_consumed,emissions,region\n1,1,\x1b]0;owned\x07\n", "emissions.csv")
    assert read_errors(path) == [
        "emissions.csv:2:1: country_iso_code/region: contains the control character U+001B; "
        "remove it"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_is_refused_without_blocking(write) -> None:
    # Reading a FIFO waits for a writer: `govcard validate` never ended.
    Path("runs").mkdir()
    os.mkfifo("runs/emissions.csv")
    write(PROJECT.format(csv="runs/emissions.csv"))
    result = govcard_bounded("validate", "project.yaml")
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "project.yaml:7:23: models[0].training.codecarbon_csv: runs/emissions.csv is a named pipe "
        "(FIFO), not a regular file; give the path of codecarbon's emissions.csv"
    ]
    assert result.returncode == 2


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading(write) -> None:
    # Its reported size is 0: read until memory ran out.
    os.symlink("/dev/zero", "emissions.csv")
    write(PROJECT.format(csv="emissions.csv"))
    for command in ("validate", "carbon"):
        result = govcard_bounded(command, "project.yaml")
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines() == [
            "project.yaml:7:23: models[0].training.codecarbon_csv: emissions.csv is a character "
            "device, not a regular file; give the path of codecarbon's emissions.csv"
        ]
        assert result.returncode == 2


# --- in a project ------------------------------------------------------------------------------

PROJECT = textwrap.dedent(
    """\
    project:
      name: Demo
    models:
      - id: demo
        name: Demo
        training:
          codecarbon_csv: {csv}
    """
)


def test_footprint_from_codecarbon(write, emissions) -> None:
    emissions(name="runs/emissions.csv")
    path = write(PROJECT.format(csv="runs/emissions.csv"))
    (result,) = carbon.footprints(loader.load(path))
    assert result.method == "codecarbon"
    assert result.facility_energy_kwh == pytest.approx(2.25)
    assert result.pue == 1.5
    assert result.energy_kwh == pytest.approx(2.25 / 1.5)
    assert result.co2eq_kg == pytest.approx(1.26)
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(1.26 / 2.25)
    assert result.intensity_source == (
        "codecarbon measurement (runs/emissions.csv, 2 runs of 3 rows); codecarbon's bundled figure for FRA is lifecycle: every source's emissions over its life "
        "cycle, hydro, nuclear and wind included (Ember, via Our World in Data) (unless the "
        "tracker used a cloud region's or a live Electricity Maps figure)"
    )
    assert result.intensity_basis == "lifecycle"
    assert result.location == "FRA"
    assert result.gpu_hours is None
    assert result.steps == [
        "codecarbon measured 2.25 kWh (PUE included; recorded PUE: 1.5) and 1.3 kg CO2eq in "
        "2 runs of runs/emissions.csv",
        "each run counts once, by its last row: codecarbon's rows hold a run's totals so far "
        "(3 rows for 2 runs)",
        "IT energy = each run's energy / its PUE = 1.50 kWh",
    ]
    assert result.consistency.status == "unverified"


def test_footprint_of_one_run_checked_against_reported(write, emissions) -> None:
    emissions(name="runs/emissions.csv")
    text = PROJECT.format(csv="runs/emissions.csv")
    text += "      codecarbon_run_id: run-b\n      reported: {co2eq: 420 g, energy: 750 Wh}\n"
    (result,) = carbon.footprints(loader.load(write(text)))
    assert result.co2eq_kg == pytest.approx(0.42)
    assert (result.intensity_source or "").startswith(
        "codecarbon measurement (runs/emissions.csv, 1 run of 1 row); "
    )
    assert result.consistency.status == "consistent"
    assert result.consistency.message == (
        "reported 420 g matches the computed 420.0 g; "
        "reported 750 Wh is the facility energy, PUE included"
    )


def test_mixed_pue_rows_give_the_it_energy_of_each(emissions, write) -> None:
    # energy_consumed includes each row's PUE, so the IT energy is the sum of energy / pue.
    rows = [row("a", 60.0, 0.1, 1.5, pue=1.5), row("b", 60.0, 0.1, 1.2, pue=1.2)]
    emissions(rows, name="runs/emissions.csv")
    (result,) = carbon.footprints(loader.load(write(PROJECT.format(csv="runs/emissions.csv"))))
    assert result.facility_energy_kwh == pytest.approx(2.7)
    assert result.energy_kwh == pytest.approx(1.5 / 1.5 + 1.2 / 1.2)


def test_missing_csv_is_located_at_the_key(write) -> None:
    path = write(PROJECT.format(csv="runs/nope.csv"))
    project = loader.load(path)
    assert refused(project) == (
        "project.yaml:7:23: models[0].training.codecarbon_csv: "
        "runs/nope.csv no such file; codecarbon_csv is relative to project.yaml"
    )


def test_csv_path_is_relative_to_the_project_file(workdir, emissions, write) -> None:
    emissions(name="sub/runs/emissions.csv")
    write(PROJECT.format(csv="runs/emissions.csv"), "sub/project.yaml")
    (result,) = carbon.footprints(loader.load(workdir / "sub" / "project.yaml"))
    assert result.co2eq_kg == pytest.approx(1.26)


def test_bad_cell_is_located_in_the_csv(write, emissions) -> None:
    emissions([ROWS[0], row("x", 1.0, 0.1, 0.1, energy_consumed="lots")], name="runs/e.csv")
    project = loader.load(write(PROJECT.format(csv="runs/e.csv")))
    assert refused(project) == "runs/e.csv:3:1: energy_consumed: expected a number >= 0, got 'lots'"


def test_codecarbon_csv_replaces_the_compute_facts(errors) -> None:
    text = PROJECT.format(csv="runs/emissions.csv") + "      gpu_hours: 10\n      pue: 1.1\n"
    assert errors(text) == [
        "project.yaml:7:7: models[0].training: codecarbon_csv replaces the compute facts; remove gpu_hours, pue"
    ]


def test_run_id_needs_a_csv(errors) -> None:
    text = PROJECT.format(csv="x.csv").replace("codecarbon_csv: x.csv", "codecarbon_run_id: r1")
    assert errors(text) == [
        "project.yaml:7:7: models[0].training: codecarbon_run_id needs codecarbon_csv"
    ]


# --- files made by the real codecarbon tracker (tests/fixtures/codecarbon/README.md) -----------

CODECARBON = Path(__file__).resolve().parent / "fixtures" / "codecarbon"


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_a_real_two_flush_run_counts_its_last_row_not_the_sum_of_its_rows() -> None:
    # codecarbon appends a row at every flush with the run's totals so far. Summing them counted
    # the first half of the run twice: 0.0204 Wh where the tracker measured 0.0138 Wh (+48%).
    path = CODECARBON / "two-flush" / "emissions.csv"
    first, last = csv_rows(path)
    assert first["run_id"] == last["run_id"]
    assert float(first["duration"]) < float(last["duration"])
    assert float(first["energy_consumed"]) < float(last["energy_consumed"])
    measured = measurements.read(path)
    assert (measured.rows, measured.runs) == (2, 1)
    assert measured.energy_kwh == float(last["energy_consumed"])
    assert measured.co2eq_kg == float(last["emissions"])
    assert measured.duration_s == float(last["duration"])
    summed = float(first["energy_consumed"]) + float(last["energy_consumed"])
    assert measured.energy_kwh < summed
    assert measured.places == ("CAN/quebec",)


def test_real_runs_appended_to_one_file_add_up() -> None:
    path = CODECARBON / "two-runs" / "emissions.csv"
    rows = csv_rows(path)
    lasts = [rows[1], rows[3]]
    assert len({row["run_id"] for row in rows}) == 2
    measured = measurements.read(path)
    assert (measured.rows, measured.runs) == (4, 2)
    assert measured.energy_kwh == pytest.approx(sum(float(r["energy_consumed"]) for r in lasts))
    assert measured.co2eq_kg == pytest.approx(sum(float(r["emissions"]) for r in lasts))
    one = measurements.read(path, rows[2]["run_id"])
    assert one.energy_kwh == float(rows[3]["energy_consumed"])


NODES_PROJECT = PROJECT.replace("codecarbon_csv: {csv}", "codecarbon_csv: [{first}, {second}]")


def nodes(write, first: str = "runs/node-0.csv", second: str = "runs/node-1.csv") -> Path:
    for node in (0, 1):
        write((CODECARBON / "nodes" / f"node-{node}.csv").read_bytes(), f"runs/node-{node}.csv")
    return write(NODES_PROJECT.format(first=first, second=second))


def test_one_file_per_node_adds_up(write) -> None:
    (result,) = carbon.footprints(loader.load(nodes(write)))
    lasts = [csv_rows(CODECARBON / "nodes" / f"node-{n}.csv")[-1] for n in (0, 1)]
    assert result.facility_energy_kwh == pytest.approx(
        sum(float(r["energy_consumed"]) for r in lasts)
    )
    assert result.co2eq_kg == pytest.approx(sum(float(r["emissions"]) for r in lasts))
    assert (result.intensity_source or "").startswith(
        "codecarbon measurement (2 files (runs/node-0.csv, runs/node-1.csv), 2 runs of 4 rows); "
    )


def test_a_file_listed_twice_is_an_error(write) -> None:
    project = loader.load(nodes(write, second="runs/../runs/node-0.csv"))
    assert refused(project) == (
        "project.yaml:7:41: models[0].training.codecarbon_csv[1]: runs/../runs/node-0.csv is "
        "listed twice (as runs/node-0.csv); list each file once"
    )


def test_a_copy_of_a_file_is_an_error(write) -> None:
    write((CODECARBON / "nodes" / "node-0.csv").read_bytes(), "runs/copy.csv")
    project = loader.load(nodes(write, second="runs/copy.csv"))
    assert refused(project) == (
        "project.yaml:7:41: models[0].training.codecarbon_csv[1]: runs/copy.csv has the same "
        "content as runs/node-0.csv: the same measurement twice; list it once"
    )


def test_the_same_run_in_two_files_is_an_error_located_in_the_second(write) -> None:
    # The first flush of node 0's run, saved apart: counting both would count it twice.
    header, first_row, _ = (CODECARBON / "nodes" / "node-0.csv").read_text().splitlines()
    write(f"{header}\n{first_row}\n", "runs/partial.csv")
    project = loader.load(nodes(write, second="runs/partial.csv"))
    run_id = csv_rows(CODECARBON / "nodes" / "node-0.csv")[0]["run_id"]
    assert refused(project) == (
        f"runs/partial.csv:2:1: run_id {run_id!r} is also in runs/node-0.csv (line 2): the same "
        "run would count twice; remove the copy, or keep one file per GPU or node"
    )


def test_run_id_picks_one_run_among_several_files(write) -> None:
    run_id = csv_rows(CODECARBON / "nodes" / "node-1.csv")[0]["run_id"]
    text = nodes(write).read_text() + f"      codecarbon_run_id: {run_id}\n"
    (result,) = carbon.footprints(loader.load(write(text)))
    last = csv_rows(CODECARBON / "nodes" / "node-1.csv")[-1]
    assert result.facility_energy_kwh == float(last["energy_consumed"])


def test_an_unknown_run_id_is_located_at_its_key_and_lists_the_runs(write, emissions) -> None:
    emissions(name="runs/emissions.csv")
    text = PROJECT.format(csv="runs/emissions.csv") + "      codecarbon_run_id: run-z\n"
    project = loader.load(write(text))
    assert refused(project) == (
        "project.yaml:8:26: models[0].training.codecarbon_run_id: no run_id 'run-z' in "
        "runs/emissions.csv; its runs are run-a (runs/emissions.csv:2), "
        "run-b (runs/emissions.csv:3)"
    )


def test_a_run_id_in_a_file_without_run_ids(write) -> None:
    write(b"energy_consumed,emissions\n1,0.5\n", "runs/old.csv")
    text = PROJECT.format(csv="runs/old.csv") + "      codecarbon_run_id: run-a\n"
    project = loader.load(write(text))
    assert refused(project) == (
        "project.yaml:8:26: models[0].training.codecarbon_run_id: no run_id 'run-a' in "
        "runs/old.csv, which has no run ids; remove codecarbon_run_id"
    )


def test_a_tiny_measured_run_prints_meaningful_units(write) -> None:
    write((CODECARBON / "two-flush" / "emissions.csv").read_bytes(), "runs/emissions.csv")
    (result,) = carbon.footprints(loader.load(write(PROJECT.format(csv="runs/emissions.csv"))))
    assert result.steps[0] == (
        "codecarbon measured 0.0138 Wh (PUE included; recorded PUE: 1) and 0.0000543 g CO2eq in "
        "1 run of runs/emissions.csv"
    )
    assert "0.00 kWh" not in " ".join(result.steps)
    data = result.as_json()
    # As codecarbon wrote them, to 15 significant digits; rounding to 6 decimals gave 0.0 kg.
    assert data["co2eq_kg"] == pytest.approx(5.4289367163270165e-08, rel=1e-14)
    assert data["facility_energy_kwh"] == pytest.approx(1.3788283453368693e-05, rel=1e-14)
    # Quebec, as codecarbon's data has it: fossil combustion only.
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.0039, abs=0.0001)
    assert result.intensity_basis == "fossil combustion only"
    assert "codecarbon's bundled figure for CAN/quebec is fossil combustion only: " in (
        result.intensity_source or ""
    )


# --- the real tracker, run live -----------------------------------------------------------------


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory):
    """A real codecarbon run, offline in Quebec, flushed once: (its emissions.csv, the totals
    the tracker itself returned)."""
    codecarbon = pytest.importorskip("codecarbon")
    folder = tmp_path_factory.mktemp("codecarbon")
    tracker = codecarbon.OfflineEmissionsTracker(
        project_name="govcard-test",
        country_iso_code="CAN",
        region="quebec",
        output_dir=str(folder),
        measure_power_secs=1,
        output_methods=[codecarbon.OutputMethod.CSV],
        log_level="error",
        tracking_mode="process",
    )
    tracker.start()
    time.sleep(0.2)
    tracker.flush()
    time.sleep(0.2)
    tracker.stop()
    return folder / "emissions.csv", tracker.final_emissions_data


def test_the_live_tracker_totals_are_what_govcard_reads(live_run) -> None:
    path, totals = live_run
    rows = csv_rows(path)
    assert len(rows) == 2  # the flush and the stop
    measured = measurements.read(path)
    assert measured.runs == 1
    assert measured.energy_kwh == pytest.approx(totals.energy_consumed, rel=1e-12)
    assert measured.co2eq_kg == pytest.approx(totals.emissions, rel=1e-12)
    assert measured.duration_s == pytest.approx(totals.duration, rel=1e-12)
    assert measured.energy_kwh < sum(float(r["energy_consumed"]) for r in rows)
