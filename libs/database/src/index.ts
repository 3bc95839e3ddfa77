export * from './service-data-source';
