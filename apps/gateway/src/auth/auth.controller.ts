import { randomBytes } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ClientAddress } from '../request-context/client-address';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { ProblemCode, ProblemError, ROLE_OPERATIONS, requestContext, type EcertConfig, type StaffRole } from '@ecert/common';
import { Subjects, type AuthenticatedCertificate } from '@ecert/contracts';
import { Public } from '../access/access.decorators';
import { RpcClient } from '../rpc/rpc-client.service';
import { AuditTrail, AuditWriteError } from '../audit/audit-trail.service';
import { AnonymousRefusals } from '../audit/anonymous-refusals.service';
import { auditUnavailableBefore } from '../audit/audit-unavailable.problem';
import { RateLimiter } from '../access/rate-limiter.service';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_REDIS } from '../gateway.tokens';
import { signStaffToken } from './staff-token';
import { LoginDto } from './auth.dto';
import { loginSignatureValid, presentedCertificateKey } from './login-signature';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import { BUS_PROBLEMS, DATABASE_PROBLEMS, REDIS_PROBLEMS } from '../openapi/problem-responses';
import type { LoginChallengeView, StaffLoginView } from './auth.views';

const AUTH_REQUESTS_PER_SECOND_PER_IP = 20;
const refused = (detail: string, field?: string) => new ProblemError(401, ProblemCode.unauthorized, '登录失败 (login refused)', detail, field);

/**
 * Certificate login (第十三条): a single-use random challenge, signed on the UKey, checked against
 * a certificate that ecert issued and that is currently neither frozen nor revoked.
 */
@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly audit: AuditTrail,
    private readonly anonymous: AnonymousRefusals,
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
  ) {}

  private key(id: string) {
    return `${this.config.ECERT_REDIS_PREFIX}:auth:challenge:${id}`;
  }

  @Post('challenge')
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'A random challenge to sign with the login certificate key (single use, valid AUTH_CHALLENGE_TTL_SECONDS, default 120 s)' })
  @ApiResult('LoginChallengeView')
  @ApiProblems(REDIS_PROBLEMS, { 429: [ProblemCode.rateLimited] })
  async challenge(@ClientAddress() ip: string): Promise<LoginChallengeView> {
    await this.throttle(ip);
    const challengeId = randomBytes(16).toString('hex');
    const nonce = randomBytes(32).toString('base64');
    const ttl = this.config.AUTH_CHALLENGE_TTL_SECONDS;
    await this.redis.set(this.key(challengeId), nonce, 'EX', ttl);
    return { challengeId, challenge: nonce, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with a certificate: returns a short-lived bearer token carrying role and region',
    description: 'The challenge signed with the key of a staff member\'s ecert certificate that is neither frozen nor revoked. Refused logins are 401 naming the field (challengeId, signature, certificate); no token is handed out unless the login is on record (503 audit_unavailable).',
  })
  @ApiResult('StaffLoginView')
  @ApiProblems(BUS_PROBLEMS, DATABASE_PROBLEMS, REDIS_PROBLEMS, {
    401: [ProblemCode.unauthorized],
    429: [ProblemCode.rateLimited],
    503: [ProblemCode.auditUnavailable],
  })
  async login(@Body() dto: LoginDto, @ClientAddress() ip: string): Promise<StaffLoginView> {
    await this.throttle(ip);
    try {
      return await this.doLogin(dto);
    } catch (e) {
      // No token is handed out unless its login is on record.
      if (e instanceof AuditWriteError) throw auditUnavailableBefore(e);
      // Refused logins are anonymous: aggregated per address and minute (an outage is no refusal).
      if (e instanceof ProblemError && e.status < 500) {
        await this.anonymous.record({ action: 'auth.login', address: ip, target: null, reason: e.message, status: e.status });
      }
      throw e;
    }
  }

  /** The handshake needs no credential, so it is limited per source address instead. */
  private async throttle(ip: string): Promise<void> {
    const wait = await this.limiter.take(`ip:${ip}`, AUTH_REQUESTS_PER_SECOND_PER_IP);
    if (wait > 0) {
      throw new ProblemError(429, ProblemCode.rateLimited, '请求过于频繁 (rate limit exceeded)', `More than ${AUTH_REQUESTS_PER_SECOND_PER_IP} login requests per second from this address`, undefined, { retryAfter: wait });
    }
  }

  private async doLogin(dto: LoginDto): Promise<StaffLoginView> {
    // GETDEL makes the challenge single-use even under concurrent replays.
    const nonce = await this.redis.getdel(this.key(dto.challengeId));
    if (!nonce) throw refused('The challenge is unknown, expired or already used; request a new one', 'challengeId');
    // Possession of the key first: only then may the cert-service's check (which counts as the
    // certificate's activity, 第二十条) run, so nobody can keep someone else's certificate alive.
    const spki = presentedCertificateKey(dto.certificate);
    if (!loginSignatureValid(spki, Buffer.from(nonce, 'base64'), dto.signature)) throw refused('The signature does not verify with the certificate key', 'signature');
    const cert = await this.rpc.call<AuthenticatedCertificate>(Subjects.cert.authenticate, { certificate: dto.certificate });
    // The same bytes are on record, so the same key; checked anyway, the token rests on it.
    if (!Buffer.from(cert.spkiBase64, 'base64').equals(Buffer.from(spki))) throw refused('The certificate on record has another key', 'certificate');
    const rows: { id: string; name: string; role: StaffRole; region_code: string; status: string }[] = await this.ds.query(
      `SELECT s.id, s.name, s.role, s.region_code, s.status FROM "gateway"."staff" s JOIN "gateway"."staff_certificate" c ON c.staff_id = s.id WHERE c.serial = $1`,
      [cert.serial],
    );
    const staff = rows[0];
    if (!staff) throw refused('No staff account is bound to this certificate', 'certificate');
    if (staff.status !== 'enabled') throw refused('The staff account is disabled', 'certificate');
    await this.ds.query('UPDATE "gateway"."staff" SET last_login_at = now() WHERE id = $1', [staff.id]);
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.config.STAFF_TOKEN_TTL_MINUTES * 60;
    const token = signStaffToken({ sub: staff.id, role: staff.role, region: staff.region_code, cert: cert.serial, iat: now, exp }, this.config.ECERT_TOKEN_SECRET);
    const ctx = requestContext.getStore();
    if (ctx) ctx.actor = staff.id;
    await this.audit.append({ action: 'auth.login', target: cert.serial, outcome: 'success', details: { role: staff.role, region: staff.region_code }, staffId: staff.id, clientId: null });
    return { token, tokenType: 'Bearer', expiresAt: new Date(exp * 1000).toISOString(), staff: { id: staff.id, name: staff.name, role: staff.role, regionCode: staff.region_code, operations: ROLE_OPERATIONS[staff.role] } };
  }
}
