"""Bad calls come back as clean tool errors carrying the CLI's error object, and the server keeps serving."""

import json

import pytest
from mcp_helpers import connect

pytestmark = pytest.mark.anyio


def cli_error(repo, *args) -> dict:
    r = repo.jit(*args, "--json")
    assert r.code != 0, r
    return json.loads(r.out)


BAD_ARGUMENTS = [
    ("issue_create", {}, "missing required argument 'title'"),
    ("issue_create", {"title": 5}, "title must be a string, got number"),
    ("issue_create", {"title": "x", "priority": "urgent"}, "priority must be one of"),
    ("issue_create", {"title": "x", "labels": "type:task"}, "labels must be an array, got string"),
    ("issue_create", {"title": "x", "labels": [1]}, "labels[0] must be a string"),
    ("issue_create", {"title": "x", "titel": "y"}, "unknown argument 'titel'"),
    ("issue_claim_next", {"assignee": "agent:a", "ttl": "10"}, "ttl must be a number, got string"),
    ("issue_claim_next", {"assignee": "agent:a", "ttl": True}, "ttl must be a number, got boolean"),
    ("query_available", {"limit": -1}, "limit must be at least 0"),
    ("query_available", {"fields": ["titel"]}, "unknown issue field 'titel'"),
    ("events_tail", {"n": 1.5}, "n must be an integer, got number"),
    ("status", {"verbose": True}, "unknown argument 'verbose'"),
    ("issue_import", {"issues": ["not an object"]}, "issues[0] must be an object"),
    ("no_such_tool", {}, "unknown tool 'no_such_tool'"),
    ("issue_sho", {}, "did you mean 'issue_show'"),
]


async def test_bad_arguments_are_usage_errors_and_the_server_survives(repo):
    async with connect(repo) as s:
        for tool, args, message in BAD_ARGUMENTS:
            error = await s.fail(tool, "usage", **args)
            assert message in error["message"], (tool, args, error)
        assert (await s.call("status"))["total"] == 0
        # null means "not given", as many clients send it for optional arguments.
        made = await s.call("issue_create", title="Nulls are fine", priority=None, labels=None)
        assert made["priority"] == "normal" and made["labels"] == []
    assert repo.ok("status")["total"] == 1


async def test_service_errors_match_the_cli_error_object(repo):
    issue = repo.create("Only one")
    repo.ok("issue", "claim", issue, "agent:first")
    cases = [
        ("issue_show", {"id": "deadbeef"}, ("issue", "show", "deadbeef"), "not_found"),
        ("issue_show", {"id": "ab"}, ("issue", "show", "ab"), None),
        ("issue_claim", {"id": issue, "assignee": "agent:second"}, ("issue", "claim", issue, "agent:second"),
         "conflict"),
        ("issue_claim", {"id": issue, "assignee": "nocolon"}, ("issue", "claim", issue, "nocolon"), "usage"),
        ("dep_add", {"id": issue, "depends_on": issue}, ("dep", "add", issue, issue), "refused"),
        ("gate_pass", {"id": issue, "key": "nope"}, ("gate", "pass", issue, "nope"), "not_found"),
        ("issue_update", {"id": issue, "state": "backlog"}, ("issue", "update", issue, "--state", "backlog"),
         "refused"),
    ]
    async with connect(repo) as s:
        before = repo.snapshot()
        for tool, args, cli_args, code in cases:
            is_error, text = await s.raw(tool, args)
            assert is_error, (tool, text)
            assert json.loads(text) == cli_error(repo, *cli_args), tool
            if code:
                assert json.loads(text)["error"]["code"] == code
        assert repo.snapshot() == before, "a refused call changed nothing"


async def test_nothing_available_is_null_not_an_error(repo):
    async with connect(repo) as s:
        is_error, text = await s.raw("issue_claim_next", {"assignee": "agent:a"})
        assert (is_error, text) == (False, "null")
    r = repo.jit("issue", "claim-next", "agent:a", "--json")
    assert (r.code, r.out) == (3, "null\n")


async def test_validate_reports_problems_as_a_result(repo):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    (repo.data / "issues" / f"{base}.json").unlink()
    async with connect(repo) as s:
        report = await s.call("validate")
        assert report["ok"] is False and report["problems"][0]["kind"] == "dangling_dependency"
        assert report["problems"][0]["id"] == top
        fixed = await s.call("validate", fix=True)
        assert fixed["fixed"]
        assert (await s.call("validate"))["ok"] is True


def test_a_wrong_repo_option_stops_the_server_at_start_up(repo, tmp_path_factory):
    empty = tmp_path_factory.mktemp("norepo")
    r = repo.jit("mcp", "--repo", empty, "--json", input="")
    assert r.code == 3 and json.loads(r.out)["error"]["code"] == "not_found", r
