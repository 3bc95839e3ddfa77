import { applyDecorators, Header, SetMetadata } from '@nestjs/common';

export const SECRET_ANSWER = 'ecert:secret-answer';

/**
 * The answer carries a secret (a UKey's SO PIN): it is never kept for an Idempotency-Key replay
 * (the header is refused) and never cached.
 */
export const SecretAnswer = () => applyDecorators(SetMetadata(SECRET_ANSWER, true), Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));
