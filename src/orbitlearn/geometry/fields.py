"""The names of the KS header data the engine computes for a reflexive 4-polytope, in the one
order every table of them uses (a leaf: the command line imports it without the kernels)."""

HODGE_FIELDS = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")
