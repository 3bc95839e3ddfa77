import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, NATIONAL_SCOPE, ProblemCode, ProblemError, requestContext, validateRegionCode } from '@ecert/common';
import type { ImportUkeysCommand, ImportUkeysResult } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { chinaDate } from '@ecert/pki';
import { UkeyEntity } from '../ukey.entity';
import { bad, requiredText, ukeySerialOf } from '../ukey-input';
import { recordUkeyImport } from '../ukey-steps';

/** Most UKeys one import takes: a larger delivery is imported in several requests. */
export const MAX_UKEYS_PER_IMPORT = 500;
const BATCH = /^[0-9A-Za-z._/-]{1,64}$/;

const duplicate = (index: number, serial: string, detail: string) =>
  new ProblemError(409, ProblemCode.ukeyExists, '状态冲突 (conflict)', detail, `items[${index}].serial`, { serial });

/**
 * 入库: a delivery of UKeys (vendor, model, batch, delivery date) into stock, all or nothing: a
 * serial given twice, or already imported, is a 409 naming `items[i].serial`, and nothing of the
 * request is imported. Imports queue on one lock, so two deliveries naming one serial cannot both
 * pass the check.
 */
@Injectable()
export class ImportUkeysUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  async execute(cmd: ImportUkeysCommand): Promise<ImportUkeysResult> {
    const batch = typeof cmd?.batch === 'string' ? cmd.batch.trim() : '';
    if (!BATCH.test(batch)) throw bad('batch', 'batch must be 1-64 letters, digits or . _ / -');
    const deliveredOn = deliveryDate(cmd.deliveredOn);
    const office = this.officeOf(cmd.officeRegionCode);
    if (!Array.isArray(cmd.items) || cmd.items.length < 1 || cmd.items.length > MAX_UKEYS_PER_IMPORT) {
      throw bad('items', `items must list 1-${MAX_UKEYS_PER_IMPORT} UKeys`);
    }
    const items = cmd.items.map((it, i) => {
      if (!it || typeof it !== 'object') throw bad(`items[${i}]`, `items[${i}] must be { serial, vendor, model }`);
      return { serial: ukeySerialOf(it.serial, `items[${i}].serial`), vendor: requiredText(it.vendor, `items[${i}].vendor`), model: requiredText(it.model, `items[${i}].model`) };
    });
    const first = new Map<string, number>();
    items.forEach((it, i) => {
      const earlier = first.get(it.serial);
      if (earlier !== undefined) throw duplicate(i, it.serial, `UKey ${it.serial} is listed twice (items[${earlier}] and items[${i}]); nothing was imported`);
      first.set(it.serial, i);
    });

    await this.ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ukey:import']);
      const existing: { serial: string }[] = await m.query('SELECT serial FROM "cert"."ukey" WHERE serial = ANY($1)', [items.map((it) => it.serial)]);
      if (existing.length) {
        const known = new Set(existing.map((r) => r.serial));
        const i = items.findIndex((it) => known.has(it.serial));
        throw duplicate(i, items[i]!.serial, `UKey ${items[i]!.serial} is already in the inventory${known.size > 1 ? ` (and ${known.size - 1} more of this request)` : ''}; nothing was imported`);
      }
      const rows = items.map((it) =>
        m.create(UkeyEntity, { ...it, batch, deliveredOn, state: 'in_stock', officeRegionCode: office, soPinGeneration: 0, version: 1 }),
      );
      await m.insert(UkeyEntity, rows);
      for (const u of rows) await recordUkeyImport(m, u, { batch, deliveredOn, ...(office ? { officeRegionCode: office } : {}) });
    });
    this.relay.kick();
    return { batch, imported: items.length };
  }

  /** The stock's holder: given (within scope), else the caller's one region, else national stock for a national caller. */
  private officeOf(input: unknown): string | null {
    const ctx = requestContext.getStore();
    if (input !== undefined && input !== null) {
      const r = validateRegionCode(input);
      if (!r.ok) throw bad('officeRegionCode', r.message);
      assertInScope(ctx, r.value, `office ${r.value}`);
      return r.value;
    }
    const regions = ctx?.regions ?? [];
    if (regions.includes(NATIONAL_SCOPE)) return null;
    if (regions.length === 1) return regions[0]!;
    throw bad('officeRegionCode', 'officeRegionCode is required: name the region whose stock this is');
  }
}

function deliveryDate(input: unknown): string {
  const s = typeof input === 'string' ? input.trim() : '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00Z`) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) throw bad('deliveredOn', 'deliveredOn must be a date (YYYY-MM-DD)');
  if (s > chinaDate(new Date())) throw bad('deliveredOn', 'deliveredOn must not be in the future');
  if (s < '2000-01-01') throw bad('deliveredOn', 'deliveredOn is before 2000');
  return s;
}
