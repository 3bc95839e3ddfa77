import { CommandReceipts } from '@ecert/database';

export type CertificateCommand = 'issue' | 'renew' | 'revoke' | 'freeze' | 'unfreeze';

/** Receipts of the lifecycle commands sent with an idempotency key, naming the resulting certificate. */
export const certificateReceipts = new CommandReceipts<CertificateCommand>('"cert"."command_receipt"', 'serial');
