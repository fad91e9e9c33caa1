"""The pure core: model, state machine, graph, queries. No I/O, no clock, no uuid.

Time and ids are passed in by the service layer so the rules stay testable.
"""
