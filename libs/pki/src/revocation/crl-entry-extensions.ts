import { derEnumerated, derExtension, derOid } from '../der/der-writer';
import { REASON_CODES, type ReasonCode } from './revocation-reason';

/** RFC 5280 §5.3.2 hold instructions (`none` is deprecated there and not offered). */
export type HoldInstruction = 'callIssuer' | 'reject';

const REASON_CODE_OID = derOid('2.5.29.21');
const HOLD_INSTRUCTION_OID = derOid('2.5.29.23');
const INVALIDITY_DATE_OID = derOid('2.5.29.24');

// Entry extensions are the same few byte strings again and again: encode them once.
export const REASON_EXTENSIONS: ReadonlyMap<ReasonCode, Uint8Array> = new Map<ReasonCode, Uint8Array>(
  (Object.keys(REASON_CODES) as ReasonCode[]).map((r) => [r, derExtension(REASON_CODE_OID, false, derEnumerated(REASON_CODES[r]))]),
);
export const HOLD_EXTENSIONS: Readonly<Record<HoldInstruction, Uint8Array>> = {
  callIssuer: derExtension(HOLD_INSTRUCTION_OID, false, derOid('1.2.840.10040.2.2')),
  reject: derExtension(HOLD_INSTRUCTION_OID, false, derOid('1.2.840.10040.2.3')),
};
/** Extension{invalidityDate, OCTET STRING{GeneralizedTime}} up to the 17-byte time. */
export const INVALIDITY_PREFIX = Uint8Array.of(0x30, 0x18, ...INVALIDITY_DATE_OID, 0x04, 0x11);
export const INVALIDITY_EXTENSION_SIZE = INVALIDITY_PREFIX.length + 17;
