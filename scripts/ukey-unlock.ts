import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ApplicationStatus } from '@ecert/contracts';
import { UkeyToken, UkeyTokenError } from '@ecert/pki';
import { UKEY_KEY_LABEL } from './ukey-produce';
import { UkeyStationClient, type StationConnection } from './ukey-station-client';
import { connectionFrom, runStationCommand, slotFrom, STATION_CLI_OPTIONS, STATION_CLI_USAGE, UsageError } from './ukey-station-cli';

export interface UnlockUkeyOptions extends StationConnection {
  /** The approved `unlock` application. */
  readonly applicationId: string;
  readonly modulePath: string;
  /** The slot, or the token label; neither: the token labelled with the UKey serial. */
  readonly slot?: number | bigint;
  readonly label?: string;
  readonly ukeySerial: string;
  readonly newPin: string;
  /** Progress lines (never PINs). */
  readonly log?: (line: string) => void;
}

export interface UnlockUkeyResult {
  applicationId: string;
  ukeySerial: string;
  slot: string;
  /** The SO PIN was rotated to the authorisation's next one (by this run or an earlier, interrupted one). */
  soPinRotated: boolean;
  /** The released SO PIN was refused and the next one worked: an earlier run had got past C_SetPIN. */
  resumed: boolean;
  status: ApplicationStatus;
}

/**
 * `npm run ukey:unlock` (解锁): with the platform's one-time authorisation for an approved unlock
 * application, logs in to the UKey as SO, sets the new user PIN (clearing its lock), rotates the SO
 * PIN to the next one, and reports the unlock done, which completes the application.
 */
export async function unlockUkey(o: UnlockUkeyOptions): Promise<UnlockUkeyResult> {
  const log = o.log ?? (() => undefined);
  const client = new UkeyStationClient(o);
  // ecert labels each UKey with its serial, so that is how it is found by default.
  const token = UkeyToken.open({ libraryPath: o.modulePath, ...(o.slot !== undefined ? { slot: o.slot } : { label: o.label ?? o.ukeySerial }) });
  try {
    const info = token.info();
    // Checked before the authorisation is fetched: it is released once, and a wrong token's SO login
    // would spend one of its few SO PIN tries.
    if (info.label !== o.ukeySerial) throw new Error(`the token in slot ${info.slot} is "${info.label}", not UKey ${o.ukeySerial}`);
    const n = Buffer.byteLength(o.newPin, 'utf8');
    if (n < info.minPinLength || (info.maxPinLength > 0 && n > info.maxPinLength)) {
      throw new Error(`the new PIN must be ${info.minPinLength}-${info.maxPinLength} characters on this token`);
    }
    log(`UKey ${o.ukeySerial} in slot ${info.slot}${info.userPinLocked ? ' (user PIN locked)' : ''}`);

    const auth = await client.fetchUnlockAuthorisation(o.applicationId, o.ukeySerial);
    if (auth.serial !== o.ukeySerial || auth.applicationId !== o.applicationId) {
      throw new Error(`the authorisation is for UKey ${auth.serial} / application ${auth.applicationId}, not ${o.ukeySerial} / ${o.applicationId}`);
    }
    if (Date.parse(auth.expiresAt) <= Date.now()) throw new Error(`the unlock authorisation expired at ${auth.expiresAt}`);

    let resumed = false;
    try {
      token.resetUserPin({ soPin: auth.soPin, newUserPin: o.newPin, ...(auth.nextSoPin ? { nextSoPin: auth.nextSoPin } : {}) });
    } catch (e) {
      // A run that stopped after C_SetPIN left the token on the next SO PIN: one try with it.
      if (!(e instanceof UkeyTokenError && e.reason === 'wrong_pin' && auth.nextSoPin)) throw e;
      log('the released SO PIN was refused; trying the next SO PIN (an earlier run rotated it)');
      token.resetUserPin({ soPin: auth.nextSoPin, newUserPin: o.newPin });
      resumed = true;
    }
    // Proves the new PIN, and with the UKey's key signs the platform's completion challenge: the
    // proof that the reset was done on this token before the SO PIN generation advances.
    token.loginUser(o.newPin);
    let signature: string;
    try {
      const leaf = token.readCertificates().find((c) => c.label === UKEY_KEY_LABEL);
      if (!leaf) throw new Error(`the token holds no certificate labelled ${UKEY_KEY_LABEL}`);
      if (!auth.completionChallenge) throw new Error('the authorisation carries no completion challenge');
      signature = Buffer.from(token.sign(leaf.id, Buffer.from(auth.completionChallenge, 'base64'))).toString('base64');
    } finally {
      token.logout();
    }
    log('user PIN reset on the token');

    const done = await client.completeUnlock(o.applicationId, o.ukeySerial, signature);
    return { applicationId: o.applicationId, ukeySerial: o.ukeySerial, slot: String(info.slot), soPinRotated: Boolean(auth.nextSoPin), resumed, status: done.status };
  } finally {
    token.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runStationCommand('ukey:unlock', async () => {
    const { values } = parseArgs({ options: { ...STATION_CLI_OPTIONS, 'new-pin': { type: 'string' } } });
    const newPin = values['new-pin'] ?? process.env.ECERT_UKEY_NEW_PIN;
    if (values.help || !values.application || !values.module || !values.ukey || !newPin) {
      throw new UsageError(`${STATION_CLI_USAGE} --new-pin <new user PIN> (or ECERT_UKEY_NEW_PIN)`);
    }
    const result = await unlockUkey({
      ...connectionFrom(values),
      applicationId: values.application,
      modulePath: values.module,
      ...(values.slot !== undefined ? { slot: slotFrom(values.slot)! } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ukeySerial: values.ukey,
      newPin,
      log: (line) => console.error(line),
    });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`UKey ${result.ukeySerial} unlocked for application ${result.applicationId} (${result.status}); SO PIN ${result.soPinRotated ? 'rotated' : 'unchanged'}`);
  });
}
