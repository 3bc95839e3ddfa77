import { loadConfig } from '@ecert/common';
import { connectNats, provisionEvents } from '@ecert/messaging';
import { natsPrefix } from '@ecert/contracts';

/**
 * `npm run nats:provision`: as the NATS operator (NATS_USER / NATS_PASSWORD of the operator user
 * in deploy/nats), creates or updates the events stream and every durable consumer. Services on
 * an authorised server may not do it themselves (see deploy/nats/README.md). NATS_REPLICAS (3 on a
 * 3-node cluster) sets the copies of each; run again with a new value to scale an existing stream.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, 'operator');
  const nc = await connectNats(config.NATS_URL, 'ecert-provision', config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD } : {});
  try {
    await provisionEvents(nc, config.NATS_REPLICAS);
    console.log(`nats:provision: events stream and durable consumers ready for prefix "${natsPrefix}" at ${config.NATS_REPLICAS} replica(s)`);
  } finally {
    await nc.close();
  }
}

main().catch((e) => {
  console.error(`nats:provision failed: ${(e as Error).message}`);
  process.exit(1);
});
