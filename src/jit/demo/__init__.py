"""`jit demo`: a small project worked by several agent processes in a temporary repository.

It shows jit's main job end to end: agents find work with claim-next, respect
the dependency graph, prove quality through gates, and never do an issue twice.
"""
