"""Uploaded materials: receiving, type detection, text extraction, storage."""
