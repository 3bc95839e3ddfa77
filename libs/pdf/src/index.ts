// PDF structure, incremental signature updates, placement and text positions: no Nest, no database.
export {};
