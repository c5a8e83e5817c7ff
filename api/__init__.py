"""FastAPI app and the web page (thin adapters over assistant)."""
