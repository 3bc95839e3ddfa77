import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'calendar_override' })
export class CalendarOverrideEntity {
  @PrimaryColumn({ type: 'int' }) year: number;
  @Column({ type: 'jsonb' }) holidays: string[];
  @Column({ type: 'jsonb' }) workdays: string[];
  @Column({ type: 'text', nullable: true }) source: string | null;
  @Column({ name: 'loaded_by', type: 'text', nullable: true }) loadedBy: string | null;
  @Column({ name: 'loaded_at', type: 'timestamptz' }) loadedAt: Date;
}
