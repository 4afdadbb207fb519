"""The use cases: what the tool does (extract, preview, verify, show or reset state), over ports.

Each is a few lines to call; it imports only the domain, so it runs against fakes as it runs
against Spark. The entry points parse, call one use case, and render its result.
"""
