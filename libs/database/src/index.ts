export * from './service-data-source';
export * from './database-limits';
export * from './session-lock';
export * from './database-problem';
export * from './database-health-probe';
export * from './command-receipts';
export * from './concurrent-index';
