import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, MessageImprint, SignedData, TimeStampReq, TimeStampResp, TSTInfo } from 'pkijs';
import { CmsError } from './cms-error';

const SHA256 = '2.16.840.1.101.3.4.2.1';

/**
 * RFC 3161 over HTTP, the two messages a signer needs for PAdES B-T: the request for a token over
 * a signature value (its SHA-256, a random nonce, the TSA's certificate asked for) and the token
 * out of the answer. The token itself is checked with verifyTimestampToken.
 */
export function buildTimestampRequest(signatureValue: Uint8Array, nonce: Uint8Array = randomBytes(8)): { der: Uint8Array; nonce: Uint8Array } {
  const digest = createHash('sha256').update(signatureValue).digest();
  // A positive INTEGER in minimal DER: the first byte's high bit clear and not zero (a leading zero
  // byte before one under 0x80 is a malformed INTEGER a TSA rejects, 1 request in 128).
  const n = Uint8Array.from(nonce);
  n[0] = (n[0]! & 0x7f) | 0x40;
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithmId: SHA256 }), hashedMessage: new asn1js.OctetString({ valueHex: digest }) }),
    nonce: new asn1js.Integer({ valueHex: n }),
    certReq: true,
  });
  return { der: new Uint8Array(req.toSchema().toBER(false)), nonce: n };
}

/** The TimeStampToken of a TSA's answer; a refusal (status not granted) or garbage is a CmsError. */
export function readTimestampResponse(der: Uint8Array, expectedNonce?: Uint8Array): Uint8Array {
  let resp: TimeStampResp;
  try {
    const parsed = asn1js.fromBER(Uint8Array.from(der));
    if (parsed.offset === -1) throw new Error('not DER');
    resp = new TimeStampResp({ schema: parsed.result });
  } catch (e) {
    throw new CmsError('cms_malformed', `the TSA's answer is not a TimeStampResp (${(e as Error).message})`);
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) throw new CmsError('cms_malformed', `the TSA refused the request (PKIStatus ${status})`);
  if (!resp.timeStampToken) throw new CmsError('cms_malformed', 'the TSA granted the request without a token');
  const token = new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
  if (expectedNonce) {
    // The nonce inside TSTInfo binds the answer to this request (no replayed token).
    const got = tstInfoNonce(resp);
    const want = BigInt(`0x${Buffer.from(expectedNonce).toString('hex') || '0'}`);
    if (got !== want) throw new CmsError('cms_malformed', 'the TSA answered with a token for another request (nonce)');
  }
  return token;
}

function tstInfoNonce(resp: TimeStampResp): bigint | undefined {
  try {
    const signed = new SignedData({ schema: resp.timeStampToken!.content });
    const econtent = signed.encapContentInfo.eContent;
    if (!econtent) return undefined;
    const octets = econtent.idBlock.isConstructed ? Buffer.concat(econtent.valueBlock.value.map((v) => Buffer.from((v as asn1js.OctetString).valueBlock.valueHexView))) : Buffer.from(econtent.valueBlock.valueHexView);
    const info = new TSTInfo({ schema: asn1js.fromBER(Uint8Array.from(octets)).result });
    return info.nonce ? BigInt(`0x${Buffer.from(info.nonce.valueBlock.valueHexView).toString('hex')}`) : undefined;
  } catch {
    return undefined;
  }
}
