"""The project's input limits, in one place (documented in docs/data.md, "Limits").

Every bound a hostile or careless input could push against is a constant here, and every check
uses the constant: the readers, the exact engine, the worker pools and the symmetriser. A leaf
module: no imports.
"""

from __future__ import annotations

#: largest |integer| a KS file may hold: the int64 range made symmetric, so that |x| and -x of
#: every coordinate are int64s too (-2**63 is refused: its absolute value is not an int64)
MAX_ABS_INTEGER = 2**63 - 1

#: largest |coordinate| per dimension d that the exact engine takes: every intermediate of its
#: int64 arithmetic (Bareiss minors and their products, normals, <u, x>) provably stays below 2**63
ENGINE_COORD_LIMIT = {2: 10**6, 3: 10**5, 4: 4096, 5: 256}

#: the lattice-point enumeration scans at most this many lattice lines per polytope (after the
#: lattice reduction that shrinks GL(d,Z) images back to small coordinates); beyond it the
#: polytope is refused with one line instead of running for minutes
ENGINE_MAX_LINES = 2 * 10**6

#: a KS header may announce at most this many numbers (rows x columns) for one matrix, and a
#: matrix row (one line) holds at most this many numbers
MAX_MATRIX_ENTRIES = 10**6

#: a line of a KS file longer than this many bytes is refused (read memory stays bounded)
MAX_LINE_BYTES = 4 * 2**20

#: at most this many worker processes for --jobs and --cluster local:N
MAX_JOBS = 256

#: at most this many group elements one prediction is averaged over (--symmetrize N)
MAX_SYMMETRIZE_SAMPLES = 4096
