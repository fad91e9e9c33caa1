"""`jit serve`: a local, read-only web UI and JSON API over the service layer (SPEC section 11).

Starlette and uvicorn are optional dependencies (`pip install 'jit-tracker[web]'`);
nothing on the CLI's start-up path imports this package.
"""
