import { TAG, expectOid, expectUniversal, octetStringContent, readBer } from './ber-node-reader';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';
import type { TimestampVerification } from './cms-types';
import { createContentHasher } from './content-hasher';
import { digestAlgorithmFromOid } from './digest-algorithms';
import { parseSignedData, type ParsedSignedData } from './signed-data-parser';
import { verifySignerInfo } from './signer-info-verifier';

/**
 * Checks an RFC 3161 TimeStampToken against the signature value it timestamps (the B-T attribute):
 * it is a SignedData with an encapsulated TSTInfo, whose messageImprint must be the hash of
 * `signatureValue`, signed by the TSA whose certificate it names. Never throws for bad input.
 */
export function verifyTimestampToken(token: Uint8Array, signatureValue: Uint8Array): TimestampVerification {
  const fail = (problem: string): TimestampVerification => ({
    imprintMatches: false,
    digestMatches: false,
    signatureValid: false,
    certificates: [],
    problems: [problem],
  });
  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(token);
  } catch (e) {
    if (!(e instanceof CmsError)) throw e;
    return fail(`FORMAT_FAILURE: the timestamp token: ${e.message}`);
  }
  if (parsed.eContentType !== CMS_OID.tstInfo || !parsed.eContent) {
    return fail(`FORMAT_FAILURE: the timestamp token does not encapsulate a TSTInfo (eContentType ${parsed.eContentType})`);
  }
  const alg = digestAlgorithmFromOid(parsed.signerInfos[0]?.digestAlgorithm.oid ?? '');
  const core = verifySignerInfo(parsed, alg ? createContentHasher(alg).update(parsed.eContent).digest() : new Uint8Array(0));
  const problems = [...core.problems];

  let info: { genTime: Date; policy: string; imprintOid: string; imprint: Uint8Array } | undefined;
  try {
    info = readTstInfo(parsed.eContent);
  } catch (e) {
    if (!(e instanceof CmsError)) throw e;
    problems.push(`FORMAT_FAILURE: TSTInfo: ${e.message}`);
  }
  let imprintMatches = false;
  if (info) {
    const imprintAlg = digestAlgorithmFromOid(info.imprintOid);
    if (!imprintAlg) {
      problems.push(`CRYPTO_CONSTRAINTS_FAILURE: message imprint algorithm ${info.imprintOid} is not accepted`);
    } else {
      const expected = createContentHasher(imprintAlg).update(signatureValue).digest();
      imprintMatches = Buffer.from(expected).equals(Buffer.from(info.imprint));
      if (!imprintMatches) problems.push('HASH_FAILURE: the timestamp message imprint is not the hash of the signature value');
    }
  }
  return {
    ...(info ? { genTime: info.genTime, policy: info.policy } : {}),
    imprintMatches,
    digestMatches: core.digestMatches,
    signatureValid: core.signatureValid,
    ...(core.signerCertificate ? { tsaCertificate: core.signerCertificate } : {}),
    certificates: core.certificates,
    problems,
  };
}

/** TSTInfo ::= SEQUENCE { version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, … } */
function readTstInfo(der: Uint8Array) {
  const c = expectUniversal(readBer(der, 'TSTInfo'), TAG.SEQUENCE, 'TSTInfo').children;
  const policy = expectOid(c[1], 'TSTInfo.policy');
  const imprint = expectUniversal(c[2], TAG.SEQUENCE, 'TSTInfo.messageImprint').children;
  const imprintOid = expectOid(expectUniversal(imprint[0], TAG.SEQUENCE, 'messageImprint.hashAlgorithm').children[0], 'hashAlgorithm');
  const hashed = octetStringContent(expectUniversal(imprint[1], TAG.OCTET_STRING, 'messageImprint.hashedMessage'));
  const genTime = generalizedTime(expectUniversal(c[4], 24, 'TSTInfo.genTime').content);
  return { genTime, policy, imprintOid, imprint: hashed };
}

function generalizedTime(content: Uint8Array): Date {
  const text = new TextDecoder().decode(content);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text);
  if (!m) throw new CmsError('cms_malformed', `genTime ${JSON.stringify(text)} is not a UTC GeneralizedTime`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms));
}
