"""Entry points: the all-in-one process, one service's arq worker, the outbox relay.

This is the composition layer: it may import every service; services never import it.
"""
