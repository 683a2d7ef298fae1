"""Report jobs: documents generated from a published snapshot, outside the request."""
