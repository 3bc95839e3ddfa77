export * from './crypto';
export * from './keys';
export * from './x509';
export * from './revocation';
export * from './lifecycle';
export * from './tokens';
export * from './der/der-writer';
