import * as asn1js from 'asn1js';

/** SES_SealInfo of a seal with its picture stays well under NATS's 1 MB message limit. */
const MAX_SEAL_INFO_BYTES = 900 * 1024;

/** Why `data` is not SES_SealInfo ::= SEQUENCE { SES_Header {IA5 "ES", INTEGER 4, IA5 Vid}, IA5 esID, property, picture, ... }. */
export function sealInfoProblem(data: Uint8Array): string | undefined {
  if (!data.length) return 'no data';
  if (data.length > MAX_SEAL_INFO_BYTES) return `${data.length} bytes is too large`;
  const parsed = asn1js.fromBER(data);
  if (parsed.offset === -1 || parsed.offset !== data.length) return 'not one DER element';
  const info = parsed.result;
  if (!(info instanceof asn1js.Sequence) || info.valueBlock.value.length < 4) return 'not a SEQUENCE of at least 4 fields';
  const [header, esId] = info.valueBlock.value;
  if (!(header instanceof asn1js.Sequence) || header.valueBlock.value.length !== 3) return 'SES_Header missing';
  const [id, version, vid] = header.valueBlock.value;
  if (!(id instanceof asn1js.IA5String) || id.valueBlock.value !== 'ES') return 'header ID is not "ES"';
  if (!(version instanceof asn1js.Integer) || version.valueBlock.valueDec !== 4) return 'header version is not 4';
  if (!(vid instanceof asn1js.IA5String)) return 'header Vid missing';
  if (!(esId instanceof asn1js.IA5String) || !esId.valueBlock.value) return 'esID missing';
  return undefined;
}
