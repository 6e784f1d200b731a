"""Large files as encrypted, content-addressed objects in S3.

- :mod:`.format`: the segmented AES-256-GCM object format and the object's keyed name.
- :mod:`.store`: upload (single PUT or resumable multipart), download with verification.
- :mod:`.ledger`: the ``blobs`` table — what this device knows of each object; :mod:`.gc`.
- :mod:`.queue`: staging on the device, the upload queue, the device cache; :mod:`.device`.
- :mod:`.local`: files kept on the device before the workspace key can name them (locked).
- :mod:`.add`: ``files.add`` / ``files.update``, a large file's bytes never in the SQLite file.

Keys come from :mod:`pylib.keys`, requests go through :mod:`pylib.s3client`.
"""

from pylib.blobs.ledger import GC_GRACE_MS, BlobRef
from pylib.blobs.store import BlobStore, UploadReport

__all__ = ["GC_GRACE_MS", "BlobRef", "BlobStore", "UploadReport"]
