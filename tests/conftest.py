"""Fixtures shared across test packages are pytest plugins under tests/plugins, registered here.

A test module imports helpers (constants, classes) from those plugin modules by their full name,
``from tests.plugins.store import NOW``; fixtures need no import at all.
"""

pytest_plugins = [
    "tests.plugins.installation",  # corpora, data_dir, sample_installation (persistent embedding cache)
    "tests.plugins.store",  # database engines on SQLite and PostgreSQL, the demo world
    "tests.plugins.assistant",  # conversation engine, CLI installations, the sample answerer
    "tests.plugins.index",  # indexes over test documents and over real standards
    "tests.plugins.botapi",  # the fake Telegram Bot API
    "tests.plugins.bots",  # the bot running against it
    "tests.plugins.wecom",  # a loopback WeCom API and the WeCom callback running against it
    "tests.plugins.browser",  # `zhijian serve` and chromium at phone size, for the page's browser tests
]
