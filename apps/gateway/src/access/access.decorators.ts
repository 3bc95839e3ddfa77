import { SetMetadata } from '@nestjs/common';
import type { Operation } from '@ecert/common';
import { PUBLIC_ROUTE, REQUIRED_OPERATION } from './principal';

/** No credential needed: health, public PKI material, the login handshake. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The operation a caller must have been granted for this endpoint. */
export const RequiresOperation = (op: Operation) => SetMetadata(REQUIRED_OPERATION, op);
