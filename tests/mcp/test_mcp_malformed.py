"""Raw JSON-RPC over `jit mcp`'s stdin: a malformed request that carries an id is answered, never dropped.

The SDK's transport silently drops lines it cannot validate, which leaves a
client waiting forever; jit answers them itself (src/jit/mcp/wire.py). The
test speaks the wire protocol directly, since a real client never sends these.
"""

from mcp_wire import Wire

# (line sent, id expected back, JSON-RPC error code expected back)
MALFORMED = [
    ('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"garbage"}', 1, -32600),
    ('{"jsonrpc":"2.0","id":"two","method":"tools/list","params":[1]}', "two", -32600),
    ('{"id":3,"method":"tools/list"}', 3, -32600),
    ('{"jsonrpc":"1.0","id":4,"method":"ping"}', 4, -32600),
    ('{"jsonrpc":"2.0","id":5,"method":5}', 5, -32600),
    ('{"jsonrpc":"2.0","id":5.5,"method":"ping"}', None, -32600),
    ('{"jsonrpc":"2.0","id":true,"method":"ping"}', None, -32600),
    ('{"jsonrpc":"2.0","id":6,"method":"tools/call"}', 6, -32602),  # the SDK's own answer
    ('{"jsonrpc":"2.0","id":7,"method":"no/such"}', 7, -32601),
    ("this is not json", None, -32700),
    ('{"jsonrpc":"2.0","id":8,', None, -32700),
    ("[1, 2]", None, -32600),
]


def test_every_malformed_request_with_an_id_gets_an_error_and_the_server_keeps_serving(repo):
    wire = Wire(repo.root, repo.env)
    try:
        wire.initialize()
        for line, rid, code in MALFORMED:
            wire.send(line)
            reply = wire.receive()
            assert reply["jsonrpc"] == "2.0" and reply["id"] == rid, (line, reply)
            assert reply["error"]["code"] == code and reply["error"]["message"], (line, reply)
        # Malformed notifications have nobody to answer; the next request's reply comes next.
        wire.send('{"jsonrpc":"2.0","method":5}')
        wire.send('{"jsonrpc":"2.0","id":9,"method":"tools/list"}')
        reply = wire.receive()
        assert reply["id"] == 9 and any(t["name"] == "status" for t in reply["result"]["tools"])
    finally:
        wire.close()
    assert wire.proc.returncode == 0
