"""Benchmark-only experiments on the tool: timing its phases, trying settings by monkeypatching.

Nothing here is product code; it exists to measure what a change to src/ would buy.
"""
