"""Format loaders: each turns one source (file or Sphinx folder) into ``RawText``."""
