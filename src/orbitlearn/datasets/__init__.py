"""Datasets: the Kreuzer-Skarke files (read, write, fetch, split) and synthetic sets."""
