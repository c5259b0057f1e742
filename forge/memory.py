"""How this process's C allocator treats large buffers.

A 4 MB draft passes through several 4 MB buffers (the request body, its parsed files, the event's
JSON, the database's copy). glibc's malloc raises its mmap threshold each time such a buffer is
freed, so the next ones come from the heap, where freed space rarely goes back to the system: a
few dozen large writes then leave the process some hundred MiB bigger for good. A fixed threshold
serves every large buffer from mmap and gives it back when it is freed; fewer arenas keep the
database threads from each holding their own free space.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 256 * 1024
ARENAS = 2


def return_large_buffers_to_the_system() -> bool:
    """Tunes glibc's malloc as the module says; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_ARENA_MAX, ARENAS))
