"""Benchmarks: specs, runners and reports (CSV, Markdown, PNG)."""
