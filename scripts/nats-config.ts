import { writeFileSync } from 'node:fs';
import { natsDeploymentAuthorization } from '@ecert/messaging';

/** `npm run nats:config -- [file] [prefix]`: writes the nats-server authorisation block (see deploy/nats/README.md). */
const [file = 'deploy/nats/ecert-authorization.conf', prefix = 'ecert'] = process.argv.slice(2);
writeFileSync(file, natsDeploymentAuthorization(prefix));
console.log(`wrote ${file}`);
