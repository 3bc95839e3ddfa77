import type { DataSource } from 'typeorm';
import type { KeyBlobRepository } from '@ecert/pki';
import { CaKeyBlobEntity } from './ca-key-blob.entity';

/** Keeps the software key store's encrypted blobs in the cert schema, beside the CA rows. */
export class DatabaseKeyBlobRepository implements KeyBlobRepository {
  constructor(private readonly ds: DataSource) {}

  async get(id: string): Promise<Uint8Array | undefined> {
    const row = await this.ds.getRepository(CaKeyBlobEntity).findOneBy({ id });
    return row ? new Uint8Array(row.blob) : undefined;
  }

  async put(id: string, blob: Uint8Array): Promise<void> {
    await this.ds.getRepository(CaKeyBlobEntity).insert({ id, blob: Buffer.from(blob) });
  }

  async list(): Promise<string[]> {
    return (await this.ds.getRepository(CaKeyBlobEntity).find({ select: { id: true } })).map((r) => r.id);
  }
}
