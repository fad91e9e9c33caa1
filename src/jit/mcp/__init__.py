"""jit's operations as MCP tools (`jit mcp`).

`tools` is the SDK-free table (names, schemas, argument checks, calls into the
service layer); `server` wires it to the official `mcp` SDK over stdio. Nothing
here is imported by the CLI except inside the `jit mcp` handler, so other
commands never pay for the SDK at start-up.
"""
