"""Parent links through the real CLI: create --parent, update --parent/--no-parent, cycles,
children and progress in show, list --parent, graph tree, and finishing a parent (issue 12)."""

from jit_testing import events


def test_children_progress_tree_and_list(repo):
    epic = repo.create("Auth epic")
    login = repo.ok("issue", "create", "Login form", "--parent", epic[:6])
    assert login["parent"] == epic
    logout = repo.create("Logout", "--parent", epic)
    token = repo.create("Token refresh", "--parent", login["id"])
    repo.create("Unrelated")
    assert events(repo, "issue_created", logout)[0]["data"]["parent"] == epic

    repo.ok("issue", "done", logout)
    text = repo.jit("issue", "show", epic).out
    assert "children:  1 of 2 done" in text
    assert f"{logout[:8]}  done" in text and f"{login['id'][:8]}  ready" in text
    assert "parent:" not in text
    assert f"parent:    {epic[:8]}" in repo.jit("issue", "show", login["id"]).out

    assert [i["id"] for i in repo.ok("issue", "list", "--parent", epic)] == [login["id"], logout]
    assert [i["id"] for i in repo.ok("issue", "list", "--parent", epic, "--state", "done")] == [logout]

    tree = repo.ok("graph", "tree", epic)
    assert [n["id"] for n in tree] == [epic]
    assert [(n["id"], [g["id"] for g in n["children"]]) for n in tree[0]["children"]] == [
        (login["id"], [token]), (logout, [])]
    lines = repo.jit("graph", "tree").out.splitlines()
    assert [line.split()[1] for line in lines] == [epic[:8], login["id"][:8], token[:8], logout[:8]]
    assert [len(line) - len(line.lstrip()) for line in lines] == [0, 2, 4, 2]


def test_update_moves_and_clears_the_parent(repo):
    a, b = repo.create("A"), repo.create("B")
    child = repo.create("Child", "--parent", a)
    assert repo.ok("issue", "update", child, "--parent", b)["parent"] == b
    assert repo.ok("issue", "list", "--parent", a) == []
    cleared = repo.ok("issue", "update", child, "--no-parent")
    assert cleared["parent"] is None
    [moved, removed] = events(repo, "issue_updated", child)
    assert moved["data"]["fields"]["parent"] == {"from": a, "to": b}
    assert removed["data"]["fields"]["parent"] == {"from": b, "to": None}


def test_parent_cycles_are_refused_with_the_cycle(repo, fails):
    top = repo.create("Top")
    mid = repo.create("Mid", "--parent", top)
    low = repo.create("Low", "--parent", mid)
    error = fails(5, "issue", "update", top, "--parent", low, match="cycle")
    assert error["details"]["cycle"] == [top, low, mid, top]
    assert f"{top[:8]} -> {low[:8]} -> {mid[:8]} -> {top[:8]}" in error["message"]
    fails(5, "issue", "update", top, "--parent", top, match="cycle")
    fails(3, "issue", "create", "Orphan", "--parent", "0000dead")
    fails(2, "issue", "update", top, "--parent", mid, "--no-parent", match="not both")


def test_a_parent_is_done_only_when_its_children_are_finished(repo, fails):
    epic = repo.create("Epic")
    a = repo.create("A", "--parent", epic)
    b = repo.create("B", "--parent", epic)
    error = fails(5, "issue", "done", epic, match="2 child issue(s) still open")
    assert sorted(error["details"]["open_children"]) == sorted([a, b])
    repo.ok("issue", "done", a)
    repo.ok("issue", "reject", b, "--reason", "not needed")
    assert "children:  1 of 1 done" in repo.jit("issue", "show", epic).out  # rejected: not counted
    assert repo.ok("issue", "done", epic, "--summary", "all parts in")["state"] == "done"
    # Rejecting a parent is always allowed: it does not close the children.
    other = repo.create("Other epic")
    kid = repo.create("Kid", "--parent", other)
    repo.ok("issue", "reject", other)
    assert repo.ok("issue", "show", kid)["state"] == "ready"


def test_old_issue_files_without_the_new_fields_still_load(repo):
    import json

    issue = repo.create("Old")
    path = repo.data / "issues" / f"{issue}.json"
    doc = json.loads(path.read_text())
    for key in ("parent", "comments", "resolution"):
        del doc[key]
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    shown = repo.ok("issue", "show", issue)
    assert (shown["parent"], shown["comments"], shown["resolution"]) == (None, [], None)
    assert repo.ok("issue", "comment", issue, "still works")["comments"][0]["text"] == "still works"


def test_validate_reports_parent_links_a_merge_or_hand_edit_broke(repo):
    import json

    a, b = repo.create("A"), repo.create("B")
    orphan = repo.create("Orphan")
    repo.ok("issue", "update", b, "--parent", a)
    for issue_id, parent in ((a, b), (orphan, "0000dead-0000-4000-8000-000000000000")):
        path = repo.data / "issues" / f"{issue_id}.json"
        doc = json.loads(path.read_text())
        doc["parent"] = parent  # what two clones each adding one link can produce
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    r = repo.jit("validate", "--json")
    assert r.code == 5
    kinds = {p["kind"]: p for p in r.json["problems"]}
    assert set(kinds["parent_cycle"]["cycle"][:2]) == {a, b}
    assert kinds["dangling_parent"]["id"] == orphan and "--no-parent" in kinds["dangling_parent"]["fix"]
    repo.ok("issue", "update", orphan, "--no-parent")
    repo.ok("issue", "update", a, "--no-parent")
    assert repo.jit("validate").code == 0


def test_a_parent_shows_even_when_a_child_file_is_corrupt(repo):
    epic = repo.create("Epic")
    good = repo.create("Good", "--parent", epic)
    bad = repo.create("Bad", "--parent", epic)
    (repo.data / "issues" / f"{bad}.json").write_text("{not json")
    r = repo.jit("issue", "show", epic)
    assert r.code == 0 and "children:  0 of 1 done" in r.out and good[:8] in r.out, r


def test_import_sets_parents_by_key_or_id_and_refuses_parent_cycles(repo, fails):
    import json

    existing = repo.create("Existing epic")
    lines = [{"key": "epic", "title": "Auth"}, {"title": "Login", "parent": "epic"},
             {"title": "Audit", "parent": existing[:8]}]
    made = repo.ok("issue", "import", "-", input="".join(json.dumps(x) + "\n" for x in lines))
    assert [i["parent"] for i in made] == [None, made[0]["id"], existing]
    cycle = [{"key": "a", "title": "A", "parent": "b"}, {"key": "b", "title": "B", "parent": "a"}]
    fails(2, "issue", "import", "-", input="".join(json.dumps(x) + "\n" for x in cycle), match="parent forms a cycle")
    fails(2, "issue", "import", "-", input=json.dumps({"title": "X", "parent": "nokey"}) + "\n", match="line 1: parent")
