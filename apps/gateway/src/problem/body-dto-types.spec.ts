import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import type { EcertConfig } from '@ecert/common';
import type { Logger } from 'pino';
import { GatewayModule } from '../gateway.module';
import { ExtractSealImageDto, VerifySealDto } from '../seals/seal.dto';

/**
 * JSON bodies keep their JSON types (docs/problems.md): no body DTO may convert a value
 * (@Type(() => Number) on a body field would turn "30" into 30 before the validator sees it).
 * Query DTOs may: query strings are text. Checked by behaviour on every body DTO of every
 * controller and on every DTO nested in one.
 */
type Dto = new () => object;
const BODY_PARAM = 3; // RouteParamtypes.BODY
const BUILTIN = new Set<unknown>([Object, String, Number, Boolean, Array, Date, Buffer]);
/** Bodies the seals controller validates itself (JSON or raw bytes, by Content-Type). */
const VALIDATED_IN_HANDLERS: Dto[] = [VerifySealDto, ExtractSealImageDto];

function bodyDtos(): Set<Dto> {
  const controllers = GatewayModule.forRoot({} as EcertConfig, {} as Logger).controllers ?? [];
  const out = new Set<Dto>(VALIDATED_IN_HANDLERS);
  for (const controller of controllers as unknown as { prototype: object }[]) {
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number }>;
      const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as unknown[];
      for (const [key, arg] of Object.entries(args)) {
        const type = types[arg.index];
        if (Number(key.split(':')[0]) === BODY_PARAM && typeof type === 'function' && !BUILTIN.has(type)) out.add(type as Dto);
      }
    }
  }
  return out;
}

function properties(dto: Dto): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))];
}

/** The conversions a DTO (or one nested in it) makes, as `Dto.property`. */
function conversions(dto: Dto, seen = new Set<Dto>()): string[] {
  if (seen.has(dto)) return [];
  seen.add(dto);
  const out: string[] = [];
  for (const p of properties(dto)) {
    const declared: unknown = Reflect.getMetadata('design:type', dto.prototype, p);
    const converted = (sent: unknown, expect: string) => typeof (plainToInstance(dto, { [p]: sent }) as Record<string, unknown>)[p] === expect;
    if (declared === Number && converted('30', 'number')) out.push(`${dto.name}.${p}`);
    if (declared === Boolean && converted('true', 'boolean')) out.push(`${dto.name}.${p}`);
    if (declared === String && converted(30, 'string')) out.push(`${dto.name}.${p}`);
    if (typeof declared === 'function' && !BUILTIN.has(declared)) out.push(...conversions(declared as Dto, seen));
    if (declared === Array) {
      const item = ((plainToInstance(dto, { [p]: [{}] }) as Record<string, unknown[]>)[p] ?? [])[0] as object | undefined;
      if (item && item.constructor !== Object) out.push(...conversions(item.constructor as Dto, seen));
    }
  }
  return out;
}

describe('body DTOs', () => {
  const dtos = bodyDtos();

  it('are found, nested ones too', () => {
    const names = [...dtos].map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['IssueCertificateDto', 'ImportUkeysDto', 'ExtractSealImageDto']));
    expect(dtos.size).toBeGreaterThan(20);
  });

  it('convert no JSON value into another type', () => {
    expect([...dtos].flatMap((d) => conversions(d))).toEqual([]);
  });

  it('(the check sees a conversion where there is one)', async () => {
    const { PageQueryDto } = await import('../pagination/page-query.dto');
    expect(conversions(PageQueryDto as Dto)).toEqual(['PageQueryDto.page', 'PageQueryDto.pageSize']);
  });
});
