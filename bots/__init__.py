"""Chat channels (Telegram first), thin adapters over assistant."""
