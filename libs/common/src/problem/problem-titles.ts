import { ProblemCode, type ProblemCodeValue } from './problem-codes';

/**
 * The title of each common code: Chinese for the staff, English in brackets for the integrator.
 * A problem of one of these codes carries this title unless its thrower has a more specific one
 * (forbidden: "超出管辖区域 (outside your region)"); clients switch on `code`, never on titles.
 */
export const PROBLEM_TITLES: Record<ProblemCodeValue, string> = {
  validation_failed: '请求参数无效 (invalid request)',
  body_too_large: '请求体过大 (request body too large)',
  malformed_json: '请求体不是有效的 JSON (malformed JSON)',
  unsupported_media_type: '不支持的内容类型 (unsupported media type)',
  route_not_found: '接口不存在 (no such route)',
  method_not_allowed: '不支持该请求方法 (method not allowed)',
  not_found: '资源不存在 (not found)',
  certificate_not_found: '证书不存在 (certificate not found)',
  ca_not_found: 'CA 不存在 (CA not found)',
  illegal_state_transition: '当前状态不允许此操作 (illegal state transition)',
  concurrent_modification: '数据已被修改 (concurrent modification)',
  idempotency_key_reused: '幂等键已用于其他请求 (idempotency key reused)',
  certificate_limit_reached: '证书数量已达上限 (certificate limit reached)',
  csr_malformed: '证书请求格式错误 (CSR malformed)',
  csr_signature_invalid: '证书请求签名无效 (CSR signature invalid)',
  key_rejected: '密钥不符合要求 (key rejected)',
  key_compromised: '密钥已泄露，不能再次签发 (key compromised)',
  ca_revoked: 'CA 证书已吊销 (CA revoked)',
  ukey_not_found: 'UKey 不存在 (UKey not found)',
  ukey_exists: 'UKey 已存在 (UKey exists)',
  ukey_application_mismatch: 'UKey 与申请不符 (UKey of another application)',
  ukey_unit_mismatch: 'UKey 属于其他单位 (UKey of another unit)',
  ukey_office_mismatch: '寄送地址不符 (wrong office)',
  ukey_state_conflict: 'UKey 状态不允许此操作 (UKey state conflict)',
  dispatch_batch_not_found: '寄送批次不存在 (dispatch batch not found)',
  dispatch_batch_already_received: '寄送批次已签收 (dispatch batch already received)',
  so_pin_already_released: '管理员 PIN 已发放 (SO PIN already released)',
  unlock_already_authorised: '解锁已授权 (unlock already authorised)',
  unlock_authorisation_not_found: '解锁授权不存在 (unlock authorisation not found)',
  service_unavailable: '服务暂不可用 (service unavailable)',
  service_timeout: '服务响应超时 (service timeout)',
  database_busy: '数据库繁忙 (database busy)',
  database_unavailable: '数据库不可用 (database unavailable)',
  store_unavailable: '缓存服务不可用 (Redis unavailable)',
  audit_unavailable: '审计记录不可用 (audit trail unavailable)',
  bus_context_invalid: '调用上下文无效 (bus context refused)',
  bus_caller_forbidden: '调用方无权限 (bus caller not permitted)',
  bus_reply_forged: '服务应答无效 (reply not signed by its service)',
  unauthorized: '未认证 (authentication required)',
  forbidden: '无权操作 (operation not permitted)',
  rate_limited: '请求过于频繁 (rate limit exceeded)',
  webhook_url_refused: '回调地址不可用 (webhook URL refused)',
  webhook_subscription_limit: '回调订阅数已达上限 (webhook subscription limit)',
  internal_error: '内部错误 (internal error)',
};

/** A title as ecert writes them: Chinese, then the English in brackets. */
const BILINGUAL_TITLE = /^[^()]*[\u3400-\u9fff][^()]*\([^()]*[A-Za-z][^()]*\)$/;

export function isBilingualTitle(title: unknown): title is string {
  return typeof title === 'string' && BILINGUAL_TITLE.test(title);
}

/** The titles of ProblemError.badRequest / notFound / conflict for a code that has none of its own. */
const GENERIC_TITLES = new Set(['请求参数无效 (invalid request)', '资源不存在 (not found)', '状态冲突 (conflict)']);

/**
 * The title a problem is shown with: the thrower's when it is bilingual and says more than a
 * generic one; else the code's common title; else the generic one of the status.
 */
export function displayTitle(code: string, status: number, thrown: unknown): string {
  const known = (PROBLEM_TITLES as Record<string, string>)[code];
  if (isBilingualTitle(thrown) && (!GENERIC_TITLES.has(thrown) || !known)) return thrown;
  return known ?? problemTitle(code, status);
}

/** The common title of `code`, else the generic one of its status. */
export function problemTitle(code: string, status: number): string {
  const known = (PROBLEM_TITLES as Record<string, string>)[code];
  if (known) return known;
  if (status === 400 || status === 422) return PROBLEM_TITLES[ProblemCode.validationFailed];
  if (status === 401) return PROBLEM_TITLES[ProblemCode.unauthorized];
  if (status === 403) return PROBLEM_TITLES[ProblemCode.forbidden];
  if (status === 404) return PROBLEM_TITLES[ProblemCode.notFound];
  if (status === 409) return '状态冲突 (conflict)';
  if (status === 413) return PROBLEM_TITLES[ProblemCode.bodyTooLarge];
  if (status === 429) return PROBLEM_TITLES[ProblemCode.rateLimited];
  if (status === 503) return PROBLEM_TITLES[ProblemCode.serviceUnavailable];
  if (status >= 500) return PROBLEM_TITLES[ProblemCode.internal];
  return '请求无法处理 (request refused)';
}
