"""The CLI through typer's CliRunner: exit codes, no traceback, nothing written on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from scheduler.cli.app import app

DATA = Path(__file__).parent.parent / "data"
runner = CliRunner()


def test_solve_then_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "solve",
            str(DATA / "tiny_csv"),
            "--out",
            str(out),
            "--time-limit",
            "2",
            "--solution-limit",
            "100",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Visits assigned" in result.stdout
    assert (out / "roster.json").exists() and (out / "unassigned.csv").exists()
    checked = runner.invoke(app, ["check", str(DATA / "tiny_csv"), str(out / "roster.json")])
    assert checked.exit_code == 0 and "no violations" in checked.stdout


def test_check_finds_a_tampered_roster(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner.invoke(
        app,
        [
            "solve",
            str(DATA / "tiny_csv"),
            "--out",
            str(out),
            "-q",
            "--time-limit",
            "2",
            "--solution-limit",
            "100",
        ],
    )
    raw = json.loads((out / "roster.json").read_text())
    raw["routes"][0]["stops"][0]["start"] = "2026-11-24T05:00:00+01:00"
    (out / "roster.json").write_text(json.dumps(raw))
    result = runner.invoke(app, ["check", str(DATA / "tiny_csv"), str(out)])
    assert result.exit_code == 1
    assert "[visit_window]" in result.stdout


def test_bad_scenario_exits_2_without_traceback_or_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(DATA / "bad_csv"), "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "visits.csv, row 2 (id V1), field 'duration_min'" in result.stderr
    assert not out.exists()


def test_an_unusable_output_folder_or_time_limit_exits_2_before_the_solve(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("kept", encoding="utf-8")
    tiny = str(DATA / "tiny_csv")
    for args, named in (
        (["--out", str(notes)], "is a file"),
        (["--out", str(tmp_path)], "holds files no command wrote"),
        (["--out", str(notes / "out")], "cannot be written"),
        (["--out", str(tmp_path / "out"), "--time-limit", "1e308"], "--time-limit"),
    ):
        result = runner.invoke(app, ["solve", tiny, "-q", *args])
        assert result.exit_code == 2, result.output
        assert named in result.output and "Traceback" not in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert notes.read_text(encoding="utf-8") == "kept"


def test_validate_good_and_bad() -> None:
    good = runner.invoke(app, ["validate", str(DATA / "tiny_csv")])
    assert good.exit_code == 0 and good.stdout.startswith("OK: 2 caregivers")
    bad = runner.invoke(app, ["validate", str(DATA / "bad.json")])
    assert bad.exit_code == 2 and "time_zone" in bad.stderr


def test_check_with_unreadable_roster_exits_2(tmp_path: Path) -> None:
    (tmp_path / "roster.json").write_text("{not json")
    result = runner.invoke(app, ["check", str(DATA / "tiny_csv"), str(tmp_path / "roster.json")])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_solve_and_check_on_roads_from_addresses(tmp_path: Path) -> None:
    town, out = DATA / "town_csv", tmp_path / "out"
    result = runner.invoke(
        app, ["solve", str(town), "--out", str(out), "-t", "2", "--solution-limit", "50"]
    )
    assert result.exit_code == 0, result.output
    assert "Visits assigned:   4 of 4" in result.stdout
    checked = runner.invoke(app, ["check", str(town), str(out)])
    assert checked.exit_code == 0 and "no violations" in checked.stdout


def test_map_option_switches_a_scenario_to_road_travel(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["solve", str(DATA / "tiny_csv"), "-o", str(out), "-t", "2", "--solution-limit", "50"]
    result = runner.invoke(app, [*args, "--map", str(DATA / "maps" / "tiny_town.osm")])
    assert result.exit_code == 0, result.output
    # tiny_csv lies about 4 km from the hand-made town: every door is far from its roads.
    assert "warning: " in result.stderr and "more than 250 m" in result.stderr
    road = runner.invoke(
        app,
        ["check", str(DATA / "tiny_csv"), str(out), "--map", str(DATA / "maps" / "tiny_town.osm")],
    )
    assert road.exit_code == 0, road.output


def test_road_travel_without_a_map_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(DATA / "tiny_csv"), "--travel", "road"])
    assert result.exit_code == 2
    assert "road travel needs a map_file" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_address_exits_2_naming_row_and_closest(tmp_path: Path) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    for name in ("scenario.json", "caregivers.csv", "visits.csv"):
        (folder / name).write_text(
            (DATA / "town_csv" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    (folder / "clients.csv").write_text(
        'id,address\nP1,"Lindenstrasse 6, Bindlach"\n'
        'P2,"Hauptstraße 1, Bayreuth"\nP3,Lindenstraße 5\n',
        encoding="utf-8",
    )
    (folder / "scenario.json").write_text(
        (DATA / "town_csv" / "scenario.json")
        .read_text(encoding="utf-8")
        .replace("../maps/tiny_town.osm", str(DATA / "maps" / "tiny_town.osm")),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert "clients.csv, row 2 (id P1), field 'address'" in result.stderr
    assert "closest: Lindenstraße" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_plan_writes_the_week_and_its_reports(tmp_path: Path) -> None:
    out = tmp_path / "week"
    args = ["plan", str(DATA / "tiny_plan" / "plan.json"), "--start", "2026-11-30", "--days", "3"]
    result = runner.invoke(
        app, [*args, "--out", str(out), "-t", "5", "--solution-limit", "1500", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Continuity of care" in result.stdout and "Demand:" in result.stdout
    assert "First stage (days and caregivers over the horizon)" in result.stdout
    for name in ("roster.json", "demand.csv", "flags.csv", "continuity.csv", "summary.txt"):
        assert (out / name).exists(), name
    assert "cost 0," not in result.stdout and "Mon 2026-11-30 leaves" in result.stdout
    checked = runner.invoke(app, ["check", str(out / "scenario.json"), str(out / "roster.json")])
    assert checked.exit_code == 0, checked.output
    greedy = runner.invoke(
        app, [*args, "--out", str(tmp_path / "greedy"), "-t", "5", "--no-first-stage"]
    )
    assert greedy.exit_code == 0, greedy.output
    assert "Continuity of care" in greedy.stdout and "First stage" not in greedy.stdout


def test_plan_with_a_bad_record_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    source = DATA / "tiny_plan"
    (plan_dir / "agency.json").write_text((source / "agency.json").read_text(encoding="utf-8"))
    text = (source / "plan.json").read_text(encoding="utf-8")
    (plan_dir / "plan.json").write_text(text.replace('"duration_min": 45', '"duration_min": -5'))
    out = tmp_path / "week"
    result = runner.invoke(
        app, ["plan", str(plan_dir / "plan.json"), "--start", "2026-11-30", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "care_plans[0]" in result.output and "duration_min" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_solve_takes_workers_and_reports_an_unreachable_cluster_as_bad_input(
    tmp_path: Path,
) -> None:
    base = ["solve", str(DATA / "tiny_csv"), "-q", "--time-limit", "2", "--solution-limit", "50"]
    result = runner.invoke(app, [*base, "--out", str(tmp_path / "a"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, [*base, "--out", str(tmp_path / "b"), "--workers", "0"])
    assert bad.exit_code == 2


def test_repair_writes_the_roster_changes_and_whom_to_tell(tmp_path: Path) -> None:
    base = tmp_path / "base"
    solved = runner.invoke(
        app, ["solve", str(DATA / "tiny_csv"), "--out", str(base), "-t", "2", "-q"]
    )
    assert solved.exit_code == 0, solved.output
    events = tmp_path / "events.csv"
    events.write_text("kind,visit_id\nvisit_cancelled,V3\n", encoding="utf-8")
    out = tmp_path / "repaired"
    args = ["repair", str(DATA / "tiny_csv"), str(base), str(events), "--at"]
    result = runner.invoke(app, [*args, "2026-11-24T07:00", "--out", str(out), "-t", "2"])
    assert result.exit_code == 0, result.output
    assert "published visits changed" in result.stdout
    changes = (out / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert changes[1].startswith("V3,P2,cancelled,")
    # valid for the day as it now is, which the repair writes beside it
    checked = runner.invoke(app, ["check", str(out / "scenario.json"), str(out / "roster.json")])
    assert checked.exit_code == 0, checked.output


def test_repair_with_bad_events_exits_2_naming_the_row(tmp_path: Path) -> None:
    base = tmp_path / "base"
    runner.invoke(app, ["solve", str(DATA / "tiny_csv"), "--out", str(base), "-t", "2", "-q"])
    events = tmp_path / "events.csv"
    events.write_text("kind,caregiver_id,start\ncaregiver_unavailable,NOBODY,2026-11-24T10:00\n")
    out = tmp_path / "repaired"
    args = ["repair", str(DATA / "tiny_csv"), str(base), str(events), "--at", "2026-11-24T07:00"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "caregiver_id" in result.output
    assert "Traceback" not in result.output and not out.exists()
    bad_time = runner.invoke(app, [*args[:-1], "half past seven", "--out", str(out)])
    assert bad_time.exit_code == 2 and not out.exists()


def test_validate_reads_a_plan_file_as_a_plan(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", str(DATA / "tiny_plan" / "plan.json")])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("OK (plan):")
    source = DATA / "tiny_plan"
    (tmp_path / "agency.json").write_text((source / "agency.json").read_text(encoding="utf-8"))
    text = (source / "plan.json").read_text(encoding="utf-8")
    (tmp_path / "plan.json").write_text(text.replace('"duration_min": 45', '"duration_min": -5'))
    bad = runner.invoke(app, ["validate", str(tmp_path / "plan.json")])
    assert bad.exit_code == 2 and "duration_min" in bad.output and "Traceback" not in bad.output


def test_retime_reports_what_a_hand_edited_order_breaks(tmp_path: Path) -> None:
    edited = tmp_path / "edited.csv"
    edited.write_text("caregiver_id,visit_id\nA,V3\nA,V1\n", encoding="utf-8")
    out = tmp_path / "retimed"
    result = runner.invoke(app, ["retime", str(DATA / "tiny_csv"), str(edited), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Rules broken by this order" in result.stdout and "V1" in result.stdout
    assert (out / "roster.json").exists() and (out / "violations.txt").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("caregiver_id,visit_id\nNOBODY,V1\n", encoding="utf-8")
    refused = runner.invoke(
        app, ["retime", str(DATA / "tiny_csv"), str(bad), "--out", str(out / "x")]
    )
    assert refused.exit_code == 2 and "NOBODY" in refused.output and not (out / "x").exists()


def test_whatif_solves_variants_side_by_side_and_compare_lists_the_changes(
    tmp_path: Path,
) -> None:
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps({"remove_caregivers": ["B"]}), encoding="utf-8")
    wider = tmp_path / "wider.json"
    wider.write_text(json.dumps({"widen_windows_min": 60}), encoding="utf-8")
    out = tmp_path / "whatif"
    args = ["whatif", str(DATA / "tiny_csv"), "--variant", f"fewer={fewer}"]
    args += ["--variant", f"wider={wider}", "--out", str(out), "-t", "2", "--workers", "1"]
    result = runner.invoke(app, [*args, "--solution-limit", "100"])
    assert result.exit_code == 0, result.output
    header = (out / "compare.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",base,fewer,wider"
    assert "| visits assigned |" in (out / "compare.md").read_text(encoding="utf-8")
    for name in ("base", "fewer", "wider"):
        assert (out / name / "roster.json").exists() and (out / name / "report.html").exists()
    page = (out / "report.html").read_text(encoding="utf-8")  # the base's, variants beside
    assert 'id="variants"' in page and 'data-variant="wider"' in page
    assert 'id="comparison"' in page
    compared = runner.invoke(
        app, ["compare", str(out / "base"), str(out / "fewer"), "--out", str(tmp_path / "cmp")]
    )
    assert compared.exit_code == 0, compared.output
    assert "visits differ" in compared.stdout and (tmp_path / "cmp" / "changes.csv").exists()
    page = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert page.count('data-variant="A"') == page.count('data-variant="B"') > 5
    assert 'id="comparison"' in page and "<script src=" not in page


def test_whatif_with_a_bad_variant_exits_2_naming_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"widen_windows_min": -5}), encoding="utf-8")
    out = tmp_path / "whatif"
    args = ["whatif", str(DATA / "tiny_csv"), "--variant", f"bad={bad}", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert str(bad) in result.output and "widen_windows_min" in result.output
    assert not out.exists()


def test_whatif_on_a_plan_plans_each_variant_week(tmp_path: Path) -> None:
    away = tmp_path / "away.json"
    away.write_text(
        json.dumps({"add_time_off": [{"caregiver_id": "bob", "start": "2026-12-01"}]}),
        encoding="utf-8",
    )
    plan = str(DATA / "tiny_plan" / "plan.json")
    out = tmp_path / "whatif"
    args = ["whatif", plan, "--variant", f"away={away}", "--out", str(out), "-t", "4"]
    missing_start = runner.invoke(app, args)
    assert missing_start.exit_code == 2 and "--start" in missing_start.output
    no_end = runner.invoke(app, [*args, "--start", "2026-11-30", "--days", "3"])
    assert no_end.exit_code == 2 and "add_time_off.0.end" in no_end.output, no_end.output
    away.write_text(
        json.dumps(
            {"add_time_off": [{"caregiver_id": "bob", "start": "2026-12-01", "end": "2026-12-01"}]}
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, [*args, "--start", "2026-11-30", "--days", "3", "--solution-limit", "1500"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "compare.csv").read_text(encoding="utf-8").splitlines()[0] == ",base,away"
    for name in ("base", "away"):
        assert (out / name / "demand.csv").exists()
        checked = runner.invoke(
            app, ["check", str(out / name / "scenario.json"), str(out / name / "roster.json")]
        )
        assert checked.exit_code == 0, checked.output
    on_a_day = runner.invoke(
        app, ["whatif", str(DATA / "tiny_csv"), "--variant", f"away={away}", "-o", str(out)]
    )
    assert on_a_day.exit_code == 2 and "add_time_off" in on_a_day.output
    assert "applies only to a plan's week" in on_a_day.output


def test_an_unknown_weekday_code_in_a_plan_is_named_not_a_traceback(tmp_path: Path) -> None:
    source = DATA / "tiny_plan"
    (tmp_path / "agency.json").write_text((source / "agency.json").read_text(encoding="utf-8"))
    plan = json.loads((source / "plan.json").read_text(encoding="utf-8"))
    plan["availability"][0]["days"] = ["MO", "XX"]
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "plan.json")])
    assert result.exit_code == 2, result.output
    assert "unknown weekday 'XX'" in result.output and "availability" in result.output


def test_schema_prints_a_json_schema() -> None:
    result = runner.invoke(app, ["schema", "events"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "homecare-scheduler events"
    assert runner.invoke(app, ["schema", "nonsense"]).exit_code == 2


def test_solve_writes_the_report_beside_the_roster_unless_told_not_to(tmp_path: Path) -> None:
    fast = ["-t", "2", "--solution-limit", "100", "-q"]
    with_report, without = tmp_path / "with", tmp_path / "without"
    result = runner.invoke(app, ["solve", str(DATA / "tiny_csv"), "-o", str(with_report), *fast])
    assert result.exit_code == 0, result.output
    page = (with_report / "report.html").read_text(encoding="utf-8")
    roster = json.loads((with_report / "roster.json").read_text(encoding="utf-8"))
    assert f'data-kpi="visits_assigned">{roster["kpis"]["visits_assigned"]}<' in page
    # self-contained: no script or style is fetched from anywhere
    assert "<script src=" not in page and "<link" not in page
    calendars = sorted(p.stem for p in (with_report / "calendars").glob("*.ics"))
    assert calendars == sorted({r["caregiver_id"] for r in roster["routes"] if r["stops"]})
    assert (with_report / "itineraries.html").exists()
    result = runner.invoke(
        app, ["solve", str(DATA / "tiny_csv"), "-o", str(without), "--no-report", *fast]
    )
    assert result.exit_code == 0, result.output
    assert (without / "roster.json").exists() and not (without / "report.html").exists()


def test_report_of_a_roster_file_counts_its_violations(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["solve", str(DATA / "tiny_csv"), "-o", str(out), "-t", "2", "--no-report", "-q"]
    assert runner.invoke(app, [*args, "--solution-limit", "100"]).exit_code == 0
    result = runner.invoke(
        app, ["report", str(out / "roster.json"), "--scenario", str(DATA / "tiny_csv")]
    )
    assert result.exit_code == 0, result.output
    assert "0 violation(s)" in result.stdout
    assert 'data-kpi="violations">0<' in (out / "report.html").read_text(encoding="utf-8")
    missing = runner.invoke(
        app, ["report", str(tmp_path / "nothing.json"), "--scenario", str(DATA / "tiny_csv")]
    )
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_verbose_logs_the_engines_steps_and_never_a_clients_name_or_address(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    args = ["solve", str(DATA / "town_csv"), "-o", str(out), "-t", "1", "--no-report", "-q"]
    quiet = runner.invoke(app, args)
    assert quiet.exit_code == 0 and "INFO" not in quiet.output
    result = runner.invoke(app, ["-v", *args])
    assert result.exit_code == 0, result.output
    assert "INFO scheduler.solve.pipeline: compiled" in result.output
    assert "validator found no broken rule" in result.output
    addresses = pd.read_csv(DATA / "town_csv" / "clients.csv")["address"]
    assert len(addresses) > 0
    for address in addresses:
        street = address.split(",")[0]
        assert street not in result.output
    bad = runner.invoke(app, ["--log-level", "loud", *args])
    assert bad.exit_code == 2
