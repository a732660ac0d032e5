"""The torch networks' names (a leaf: the registry lists them without importing torch)."""

#: the torch networks by name: the class of `orbitlearn.models.networks` each name builds (the
#: one list; `networks.NETWORKS` maps the same names to the classes, imported on use: torch)
NETWORK_CLASSES = {
    "mlp": "MLPNet",
    "cnn_mlp": "CNNMLPNet",
    "vit": "ViTNet",
    "deepsets": "DeepSetsNet",
    "pointnet": "PointNetNet",
    "exchangeable": "ExchangeableNet",
    "settransformer": "SetTransformerNet",
}

__all__ = ["NETWORK_CLASSES"]
