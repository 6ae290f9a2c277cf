"""A Moodle site as a source: the web-service client and the incremental course sync."""
