export * from './problem-codes';
export * from './problem-titles';
export * from './problem';
export * from './problem-fault-details';
