"""A tiny prepared dataset shared by the training tests (made once per session) and tiny configs.

31 clips (one per category, 96x64) from ``synthesize_corpus``, prepared at 4 frames of 32 px:
25 train, 3 val, 3 test.
"""

from pathlib import Path

from data_interface.prepare import prepare_dataset
from mmvideo.synth import synthesize_corpus

REPO = Path(__file__).resolve().parents[1]
# every width tiny (as tests/model_helpers.TINY), batches of 8: 4 train steps per epoch
TINY_SETS = (
    "model.token_embedding_dim=8",
    "model.text_units=4",
    "model.cover_filters=[4, 8]",
    "model.frame_filters=[4, 8]",
    "model.frame_grid=2",
    "model.frame_features=8",
    "model.temporal_units=8",
    "model.branch_dim=8",
    "model.fusion_units=8",
    "train.batch_size=8",
)
STEPS_PER_EPOCH = 4


def prepared_dataset(tmp_path_factory) -> Path:
    """The shared dataset under the session's base temp folder (built on first use)."""
    base = tmp_path_factory.getbasetemp() / "train-dataset"
    data = base / "data"
    if not (data / "info.json").is_file():
        synthesize_corpus(base / "corpus", per_category=1, seed=0, width=96, height=64, workers=1)
        prepare_dataset(base / "corpus", data, frames=4, size=32, workers=1)
    return data


def cli_sets(*extra: str) -> list[str]:
    """``--set`` arguments for the tiny config plus ``extra``."""
    return [argument for key in (*TINY_SETS, *extra) for argument in ("--set", key)]
