"""VectorStore implementations: `edge` (embedded Qdrant Edge, the default) and `client`
(a Qdrant server through qdrant-client, chosen when QDRANT_URL is set)."""
