import { CommandReceipts } from '@ecert/database';

export type UkeyCommand = 'transition' | 'collect';

/** Receipts of the UKey commands sent with an idempotency key, naming the UKey. */
export const ukeyReceipts = new CommandReceipts<UkeyCommand>('"cert"."ukey_command_receipt"', 'serial');
