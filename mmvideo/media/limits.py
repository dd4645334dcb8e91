"""Named limits of media decoding.

Code reads them as ``limits.NAME`` at call time, so a test (or a deployment) can change one
module attribute.
"""

# Frame dimensions, checked from the stream header before anything is decoded and again on every
# decoded frame. 8192 x 4320 is 8K UHD; anything larger is a broken or hostile header here.
MAX_FRAME_SIDE = 8192
MAX_FRAME_PIXELS = 8192 * 4320

# Largest output box `sample_frames(size=...)` accepts, per side.
MAX_OUTPUT_SIDE = 4096

# A truncated or damaged clip is still used when at least this many frames decode before the
# damage; fewer is a MediaError("truncated").
MIN_USABLE_FRAMES = 1

# Packets that fail to decode are skipped; after this many the rest of the clip is given up.
MAX_DECODE_ERRORS = 16

# The demux pass keeps the compressed video packets in memory (a 15 s 640x360 clip is ~1.5 MB)
# so decoding never re-reads the file; beyond this it keeps only their timestamps and seeks.
MAX_BUFFERED_PACKET_BYTES = 256 * 1024 * 1024

# Bytes read from the start of a file to recognise its container before FFmpeg opens it.
SNIFF_BYTES = 64
