// Pure rules of applications: no Nest, no database. The workflow-service wires them to I/O.
export * from './calendar';
export * from './domain';
