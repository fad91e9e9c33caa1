"""Shared checks for the migration tests: import twice, compare, look issues up by origin."""

import json


def by_origin(repo) -> dict:
    return {i["context"]["origin"]: i for i in repo.ok("issue", "list") if "origin" in i["context"]}


def import_twice(repo, kind, source) -> dict:
    """Import, then import the same file again: the second run must change nothing at all."""
    first = repo.ok("import", "--from", kind, source)
    before = repo.snapshot()
    second = repo.ok("import", "--from", kind, source)
    assert second["created"] == [] and second["updated"] == [], second
    assert {s["reason"] for s in second["skipped"] if s["origin"] in {c["origin"] for c in first["created"]}} \
        == {"unchanged since the last import"}
    assert repo.snapshot() == before, "a second import of the same file changed .jit/"
    validate = repo.jit("validate")
    assert validate.code == 0, validate
    return first


def dry_run_writes_nothing(repo, kind, source) -> dict:
    before = repo.snapshot()
    summary = repo.ok("import", "--from", kind, source, "--dry-run")
    assert summary["dry_run"] is True
    assert repo.snapshot() == before
    return summary


def jsonl(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)
