"""Errors that mean "the user gave bad input": the CLI prints their one line and exits 2."""


class OrbitlearnError(Exception):
    """Base of every user-facing error; its message is one line that says what was expected."""


class KSFormatError(OrbitlearnError, ValueError):
    """A Kreuzer-Skarke (PALP) text file does not follow the format.

    The message names the file, the 1-based line and what was expected there.
    """

    def __init__(self, source: str, line: int, message: str):
        self.source = source
        self.line = line
        self.reason = message
        super().__init__(f"{source}:{line}: {message}")


class DataNotFoundError(OrbitlearnError, FileNotFoundError):
    """A data file is neither where it was asked for nor in the cache, and could not be fetched."""


class GeometryError(OrbitlearnError, ValueError):
    """A polytope does not satisfy what an operation needs (full dimension, origin inside, reflexive)."""


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, cut to `limit` characters: what a one-line
    error quotes of a library's multi-line message."""
    return (str(exc).splitlines() or [""])[0][:limit]
