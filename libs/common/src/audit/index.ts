export * from './audit-chain';
export * from './personal-data-masker';
