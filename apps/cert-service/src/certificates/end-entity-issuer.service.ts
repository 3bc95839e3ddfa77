import { Inject, Injectable } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';
import {
  buildCertificate,
  buildName,
  certificateProfiles,
  formatName,
  issuerFromCertificate,
  newSerialNumber,
  personalIdHash,
  publicKeyFingerprint,
  type CertificateIssuer,
  type ParsedCsr,
} from '@ecert/pki';
import { ProblemCode, ProblemError } from '@ecert/common';
import { CaRegistry } from '../ca/ca-registry.service';
import { pkiLinks } from '../ca/ca-naming';
import type { SubscriberIdentity } from './subscriber-identity';

export interface IssuedCertificate {
  serial: string;
  caId: string;
  der: Uint8Array;
  subject: string;
  keyAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  /** Salted hash of the resident ID (personal certificates): stored beside the certificate. */
  personIdHash?: string;
  /** publicKeyFingerprint of the certified key. */
  spkiSha256: string;
  /** When the CA's key signed it (the moment an HSM's log has). */
  signedAt: Date;
  /** SPKI of the key that signed it (the CA's, as used for this very signature). */
  issuerSpki: Uint8Array;
}

export const DEFAULT_VALIDITY_DAYS = 365;
export const MAX_VALIDITY_DAYS = 3 * 365;
const DAY = 86_400_000;

/** Signs a unit or personal certificate under the issuing CA of the CSR key's family. */
@Injectable()
export class EndEntityIssuer {
  private readonly links: ReturnType<typeof pkiLinks>;
  private readonly personalId: { salt: string; mode: EcertConfig['ECERT_PERSONAL_ID_IN_CERTIFICATE'] };
  /** Parsed once per CA certificate: re-parsing it cost ~0.7 ms on every issuance. */
  private readonly issuers = new Map<string, { certificate: Buffer; issuer: CertificateIssuer }>();

  constructor(
    private readonly registry: CaRegistry,
    @Inject(CONFIG) config: EcertConfig,
  ) {
    this.links = pkiLinks(config.ECERT_PUBLIC_URL);
    this.personalId = { salt: config.ECERT_PERSONAL_ID_SALT, mode: config.ECERT_PERSONAL_ID_IN_CERTIFICATE };
  }

  /**
   * The 个人身份标识码 to write and the hash to store. The hash is recomputed from the number when
   * there is one (so it follows the current salt); a renewal of a hash-only certificate carries the
   * stored hash forward, even in `clear` mode, since the number is kept nowhere.
   */
  private personalIdCode(identity: SubscriberIdentity): { code: string; hash: string } {
    const hash = identity.idNumber ? personalIdHash(identity.idNumber, this.personalId.salt) : identity.idNumberHash;
    if (!hash) throw new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', 'personal identity incomplete: neither the resident ID nor its hash is known');
    return { code: this.personalId.mode === 'clear' && identity.idNumber ? identity.idNumber : hash, hash };
  }

  validity(validityDays: number | undefined, caNotAfter: Date, now = new Date()): { notBefore: Date; notAfter: Date } {
    const days = validityDays ?? DEFAULT_VALIDITY_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'validityDays', `validityDays must be an integer from 1 to ${MAX_VALIDITY_DAYS}`);
    }
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
    const notAfter = new Date(notBefore.getTime() + days * DAY);
    if (notAfter > caNotAfter) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'validityDays', `the certificate would outlive its issuing CA (valid until ${caNotAfter.toISOString()})`);
    }
    return { notBefore, notAfter };
  }

  private issuerOf(caId: string, certificate: Buffer): CertificateIssuer {
    const cached = this.issuers.get(caId);
    if (cached && cached.certificate.equals(certificate)) return cached.issuer;
    const issuer = issuerFromCertificate(new Uint8Array(certificate));
    this.issuers.set(caId, { certificate, issuer });
    return issuer;
  }

  /** `csr.subjectKeyFingerprint`, when intake computed it (AcceptedCsr), is not computed again. */
  async issue(identity: SubscriberIdentity, csr: ParsedCsr & { subjectKeyFingerprint?: string }, validityDays?: number): Promise<IssuedCertificate> {
    if (!csr.keyFamily) throw ProblemError.badRequest(ProblemCode.keyRejected, 'csr', 'unsupported public key type');
    const ca = this.registry.byRole(csr.keyFamily, 'issuing');
    const { notBefore, notAfter } = this.validity(validityDays, ca.notAfter);
    const links = { crlUrl: this.links.crlUrl(ca.id), deltaCrlUrl: this.links.deltaCrlUrl(ca.id), ocspUrl: this.links.ocspUrl, caIssuersUrl: this.links.caCertUrl(ca.id) };
    const subject =
      identity.profile === 'unit'
        ? certificateProfiles.unitSubject({ province: identity.province, city: identity.city, unitName: identity.unitName })
        : certificateProfiles.personalSubject({ province: identity.province, city: identity.city, unitName: identity.unitName, personName: identity.personName! });
    const personalId = identity.profile === 'personal' ? this.personalIdCode(identity) : undefined;
    const extensions =
      identity.profile === 'unit'
        ? certificateProfiles.unit({ subjectSpki: csr.subjectSpki, ...links, uscc: identity.uscc })
        : certificateProfiles.personal({ subjectSpki: csr.subjectSpki, ...links, idNumber: personalId!.code });
    const subjectName = buildName(subject);
    // What the answer needs is worked out before the key signs: nothing can fail after the
    // signature but storing it, which the caller records when it does (DiscardedCertificateRecorder).
    const described = {
      subject: formatName(subjectName),
      keyAlgorithm: describeKeyAlgorithm(csr),
      spkiSha256: csr.subjectKeyFingerprint ?? publicKeyFingerprint(csr.subjectSpki),
    };
    const serial = newSerialNumber();
    const signer = await this.registry.signer(ca.id);
    const der = await buildCertificate({
      issuer: this.issuerOf(ca.id, ca.certificate),
      signer,
      subjectName,
      subjectSpki: csr.subjectSpki,
      serialNumber: serial,
      notBefore,
      notAfter,
      extensions,
    });
    return {
      serial: Buffer.from(serial).toString('hex'),
      caId: ca.id,
      der,
      ...described,
      notBefore,
      notAfter,
      ...(personalId ? { personIdHash: personalId.hash } : {}),
      signedAt: new Date(),
      issuerSpki: signer.spki,
    };
  }
}

function describeKeyAlgorithm(csr: ParsedCsr): string {
  return csr.keyFamily === 'sm2' ? 'SM2' : csr.keyFamily === 'ecdsa' ? 'ECDSA' : 'RSA';
}
