import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One release of a UKey's SO PIN (its generation, never the PIN): to the production station for an
 * application, or as the one-time authorisation of an approved unlock. One per application, UKey
 * and purpose.
 */
@Entity({ name: 'ukey_so_pin_release' })
@Unique('ukey_so_pin_release_once', ['applicationId', 'serial', 'purpose'])
@Index('ukey_so_pin_release_serial_idx', ['serial'])
export class UkeySoPinReleaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId: string;

  @Column({ type: 'text' })
  purpose: 'production' | 'unlock';

  @Column({ type: 'int' })
  generation: number;

  @Column({ name: 'released_at', type: 'timestamptz', default: () => 'now()' })
  releasedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** The staff member acting (the operator at the station, the office's staff), else the bus principal. */
  @Column({ name: 'released_to', type: 'text' })
  releasedTo: string;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  /** Unlock: when the tool reported the token's SO PIN set to the next generation. */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;
}
