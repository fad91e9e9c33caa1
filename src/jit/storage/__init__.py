"""The only package that touches `.jit/` (SPEC section 1).

Every write goes through `atomic.write_atomic`; every read-modify-write runs in
a `unit.Transaction` under the repository lock.
"""
