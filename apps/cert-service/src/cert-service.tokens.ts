export const KEY_STORES = Symbol('CERT_KEY_STORES');
