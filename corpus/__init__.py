"""Source files -> Documents and Clauses: loaders, the clause parser, the library and the sample corpus."""
