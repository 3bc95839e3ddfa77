import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { PlatformKeyAlgorithm } from '@ecert/contracts';

/**
 * A key pair the platform holds for a certificate (an office's own seal): where it is in the key
 * store and who had it made. One per certificate; the private key never leaves the key store.
 */
@Entity({ name: 'platform_key' })
export class PlatformKeyEntity {
  /** The certificate it is certified by (cert.certificate, platform_held). */
  @PrimaryColumn({ type: 'text' })
  serial: string;

  /** `platform:<uuid>`: the soft store's blob id, or the PKCS#11 label. */
  @Column({ name: 'key_id', type: 'text', unique: true })
  keyId: string;

  @Column({ name: 'key_store', type: 'text' })
  keyStore: 'soft' | 'pkcs11';

  @Column({ type: 'text' })
  algorithm: PlatformKeyAlgorithm;

  /** The staff member (or client) whose request generated it. */
  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
