"""HTTP plumbing shared by every route: errors, bodies and limits, logs, headers, OpenAPI,
static files and health checks."""
