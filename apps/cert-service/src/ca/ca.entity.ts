import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type CaRole = 'root' | 'issuing' | 'ocsp' | 'seal-maker';
export type CaFamily = 'sm2' | 'ecdsa' | 'rsa';

/** A CA-held certificate and its key reference: roots, issuing CAs, the OCSP signer, the seal maker. */
@Entity({ name: 'ca' })
export class CaEntity {
  /** Public id used in URLs: `<family>-<role>`, e.g. sm2-issuing. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  family: CaFamily;

  @Column({ type: 'text' })
  role: CaRole;

  @Column({ name: 'parent_id', type: 'text', nullable: true })
  parentId: string | null;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  @Column({ name: 'key_store', type: 'text' })
  keyStore: string;

  @Column({ name: 'key_algorithm', type: 'text' })
  keyAlgorithm: string;

  @Column({ type: 'bytea' })
  certificate: Buffer;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter: Date;

  /** Next CRL number; complete and delta CRLs share one sequence (RFC 5280 5.2.3). */
  @Column({ name: 'next_crl_number', type: 'bigint', default: 1 })
  nextCrlNumber: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
