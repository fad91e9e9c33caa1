"""`jit init` (SPEC section 1): the layout it creates, idempotence, JIT_DATA_DIR."""

import json


def test_init_creates_the_layout(bare):
    repo, tmp_path = bare, bare.root
    r = repo.jit("init")
    assert r.code == 0 and str(tmp_path / ".jit") in r.out
    for name in ("config.toml", "gates.json", "events.jsonl"):
        assert (repo.data / name).is_file(), name
    assert (repo.data / "issues").is_dir()
    assert json.loads((repo.data / "gates.json").read_text()) == {}
    assert "schema_version" in (repo.data / "config.toml").read_text()
    for line in (repo.data / "events.jsonl").read_text().splitlines():
        json.loads(line)


def test_init_twice_is_harmless_and_keeps_the_data(repo):
    a = repo.create("Keep me")
    before = {k: v for k, v in repo.snapshot().items() if k != "events.jsonl"}
    again = repo.jit("init", "--json")
    assert again.code == 0 and again.json == {"path": str(repo.data), "created": False}
    after = {k: v for k, v in repo.snapshot().items() if k != "events.jsonl"}
    assert after == before
    assert repo.ok("issue", "show", a)["title"] == "Keep me"


def test_init_json_and_quiet(bare):
    repo, tmp_path = bare, bare.root
    assert repo.jit("init", "--json").json == {"path": str(tmp_path / ".jit"), "created": True}
    sub = tmp_path / "sub"
    sub.mkdir()
    assert repo.jit("init", "-q", cwd=sub).out == str(sub / ".jit") + "\n"


def test_init_honours_jit_data_dir(bare):
    repo, tmp_path = bare, bare.root
    store = tmp_path / "elsewhere" / "data"
    r = repo.jit("init", "--json", env={"JIT_DATA_DIR": str(store)})
    assert r.code == 0 and r.json["path"] == str(store)
    assert (store / "issues").is_dir() and not (tmp_path / ".jit").exists()
