"""Quire's server: serves the page, signs users in, presigns S3 URLs and scopes vector search."""
