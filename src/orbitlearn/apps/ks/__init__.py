"""The Kreuzer-Skarke h11 benchmark: rows and profiles (`rows`), the resumable run (`bench`), the
reports (`report`) and `orbitlearn bench ks` (`commands`)."""
