"""The `jit` command: global flags, dispatch to one command group, errors to exit codes.

Start-up is a budget every agent pays on every call, so only the requested
group's module and parser are built, and heavy libraries load inside the
commands that need them. Errors are mapped to exit codes here and nowhere else.
"""

import os
import sys

from jit import __version__

# group -> (module under jit.cli, one-line summary)
GROUPS = {
    "init": ("admin", "create a jit repository in this folder"),
    "issue": ("issue", "create, show, list, update, claim and finish issues"),
    "dep": ("dep", "add or remove dependencies between issues"),
    "gate": ("gate", "define quality gates, attach them, record verdicts, run checkers"),
    "query": ("query", "available work, blocked issues, by state or label"),
    "graph": ("graph", "show or export the dependency graph"),
    "events": ("events", "read the audit log"),
    "status": ("admin", "issue counts per state"),
    "validate": ("admin", "check the repository's integrity (--fix repairs what is safe)"),
    "demo": ("demo", "run a multi-agent demo in a temporary repository"),
    "mcp": ("mcp", "serve jit's operations to MCP clients over stdio"),
    "serve": ("serve", "open the local web UI and JSON API"),
    "git": ("git", "set up git integration (merge driver) for this clone"),
    "sync": ("git", "commit, fetch, merge, validate and push .jit/ through a git remote"),
    "hooks": ("hooks", "install an optional git pre-push hook that runs the gates of issues in progress"),
    "prime": ("prime", "a briefing for an agent starting a session (workflow, claims, ready work)"),
    "export": ("export", "write the whole store as JSON Lines: a full-fidelity backup"),
    "import": ("migrate", "restore a `jit export`, or migrate from taskwarrior, beads, github, backlog"),
    "snapshot": ("export", "archive .jit/ as a .tar.gz with a SHA-256 manifest, or verify one"),
    "watch": ("watch", "optional file-system monitor: queries check only the files that changed"),
}

HELP = """usage: jit [--json] [-q] [--actor WHO] <command> [<args>]

jit is a repository-local issue tracker for AI agents and people: a dependency
graph, quality gates and race-free claims, stored as plain JSON in .jit/.

commands:
{commands}

global options (accepted anywhere on the line):
  --json          one JSON document on stdout (errors: {{"error": {{...}}}})
  -q, --quiet     only the essential value (e.g. the id), no headers
  --actor WHO     who is acting: the actor of every event this command logs (default:
                  $JIT_ACTOR, else the issue's holder, else human:$USER; a gate verdict's is
                  its --by). A named actor that is not an issue's holder gets exit 4 from
                  heartbeat, release, done and gate verdicts on it (see their --help)
  --version       print the version

examples:
  jit init
  jit issue create --title "Write the parser" --priority high --label type:task
  jit query available --json
  jit issue claim-next agent:worker-1 --json
  jit issue done 0a1b2c3d

exit codes: 0 ok, 1 unexpected, 2 usage, 3 not found, 4 conflict, 5 refused by the rules, 6 gate failed.
Run `jit <command> --help` for details.
"""


def split_globals(argv):
    """Pull --json/--quiet/--actor out from anywhere on the line (before a `--`)."""
    rest, opts = [], {"json": False, "quiet": False, "actor": None}
    it = iter(range(len(argv)))
    skip = False
    for i in it:
        if skip:
            skip = False
            continue
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--json":
            opts["json"] = True
        elif arg in ("-q", "--quiet"):
            opts["quiet"] = True
        elif arg == "--actor":
            # `--actor --json` is a forgotten value, not an actor named "--json".
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                opts["actor_missing"] = True
            else:
                opts["actor"] = argv[i + 1]
                skip = True
        elif arg.startswith("--actor="):
            opts["actor"] = arg.split("=", 1)[1]
            opts["actor_missing"] = not opts["actor"]
        else:
            rest.append(arg)
    return rest, opts


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args, opts = split_globals(argv)
    from jit.cli.render import Output

    out = Output(opts["json"], opts["quiet"])
    try:
        return _dispatch(args, opts, out)
    except KeyboardInterrupt:
        out.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence
        from jit.errors import JitError

        if isinstance(exc, JitError):
            out.error(exc)
            return exc.exit_code
        if os.environ.get("JIT_DEBUG"):
            raise
        named = isinstance(exc, OSError) and (exc.filename or next(
            (a for a in exc.args[:1] if len(exc.args) == 1 and os.path.isabs(str(a))), None))
        if isinstance(exc, OSError) and (exc.errno is not None or named):
            # The one place an unexpected OSError from the system (a full disk, a read-only folder,
            # a refused permission) becomes a plain line naming the file, not "internal error: OSError".
            from jit.errors import storage_fault

            fault = storage_fault(exc, named or None, doing="accessing")
            out.error(fault)
            return fault.exit_code
        err = JitError(f"internal error: {type(exc).__name__}: {exc} (set JIT_DEBUG=1 for a traceback)")
        err.code = "internal"
        out.error(err)
        return 1


def _dispatch(args, opts, out) -> int:
    from jit.errors import UsageError

    if opts.get("actor_missing"):
        raise UsageError("--actor needs a value, e.g. --actor agent:worker-1")
    for n, arg in enumerate(args + [opts["actor"] or ""]):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8 arrive as lone surrogates
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UsageError(f"argument '{shown}' is not valid UTF-8; jit stores text as UTF-8",
                             {"argument": n}) from None
    if not args or args[0] in ("-h", "--help", "help"):
        if out.json:
            out.emit({"version": __version__, "commands": {g: summary for g, (_, summary) in GROUPS.items()}})
            return 0
        width = max(len(g) for g in GROUPS)
        commands = "\n".join(f"  {g:<{width}}  {summary}" for g, (_, summary) in GROUPS.items())
        out.stdout.write(HELP.format(commands=commands))
        return 0
    if args[0] in ("--version", "-V", "version"):
        out.emit({"version": __version__}, human=f"jit {__version__}", quiet=__version__)
        return 0
    group = args[0]
    if group not in GROUPS:
        from difflib import get_close_matches

        near = get_close_matches(group, GROUPS, n=1)
        hint = f"; did you mean `jit {near[0]}`?" if near else "; see `jit --help`"
        raise UsageError(f"unknown command {group!r}{hint}", {"command": group})
    # __import__, not importlib.import_module: the importlib package brings `warnings` (about 1 ms).
    module = __import__(f"jit.cli.{GROUPS[group][0]}", fromlist=["register"])
    from jit.cli.parser import build_root

    parser = build_root(group, module, args)
    ns, extra = parser.parse_known_args(args)
    from jit.cli.parser import single_values_only

    single_values_only(parser, ns)
    if extra:
        command = " ".join(a for a in (group, getattr(ns, "command", None)) if a)
        raise UsageError(f"unrecognized arguments: {' '.join(extra)} (see `jit {command} --help`)",
                         {"arguments": extra})
    ns.actor = opts["actor"]  # for commands that open the repository themselves (jit mcp)
    ctx = None
    try:
        if ns.needs_repo:
            from jit.service.context import open_repo

            ctx = open_repo(actor=opts["actor"], warn=out.warn)
        return ns.handler(ns, out, ctx) or 0
    finally:
        if ctx is not None:
            ctx.close()
