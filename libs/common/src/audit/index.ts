export * from './audit-chain';
export * from './audit-keys';
export * from './audit-checkpoint';
export * from './audit-chain-verifier';
export * from './personal-data-masker';
