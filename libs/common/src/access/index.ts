export * from './operations';
export * from './region-scope';
