import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';

function firstFailure(errors: ValidationError[], parent = ''): { field: string; message: string } | undefined {
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints && Object.keys(e.constraints).length) {
      return { field, message: Object.values(e.constraints)[0] };
    }
    const nested = firstFailure(e.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/** class-validator failures as a 400 problem naming the first offending field (dotted path). */
export function createProblemValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const f = firstFailure(errors) ?? { field: 'body', message: 'invalid request' };
      return ProblemError.badRequest(ProblemCode.validationFailed, f.field, f.message);
    },
  });
}
