"""The embedded demo corpus: a deterministic, small corpus in the seed layout whose classes only a
model fusing text, cover and frames can tell apart (the design is in ``mmvideo.synth.design``).

    from mmvideo.synth import synthesize_corpus
    summary = synthesize_corpus("corpus", per_category=20, seed=0)   # 31 x 20 clips, ~1 minute

Modules: ``design`` (class -> code, decoders of each part), ``text`` (descriptions), ``images``
(cover and frame rendering, pure numpy), ``encode`` (H.264 / JPEG writing), ``plan`` (ids,
labels, timing, URLs, manifest rows), ``corpus`` (the driver).
"""

from mmvideo.synth.corpus import MANIFEST_NAME, SynthSummary, synthesize_corpus
from mmvideo.synth.design import DESIGN, Code, class_code, code_class

__all__ = ["DESIGN", "MANIFEST_NAME", "Code", "SynthSummary", "class_code", "code_class", "synthesize_corpus"]
