"""Presets: a workflow's gates put on many issues in one transaction (issue 13)."""

import json

import pytest
from gate_helpers import assert_one_line_error, events

from jit.domain.preset_data import BUILT_IN
from jit.domain.presets import check_preset


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_built_in_preset_is_valid(name):
    preset = check_preset(BUILT_IN[name], name, "built-in")
    assert preset["gates"] and preset["description"]


def test_built_ins_cover_three_families_and_combine_without_clashing(repo):
    found = repo.ok("gate", "preset", "list")
    families = {p["family"] for p in found}
    assert {"software", "research", "knowledge"} <= families
    assert {"python-tdd", "js-tdd", "rust-tdd", "security-audit", "minimal", "literature-review",
            "editorial"} <= {p["name"] for p in found}
    issue = repo.create("Everything")
    for p in found:  # shared keys (review, approval, peer-review) are defined identically
        repo.ok("gate", "preset", "apply", p["name"], issue)
    shown = repo.ok("gate", "preset", "show", "literature-review")
    assert [g["key"] for g in shown["gates"]][-1] == "peer-review" and shown["source"] == "built-in"


def test_apply_to_100_issues_in_one_transaction(repo):
    made = repo.ok("issue", "import", "-", input="".join(json.dumps({"title": f"T{i}"}) + "\n" for i in range(100)))
    ids = [i["id"] for i in made]
    assert len(ids) == 100
    before = len(events(repo))
    result = repo.ok("gate", "preset", "apply", "python-tdd", *ids, "--except", "py-lint")
    assert result["gates"] == ["py-tests", "review"] and result["defined"] == ["py-tests", "review"]
    assert sorted(result["issues"]) == sorted(ids)
    new = events(repo)[before:]
    assert len([e for e in new if e["type"] == "gate_added"]) == 100
    assert len([e for e in new if e["type"] == "gate_defined"]) == 2
    for i in (ids[0], ids[57], ids[99]):
        assert repo.ok("issue", "show", i)["gates_required"] == ["py-tests", "review"]
    assert "py-lint" not in {g["key"] for g in repo.ok("gate", "list")}
    # Applying again changes nothing and defines nothing.
    again = repo.ok("gate", "preset", "apply", "python-tdd", *ids[:3], "--except", "py-lint")
    assert again["defined"] == [] and len(events(repo)) == before + len(new)


def test_a_conflicting_definition_or_a_finished_issue_refuses_the_whole_apply(repo):
    repo.ok("gate", "define", "review", "--title", "Our own review")
    a, b = repo.create("A"), repo.create("B")
    before = repo.snapshot()
    r = repo.jit("gate", "preset", "apply", "python-tdd", a, b, "--json")
    assert_one_line_error(r, "refused", 5)
    assert "'review'" in r.json["error"]["message"] and "--replace" in r.json["error"]["message"]
    assert repo.snapshot() == before
    kept = repo.ok("gate", "preset", "apply", "python-tdd", a, "--except", "review")
    assert kept["gates"] == ["py-lint", "py-tests"] and repo.ok("gate", "show", "review")["title"] == "Our own review"
    repo.ok("issue", "reject", b)
    before = repo.snapshot()
    r = repo.jit("gate", "preset", "apply", "minimal", a, b, "--replace", "--json")
    assert_one_line_error(r, "refused", 5)
    assert repo.snapshot() == before
    replaced = repo.ok("gate", "preset", "apply", "minimal", a, "--replace")
    assert replaced["replaced"] == ["review"] and repo.ok("gate", "show", "review")["title"] == "Reviewed by a person"


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ('{"gates": []}', "non-empty list 'gates'"),
    ('{"gates": [{"key": "x", "title": "X", "mode": "auto"}]}', "needs a checker"),
    ('{"gates": [{"key": "x", "title": "X", "colour": "red"}]}', "unknown field 'colour'"),
    ('{"name": "other", "gates": [{"key": "x", "title": "X"}]}', "must agree"),
    ('{"gates": [{"key": "x", "title": "X", "working_dir": "../up"}]}', "leaves the repository"),
    ('[1, 2]', "must be a JSON object"),
])
def test_a_bad_custom_preset_is_a_named_one_line_error(repo, content, words):
    folder = repo.data / "presets"
    folder.mkdir(exist_ok=True)
    (folder / "ours.json").write_text(content)
    issue = repo.create("A")
    before = repo.snapshot()
    for argv in (("gate", "preset", "apply", "ours", issue), ("gate", "preset", "list"), ("gate", "preset", "show", "ours")):
        r = repo.jit(*argv, "--json")
        assert_one_line_error(r, "usage", 2)
        assert "ours" in r.json["error"]["message"] and words in r.json["error"]["message"], r
    assert repo.snapshot() == before


def test_create_from_an_issue_then_apply_elsewhere(repo):
    repo.ok("gate", "define", "draft", "--title", "Draft done", "--order", "10")
    repo.ok("gate", "define", "lint", "--title", "Lint", "--mode", "auto", "--checker", "true", "--env", "A=1")
    source = repo.create("Model issue", "--gate", "draft", "--gate", "lint")
    made = repo.ok("gate", "preset", "create", "our-flow", "--from-issue", source)
    assert made["source"] == ".jit/presets/our-flow.json" and [g["key"] for g in made["gates"]] == ["draft", "lint"]
    stored = json.loads((repo.data / "presets" / "our-flow.json").read_text())
    assert stored["gates"][1]["env"] == {"A": "1"} and stored["family"] == "custom"
    r = repo.jit("gate", "preset", "create", "our-flow", "--from-issue", source, "--json")
    assert_one_line_error(r, "conflict", 4)
    r = repo.jit("gate", "preset", "create", "python-tdd", "--from-issue", source, "--json")
    assert_one_line_error(r, "conflict", 4)
    r = repo.jit("gate", "preset", "create", "Bad/Name", "--from-issue", source, "--json")
    assert_one_line_error(r, "usage", 2)
    target = repo.create("Next")
    repo.ok("gate", "preset", "apply", "our-flow", target)
    assert repo.ok("issue", "show", target)["gates_required"] == ["draft", "lint"]
    assert "our-flow" in [p["name"] for p in repo.ok("gate", "preset", "list")]
    assert repo.jit("gate", "preset", "apply", "no-such", target).code == 3


def test_init_with_a_preset(tmp_path):
    from jit_testing import Repo

    r = Repo(tmp_path)
    bad = r.jit("init", "--preset", "no-such")
    assert bad.code == 3 and not (tmp_path / ".jit").exists()
    made = r.ok("init", "--preset", "editorial")
    assert made["preset"]["defined"] == ["draft-complete", "editorial-review", "approval"]
    assert [g["key"] for g in r.ok("gate", "list")] == ["approval", "draft-complete", "editorial-review"]
