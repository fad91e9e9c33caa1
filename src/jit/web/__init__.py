"""`jit serve`: a local web UI and JSON API over the service layer (SPEC section 11).

Starlette, uvicorn and markdown-it-py are ordinary dependencies, imported only
by `jit serve`: nothing on the CLI's start-up path imports this package.
"""
