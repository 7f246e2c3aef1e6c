"""Benchmark suites: each module defines ``CASES``, a list of :class:`benchmarks._harness.Case`."""
