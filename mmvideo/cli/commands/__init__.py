"""One module per subcommand: a parser (``register``) and a thin ``run`` calling library code."""
