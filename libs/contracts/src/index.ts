export * from './subjects';
export * from './rpc-envelope';
export * from './v1/certificate.dto';
export * from './v1/pki.dto';
export * from './v1/events';
export * from './v1/seal.dto';
export * from './v1/application.dto';
export * from './bus-context';
