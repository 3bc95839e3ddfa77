import { X509Certificate } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ApplicationStatus, ApplicationView } from '@ecert/contracts';
import { certificateFields, decodePem, keyIdentifierOf, UkeyToken } from '@ecert/pki';
import { UkeyStationClient, type StationConnection } from './ukey-station-client';
import { connectionFrom, runStationCommand, slotFrom, STATION_CLI_OPTIONS, STATION_CLI_USAGE, UsageError } from './ukey-station-cli';

/** What the station puts on the token, so the login tool and middleware find it again. */
export const UKEY_KEY_LABEL = 'ecert-sign';
export const UKEY_SEAL_APPLICATION = 'ecert.seal';
export const ukeySealLabel = (sealId: string): string => `seal:${sealId}`;

const SERIAL = /^[0-9A-Za-z-]{4,32}$/; // the platform's 4–64, capped by the 32-byte token label

export interface ProduceUkeyOptions extends StationConnection {
  readonly applicationId: string;
  /** The UKey vendor's PKCS#11 module (SoftHSM2's in tests). */
  readonly modulePath: string;
  /** The slot, or the token label; neither: the first uninitialised token. */
  readonly slot?: number | bigint;
  readonly label?: string;
  readonly ukeySerial: string;
  /** The user PIN the handler will get with the UKey. */
  readonly userPin: string;
  /** CKA_ID of the key pair and its certificate (hex). */
  readonly keyId?: string;
  /** How long to wait for the certificate and seals after production (default 5 minutes). */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Progress lines (never PINs). */
  readonly log?: (line: string) => void;
}

export interface ProduceUkeyResult {
  applicationId: string;
  ukeySerial: string;
  slot: string;
  keyId: string;
  certificateSerial: string;
  subject: string;
  chainCertificates: number;
  sealIds: string[];
  status: ApplicationStatus;
}

/**
 * `npm run ukey:produce`: the CA operator's production station (第十一条). Initialises a blank UKey
 * with the SO PIN the platform releases for it, generates the key pair on it, has it sign the CSR,
 * records production, waits for the certificate and seals, and writes them onto the token. Run
 * again on the same UKey after production was recorded, it only waits and writes (a resume).
 */
export async function produceUkey(o: ProduceUkeyOptions): Promise<ProduceUkeyResult> {
  const log = o.log ?? (() => undefined);
  const keyId = (o.keyId ?? '01').toLowerCase();
  if (!SERIAL.test(o.ukeySerial)) throw new Error(`UKey serial "${o.ukeySerial}" must be 4-32 letters, digits or hyphens (it becomes the 32-byte token label)`);
  const client = new UkeyStationClient(o);

  const app = await client.getApplication(o.applicationId);
  // Production already recorded with this UKey (the station stopped while waiting): finish the job.
  const resuming = app.status !== 'awaiting_production' && app.results.ukeySerial === o.ukeySerial;
  if (app.status !== 'awaiting_production' && !resuming) throw new Error(`application ${app.id} is ${app.status}, not awaiting production`);
  log(`application ${app.id} (${app.type}) for ${app.unit.name}${resuming ? `: production already recorded on ${o.ukeySerial}, resuming` : ''}`);

  // The token is checked before the SO PIN is asked for: the platform releases it once.
  const token = UkeyToken.open({ libraryPath: o.modulePath, ...(o.slot !== undefined ? { slot: o.slot } : {}), ...(o.label !== undefined ? { label: o.label } : {}) });
  try {
    const info = token.info();
    // Re-initialising wipes a token: only a blank one, or this same UKey again (a re-run), is touched.
    if ((info.initialised || resuming) && info.label !== o.ukeySerial) {
      throw new Error(`the token in slot ${info.slot} is ${info.initialised ? `initialised as "${info.label}"` : 'blank'}, not UKey ${o.ukeySerial}: ${resuming ? 'insert that UKey' : 'put a blank UKey in, or name its slot'}`);
    }
    checkPinLength(o.userPin, info);
    log(`token in slot ${info.slot}: ${info.manufacturer} ${info.model} (${info.initialised ? `initialised as ${info.label}` : 'blank'})`);

    let spki: Uint8Array;
    if (resuming) {
      token.loginUser(o.userPin);
      spki = token.publicKey(keyId);
    } else {
      const { serial, soPin } = await client.releaseProductionSoPin(app.id, o.ukeySerial);
      if (serial !== o.ukeySerial) throw new Error(`the platform released the SO PIN of UKey ${serial}, not ${o.ukeySerial}`);
      token.initialise({ soPin, label: o.ukeySerial, userPin: o.userPin });
      log(`initialised as ${o.ukeySerial}`);

      token.loginUser(o.userPin);
      const pair = token.generateKeyPair({ algorithm: 'EC-P256', id: keyId, label: UKEY_KEY_LABEL });
      spki = pair.spki;
      log(`key pair generated on the token (id ${keyId}, extractable: ${pair.privateKey.extractable})`);
      const csr = await token.buildCsr({ CN: app.unit.name }, keyId);

      await client.recordProduction(app.id, o.ukeySerial, csr.pem);
      log('production recorded; waiting for the certificate and seals');
    }
    const done = await waitUntilIssued(client, app.id, o.timeoutMs ?? 300_000, o.pollIntervalMs ?? 1000);
    const certificateSerial = done.results.certificateSerial!;
    const sealIds = done.results.sealIds ?? [];

    const cert = await client.getCertificate(certificateSerial);
    const leaf = decodePem(cert.certificatePem, 'CERTIFICATE').der;
    // The platform must have certified this token's key, not some other request's.
    if (!Buffer.from(certificateFields(leaf).spki).equals(Buffer.from(spki))) {
      throw new Error(`certificate ${certificateSerial} is not for the key generated on this token`);
    }
    token.writeCertificate(leaf, keyId, UKEY_KEY_LABEL);
    for (const pem of cert.chainPem) {
      const der = decodePem(pem, 'CERTIFICATE').der;
      token.writeCertificate(der, Buffer.from(keyIdentifierOf(certificateFields(der).spki)).toString('hex'), `ca:${commonName(der)}`);
    }
    log(`certificate ${certificateSerial} and ${cert.chainPem.length} chain certificate(s) written`);
    for (const id of sealIds) {
      token.writeData(ukeySealLabel(id), UKEY_SEAL_APPLICATION, await client.downloadSeal(id));
    }
    if (sealIds.length) log(`${sealIds.length} seal(s) written as data objects`);
    token.logout();
    return {
      applicationId: app.id,
      ukeySerial: o.ukeySerial,
      slot: String(info.slot),
      keyId,
      certificateSerial,
      subject: cert.subject,
      chainCertificates: cert.chainPem.length,
      sealIds,
      status: done.status,
    };
  } finally {
    token.close();
  }
}

