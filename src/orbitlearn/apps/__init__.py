"""Applications built on the general library: the Kreuzer-Skarke table (`apps.ks`) and the
heat-equation benchmark (`apps.heat`). Only these (and the command line) know their data's shapes."""
