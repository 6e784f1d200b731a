-- Objects a replace-import carried over that only the replaced workspace referred to (its
-- backup, handed out by the import, still does): pylib/blobs/replaced.py. Such an object is
-- never dropped before it is in S3 (a local file is named and uploaded first), garbage
-- collection never deletes it, and once uploaded the device forgets it (row and copy): S3
-- keeps it for the backup, which finds it by its s3_key. Device state, like the tables.
ALTER TABLE blobs ADD COLUMN for_backup INTEGER NOT NULL DEFAULT 0 CHECK (for_backup IN (0, 1));
ALTER TABLE local_files ADD COLUMN for_backup INTEGER NOT NULL DEFAULT 0 CHECK (for_backup IN (0, 1));
