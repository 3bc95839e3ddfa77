import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, STAFF_ROLES, validateRegionCode } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import type { StaffView } from './staff.view';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { NATIONAL_REGION } from '../access/access.service';

/** Staff accounts and the certificates they log in with. */
@Injectable()
export class StaffService {
  constructor(@Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource) {}

  async create(input: { name: string; role: string; regionCode: string; certificateSerials: string[] }): Promise<StaffView> {
    if (!(STAFF_ROLES as readonly string[]).includes(input.role)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'role', `role must be one of ${STAFF_ROLES.join(', ')}`);
    if (input.regionCode !== NATIONAL_REGION) {
      const r = validateRegionCode(input.regionCode);
      if (!r.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, 'regionCode', r.message);
    }
    const id = randomUUID();
    await this.ds.transaction(async (m) => {
      await m.query(`INSERT INTO "gateway"."staff" (id, name, role, region_code) VALUES ($1,$2,$3,$4)`, [id, input.name, input.role, input.regionCode]);
      for (const [i, serial] of input.certificateSerials.entries()) {
        await m.query(`INSERT INTO "gateway"."staff_certificate" (serial, staff_id) VALUES ($1,$2)`, [serial.toLowerCase(), id]).catch((e: { code?: string }) => {
          if (e.code === '23505') throw ProblemError.conflict(ProblemCode.validationFailed, `certificateSerials[${i}] is already bound to another staff account`);
          throw e;
        });
      }
    });
    return this.get(id);
  }

  async setStatus(id: string, status: 'enabled' | 'disabled'): Promise<StaffView> {
    await this.get(id);
    await this.ds.query(`UPDATE "gateway"."staff" SET status = $2 WHERE id = $1`, [id, status]);
    return this.get(id);
  }

  /** Oldest first (creation order, then id). */
  async list(page = 1, pageSize = 20): Promise<Page<StaffView>> {
    const rows: { id: string }[] = await this.ds.query(`SELECT id FROM "gateway"."staff" ORDER BY created_at, id LIMIT $1 OFFSET $2`, [pageSize, (page - 1) * pageSize]);
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM "gateway"."staff"`);
    return { items: await Promise.all(rows.map((r) => this.get(r.id))), page, pageSize, total };
  }

  async get(id: string): Promise<StaffView> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'staff id must be a UUID');
    const rows = await this.ds.query(`SELECT * FROM "gateway"."staff" WHERE id = $1`, [id]);
    if (!rows.length) throw ProblemError.notFound(ProblemCode.notFound, `No staff account ${id}`);
    const certs: { serial: string }[] = await this.ds.query(`SELECT serial FROM "gateway"."staff_certificate" WHERE staff_id = $1 ORDER BY created_at`, [id]);
    const s = rows[0];
    return { id: s.id, name: s.name, role: s.role, regionCode: s.region_code, status: s.status, certificateSerials: certs.map((c) => c.serial), lastLoginAt: s.last_login_at?.toISOString() ?? null };
  }
}
