"""Shared knowledge layer: documents, chunks, embeddings, the Qdrant store and search."""
