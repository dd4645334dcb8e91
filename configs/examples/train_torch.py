"""A PyTorch model trained on the prepared dataset through ``data_interface.torch_dataset``.

    python configs/examples/train_torch.py DATA [--epochs 5] [--batch-size 32] [--workers 2]
                                          [--seed 0] [--out model.pt]

The batches are the ones ``load_dataset`` gives, as torch tensors (uint8 images, int64 token ids,
float32 masks, int64 labels). Each DataLoader worker reads its own shards; the parent process
never runs TensorFlow, so the default (fork) workers are safe. Prints one line per epoch and
returns the figures from :func:`main`.
"""

import argparse
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

from data_interface import torch_dataset
from data_interface.info import read_info
from data_interface.text import DEFAULT_OOV_BUCKETS, read_vocabulary


class TinyVideoNet(nn.Module):
    """Description (mean of token embeddings), cover (2-D CNN), frames (3-D CNN); concatenated."""

    def __init__(self, num_classes: int, vocabulary_size: int, width: int = 32):
        super().__init__()
        self.text = nn.EmbeddingBag(vocabulary_size, width, mode="mean", padding_idx=0)
        self.cover = nn.Sequential(
            nn.Conv2d(3, 16, 4, stride=4), nn.ReLU(), nn.Conv2d(16, width, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.frames = nn.Sequential(
            nn.Conv3d(3, 16, (1, 4, 4), stride=(1, 4, 4)), nn.ReLU(), nn.Conv3d(16, width, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool3d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Linear(3 * width, 64), nn.ReLU(), nn.Linear(64, num_classes))

    def forward(self, batch: dict) -> torch.Tensor:
        text = self.text(batch["text"]) * batch["has_text"][:, None]
        cover = self.cover(batch["cover"].permute(0, 3, 1, 2).float() / 255) * batch["has_cover"][:, None]
        frames = self.frames(batch["frames"].permute(0, 4, 1, 2, 3).float() / 255)  # [B, 3, T, H, W]
        return self.head(torch.cat([text, cover, frames], dim=1))  # logits


def loader(data: str, split: str, args) -> DataLoader:
    dataset = torch_dataset(data, split, batch_size=args.batch_size, seed=args.seed)
    return DataLoader(dataset, batch_size=None, num_workers=args.workers)


def evaluate(model: nn.Module, batches: DataLoader) -> float:
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for features, labels in batches:
            correct += int((model(features).argmax(dim=1) == labels).sum())
            seen += len(labels)
    return correct / max(seen, 1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", help="a dataset written by `mmvideo prepare`")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes (0: in this process)")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="save the trained weights here (state_dict)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    info = read_info(args.data)
    vocabulary_size = len(read_vocabulary(info.vocabulary_path)) + DEFAULT_OOV_BUCKETS + 1
    model = TinyVideoNet(info.spec.num_classes, vocabulary_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    train_batches = loader(args.data, "train", args)
    has_val = info.splits.get("val", 0) > 0
    figures = {}
    for epoch in range(args.epochs):
        train_batches.dataset.set_epoch(epoch)  # a new shuffle order per epoch
        model.train()
        started, losses, seen = time.perf_counter(), [], 0
        for features, labels in train_batches:
            loss = nn.functional.cross_entropy(model(features), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            seen += len(labels)
        seconds = time.perf_counter() - started
        val_accuracy = evaluate(model, loader(args.data, "val", args)) if has_val else float("nan")
        figures = {"epoch": epoch + 1, "loss": sum(losses) / len(losses), "val_accuracy": val_accuracy,
                   "samples_per_second": seen / seconds}
        print(f"epoch {epoch + 1}/{args.epochs}: loss {figures['loss']:.4f}, val accuracy {val_accuracy:.3f}, "
              f"{figures['samples_per_second']:.1f} samples/s", flush=True)
    if args.out:
        torch.save(model.state_dict(), args.out)
    return figures


if __name__ == "__main__":
    main()
