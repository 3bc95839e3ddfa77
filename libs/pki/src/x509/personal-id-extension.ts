import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { PROFILE_OID } from './certificate-profiles';
import { classifyPersonalIdCode, type PersonalIdCode } from './personal-id-code';

/** The 个人身份标识码 a DER certificate carries, if any (either form). */
export function readPersonalIdCode(certificateDer: Uint8Array): PersonalIdCode | undefined {
  const cert = AsnConvert.parse(certificateDer, Certificate);
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === PROFILE_OID.personalIdNumber);
  if (!ext) return undefined;
  const parsed = asn1js.fromBER(ext.extnValue.buffer);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.PrintableString)) return undefined;
  return classifyPersonalIdCode(parsed.result.valueBlock.value);
}
