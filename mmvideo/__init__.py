"""mmvideo: classify short videos from description text, cover image and frames."""

__version__ = "0.1.0"