/** Until the certificate is issued and every requested seal made, or the application needs attention. */
async function waitUntilIssued(client: UkeyStationClient, id: string, timeoutMs: number, everyMs: number): Promise<ApplicationView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const app = await client.getApplication(id);
    if (app.status === 'needs_attention') throw new Error(`application ${id} needs attention: ${app.attention?.reason ?? 'no reason given'} (step ${app.attention?.step ?? '?'})`);
    if (app.status === 'rejected') throw new Error(`application ${id} was rejected`);
    // Made once every step up to the dispatch is done (the UKey then waits for its dispatch batch).
    const made = (app.steps ?? []).every((s) => s.name === 'dispatch' || s.name === 'await_collection' || s.name === 'await_production' || s.status === 'done');
    const sealsDone = (app.results.sealIds?.length ?? 0) >= app.seals.length;
    if (made && app.results.certificateSerial && sealsDone) return app;
    if (Date.now() >= deadline) {
      throw new Error(`application ${id} is still ${app.status} after ${Math.round(timeoutMs / 1000)} s: the key is on the token; once it is issued, run the same command again to write the certificate and seals`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function checkPinLength(pin: string, info: { minPinLength: number; maxPinLength: number }): void {
  const n = Buffer.byteLength(pin, 'utf8');
  if (n < info.minPinLength || (info.maxPinLength > 0 && n > info.maxPinLength)) {
    throw new Error(`the user PIN must be ${info.minPinLength}-${info.maxPinLength} characters on this token`);
  }
}

function commonName(der: Uint8Array): string {
  const cn = new X509Certificate(Buffer.from(der)).subject.split('\n').find((l) => l.startsWith('CN='));
  return cn ? cn.slice(3) : 'CA';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runStationCommand('ukey:produce', async () => {
    const { values } = parseArgs({ options: { ...STATION_CLI_OPTIONS, 'user-pin': { type: 'string' }, 'key-id': { type: 'string' }, timeout: { type: 'string' } } });
    const userPin = values['user-pin'] ?? process.env.ECERT_UKEY_USER_PIN;
    if (values.help || !values.application || !values.module || !values.ukey || !userPin) {
      throw new UsageError(`${STATION_CLI_USAGE} --user-pin <PIN for the handler> (or ECERT_UKEY_USER_PIN) [--key-id 01] [--timeout <seconds>]`);
    }
    const result = await produceUkey({
      ...connectionFrom(values),
      applicationId: values.application,
      modulePath: values.module,
      ...(values.slot !== undefined ? { slot: slotFrom(values.slot)! } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ukeySerial: values.ukey,
      userPin,
      ...(values['key-id'] ? { keyId: values['key-id'] } : {}),
      ...(values.timeout ? { timeoutMs: Number(values.timeout) * 1000 } : {}),
      log: (line) => console.error(line),
    });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`UKey ${result.ukeySerial} produced for application ${result.applicationId} (${result.status})`);
      console.log(`  certificate ${result.certificateSerial}  ${result.subject}  (key id ${result.keyId}, ${result.chainCertificates} chain certificate(s))`);
      console.log(`  seals: ${result.sealIds.length ? result.sealIds.map(ukeySealLabel).join(', ') : 'none'}`);
    }
  });
}
