/** Injection tokens shared by the services' infrastructure providers. */
export const CONFIG = Symbol('ECERT_CONFIG');
export const LOGGER = Symbol('ECERT_LOGGER');
export const DATA_SOURCE = Symbol('ECERT_DATA_SOURCE');
export const NATS_CONNECTION = Symbol('ECERT_NATS_CONNECTION');
export const OUTBOX_RELAY = Symbol('ECERT_OUTBOX_RELAY');
export const BUS_IDENTITY = Symbol('ECERT_BUS_IDENTITY');
export const DATABASE_HEALTH = Symbol('ECERT_DATABASE_HEALTH');
