"""A header read timeout for `jit serve`, which uvicorn's HTTP/1.1 protocol does not have.

uvicorn's keep-alive timer is cancelled by the first byte of a request, so a
client that sends one header byte now and then (slowloris) holds its
connection open forever. This protocol arms a deadline whenever the server is
waiting for a request's headers (a new connection, or the next request on a
kept-alive one) and cancels it once they are complete; at the deadline the
connection is closed. Body timeouts live in `guard.py`, at the ASGI level.
"""

from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutH11(H11Protocol):
    header_timeout = 10.0

    def connection_made(self, transport):
        self._header_deadline = None
        super().connection_made(transport)
        self._arm()

    def _arm(self):
        if self._header_deadline is None and not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self):
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self):
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def handle_events(self):
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:  # a request's headers were complete: the route now has the connection
            self._disarm()

    def on_response_complete(self):
        super().on_response_complete()
        if self.cycle is None or self.cycle.response_complete:
            self._arm()  # waiting for the next request's headers (the keep-alive timer may close it sooner)

    def connection_lost(self, exc):
        self._disarm()
        super().connection_lost(exc)


def protocol_with(header_timeout: float) -> type:
    """The protocol class for uvicorn's `http=` setting, with this header timeout in seconds."""
    return type("HeaderTimeoutH11", (HeaderTimeoutH11,), {"header_timeout": header_timeout})
