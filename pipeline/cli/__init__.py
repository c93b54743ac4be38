"""The ``sohoa`` command line: one module per command group, wired in ``main``."""
