import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `:id` of an application: a UUID, else a 400 naming `id` before anything is read or asked (Nest's
 * ParseUUIDPipe would name no field). Lower-cased, so one application has one spelling in the
 * audit trail; the workflow-service checks it again.
 */
@Injectable()
export class ApplicationIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'id must be an application id (a UUID)');
    }
    return value.toLowerCase();
  }
}
