"""Evaluation sets (JSONL) and their validator."""
