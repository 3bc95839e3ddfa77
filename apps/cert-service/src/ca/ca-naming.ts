import type { KeyAlgorithm } from '@ecert/pki';
import type { CaFamily, CaRole } from './ca.entity';

/** The CA hierarchy ecert keeps per algorithm family, and how each member is named and keyed. */
export const CA_FAMILIES: readonly CaFamily[] = ['sm2', 'ecdsa', 'rsa'];

export const CA_KEY_ALGORITHMS: Record<CaFamily, Record<CaRole, KeyAlgorithm>> = {
  sm2: { root: 'SM2', issuing: 'SM2', ocsp: 'SM2', 'seal-maker': 'SM2' },
  ecdsa: { root: 'EC-P384', issuing: 'EC-P256', ocsp: 'EC-P256', 'seal-maker': 'EC-P256' },
  rsa: { root: 'RSA-3072', issuing: 'RSA-2048', ocsp: 'RSA-2048', 'seal-maker': 'RSA-2048' },
};

const FAMILY_LABEL: Record<CaFamily, string> = { sm2: 'SM2', ecdsa: 'ECC', rsa: 'RSA' };
const ROLE_LABEL: Record<CaRole, string> = {
  root: 'Root CA',
  issuing: 'Issuing CA',
  ocsp: 'OCSP Signer',
  'seal-maker': 'Seal Maker 制章者',
};

/** Validity of each CA certificate, in days. The OCSP signer is short-lived: it carries ocsp-nocheck. */
export const CA_VALIDITY_DAYS: Record<CaRole, number> = { root: 20 * 365, issuing: 10 * 365, ocsp: 365, 'seal-maker': 5 * 365 };

export const caId = (family: CaFamily, role: CaRole): string => `${family}-${role}`;

export function caSubject(family: CaFamily, role: CaRole) {
  return { C: 'CN', O: 'ecert 人社电子认证平台', OU: 'ecert PKI', CN: `ecert ${FAMILY_LABEL[family]} ${ROLE_LABEL[role]}` };
}

export interface PkiLinks {
  crlUrl(caId: string): string;
  deltaCrlUrl(caId: string): string;
  caCertUrl(caId: string): string;
  ocspUrl: string;
}

export function pkiLinks(publicUrl: string): PkiLinks {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    crlUrl: (id) => `${base}/pki/crl/${id}.crl`,
    deltaCrlUrl: (id) => `${base}/pki/crl/${id}-delta.crl`,
    caCertUrl: (id) => `${base}/pki/ca/${id}.crt`,
    ocspUrl: `${base}/pki/ocsp`,
  };
}
