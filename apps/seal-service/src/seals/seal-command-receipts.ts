import { CommandReceipts } from '@ecert/database';

/** Receipts of seal creations sent with an idempotency key, naming the seal made. */
export const sealReceipts = new CommandReceipts<'create'>('"seal"."command_receipt"', 'seal_id');
