"""Pure computations on the data: audit of the source's arithmetic, review statuses, fidelity."""
