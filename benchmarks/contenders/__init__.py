"""The hand-written contenders the tool is timed against, each run as its own process."""
