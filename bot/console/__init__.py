"""The agents' console: the queue of handed-off conversations, the transcript and the actions.

``accounts`` holds who may log in (scrypt password hashes, login throttling,
cookie sessions with a CSRF token each, the ``agent`` command); ``app`` the
Sanic application that serves the console under ``/console``. The rules of
the hand-off itself live in ``bot.handoff``; the console only shows and calls them.
"""
