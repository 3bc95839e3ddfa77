import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every CRL ever published, complete and delta; the newest of each kind is what is served. */
@Entity({ name: 'crl' })
@Index('crl_ca_number_uq', ['caId', 'number'], { unique: true })
export class CrlEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'ca_id', type: 'text' })
  caId: string;

  @Column({ type: 'bigint' })
  number: string;

  /** Null for a complete CRL; the base CRL number for a delta. */
  @Column({ name: 'delta_base', type: 'bigint', nullable: true })
  deltaBase: string | null;

  @Column({ name: 'this_update', type: 'timestamptz' })
  thisUpdate: Date;

  @Column({ name: 'next_update', type: 'timestamptz' })
  nextUpdate: Date;

  @Column({ name: 'entry_count', type: 'int' })
  entryCount: number;

  @Column({ type: 'bytea' })
  der: Buffer;
}
