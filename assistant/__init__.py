"""zhijian application core: settings, the structured store, answering and the CLI."""
