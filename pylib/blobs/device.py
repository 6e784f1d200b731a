"""Files kept on this device, outside the SQLite file: the upload queue's source, the cache.

A large file is written here (durably) before its row is committed, so the workspace never
points at bytes the device does not have; later it is the local cache downloads fill. Names are
object names (:mod:`pylib.blobs.format`), so equal files are kept once. The store is the
host's (``platform.open_device_files``): :class:`DirectoryFiles` on CPython (a file per object,
written to a temporary name, ``fsync``ed, renamed), IndexedDB Blobs in the browser
(web/engine/devicefiles.mjs).
"""

from pylib.platform.base import DeviceFiles
from pylib.platform.cpython_files import DirectoryFiles

__all__ = ["DeviceFiles", "DirectoryFiles"]
