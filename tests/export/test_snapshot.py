"""`jit snapshot [-o FILE]` and `jit snapshot verify FILE`: a checked archive of .jit/."""

import gzip
import hashlib
import io
import subprocess
import tarfile


def _members(path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def test_snapshot_holds_the_store_and_a_manifest_sha256sum_accepts(repo, tmp_path):
    a = repo.create("One")
    repo.create("Two", "--dep", a)
    repo.ok("query", "available")  # builds the index: a runtime file the snapshot must leave out
    assert (repo.data / "index.sqlite").exists()
    out = tmp_path / "snap.tar.gz"
    result = repo.ok("snapshot", "-o", out)
    assert result["files"] >= 5
    members = _members(out)
    names = set(members)
    assert f".jit/issues/{a}.json" in names and ".jit/events.jsonl" in names and ".jit/gates.json" in names
    assert not any("index.sqlite" in n or n.endswith((".lock", ".journal.json", ".tmp")) for n in names)
    for name, data in members.items():
        if name != "SHA256SUMS":
            assert data == (repo.root / name).read_bytes()
    sums = members["SHA256SUMS"].decode()
    assert f"{hashlib.sha256(members['.jit/gates.json']).hexdigest()}  .jit/gates.json" in sums
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with tarfile.open(out, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    verdict = repo.ok("snapshot", "verify", out)
    assert verdict["ok"] and verdict["files"] == len(members) - 1


def _rewrite(src, dst, change):
    with tarfile.open(src, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for member, data in change(members):
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    dst.write_bytes(gzip.compress(buf.getvalue()))


def test_verify_names_a_changed_or_missing_file_and_exits_5(repo, tmp_path):
    repo.create("One")
    good = tmp_path / "good.tar.gz"
    repo.ok("snapshot", "-o", good)
    edited = tmp_path / "edited.tar.gz"
    _rewrite(good, edited, lambda ms: [(m, d + b" " if m.name == ".jit/gates.json" else d) for m, d in ms])
    r = repo.jit("snapshot", "verify", edited)
    assert r.code == 5 and "checksum mismatch: .jit/gates.json" in r.out, r
    dropped = tmp_path / "dropped.tar.gz"
    _rewrite(good, dropped, lambda ms: [(m, d) for m, d in ms if m.name != ".jit/config.toml"])
    r = repo.jit("snapshot", "verify", dropped, "--json")
    assert r.code == 5 and "missing: .jit/config.toml" in r.json["problems"], r


def test_truncated_or_foreign_files_are_refused(repo, tmp_path):
    good = tmp_path / "good.tar.gz"
    repo.ok("snapshot", "-o", good)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    r = repo.jit("snapshot", "verify", cut)
    assert r.code in (2, 5) and "Traceback" not in r.err, r
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    r = repo.jit("snapshot", "verify", text)
    assert r.code == 2 and "not a jit snapshot" in r.err, r
    r = repo.jit("snapshot", "verify", tmp_path / "nope.tar.gz")
    assert r.code == 3, r
    r = repo.jit("snapshot", "explode")
    assert r.code == 2 and "jit snapshot verify" in r.err, r
