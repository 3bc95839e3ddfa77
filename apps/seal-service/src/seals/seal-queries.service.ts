import { Inject, Injectable } from '@nestjs/common';
import { In, type DataSource } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, regionLikePatterns, requestContext, validateUscc, pageBounds } from '@ecert/common';
import { SEAL_KINDS, SEAL_STATUSES, SealProblemCode, type BinaryReply, type DownloadSealQuery, type ListSealsQuery, type Page, type SealView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { SealEntity, SealImageEntity } from './seal.entities';
import { toSealView } from './seal-view';
import { normalizeSerial, oneOf } from './seal-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class SealQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(idInput: unknown): Promise<SealView> {
    const seal = await this.find(idInput);
    const img = await this.ds.getRepository(SealImageEntity).findOneByOrFail({ id: seal.imageId });
    return toSealView(seal, img);
  }

  async list(q: ListSealsQuery): Promise<Page<SealView>> {
    const { page, pageSize } = pageBounds(q);
    const qb = this.ds.getRepository(SealEntity).createQueryBuilder('s');
    const patterns = regionLikePatterns(requestContext.getStore());
    if (patterns) qb.andWhere('s.region_code LIKE ANY(:patterns)', { patterns });
    if (q.uscc !== undefined) {
      const u = validateUscc(q.uscc);
      if (!u.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, 'uscc', u.message);
      qb.andWhere('s.uscc = :uscc', { uscc: u.value });
    }
    if (q.kind !== undefined) qb.andWhere('s.kind = :kind', { kind: oneOf(q.kind, 'kind', SEAL_KINDS) });
    if (q.certificateSerial !== undefined) qb.andWhere('s.certificate_serial = :serial', { serial: normalizeSerial(q.certificateSerial) });
    if (q.status !== undefined) {
      const status = oneOf(q.status, 'status', SEAL_STATUSES);
      if (status === 'expired') qb.andWhere("s.status IN ('active','suspended') AND s.valid_to <= now()");
      else if (status === 'active' || status === 'suspended') qb.andWhere('s.status = :status AND s.valid_to > now()', { status });
      else qb.andWhere('s.status = :status', { status });
    }
    const [rows, total] = await qb
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const images = rows.length ? await this.ds.getRepository(SealImageEntity).findBy({ id: In([...new Set(rows.map((r) => r.imageId))]) }) : [];
    const byId = new Map(images.map((i) => [i.id, i]));
    return { items: rows.map((r) => toSealView(r, byId.get(r.imageId)!)), page, pageSize, total };
  }

  /** The DER SES_Seal (.esl) or the stored PNG. */
  async download(q: DownloadSealQuery): Promise<BinaryReply> {
    const seal = await this.find(q?.id);
    if (q.what === 'image') {
      const img = await this.ds.getRepository(SealImageEntity).createQueryBuilder('i').addSelect('i.png').where('i.id = :id', { id: seal.imageId }).getOneOrFail();
      return { base64: img.png.toString('base64'), contentType: 'image/png' };
    }
    if (q.what !== 'esl') throw ProblemError.badRequest(ProblemCode.validationFailed, 'what', "what must be 'esl' or 'image'");
    const row = await this.ds.getRepository(SealEntity).createQueryBuilder('s').addSelect('s.der').where('s.id = :id', { id: seal.id }).getOneOrFail();
    return { base64: row.der.toString('base64'), contentType: 'application/octet-stream' };
  }

  private async find(idInput: unknown): Promise<SealEntity> {
    const id = typeof idInput === 'string' ? idInput.trim().toLowerCase() : '';
    if (!UUID.test(id)) throw ProblemError.notFound(SealProblemCode.sealNotFound, `No seal with id '${String(idInput ?? '')}'`);
    const seal = await this.ds.getRepository(SealEntity).findOneBy({ id });
    if (!seal) throw ProblemError.notFound(SealProblemCode.sealNotFound, `No seal with id '${id}'`);
    assertInScope(requestContext.getStore(), seal.regionCode, `seal ${id}`);
    return seal;
  }
}
