"""The ingestion job: files, folders and archives into the knowledge index."""
