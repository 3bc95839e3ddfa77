import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * Every setting the platform reads from the environment, validated once at start. Defaults point
 * at the localhost PostgreSQL/NATS/Redis of a developer machine, so `npm start` needs no setup.
 */
export const configSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/ecert'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /**
   * Copies JetStream keeps of the events stream and of every durable consumer (num_replicas): 1 on
   * one nats-server, 3 on a 3-node cluster (survives the loss of one node; docs/deployment.md). Set
   * wherever the stream is provisioned: the operator's nats:provision, or services that self-provision.
   */
  NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Prefix of every NATS subject and JetStream stream: lets test runs share one server. */
  ECERT_NATS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('ecert'),
  /** Connections per service pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  /** How long a request waits for a pooled connection before it fails cleanly (pool exhausted). */
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3000),
  /** PostgreSQL statement_timeout of every pooled connection: no statement runs longer. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** PostgreSQL lock_timeout: a row, table or advisory lock wait ends with an error, never hangs. */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(3000),
  /** PostgreSQL idle_in_transaction_session_timeout: a transaction its owner forgot is cut off. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Every Redis command fails after this long instead of waiting for a reconnect. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  ECERT_REDIS_PREFIX: z.string().default('ecert'),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port.default(3000),
  /**
   * Gateway processes sharing GATEWAY_PORT on this host (node:cluster); 1 = the gateway is one
   * process. Each is a whole gateway, as a second host's would be: set it to the cores the gateway
   * may use (docs/deployment.md "Gateway workers").
   */
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** Prometheus /metrics of the whole platform, on its own port so it is never reachable where the API is; 0 = off. */
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: port.default(9464),
  /** How long a scrape collects the answers of every instance of every service (scatter-gather). */
  METRICS_GATHER_MS: z.coerce.number().int().min(100).max(10_000).default(1000),
  /** /metrics answers from one shared scrape at most this old (single-flight; 0 = every GET scrapes). */
  METRICS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /**
   * How long the gateway may answer from a client credential it read (0 = read it on every request).
   * Changes made through the API reach every gateway process at once (a bus broadcast); this bounds
   * one the broadcast missed, or made in the database by hand. No cache while the bus is down.
   */
  ECERT_CREDENTIAL_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** The overview is computed at most once per caller scope and bounds in this long (single-flight; 0 = no cache). */
  OPERATIONS_OVERVIEW_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  /** This process's name in metrics (`instance`): host name and pid unless set (say, the pod's name). */
  ECERT_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional(),
  /** Base URL relying parties use for CRL, OCSP and CA issuer links written into certificates. */
  ECERT_PUBLIC_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** Passphrase of the encrypted software key store. The default is only for development. */
  ECERT_KEYSTORE_PASSPHRASE: z.string().min(8).default('ecert-dev-only-passphrase'),
  ECERT_KEYSTORE: z.enum(['soft', 'pkcs11']).default('soft'),
  PKCS11_LIBRARY: z.string().default('/usr/lib/softhsm/libsofthsm2.so'),
  PKCS11_TOKEN_LABEL: z.string().default('ecert'),
  PKCS11_PIN: z.string().optional(),
  /** This process's NATS credentials (each service its own; see deploy/nats). Empty = none. */
  NATS_USER: z.string().default(''),
  NATS_PASSWORD: z.string().default(''),
  /**
   * This process's Ed25519 key for signing bus contexts and events (PKCS#8 PEM, or base64 of its
   * DER). Empty = the published development key of the service, refused in production.
   */
  ECERT_BUS_PRIVATE_KEY: z.string().default(''),
  /** The bus principals' public keys: `gateway=<base64 SPKI DER>,cert-service=…`. Empty = development keys. */
  ECERT_BUS_PUBLIC_KEYS: z.string().default(''),
  NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  CRL_VALIDITY_HOURS: z.coerce.number().int().min(1).max(24 * 31).default(24),
  DELTA_CRL_VALIDITY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
  OCSP_VALIDITY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(10),
  /** HTTP max-age of OCSP answers; 0 = `no-cache`, so no HTTP cache can hide a freeze (see ocsp-responder.http). */
  OCSP_HTTP_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(3600).default(0),
  /**
   * Gateways sign answers to OCSP requests with a nonce themselves, with a key of their own held in
   * memory and a short-lived delegated responder certificate (docs/decisions.md "OCSP"); false =
   * every nonce answer is signed by the cert-service.
   */
  OCSP_GATEWAY_SIGNING: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Lifetime of a gateway's delegated OCSP responder certificate (ocsp-nocheck: keep it short); renewed at half-life. */
  OCSP_GATEWAY_SIGNER_HOURS: z.coerce.number().int().min(1).max(48).default(24),
  /** Longest a gateway answers from a kept status without asking again, should an invalidation broadcast be lost. */
  OCSP_GATEWAY_STATUS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /** HMAC key for staff bearer tokens; set a long random value in production. */
  ECERT_TOKEN_SECRET: z.string().min(16).default('ecert-dev-only-token-secret'),
  /**
   * Secret key of the salted hash (HMAC-SM3) of resident ID numbers that personal certificates
   * and the database carry instead of the number; relying systems that match persons get it too.
   */
  ECERT_PERSONAL_ID_SALT: z.string().min(16).default('ecert-dev-only-personal-id-salt'),
  /**
   * Master secret the SO (administrator) PINs of the UKeys are derived from (HMAC-SHA256 per serial
   * and generation, libs/pki deriveUkeySoPin): no SO PIN is stored anywhere. The cert-service alone
   * holds it; never logged. Changing it changes every token's SO PIN, so it is set once, kept in
   * the vault with the key-store passphrase, and never rotated without re-initialising the tokens.
   */
  ECERT_UKEY_SO_PIN_KEY: z.string().min(32).default('ecert-dev-only-ukey-so-pin-master-key'),
  /** What personal certificates carry in 1.2.156.10260.4.1.1: the salted hash, or the number in clear. */
  ECERT_PERSONAL_ID_IN_CERTIFICATE: z.enum(['hash', 'clear']).default('hash'),
  AUTH_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(1).max(600).default(120),
  STAFF_TOKEN_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /**
   * Secret the audit trail's MAC key (HMAC-SHA256 over each record) is derived from, and, unless
   * ECERT_AUDIT_SIGNING_KEY is set, the Ed25519 checkpoint signing key. Never stored in the database.
   */
  ECERT_AUDIT_KEY: z.string().min(16).default('ecert-dev-only-audit-key'),
  /** Checkpoint signing key (PKCS#8 PEM or base64 DER; Ed25519 or ECDSA P-256). Empty = derived from ECERT_AUDIT_KEY. */
  ECERT_AUDIT_SIGNING_KEY: z.string().default(''),
  /** Where signed checkpoints of the audit chain head are written for a second party to keep. */
  ECERT_AUDIT_CHECKPOINT_DIR: z.string().min(1).default('var/audit-checkpoints'),
  /** How often (seconds) the audit chain head is checkpointed when it has moved. */
  ECERT_AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(24 * 3600).default(60),
  /**
   * The last audit record (seq) written before the chain was keyed (issue 8); unkeyed records after
   * it are reported as `downgraded`. 0 (default) = none may be unkeyed. Set once when upgrading.
   */
  ECERT_AUDIT_LEGACY_UNTIL: z.coerce.number().int().min(0).default(0),
  /**
   * Directory of the document store: uploaded materials and documents to seal, each file named by
   * the SHA-256 of its bytes. The gateway, workflow-service and seal-service share it (one volume).
   */
  DOCUMENT_STORE_DIR: z.string().min(1).default('var/documents'),
  /** Largest material (PDF/JPEG/PNG scan) accepted, in bytes; also the document store's hard limit. */
  MATERIAL_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  /**
   * Largest PDF accepted for sealing or verification, in bytes (issue 11: at least 50 MB). The
   * documents' own store instance refuses anything larger; materials keep MATERIAL_MAX_BYTES.
   */
  DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(64 * 1024 * 1024),
  /** How long a registered document (an upload to seal, a sealed result) is kept at least, in days. */
  DOCUMENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(180),
  /** Reverse proxies (IP addresses, comma-separated) whose X-Client-Cert header is trusted for mutual TLS. */
  ECERT_TRUSTED_PROXIES: z.string().default(''),
  /** Foreign seal makers whose seals verify (other provinces, the national platform): a PEM file or a directory of them. Empty = none. */
  ECERT_SEAL_MAKER_TRUST: z.string().default(''),
  /** RFC 3161 time-stamping authority for document signatures (PAdES B-T); empty = B-B (no timestamp). */
  ECERT_TSA_URL: z.union([z.literal(''), z.string().url()]).default(''),
  ECERT_TSA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /**
   * TSAs whose timestamps prove when a document signature existed (verification): their
   * certificates or CAs, a PEM file or a directory of them. Empty = timestamps are reported only.
   */
  ECERT_TSA_TRUST: z.string().default(''),
  /** How often (ms) the workflow-service looks for due steps of approved applications (a new step is also started at once). */
  WORKFLOW_STEP_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** First retry delay (ms) of a failed step; doubles per attempt, at most 5 minutes. */
  WORKFLOW_STEP_BACKOFF_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Applications whose due steps one workflow-service instance carries out at once (the sagas queue's worker). */
  WORKFLOW_SAGA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Webhooks (docs/notifications.md): development and tests only — allow loopback, private and link-local targets. */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** A delivery attempt's limit (connect, send, first bytes of the answer). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Attempts before a delivery is dead-lettered. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay (ms); doubles per attempt. */
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** Deliveries in flight at once, in all, and for one subscription (a receiver that never answers holds no more). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  WEBHOOK_SUBSCRIPTION_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  /** How long the previous secret of a rotated subscription still signs deliveries. */
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** Subscriptions one client system may have. */
  WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(10),
  /** A name lookup of a webhook target (registration and each attempt); at most two run at once. */
  WEBHOOK_DNS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(5000),
  /** Finished webhook deliveries (with their attempts) and e-mails older than this are deleted (daily). */
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** E-mail to handlers (renewal reminders, expiry): an smtp:// or smtps:// URL; empty = mail disabled. */
  SMTP_URL: z.union([z.literal(''), z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')]).default(''),
  MAIL_FROM: z.string().default('ecert <noreply@ecert.localhost>'),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  MAIL_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
  /** When the 第二十条 invalid-list run goes (cron, Asia/Shanghai); 'off' = only when an operator starts it. */
  ECERT_INVALIDATION_CRON: z.union([z.literal('off'), z.string().regex(/^(\S+\s+){4,5}\S+$/, 'a cron pattern of 5 or 6 fields')]).default('0 30 2 * * *'),
  /** When renewal reminders and expiry events are looked for (cron, Asia/Shanghai); 'off' = never. */
  ECERT_REMINDERS_CRON: z.union([z.literal('off'), z.string().regex(/^(\S+\s+){4,5}\S+$/, 'a cron pattern of 5 or 6 fields')]).default('0 15 * * * *'),
  /** Certificates per transaction of a batch job (invalidation, reminders): bounds locks, and how long a freeze's event waits. */
  ECERT_BATCH_CHUNK_SIZE: z.coerce.number().int().min(10).max(50_000).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type EcertConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Settings whose defaults only a developer machine may run with. */
export const DEVELOPMENT_ONLY_DEFAULTS = [
  'ECERT_KEYSTORE_PASSPHRASE',
  'ECERT_TOKEN_SECRET',
  'ECERT_PUBLIC_URL',
  'ECERT_PERSONAL_ID_SALT',
  'ECERT_UKEY_SO_PIN_KEY',
  'ECERT_AUDIT_KEY',
  'ECERT_BUS_PRIVATE_KEY',
  'ECERT_BUS_PUBLIC_KEYS',
  'NATS_USER',
  'NATS_PASSWORD',
] as const;
type DevelopmentOnly = (typeof DEVELOPMENT_ONLY_DEFAULTS)[number];

const ON_THE_BUS: DevelopmentOnly[] = ['ECERT_BUS_PRIVATE_KEY', 'ECERT_BUS_PUBLIC_KEYS', 'NATS_USER', 'NATS_PASSWORD'];

/**
 * Which of them each process uses, so production asks each only for its own secrets (a
 * seal-service is never handed the key-store passphrase or the audit key). `all` for commands
 * that run several parts in one process (npm start on a developer machine, the bench).
 */
export const SECRETS_OF = {
  gateway: ['ECERT_TOKEN_SECRET', 'ECERT_AUDIT_KEY', ...ON_THE_BUS],
  // The UKeys' SO PINs are derived (and released) here only.
  'cert-service': ['ECERT_KEYSTORE_PASSPHRASE', 'ECERT_PUBLIC_URL', 'ECERT_PERSONAL_ID_SALT', 'ECERT_UKEY_SO_PIN_KEY', ...ON_THE_BUS],
  'seal-service': ON_THE_BUS,
  // The handler's resident ID is kept as a keyed hash, checked again when the UKey is collected.
  'workflow-service': ['ECERT_PERSONAL_ID_SALT', ...ON_THE_BUS],
  /** Operator commands that only reach NATS with their own credentials (nats:provision). */
  operator: [],
  /** audit:verify: reads the gateway's schema and checks MACs; nothing else. */
  auditor: ['ECERT_AUDIT_KEY'],
  all: [...DEVELOPMENT_ONLY_DEFAULTS],
} as const satisfies Record<string, readonly DevelopmentOnly[]>;
export type ConfigRole = keyof typeof SECRETS_OF;

/** Which development-only defaults this configuration still uses (among those `role` needs). */
export function developmentDefaultsInUse(config: EcertConfig, role: ConfigRole = 'all'): string[] {
  const defaults = configSchema.parse({});
  return (SECRETS_OF[role] as readonly DevelopmentOnly[]).filter((k) => config[k] === defaults[k]);
}

/** The one line a development start prints about them (undefined when none is in use). */
export function developmentDefaultsWarning(config: EcertConfig, role: ConfigRole = 'all'): string | undefined {
  const dev = developmentDefaultsInUse(config, role);
  return dev.length ? `development defaults in use for ${dev.join(', ')}: fine on a developer machine, refused with NODE_ENV=production` : undefined;
}

/** Set by `npm start` for the services it starts, once it has printed the warning itself. */
export const DEV_DEFAULTS_WARNED_ENV = 'ECERT_DEV_DEFAULTS_WARNED';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: ConfigRole = 'all'): EcertConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // A production deployment with the published development secrets would sign 20-year CA
  // certificates with a known key-store passphrase, accept forged staff tokens and bus contexts,
  // and leave NATS open to anyone who can reach it.
  const dev = developmentDefaultsInUse(parsed.data, role);
  if (dev.length && env.NODE_ENV === 'production') {
    throw new ConfigError(
      `Invalid configuration:\n${dev.map((k) => `  ${k}: still the development default; set it for production (NODE_ENV=production)`).join('\n')}`,
    );
  }
  return parsed.data;
}
