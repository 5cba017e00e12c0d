"""The no-show desk's own pages: the worklist, a case, suggestions and the read-only lookup."""
