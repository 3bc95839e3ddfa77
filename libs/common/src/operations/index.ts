export * from './overview-bounds';
