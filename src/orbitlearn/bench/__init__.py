"""What every benchmark shares: the resumable cell runner (`runner`) and the machine record
(`machine`). The benchmarks themselves are applications under `orbitlearn.apps`."""
