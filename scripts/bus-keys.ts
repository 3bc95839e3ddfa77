import { generateKeyPairSync } from 'node:crypto';
import { BUS_PRINCIPALS } from '@ecert/contracts';

/**
 * `npm run bus:keys`: a fresh Ed25519 key pair per ecert service, printed as a .env for
 * docker-compose: each service gets its own private key there as ECERT_BUS_PRIVATE_KEY (from
 * ECERT_<SERVICE>_BUS_KEY), every service the same ECERT_BUS_PUBLIC_KEYS. Keep the file secret.
 */
const pub: string[] = [];
console.log('# ecert bus keys (npm run bus:keys): each private key belongs to one service only');
for (const principal of BUS_PRINCIPALS) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  console.log(`ECERT_${principal.replace(/-/g, '_').toUpperCase()}_BUS_KEY=${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`);
  pub.push(`${principal}=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`);
}
console.log(`ECERT_BUS_PUBLIC_KEYS=${pub.join(',')}`);
