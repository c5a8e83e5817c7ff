"""Typed use-cases of the core, one desk per area of the station's work; channels reach them through ``Assistant``."""
