"""Use-cases: the only API the CLI, MCP server and web app call.

Functions take a `Context` first and return domain values; refusals are
raised as `jit.errors` kinds, which each front end maps to its own surface.
"""
