import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Encrypted private keys of the software key store (never plaintext; see SoftKeyStore). */
@Entity({ name: 'ca_key_blob' })
export class CaKeyBlobEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'bytea' })
  blob: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
