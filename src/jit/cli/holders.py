"""Who may act on a claimed issue, and who the event's actor is: the --force/--reason flags and
the `--help` notes of heartbeat, release, done and the gate verdicts (docs/coordination.md)."""

HOLDER_NOTE = """\
who may: the holder (the assignee of an in_progress issue; a gated one takes verdicts from
  anyone). A caller that names itself (--actor or JIT_ACTOR) and is not the holder is
  refused with exit 4 naming the holder (a stale agent learns it lost the issue);{force}
  Without --actor or JIT_ACTOR the caller is a person at a terminal and is let through."""
FORCE = """
  --force --reason TEXT acts anyway and records both in the event."""
NO_FORCE = """
  there is no override here: run it without --actor/JIT_ACTOR, or as the holder."""

ACTOR_NOTE = """\
event actor: --actor, else JIT_ACTOR, else the holder; a --force over the holder is
  recorded as --actor, else JIT_ACTOR, else human:$USER."""

VERDICT_ACTOR_NOTE = """\
event actor: --by (the verdict's author, whoever holds the issue), else --actor, else
  JIT_ACTOR, else the holder, else human:$USER. --by does not name the caller: only
  --actor and JIT_ACTOR do, for the holder check above."""

def holder_flags(p, action: str, *, reason=True, verdict=False) -> None:
    """Add --force (and --reason) to a command acting on a claimed issue, and the notes to its help."""
    if not hasattr(p, "epilog"):  # a subcommand this call does not build (see cli.parser)
        return
    p.add_argument("--force", action="store_true",
                   help=f"{action} even though another actor holds the issue (needs --reason)")
    if reason:
        p.add_argument("--reason", help="why --force overrides the holder; recorded in the event's data")
    note = HOLDER_NOTE.format(force=FORCE)
    p.epilog = f"{note}\n{VERDICT_ACTOR_NOTE if verdict else ACTOR_NOTE}\n\n{p.epilog}"


def holder_note(p) -> None:
    """The same notes for `gate check`/`check-all`, which have no holder override."""
    if hasattr(p, "epilog"):
        p.epilog = f"{HOLDER_NOTE.format(force=NO_FORCE)}\n{VERDICT_ACTOR_NOTE}\n\n{p.epilog}"
