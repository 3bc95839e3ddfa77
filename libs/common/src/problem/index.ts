export * from './problem-codes';
export * from './problem-titles';
export * from './problem';
