"""HTML front end (Jinja + htmx): thin handlers over the same services as the JSON API.

The routes are collected in ``web.routes``; importing this package (as the message catalogue does for
``web.messages``) loads nothing else."""
