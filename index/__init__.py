"""Clauses -> a persisted hybrid index (embedders, BM25, FAISS, fusion, manifest)."""
