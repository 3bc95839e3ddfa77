export * from './overview-bounds';
export * from './single-flight-cache';
export * from './coalesced-runs';
