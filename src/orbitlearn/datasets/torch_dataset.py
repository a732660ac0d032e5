"""A torch view of a `KSDataset`: items are (float32 (d, n) vertex matrix, int64 class index)."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset


class KSTorchDataset(Dataset):
    """Rows `positions` of a KSDataset (all rows if None) as tensors; the labels are class indices."""

    def __init__(self, data, positions: np.ndarray | None = None):
        pos = np.arange(len(data)) if positions is None else np.asarray(positions, dtype=np.int64)
        self.x = torch.from_numpy(data.vertices[pos].astype(np.float32))
        self.y = torch.from_numpy(data.y[pos])
        self.classes = data.classes

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def __getitem__(self, i):
        return self.x[i], self.y[i]
