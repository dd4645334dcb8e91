"""Covers and frames as pure numpy functions: ``uint8 [H, W, 3]`` RGB, every draw from a generator.

A cover carries the cover ``hue`` of a class's code only; frames carry the ``motion`` only (see
``design``). ``cover_hue_family`` and ``object_track`` are the matching decoders, used by tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmvideo.synth import design

TEXTURE_CELLS = (6, 10)  # rows, columns of the faint low-frequency texture
TEXTURE_AMPLITUDE = 0.05  # in HSV value units
EMBLEM_SHAPES = ("disc", "square", "triangle", "ring")
OBJECT_SHAPES = ("disc", "square")


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    """``[..., 3]`` HSV (hue in degrees, saturation and value in [0, 1]) -> float RGB in [0, 1]."""
    hue, sat, val = hsv[..., 0] % 360.0, np.clip(hsv[..., 1], 0, 1), np.clip(hsv[..., 2], 0, 1)
    chroma = val * sat
    sector = hue / 60.0
    second = chroma * (1 - np.abs(sector % 2 - 1))
    zeros = np.zeros_like(hue)
    index = np.minimum(sector.astype(int), 5)
    choices = [
        (chroma, second, zeros), (second, chroma, zeros), (zeros, chroma, second),
        (zeros, second, chroma), (second, zeros, chroma), (chroma, zeros, second),
    ]
    rgb = np.zeros(hue.shape + (3,))
    for sector_index, channels in enumerate(choices):
        mask = index == sector_index
        for channel, values in enumerate(channels):
            rgb[..., channel][mask] = values[mask]
    return rgb + (val - chroma)[..., None]


def rgb_hue_deg(rgb: np.ndarray) -> np.ndarray:
    """Hue in degrees of ``[..., 3]`` RGB (any scale); grey pixels get hue 0."""
    rgb = np.asarray(rgb, dtype=np.float64)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.degrees(np.arctan2(np.sqrt(3.0) * (green - blue), 2 * red - green - blue)) % 360.0


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Faint low-frequency noise ``[H, W]`` (nearest-upsampled random cells)."""
    cells = rng.uniform(-TEXTURE_AMPLITUDE, TEXTURE_AMPLITUDE, size=TEXTURE_CELLS)
    rows = np.arange(height) * TEXTURE_CELLS[0] // height
    cols = np.arange(width) * TEXTURE_CELLS[1] // width
    return cells[rows][:, cols]


def _plain(hsv: tuple[float, float, float], texture: np.ndarray) -> np.ndarray:
    """A float RGB image of one HSV colour whose value is modulated by ``texture``."""
    height, width = texture.shape
    image = np.empty((height, width, 3))
    image[..., 0], image[..., 1] = hsv[0], hsv[1]
    image[..., 2] = hsv[2] + texture
    return hsv_to_rgb(image)


def shape_mask(shape: str, height: int, width: int, centre_y: float, centre_x: float, radius: float) -> np.ndarray:
    """Boolean ``[H, W]`` mask of a ``shape`` of half-size ``radius`` centred at (``centre_y``, ``centre_x``)."""
    ys = np.arange(height)[:, None] + 0.5 - centre_y
    xs = np.arange(width)[None, :] + 0.5 - centre_x
    if shape == "disc":
        return ys**2 + xs**2 <= radius**2
    if shape == "square":
        return (np.abs(ys) <= radius) & (np.abs(xs) <= radius)
    if shape == "triangle":
        return (ys <= radius) & (ys >= -radius) & (np.abs(xs) <= (ys + radius) / 2)
    if shape == "ring":
        distance = np.sqrt(ys**2 + xs**2)
        return (distance <= radius) & (distance >= radius * 0.6)
    raise ValueError(f"unknown shape {shape!r}")


