import { generateKeyPairSync } from 'node:crypto';
import { BUS_PRINCIPALS } from '@ecert/contracts';

/**
 * `npm run bus:keys`: a fresh Ed25519 key pair per ecert service. Give each service its own
 * ECERT_BUS_PRIVATE_KEY (a secret) and every service the same ECERT_BUS_PUBLIC_KEYS.
 */
const pub: string[] = [];
for (const principal of BUS_PRINCIPALS) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  console.log(`# ${principal}\nECERT_BUS_PRIVATE_KEY=${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`);
  pub.push(`${principal}=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`);
}
console.log(`# every service\nECERT_BUS_PUBLIC_KEYS=${pub.join(',')}`);
