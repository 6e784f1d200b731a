"""Per-user object storage: keys, presigned S3 URLs, their routes and the embedded SeaweedFS."""
