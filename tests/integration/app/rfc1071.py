# SPDX-License-Identifier: BSD-3-Clause
"""The Internet checksum (RFC 1071) for the integration tests' packet checks and injectors."""
import struct


def ones_sum(b):
    """16-bit ones' complement sum of b (padded to even length), folded: 0xffff when b holds
    a right checksum."""
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return t


def checksum(b):
    """The checksum field for b (whose own field is zero)."""
    return ~ones_sum(b) & 0xffff
