import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigError, type EcertConfig } from '@ecert/common';
import type { CaView } from '@ecert/contracts';
import { CONFIG } from '@ecert/messaging';
import { decodePemAll, PROFILE_OID } from '@ecert/pki';
import { parseCertificate, type SealMakerTrustList } from '@ecert/ses';
import { pemToDer } from './seal-factory.service';
import { caRevocationCheck } from './ca-revocation-check';

export const ECERT_MAKER_LIST = 'ecert seal maker';
export const FOREIGN_MAKER_LIST = 'foreign seal-making systems (ECERT_SEAL_MAKER_TRUST)';
export const LEGACY_MAKER_LIST = 'ecert seal maker before id-kp-ecertSealMaking (this seal as stored here)';

/** A trust list as the verification report shows it. */
export interface MakerTrustSummary {
  label: string;
  anchors: string[];
  requiredPurpose?: string;
}

/**
 * Who may make seals, for the seal verifier. ecert's own makers: under ecert's roots and only with
 * id-kp-ecertSealMaking, since the same CAs issue every unit's and person's UKey certificate.
 * Foreign makers (other provinces, the national seal platform): the anchors configured in
 * ECERT_SEAL_MAKER_TRUST, read once at start; a configured path that yields no certificate stops
 * the service instead of silently trusting nobody. ecert's makers are also checked against the
 * CA revocations the cert-service lists (a revoked maker still chains and carries the purpose).
 */
@Injectable()
export class SealMakerTrust {
  private readonly foreign: readonly Uint8Array[];
  private readonly foreignSubjects: readonly string[];

  constructor(@Inject(CONFIG) config: EcertConfig) {
    this.foreign = loadForeignMakerAnchors(config.ECERT_SEAL_MAKER_TRUST);
    this.foreignSubjects = this.foreign.map((d) => parseCertificate(d).subject);
  }

  /**
   * The lists for one verification. `storedHere`: the seal is byte for byte one ecert made and
   * stored, so its maker was ecert's seal maker when it was made, even one certified before the
   * purpose existed (deployments older than it); that admits those seals, and only them.
   * `createDate`: what the seal states, for revocations that leave older seals standing. ecert's
   * lists refuse a maker whose certificate, or a CA above it, the cert-service revoked
   * (caRevocationCheck); the foreign list is the configured anchors as they are.
   */
  lists(cas: readonly CaView[], storedHere = false, createDate?: Date): { lists: SealMakerTrustList[]; summary: MakerTrustSummary[] } {
    const roots = cas.filter((c) => c.role === 'root');
    const anchors = roots.map((c) => pemToDer(c.certificatePem));
    const intermediates = cas.filter((c) => c.role === 'issuing').map((c) => pemToDer(c.certificatePem));
    const revoked = caRevocationCheck(cas, createDate);
    const ecert: SealMakerTrustList = {
      label: ECERT_MAKER_LIST,
      anchors,
      intermediates,
      requiredPurpose: PROFILE_OID.kpEcertSealMaking,
      purposeName: 'id-kp-ecertSealMaking',
      revoked,
    };
    const lists: SealMakerTrustList[] = [ecert];
    const summary: MakerTrustSummary[] = [{ label: ECERT_MAKER_LIST, anchors: roots.map((r) => r.subject), requiredPurpose: PROFILE_OID.kpEcertSealMaking }];
    if (this.foreign.length) {
      lists.push({ label: FOREIGN_MAKER_LIST, anchors: this.foreign });
      summary.push({ label: FOREIGN_MAKER_LIST, anchors: [...this.foreignSubjects] });
    }
    if (storedHere) {
      lists.push({ label: LEGACY_MAKER_LIST, anchors, intermediates, revoked });
      summary.push({ label: LEGACY_MAKER_LIST, anchors: roots.map((r) => r.subject) });
    }
    return { lists, summary };
  }
}

/** Certificates (PEM, one or many per file; or DER) from a file or the files of a directory. */
export function loadForeignMakerAnchors(path: string, variable = 'ECERT_SEAL_MAKER_TRUST'): Uint8Array[] {
  if (!path.trim()) return [];
  const where = `${variable}=${path}`;
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.(pem|crt|cer|der)$/i.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch (e) {
    throw new ConfigError(`${where}: cannot be read (${(e as Error).message})`);
  }
  const out: Uint8Array[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    let ders: Uint8Array[];
    try {
      ders = text.includes('-----BEGIN') ? decodePemAll(text).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der) : [new Uint8Array(bytes)];
      for (const der of ders) parseCertificate(der);
    } catch (e) {
      throw new ConfigError(`${where}: ${file} is not a certificate file (${(e as Error).message})`);
    }
    out.push(...ders);
  }
  if (!out.length) throw new ConfigError(`${where}: no certificate found (PEM/DER files ending .pem, .crt, .cer or .der)`);
  return out;
}
