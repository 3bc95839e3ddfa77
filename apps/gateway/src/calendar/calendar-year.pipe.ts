import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;

/** `:year` of the calendar: four digits within the years the working-day calendar takes, else a 400 naming `year`. */
@Injectable()
export class CalendarYearPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    // The global validation pipe runs first and may already have made the number of the path segment.
    const year = typeof value === 'number' ? value : typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) throw refusal();
    return year;
  }
}

function refusal(): ProblemError {
  return ProblemError.badRequest(ProblemCode.validationFailed, 'year', `year must be a year from ${MIN_YEAR} to ${MAX_YEAR}`);
}
