"""Front pages editors arrange: zones with pinned stories, and the breaking-news banner."""
