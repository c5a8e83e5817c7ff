"""The structured store: enterprises, projects, credit, inspection bookings, rectification notices
and quality-service-team visits.

Channels (API, bot, conversation engine, CLI) call the service modules — ``enterprises``,
``projects``, ``teams``, ``accounts``, ``credit``, ``bookings`` / ``booking_views``,
``rectifications``, ``visits`` — with a SQLAlchemy ``Session`` from ``db`` and an
``actors.Actor``; they get pydantic models from ``schemas`` back, or a
``errors.StoreError`` whose ``message`` is Chinese and ready to show. Schema changes go
through the Alembic migrations in ``migrations`` (``migrate.upgrade``), never ``create_all``.
"""
