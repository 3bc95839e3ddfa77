import type { ApplicationView, CertificateView, UnlockAuthorisationView } from '@ecert/contracts';

export interface StationConnection {
  /** The gateway, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** A staff bearer token (from certificate login)… */
  readonly token?: string;
  /** …or a client system's API key. */
  readonly apiKey?: string;
}

/** The SO PIN the platform releases to initialise one UKey for one application. */
export interface ProductionSoPin {
  serial: string;
  soPin: string;
}

/**
 * The one-time unlock authorisation. `nextSoPin` is what the SO PIN becomes after the unlock, so
 * the released one is spent; a platform that does not rotate leaves it out.
 */
export type UnlockAuthorisation = UnlockAuthorisationView & { nextSoPin?: string };

/** A refusal or failure of the platform, with its problem+json code and detail when it sent one. */
export class StationRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(`${method} ${path} → ${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'StationRequestError';
  }
}

/**
 * The platform endpoints a UKey station (production, unlock) calls. Secret-bearing answers (SO
 * PINs) are returned to the caller and never logged here; no Idempotency-Key is sent on them,
 * since the gateway would keep the answer, PIN included, in Redis for a replay.
 */
export class UkeyStationClient {
  readonly #base: string;
  readonly #auth: Record<string, string>;

  constructor(connection: StationConnection) {
    if (!connection.token && !connection.apiKey) throw new Error('a staff token (--token / ECERT_TOKEN) or an API key (--api-key / ECERT_API_KEY) is required');
    this.#base = connection.url.replace(/\/+$/, '');
    this.#auth = connection.token ? { authorization: `Bearer ${connection.token}` } : { 'x-api-key': connection.apiKey! };
  }

  getApplication(id: string): Promise<ApplicationView> {
    return this.#json('GET', `/api/v1/applications/${enc(id)}`);
  }

  releaseProductionSoPin(applicationId: string, ukeySerial: string): Promise<ProductionSoPin> {
    return this.#json('POST', `/api/v1/applications/${enc(applicationId)}/production/so-pin`, { ukeySerial });
  }

  /** The keys were made on the UKey: here is the CSR made there. */
  recordProduction(applicationId: string, ukeySerial: string, csr: string): Promise<ApplicationView> {
    return this.#json('POST', `/api/v1/applications/${enc(applicationId)}/production`, { ukeySerial, csr });
  }

  /** The PIN was reset and the next SO PIN set on the token: the released SO PIN is spent. */
  completeUnlock(applicationId: string, ukeySerial: string, signature: string): Promise<ApplicationView> {
    return this.#json('POST', `/api/v1/applications/${enc(applicationId)}/unlock-completion`, { ukeySerial, signature });
  }

  fetchUnlockAuthorisation(applicationId: string, ukeySerial: string): Promise<UnlockAuthorisation> {
    return this.#json('POST', `/api/v1/applications/${enc(applicationId)}/unlock-authorisation`, { ukeySerial });
  }

  getCertificate(serial: string): Promise<CertificateView> {
    return this.#json('GET', `/api/v1/certificates/${enc(serial)}`);
  }

  /** The seal itself (DER SES_Seal). */
  async downloadSeal(id: string): Promise<Uint8Array> {
    const path = `/api/v1/seals/${enc(id)}.esl`;
    const res = await this.#fetch('GET', path);
    return new Uint8Array(await res.arrayBuffer());
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(method, path, body);
    return (await res.json()) as T;
  }

  async #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: { ...this.#auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new Error(`${method} ${path}: cannot reach the platform at ${this.#base} (${(e as Error).message})`, { cause: e });
    }
    if (res.ok) return res;
    const text = await res.text();
    let problem: { code?: string; detail?: string; title?: string } = {};
    try {
      problem = JSON.parse(text);
    } catch {
      problem = { detail: text.slice(0, 200) || undefined };
    }
    throw new StationRequestError(method, path, res.status, problem.code, problem.detail ?? problem.title);
  }
}

const enc = encodeURIComponent;