def render_cover(hue: int, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A cover whose dominant colour lies in hue family ``hue``; nothing else depends on the class."""
    if not 0 <= hue < design.NUM_HUES:
        raise ValueError(f"`hue` must be in [0, {design.NUM_HUES}), got {hue}")
    jitter = rng.uniform(-design.HUE_JITTER_DEG, design.HUE_JITTER_DEG)
    background = (design.HUE_CENTRES_DEG[hue] + jitter, rng.uniform(0.55, 0.95), rng.uniform(0.55, 0.9))
    image = _plain(background, _texture(rng, height, width))
    side = min(width, height)
    shape = EMBLEM_SHAPES[int(rng.integers(0, len(EMBLEM_SHAPES)))]
    radius = side * rng.uniform(0.12, 0.22)
    centre_y = height / 2 + side * rng.uniform(-0.15, 0.15)
    centre_x = width / 2 + side * rng.uniform(-0.15, 0.15)
    emblem = hsv_to_rgb(np.array([rng.uniform(0, 360), rng.uniform(0.2, 0.9), rng.uniform(0.1, 1.0)]))
    image[shape_mask(shape, height, width, centre_y, centre_x, radius)] = emblem
    return _to_uint8(image)


def cover_hue_family(cover: np.ndarray) -> int:
    """The hue family most of a cover's pixels belong to (the decoder of ``render_cover``)."""
    families = [design.hue_family(hue) for hue in rgb_hue_deg(cover.reshape(-1, 3)[::7])]
    return int(np.bincount(families, minlength=design.NUM_HUES).argmax())


@dataclass(frozen=True)
class Scene:
    """Everything a clip's frames show apart from the motion direction (all drawn class-blind)."""

    width: int
    height: int
    num_frames: int
    background: np.ndarray  # float RGB [H, W, 3]
    colour: np.ndarray  # float RGB [3]
    shape: str
    radius: float
    rows: tuple[float, float]  # object centre row at the first and last frame of a rise
    cols: tuple[float, float]  # object centre column at the first and last frame of a rise


def draw_scene(rng: np.random.Generator, width: int, height: int, num_frames: int) -> Scene:
    """A random scene: background, object and its rising path inside the visible centre square."""
    side = min(width, height)
    top, left = (height - side) / 2, (width - side) / 2
    dark_background = rng.random() < 0.5
    background_value = rng.uniform(0.15, 0.4) if dark_background else rng.uniform(0.65, 0.9)
    object_value = rng.uniform(0.85, 1.0) if dark_background else rng.uniform(0.0, 0.2)
    background_hsv = (rng.uniform(0, 360), rng.uniform(0.2, 0.7), background_value)
    colour = hsv_to_rgb(np.array([rng.uniform(0, 360), rng.uniform(0.0, 0.8), object_value]))
    start_col = left + side * rng.uniform(0.35, 0.65)
    return Scene(
        width=width,
        height=height,
        num_frames=num_frames,
        background=_plain(background_hsv, _texture(rng, height, width)),
        colour=colour,
        shape=OBJECT_SHAPES[int(rng.integers(0, len(OBJECT_SHAPES)))],
        radius=side * rng.uniform(0.09, 0.13),
        rows=(top + side * rng.uniform(0.74, 0.84), top + side * rng.uniform(0.16, 0.26)),
        cols=(start_col, start_col + side * rng.uniform(-0.15, 0.15)),
    )


def render_frames(motion: int, scene: Scene) -> np.ndarray:
    """``uint8 [T, H, W, 3]``: the scene's object rising (``RISE``), or the same clip reversed (``FALL``)."""
    if motion not in (design.RISE, design.FALL):
        raise ValueError(f"`motion` must be {design.RISE} or {design.FALL}, got {motion}")
    background = _to_uint8(scene.background)
    colour = _to_uint8(scene.colour)
    frames = np.repeat(background[None], scene.num_frames, axis=0)
    for k in range(scene.num_frames):
        fraction = k / max(scene.num_frames - 1, 1)
        row = scene.rows[0] + fraction * (scene.rows[1] - scene.rows[0])
        col = scene.cols[0] + fraction * (scene.cols[1] - scene.cols[0])
        frames[k][shape_mask(scene.shape, scene.height, scene.width, row, col, scene.radius)] = colour
    return frames if motion == design.RISE else frames[::-1].copy()


def object_track(frames: np.ndarray, threshold: float = 60.0) -> np.ndarray:
    """The moving object's centre row in each frame (``nan`` where not found).

    The background is each pixel's median over time (the object passes any pixel in a minority of
    frames); the object is where a frame differs from it by more than ``threshold`` (RGB sum).
    """
    frames = np.asarray(frames, dtype=np.float32)
    background = np.median(frames, axis=0)
    rows = np.full(len(frames), np.nan)
    for k, frame in enumerate(frames):
        ys, _ = np.nonzero(np.abs(frame - background).sum(axis=-1) > threshold)
        if len(ys):
            rows[k] = ys.mean()
    return rows
