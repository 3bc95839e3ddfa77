import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { PROBLEM_TITLES, ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import type { OcspDelegateCommand, OcspDelegateReply } from '@ecert/contracts';
import { CONFIG, LOGGER } from '@ecert/messaging';
import {
  buildCertificate,
  buildName,
  certificateProfiles,
  describePublicKey,
  InvalidKeyError,
  issuerFromCertificate,
  newSerialNumber,
  publicKeyFingerprint,
} from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import { CA_KEY_ALGORITHMS, caSubject } from '../ca/ca-naming';
import { CompromisedKeyChecker } from '../certificates/compromised-key.checker';

const HOUR = 3_600_000;

/**
 * Certifies a gateway's own OCSP responder key (generated in the gateway's memory, never stored)
 * under an issuing CA, so the gateway can sign answers to requests with a nonce without a round
 * trip per answer. The certificate carries id-kp-OCSPSigning and ocsp-nocheck and lives
 * OCSP_GATEWAY_SIGNER_HOURS only: nothing can revoke it, so a key that leaks with a gateway's memory
 * is good for answers no longer than that. Issued only to the gateway (bus policy, checked again
 * here) and only while the CA may sign (the registry refuses a revoked CA's signer).
 */
@Injectable()
export class IssueGatewayOcspSignerUseCase {
  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
    private readonly compromisedKeys: CompromisedKeyChecker,
  ) {}

  async execute(cmd: OcspDelegateCommand | undefined): Promise<OcspDelegateReply> {
    const caller = requestContext.getStore()?.caller;
    if (caller !== 'gateway') throw new ProblemError(403, ProblemCode.busCallerForbidden, PROBLEM_TITLES.bus_caller_forbidden, 'Only a gateway gets a delegated OCSP responder certificate');
    const caId = String(cmd?.caId ?? '');
    const ca = this.registry.get(caId);
    if (ca.role !== 'issuing') throw ProblemError.badRequest(ProblemCode.validationFailed, 'caId', `${caId} is not an issuing CA`);
    let spki: Uint8Array;
    try {
      spki = new Uint8Array(Buffer.from(String(cmd?.spkiBase64 ?? ''), 'base64'));
      const key = describePublicKey(spki);
      const expected = CA_KEY_ALGORITHMS[ca.family].ocsp;
      if (key.algorithm !== expected) throw new InvalidKeyError(`a ${expected} key is needed for ${caId}, not ${key.label}`);
    } catch (e) {
      if (e instanceof InvalidKeyError) throw ProblemError.badRequest(ProblemCode.validationFailed, 'spkiBase64', e.message);
      throw e;
    }
    // A key revoked for keyCompromise or cACompromise is never certified again, a responder's neither.
    await this.compromisedKeys.assertNotCompromised(spki, 'spkiBase64');
    // Throws ca_revoked (503) when the CA or one above it is revoked: a revoked CA delegates nothing.
    const signer = await this.registry.signer(caId);
    // Asked of the database too: this instance may not have reloaded yet after another one revoked
    // the CA (its broadcast and this request race), and a certificate issued now would outlive that.
    if (await this.registry.revokedInDatabase(ca)) throw new ProblemError(503, ProblemCode.caRevoked, PROBLEM_TITLES.ca_revoked, `The certificate of CA ${caId} is revoked: it delegates nothing`);
    const caCertificate = new Uint8Array(ca.certificate);
    const notBefore = new Date(Date.now() - 60_000); // relying parties' clocks
    // Never beyond the issuing CA's own certificate.
    const notAfter = new Date(Math.min(notBefore.getTime() + 60_000 + this.config.OCSP_GATEWAY_SIGNER_HOURS * HOUR, new Date(ca.notAfter).getTime()));
    if (notAfter.getTime() <= Date.now() + 60_000) throw new ProblemError(503, ProblemCode.serviceUnavailable, PROBLEM_TITLES.service_unavailable, `The certificate of CA ${caId} ends too soon to delegate`);
    const serial = newSerialNumber();
    const subject = caSubject(ca.family, 'ocsp');
    const der = await buildCertificate({
      issuer: issuerFromCertificate(caCertificate),
      signer,
      subjectName: buildName({ ...subject, CN: `${subject.CN} (gateway)` }),
      subjectSpki: spki,
      serialNumber: serial,
      notBefore,
      notAfter,
      extensions: certificateProfiles.ocspSigner({ subjectSpki: spki }),
    });
    const serialHex = Buffer.from(serial).toString('hex');
    const ctx = requestContext.getStore();
    // What the gateway records in the audit trail, here in the service's log as well.
    this.logger.info({ requestId: ctx?.requestId, caller, caId, serial: serialHex, notAfter: notAfter.toISOString(), keyFingerprint: publicKeyFingerprint(spki) }, 'delegated OCSP responder certificate issued to a gateway');
    return { certificateBase64: Buffer.from(der).toString('base64'), caCertificateBase64: Buffer.from(caCertificate).toString('base64'), serial: serialHex, notAfter: notAfter.toISOString() };
  }

}
