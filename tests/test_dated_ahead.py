"""A record dated far after the clock is no fresh record: it is fetched again, said once, and
makes no history file (SYNTHETIC corpus on the fake API, pinned clock)."""

from __future__ import annotations

import json

import test_cli
from test_cli import run

env, kg, online = test_cli.env, test_cli.kg, test_cli.online

DAY_0, DAY_1 = "2026-11-02T06:00:00Z", "2026-11-03T06:00:00Z"
AHEAD = "9999-12-31T00:00:00Z"


def _shift_dates(path, when: str) -> int:
    """Every dated line of the snapshot dated ``when`` (a paper's own date too); how many."""
    lines, shifted = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if isinstance(record, dict) and "fetched_at" in record:
            record["fetched_at"] = when
            if isinstance(record.get("fields"), dict) and "fetched_at" in record["fields"]:
                record["fields"]["fetched_at"] = when
            shifted += 1
            line = json.dumps(record, ensure_ascii=False)
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return shifted


def test_a_snapshot_dated_in_year_9999_is_fetched_again_and_makes_no_history(
        kg, online, env, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("RSVLM_NOW", DAY_0)
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 0
    assert _shift_dates(kg / "snapshot.jsonl", AHEAD) > 100
    monkeypatch.setenv("RSVLM_NOW", DAY_1)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "new-cache"))
    online.counts.clear()
    with caplog.at_level("WARNING"):
        result = run("enrich", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert "none (all fresh)" not in result.output
    assert online.counts["batch"] > 0  # asked again
    assert not (kg / "history" / "9999-12-31.jsonl").exists()
    assert (kg / "history" / "2026-11-03.jsonl").exists()
    said = [r.getMessage() for r in caplog.records if "9999-12-31" in r.getMessage()]
    assert said and len(said) == len(set(said))  # each record said once
    # every record is fetched again: none keeps the wrong date
    assert AHEAD not in (kg / "snapshot.jsonl").read_text(encoding="utf-8")
