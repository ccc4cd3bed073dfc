"""Large days: decomposition into parts solved by the single-day engine on parallel workers
(``decompose``), the parts themselves (``parts``), what a worker runs (``part_solve``) and
the workers (``workers``: local processes or a Dask cluster)."""
