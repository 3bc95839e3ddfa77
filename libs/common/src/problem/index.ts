export * from './problem-codes';
export * from './problem';
