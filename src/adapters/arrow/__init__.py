"""The Arrow engine: SourceReader and DatasetWriter without a JVM (`[runtime] engine = arrow`)."""
