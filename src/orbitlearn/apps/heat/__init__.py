"""The heat-equation benchmark: profiles (`profile`), seeded data (`data`), the field networks
(`models`), training, evaluation and the resumable run (`bench`), reports (`report`) and
`orbitlearn bench heat` (`commands`)."""
