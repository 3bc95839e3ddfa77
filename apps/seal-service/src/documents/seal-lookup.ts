import type { EntityManager } from 'typeorm';
import { ProblemError } from '@ecert/common';
import { SealProblemCode } from '@ecert/contracts';
import { SealEntity } from '../seals/seal.entities';
import { uuidOf } from './document-input';

/** The seal a document command names (404 seal_not_found otherwise); region scope is the caller's to check. */
export async function findSeal(m: EntityManager, idInput: unknown, field = 'sealId'): Promise<SealEntity> {
  const id = uuidOf(idInput, field, { code: SealProblemCode.sealNotFound, what: 'seal' });
  const seal = await m.findOneBy(SealEntity, { id });
  if (!seal) throw ProblemError.notFound(SealProblemCode.sealNotFound, `No seal with id '${id}'`);
  return seal;
}
