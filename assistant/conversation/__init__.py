"""The conversation engine: intents, Chinese dates, slot filling, dialogues for bookings and visit requests.

Channels do not use these modules directly but ``assistant.core.Assistant.chat``,
which returns a ``replies.Reply`` (text plus buttons) for every message.

- ``intents``: what a message wants (rules, example phrases, else a standards question)
- ``dates``: 明天 / 下周三 / 12月5日 / 2026-12-05 … against the station's today
- ``slots``: milestone, project, topic, phone, contact, "第二个" from free text
- ``followup``: "那梁的呢？" -> a standalone question
- ``booking_flow``, ``visit_flow``, ``services``: the dialogues and one-shot replies
- ``state``: the per-conversation state persisted in the database
- ``engine``: one message in, one ``Reply`` out
"""
