"""`jit prime`: the session-start briefing for agents (see service/prime.py)."""

from jit.cli.parser import command


def prime(ns, out, ctx):
    from jit.service.prime import briefing, render

    data = briefing(ctx)
    out.emit(data, human=lambda: render(data), quiet=lambda: [c["id"] for c in data["claims"]])


def register(subs, name):
    command(subs, "prime", "a short briefing for an agent starting a session: workflow, your claims, ready work",
            "JIT_ACTOR=agent:w1 jit prime   # or: jit prime --actor agent:w1 --json", prime)
