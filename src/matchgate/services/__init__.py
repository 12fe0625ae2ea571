"""Use cases, one function each, joining the stages. Shells (CLI, API) call only these."""
