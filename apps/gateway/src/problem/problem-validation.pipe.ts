import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';

/**
 * Constraints that say what type a value must have. A value of the wrong type fails its range
 * and format checks too ("30" is not ≤ 1095 either); the caller is told the type first.
 * `nestedValidation` is class-validator's "must be either object or array", reworded below.
 */
const TYPE_CONSTRAINTS = new Set(['isDefined', 'isString', 'isNumber', 'isInt', 'isBoolean', 'isArray', 'isObject', 'isDate', 'isNotEmptyObject', 'nestedValidation']);

const BUILTIN_TYPES = new Set<unknown>([Object, String, Number, Boolean, Array, Date, Function, Promise, Symbol, BigInt]);

/** What the property's declared (design:) type says a value must be, for values not of it. */
function declaredTypeMessage(field: string, declared: unknown, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (declared === String && typeof value !== 'string') return `${field} must be a string`;
  if (declared === Number && typeof value !== 'number') return `${field} must be a number`;
  if (declared === Boolean && typeof value !== 'boolean') return `${field} must be a boolean value`;
  if (declared === Array && !Array.isArray(value)) return `${field} must be an array`;
  // A DTO class: class-validator would take an array of them (validating each) where one is declared.
  if (typeof declared === 'function' && !BUILTIN_TYPES.has(declared) && (typeof value !== 'object' || Array.isArray(value))) return `${field} must be an object`;
  return undefined;
}

function declaredType(e: ValidationError): unknown {
  const target = e.target as object | undefined;
  if (!target || Array.isArray(target)) return undefined;
  return Reflect.getMetadata('design:type', Object.getPrototypeOf(target), e.property);
}

/**
 * The one message of a failed property: a type mismatch first (a class-validator type constraint,
 * else the declared type when the value is not of it), then the other constraints in the order
 * they are written in the DTO. class-validator lists them in reverse (decorators apply bottom-up),
 * which made `validityDays: "30"` "must not be greater than 1095".
 */
function messageOf(e: ValidationError, field: string): string | undefined {
  // Listed last-written first; reversed to the DTO's order.
  const entries = Object.entries(e.constraints ?? {}).reverse();
  const typed = declaredType(e);
  const type = entries.find(([name]) => TYPE_CONSTRAINTS.has(name));
  if (type) {
    if (type[0] !== 'nestedValidation') return type[1];
    return typed === Array || (typed === undefined && Array.isArray(e.value)) ? `${field} must be an array` : `${field} must be an object`;
  }
  const rest = entries.filter(([name]) => !TYPE_CONSTRAINTS.has(name));
  // "must be one of the following values: …" says what is expected better than "must be a string".
  const choice = rest.find(([name]) => name === 'isIn' || name === 'isEnum');
  if (choice) return choice[1];
  const fromType = declaredTypeMessage(field, typed, e.value);
  if (fromType && (rest.length || e.children?.length)) return fromType;
  return rest[0]?.[1];
}

function firstFailure(errors: ValidationError[], parent = ''): { field: string; message: string } | undefined {
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const message = messageOf(e, field);
    // class-validator names the property alone ("name must be a string"); the message names the field as `field` does.
    if (message) return { field, message: field !== e.property && message.startsWith(`${e.property} `) ? `${field}${message.slice(e.property.length)}` : message };
    const nested = firstFailure(e.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/** The first property declared as one nested DTO that holds an array instead (dotted path). */
function arrayForObject(value: Record<string, unknown>, metatype: Function, parent = '', depth = 0): string | undefined {
  if (depth > 8) return undefined;
  for (const [key, v] of Object.entries(value)) {
    const declared: unknown = Reflect.getMetadata('design:type', metatype.prototype, key);
    if (!isDtoClass(declared)) continue;
    const field = parent ? `${parent}.${key}` : key;
    if (Array.isArray(v)) return field;
    if (v && typeof v === 'object') {
      const nested = arrayForObject(v as Record<string, unknown>, declared as Function, field, depth + 1);
      if (nested) return nested;
    }
  }
  return undefined;
}

function isDtoClass(metatype: unknown): boolean {
  return typeof metatype === 'function' && !BUILTIN_TYPES.has(metatype) && metatype !== Buffer;
}

/** A decimal number as a query string may spell it (no exponent, hex, blank or "Infinity"). */
const QUERY_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * JSON bodies keep their JSON types: no implicit conversion ("30" stays a string and is refused
 * as one). Query strings are text by nature: a parameter declared a number is converted by its
 * DTO (@Type(() => Number)), but only from a plain decimal; anything else ("abc", "", "1e3",
 * "0x10") is left to fail as "must be an integer number" instead of becoming NaN, 0 or 1000.
 */
export class ProblemValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A DTO is an object: an array (or a bare JSON value) is refused as such, not as "property 0 should not exist".
    if (metadata.type === 'body' && isDtoClass(metadata.metatype) && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value))) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'The body must be a JSON object');
    }
    if (metadata.type === 'body' && isDtoClass(metadata.metatype) && value && typeof value === 'object') {
      // class-validator validates each element of an array where one nested object is declared, and accepts it.
      const field = arrayForObject(value as Record<string, unknown>, metadata.metatype as Function);
      if (field) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be an object`);
    }
    if (metadata.type === 'query' && typeof metadata.metatype === 'function' && value && typeof value === 'object') {
      value = strictQueryNumbers(value as Record<string, unknown>, metadata.metatype);
    }
    return super.transform(value, metadata);
  }
}

function strictQueryNumbers(query: Record<string, unknown>, metatype: abstract new (...args: never[]) => unknown): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(query)) {
    if (Reflect.getMetadata('design:type', metatype.prototype, key) !== Number) continue;
    if (typeof v === 'string' && QUERY_NUMBER.test(v)) continue;
    out ??= { ...query };
    // Not a number whatever @Type(() => Number) makes of it; the validator names the field.
    out[key] = 'NaN';
  }
  return out ?? query;
}

/** class-validator failures as a 400 problem naming the first offending field (dotted path). */
export function createProblemValidationPipe(): ValidationPipe {
  return new ProblemValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Every constraint of a property is checked, so the message can be chosen (type first).
    stopAtFirstError: false,
    // The object and the value at fault: their declared types word the message (never sent).
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => {
      const f = firstFailure(errors) ?? { field: 'body', message: 'invalid request' };
      return ProblemError.badRequest(ProblemCode.validationFailed, f.field, f.message);
    },
  });
}
