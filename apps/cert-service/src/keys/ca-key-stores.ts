import type { DataSource } from 'typeorm';
import type { EcertConfig } from '@ecert/common';
import { Pkcs11KeyStore, SoftKeyStore, type KeyAlgorithm, type KeyStore } from '@ecert/pki';
import { DatabaseKeyBlobRepository } from './database-key-blob.repository';

/**
 * The key stores the CA may use. The encrypted software store is always there (it is the only
 * home for SM2 keys: SoftHSM2 has no SM2 mechanism); a PKCS#11 token is added when configured
 * and then holds the ECDSA and RSA CA keys.
 */
export class CaKeyStores {
  private constructor(
    readonly soft: KeyStore,
    readonly pkcs11?: KeyStore,
  ) {}

  static open(config: EcertConfig, ds: DataSource): CaKeyStores {
    const soft = new SoftKeyStore({ passphrase: config.ECERT_KEYSTORE_PASSPHRASE, repository: new DatabaseKeyBlobRepository(ds) });
    let pkcs11: KeyStore | undefined;
    if (config.ECERT_KEYSTORE === 'pkcs11') {
      if (!config.PKCS11_PIN) throw new Error('ECERT_KEYSTORE=pkcs11 needs PKCS11_PIN');
      pkcs11 = new Pkcs11KeyStore({ libraryPath: config.PKCS11_LIBRARY, tokenLabel: config.PKCS11_TOKEN_LABEL, pin: config.PKCS11_PIN });
    }
    return new CaKeyStores(soft, pkcs11);
  }

  /** Where a new key of this algorithm goes. */
  forNewKey(algorithm: KeyAlgorithm): KeyStore {
    return this.pkcs11?.supports(algorithm) ? this.pkcs11 : this.soft;
  }

  byKind(kind: string): KeyStore {
    if (kind === 'soft') return this.soft;
    if (kind === 'pkcs11' && this.pkcs11) return this.pkcs11;
    throw new Error(`CA key is in the ${kind} key store, which is not configured (ECERT_KEYSTORE)`);
  }

  async close(): Promise<void> {
    await this.soft.close();
    await this.pkcs11?.close();
  }
}
