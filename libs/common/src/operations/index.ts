export * from './overview-bounds';
export * from './single-flight-cache';
export * from './coalesced-runs';
export * from './writes-under-way';
export * from './recent-times';
