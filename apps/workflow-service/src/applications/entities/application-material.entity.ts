import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MaterialKind, MaterialMediaType } from '@ecert/contracts';

@Entity({ name: 'application_material' })
export class ApplicationMaterialEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @Column({ type: 'text' }) kind: MaterialKind;
  @Column({ type: 'text' }) sha256: string;
  @Column({ name: 'media_type', type: 'text' }) mediaType: MaterialMediaType;
  @Column({ type: 'int' }) size: number;
  @Column({ name: 'file_name', type: 'text', nullable: true }) fileName: string | null;
  @Column({ name: 'attached_by', type: 'jsonb' }) attachedBy: { staffId: string | null; clientId: string | null };
  @Column({ name: 'attached_at', type: 'timestamptz' }) attachedAt: Date;
}
