"""nn.functional, split by family; `ember.nn.functional` re-exports every public name."""
