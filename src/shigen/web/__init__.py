"""The HTTP API and dashboard (``shigen serve``); needs the ``[web]`` extra."""
