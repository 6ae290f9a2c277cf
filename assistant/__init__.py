"""The RAG service: scoped, cited, streaming answers for learners and the support desk."""
