"""What ``prepare_dataset`` returns: counts per split, failures, absent modalities, timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data_interface.prepare import info as info_files


@dataclass(frozen=True)
class PrepareSummary:
    """What a prepare did (or found already done)."""

    out: Path
    splits: dict[str, int]  # examples written per split
    num_failed: int
    failures_by_reason: dict[str, int]
    absent: dict[str, dict[str, int]]  # modality -> reason -> kept examples without it
    num_truncated: int
    shards: dict[str, int]  # shard files per split
    vocabulary_size: int
    num_videos: int  # videos attempted (examples + failures of decoding)
    seconds: float
    already_prepared: bool = False
    worker_processes: int = 0  # distinct processes that encoded pieces (0 when already prepared)
    bytes: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def num_examples(self) -> int:
        return sum(self.splits.values())

    @property
    def videos_per_second(self) -> float:
        return self.num_videos / self.seconds if self.seconds > 0 else 0.0

    def format(self) -> str:
        """A few lines for people."""
        per_split = ", ".join(
            f"{name} {count} ({self.shards.get(name, 0)} shard{'s' * (self.shards.get(name, 0) != 1)})"
            for name, count in self.splits.items()
        )
        if self.already_prepared:
            lines = [
                f"{self.out} is already prepared with these settings: {per_split}; "
                f"{self.num_failed} failed (--overwrite rebuilds it)"
            ]
            return "\n".join(lines)
        lines = [
            f"prepared {self.num_examples} examples from {self.num_videos} videos into {self.out} "
            f"in {self.seconds:.1f} s ({self.videos_per_second:.1f} videos/s, {self.bytes / 1e6:.1f} MB)",
            f"  {per_split}",
        ]
        if self.num_failed:
            reasons = ", ".join(f"{reason} {count}" for reason, count in by_count(self.failures_by_reason))
            lines.append(f"  failed {self.num_failed}: {reasons} (see {self.out / info_files.FAILURES_NAME})")
        for modality, label in (("cover", "cover"), ("text", "description")):
            reasons = self.absent.get(modality, {})
            if reasons:
                listed = ", ".join(f"{reason} {count}" for reason, count in by_count(reasons))
                lines.append(f"  kept without {label}: {sum(reasons.values())} ({listed})")
        if self.num_truncated:
            lines.append(f"  kept from damaged clips (frames from the readable part): {self.num_truncated}")
        lines.append(
            f"  vocabulary: {self.vocabulary_size} tokens from the train descriptions "
            f"({self.out / info_files.VOCABULARY_NAME})"
        )
        return "\n".join(lines)


def by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))



def summary_from_info(out: Path, info: dict, seconds: float) -> PrepareSummary:
    """The summary of a dataset found already prepared (from its ``info.json``)."""
    return PrepareSummary(
        out=out,
        splits=dict(info["splits"]),
        num_failed=int(info.get("num_failed", 0)),
        failures_by_reason=dict(info.get("failures_by_reason", {})),
        absent=dict(info.get("absent", {})),
        num_truncated=int(info.get("num_truncated", 0)),
        shards={split: len(names) for split, names in info.get("shards", {}).items()},
        vocabulary_size=int(info.get("vocabulary_size", 0)),
        num_videos=0,
        seconds=seconds,
        already_prepared=True,
    )
