"""Start a new project: the next edition of this one, or a blank one for another territory.

``projet-associatif edition nouvelle`` lives here, between ``pipeline`` and ``cli``: it
imports from ``core``, ``data`` and ``config`` only, and never runs a build.
"""
