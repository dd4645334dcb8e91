"""TFRecord framing without TensorFlow: ``write_record`` appends one record to an open file.

A TFRecord file is a plain concatenation of records, each::

    uint64 length (little endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

so two TFRecord files concatenated byte for byte are one valid TFRecord file (prepare relies on
this to join the pieces of a shard). TensorFlow checks both checksums when it reads.

CRC-32C (Castagnoli) is not in the standard library (``zlib.crc32`` is the IEEE polynomial) and
importing TensorFlow in every Beam worker costs ~6 s and ~650 MB, so it is computed here with
numpy: the data is cut into ``LANE_BYTES`` chunks whose CRCs advance together, one byte per numpy
step, then the chunk CRCs are joined with the linearity of CRCs (``crc(A + B)`` = ``crc(A)``
advanced over ``len(B)`` zero bytes, xor ``crc(B)``). About 0.4 ms for a 40 KB record; checked
against the standard check value and against ``tf.io.TFRecordWriter`` in the tests.
"""

from __future__ import annotations

import functools
import struct

import numpy as np

_POLYNOMIAL = 0x82F63B78  # CRC-32C, reflected
_MASK_DELTA = 0xA282EAD8
LANE_BYTES = 64  # bytes each numpy lane consumes (a multiple of 4); measured fastest for 40 KB
_MIN_VECTOR_BYTES = 16 * LANE_BYTES  # shorter data goes byte by byte


def _byte_tables() -> list[np.ndarray]:
    """Slicing-by-4 tables: ``tables[k][b]`` is byte ``b`` followed by ``k`` zero bytes."""
    first = np.zeros(256, dtype=np.uint32)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLYNOMIAL if crc & 1 else crc >> 1
        first[byte] = crc
    tables = [first]
    for _ in range(3):
        tables.append((tables[-1] >> 8) ^ first[tables[-1] & 0xFF])
    return tables


_TABLES = _byte_tables()
_TABLE_LIST = _TABLES[0].tolist()


def _raw_update(register: int, data: bytes) -> int:
    """The register after feeding ``data`` to it, no pre/post inversion (pure Python)."""
    table = _TABLE_LIST
    for byte in data:
        register = table[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register


@functools.lru_cache(maxsize=64)
def _advance_tables(num_zero_bytes: int) -> tuple[np.ndarray, ...]:
    """Four 256-entry tables of the linear map "advance the register over n zero bytes"
    (``n`` is ``LANE_BYTES`` times a power of two; larger maps are the smaller one applied twice)."""
    if num_zero_bytes <= LANE_BYTES:
        columns = [_raw_update(1 << bit, bytes(num_zero_bytes)) for bit in range(32)]
    else:
        half = _advance_tables(num_zero_bytes // 2)
        columns = [_apply(half, _apply(half, 1 << bit)) for bit in range(32)]
    tables = []
    for shift in (0, 8, 16, 24):
        table = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            table[(np.arange(256) >> bit & 1).astype(bool)] ^= np.uint32(columns[shift + bit])
        tables.append(table)
    return tuple(tables)


def _apply(tables, register):
    """Applies an advance map to one register (int) or to an array of registers."""
    t0, t1, t2, t3 = tables
    value = (
        t0[register & 0xFF] ^ t1[(register >> 8) & 0xFF] ^ t2[(register >> 16) & 0xFF] ^ t3[register >> 24]
    )
    return int(value) if isinstance(register, int) else value


def _raw_crc(data: bytes) -> int:
    """The register after ``data`` from a zero register (linear in ``data``)."""
    size = len(data)
    if size < _MIN_VECTOR_BYTES:
        return _raw_update(0, data)
    num_lanes = size // LANE_BYTES
    words = np.frombuffer(data, dtype="<u4", count=num_lanes * LANE_BYTES // 4).reshape(num_lanes, -1)
    registers = np.zeros(num_lanes, dtype=np.uint32)
    t0, t1, t2, t3 = _TABLES
    for column in np.ascontiguousarray(words.T):
        mixed = registers ^ column
        registers = t3[mixed & 0xFF] ^ t2[(mixed >> 8) & 0xFF] ^ t1[(mixed >> 16) & 0xFF] ^ t0[mixed >> 24]
    # Join neighbouring lanes pairwise: crc(A + B) = advance(crc(A), len(B)) ^ crc(B). Zero lanes
    # in front (a zero register stays zero over zero bytes) make the count a power of two.
    padded = 1 << (num_lanes - 1).bit_length()
    registers = np.concatenate([np.zeros(padded - num_lanes, dtype=np.uint32), registers])
    lane_bytes = LANE_BYTES
    while len(registers) > 1:
        registers = _apply(_advance_tables(lane_bytes), registers[0::2]) ^ registers[1::2]
        lane_bytes *= 2
    return _raw_update(int(registers[0]), data[num_lanes * LANE_BYTES :])


def _start_term(num_bytes: int) -> int:
    """The start value ``0xFFFFFFFF`` advanced over ``num_bytes`` zero bytes."""
    register = 0xFFFFFFFF
    chunks, tail = divmod(num_bytes, LANE_BYTES)
    lane_bytes = LANE_BYTES
    while chunks:
        if chunks & 1:
            register = _apply(_advance_tables(lane_bytes), register)
        chunks >>= 1
        lane_bytes *= 2
    return _raw_update(register, bytes(tail))


def crc32c(data: bytes) -> int:
    """The standard CRC-32C of ``data`` (``crc32c(b"123456789") == 0xE3069283``)."""
    data = data if isinstance(data, bytes) else bytes(data)
    # The register is linear in (start value, data): start term xor data term, then inverted.
    return _start_term(len(data)) ^ _raw_crc(data) ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The checksum TFRecord stores: CRC-32C rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """``data`` framed as one TFRecord record (header, data, footer)."""
    length = struct.pack("<Q", len(data))
    return b"".join(
        (length, struct.pack("<I", masked_crc32c(length)), data, struct.pack("<I", masked_crc32c(data)))
    )


def write_record(handle, data: bytes) -> int:
    """Appends ``data`` as one record to the binary file ``handle``; returns the bytes written."""
    framed = frame_record(data)
    handle.write(framed)
    return len(framed)


def iter_records(path, verify: bool = True):
    """The records of a TFRecord file (a small reader for tests and checks; ValueError if damaged)."""
    with open(path, "rb") as handle:
        while True:
            header = handle.read(12)
            if not header:
                return
            if len(header) < 12:
                raise ValueError(f"{path}: truncated record header")
            if verify and struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
                raise ValueError(f"{path}: checksum mismatch in a record length")
            (length,) = struct.unpack("<Q", header[:8])
            data = handle.read(length)
            footer = handle.read(4)
            if len(data) < length or len(footer) < 4:
                raise ValueError(f"{path}: truncated record")
            if verify and struct.unpack("<I", footer)[0] != masked_crc32c(data):
                raise ValueError(f"{path}: checksum mismatch in a record")
            yield data
