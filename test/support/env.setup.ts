import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs before every test file (vitest setupFiles): each file gets its own database, NATS subject
 * and stream prefix and Redis key prefix, so files running side by side never see each other.
 * Contracts read the prefix at import, which is why it is set here, before any test imports.
 */
const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
process.env.ECERT_TEST_ID = id;
process.env.ECERT_NATS_PREFIX = id;
process.env.ECERT_REDIS_PREFIX = `ecert-test:${id}`;
process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/ecert_${id}`;
process.env.LOG_LEVEL ??= 'warn';
process.env.NATS_REQUEST_TIMEOUT_MS ??= '4000';
// Audit checkpoints go to <dir>/<database name>/: per file, and never into the working tree.
process.env.ECERT_AUDIT_CHECKPOINT_DIR ??= join(tmpdir(), 'ecert-test-audit-checkpoints');
// The document store too: per file, and never into the working tree.
process.env.DOCUMENT_STORE_DIR ??= join(tmpdir(), 'ecert-test-documents', id);
// Each test platform would print the development-defaults warning again; it says nothing new in tests.
process.env.ECERT_DEV_DEFAULTS_WARNED ??= '1';
// Every test gateway would bind the default metrics port; a test of /metrics names a free one.
process.env.METRICS_PORT ??= '0';
