import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CaRole } from './ca.entity';

/** A revoked CA-held certificate, listed by its issuer's CRL and OCSP until it expires. */
@Entity({ name: 'ca_revocation' })
export class CaRevocationEntity {
  @PrimaryColumn({ name: 'issuer_ca_id', type: 'text' })
  issuerCaId: string;

  /** serialKey form (lower-case hex of the DER INTEGER content), as CRL and OCSP lookups use. */
  @PrimaryColumn({ type: 'text' })
  serial: string;

  /** The role slot it held, e.g. sm2-ocsp. */
  @Column({ name: 'ca_id', type: 'text' })
  caId: string;

  @Column({ type: 'text' })
  role: Exclude<CaRole, 'root'>;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'bytea' })
  certificate: Buffer;

  /** publicKeyFingerprint of its key: a key revoked for (cA)keyCompromise is never certified again. */
  @Column({ name: 'spki_sha256', type: 'text' })
  spkiSha256: string;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz' })
  revokedAt: Date;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ type: 'text', nullable: true })
  actor: string | null;
}
