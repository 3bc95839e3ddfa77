import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `:id` of a dispatch batch: a UUID, else a 400 naming `id` before anything is asked. */
@Injectable()
export class DispatchBatchIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'id must be a dispatch batch id (a UUID)');
    return value.toLowerCase();
  }
}
