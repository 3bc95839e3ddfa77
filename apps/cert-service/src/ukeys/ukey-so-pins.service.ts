import { Inject, Injectable } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';
import { deriveUkeySoPin } from '@ecert/pki';

/**
 * The UKeys' SO PINs, derived from ECERT_UKEY_SO_PIN_KEY (see deriveUkeySoPin); nothing else in
 * the platform can compute one. The key sits in an ECMAScript private field, so no logger,
 * inspector or JSON serialisation of this object ever shows it.
 */
@Injectable()
export class UkeySoPins {
  readonly #masterKey: string;

  constructor(@Inject(CONFIG) config: EcertConfig) {
    this.#masterKey = config.ECERT_UKEY_SO_PIN_KEY;
  }

  soPin(serial: string, generation: number): string {
    return deriveUkeySoPin(this.#masterKey, serial, generation);
  }

  toJSON(): Record<string, never> {
    return {};
  }
}

/** How long a released SO PIN may be used to start its operation (initialise the token, unlock it). */
export const SO_PIN_RELEASE_TTL_MS = 10 * 60_000;
