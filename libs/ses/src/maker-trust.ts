import type { ParsedCertificate } from './certificate-parser';
import { validateCertificatePath, type CertificatePathResult } from './certificate-path-validator';
import type { VerificationCheck } from './verification-report';

/**
 * One list of who may make seals (制章): trust anchors for the maker certificate, and what a maker
 * under them must carry. A CA that also issues ordinary (UKey) certificates needs
 * `requiredPurpose`, or every certificate it issued could make seals.
 */
export interface SealMakerTrustList {
  /** For the report, e.g. "ecert seal maker", "foreign seal-making systems". */
  readonly label: string;
  readonly anchors: readonly Uint8Array[];
  /** Untrusted CA certificates that may complete a path to `anchors`. */
  readonly intermediates?: readonly Uint8Array[];
  /** An extendedKeyUsage purpose (dotted OID) the maker certificate must list. */
  readonly requiredPurpose?: string;
  /** How the report names the purpose, e.g. "id-kp-ecertSealMaking". */
  readonly purposeName?: string;
  /**
   * The list owner's revocation check of a path that passed (maker first, anchor last): why the
   * path must not be relied on (a revoked certificate on it), or undefined. This library has no
   * network; whoever knows the CAs' revocations (CRLs, OCSP, their own records) answers here.
   * A maker whose path is revoked is not authorised by this list.
   */
  readonly revoked?: (path: readonly ParsedCertificate[]) => string | undefined;
}

export interface MakerTrustInput {
  readonly maker: ParsedCertificate;
  readonly at: Date;
  /** Closed world: the maker must be authorised by one of these lists, else the seal fails. */
  readonly makerTrust?: readonly SealMakerTrustList[];
  /** Open world (no lists): chain only; whether the maker may make seals stays unknown. */
  readonly trustAnchors?: readonly Uint8Array[];
  readonly intermediates?: readonly Uint8Array[];
}

/**
 * The `maker-certificate` check (the maker's path to an anchor) and the `maker-authorised` check
 * (whether that maker may make seals). With trust lists the answer is definite: a maker that no
 * list authorises fails, whether it chains nowhere (a foreign CA not on the list) or chains to a
 * list but lacks its purpose (a unit's UKey key, an OCSP signer under ecert's CAs).
 */
export function checkMakerTrust(input: MakerTrustInput): { chain: VerificationCheck; authorised: VerificationCheck } {
  const { maker, at } = input;
  const who = `"${maker.subject}"`;
  if (!input.makerTrust) {
    const path = validateCertificatePath({ certificate: maker, trustAnchors: input.trustAnchors ?? [], intermediates: input.intermediates ?? [], at });
    return {
      chain: { name: 'maker-certificate', result: path.result, detail: path.detail },
      authorised: { name: 'maker-authorised', result: 'indeterminate', detail: `no seal-maker trust list given: whether ${who} may make seals is not known` },
    };
  }

  const tried = input.makerTrust.map((list) => ({
    list,
    path: validateCertificatePath({ certificate: maker, trustAnchors: list.anchors, intermediates: list.intermediates ?? [], at }),
  }));
  const chained = tried.filter((t) => t.path.result === 'passed');
  const candidates = chained.filter((t) => purposeHeld(maker, t.list)).map((t) => ({ ...t, revoked: t.list.revoked?.(t.path.path) }));
  const allowed = candidates.find((t) => !t.revoked);
  if (allowed) {
    const why = allowed.list.requiredPurpose ? ` and carries ${purposeLabel(allowed.list)}` : '';
    return {
      chain: chainCheck(allowed),
      authorised: { name: 'maker-authorised', result: 'passed', detail: `${who} is a seal maker of "${allowed.list.label}": it chains there${why}` },
    };
  }
  if (candidates.length) {
    // Chain and purpose are fine, but the list's owner revoked a certificate on the path.
    const t = candidates[0]!;
    return {
      chain: chainCheck(t),
      authorised: { name: 'maker-authorised', result: 'failed', detail: `${who} chains to "${t.list.label}" but is no longer a seal maker there: ${t.revoked}` },
    };
  }
  if (chained.length) {
    const t = chained[0]!;
    const held = maker.extendedKeyUsage === undefined ? 'has no extendedKeyUsage' : `has extendedKeyUsage ${maker.extendedKeyUsage.join(', ') || '(unreadable)'}`;
    return {
      chain: chainCheck(t),
      authorised: {
        name: 'maker-authorised',
        result: 'failed',
        detail: `${who} chains to "${t.list.label}" but is not a seal-maker certificate there: it ${held}, not ${purposeLabel(t.list)}${kindHint(maker)}`,
      },
    };
  }
  // No list admits the maker: report the most telling path problem (a broken chain over a missing one).
  const broken = tried.find((t) => t.path.result === 'failed');
  const labels = input.makerTrust.map((l) => `"${l.label}"`).join(', ') || 'none configured';
  const worst = broken ?? tried[0];
  return {
    chain: worst ? chainCheck(worst) : { name: 'maker-certificate', result: 'failed', detail: `no seal-maker trust anchors configured; chain of ${who} not checked` },
    authorised: {
      name: 'maker-authorised',
      result: 'failed',
      detail: broken
        ? `${who} is not an authorised seal maker: its path to "${broken.list.label}" fails (see maker-certificate)`
        : `${who} (issuer "${maker.issuer}") is not under any trusted seal-making list (${labels}): not an authorised seal maker`,
    },
  };
}

function purposeHeld(maker: ParsedCertificate, list: SealMakerTrustList): boolean {
  return !list.requiredPurpose || (maker.extendedKeyUsage ?? []).includes(list.requiredPurpose);
}

function purposeLabel(list: SealMakerTrustList): string {
  return list.purposeName ? `${list.purposeName} (${list.requiredPurpose})` : `${list.requiredPurpose}`;
}

function chainCheck(t: { list: SealMakerTrustList; path: CertificatePathResult; revoked?: string | undefined }): VerificationCheck {
  // The path validator never checks revocation; say when the list's owner did.
  const detail = t.list.revoked && 'revoked' in t && t.path.result === 'passed' ? t.path.detail.replace('(revocation not checked)', t.revoked ? '(revoked: see maker-authorised)' : '(none revoked)') : t.path.detail;
  return { name: 'maker-certificate', result: t.path.result, detail: `${detail} [${t.list.label}]` };
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** Names the usual impostors, so the report says what signed the seal. */
function kindHint(maker: ParsedCertificate): string {
  const eku = maker.extendedKeyUsage ?? [];
  if (eku.includes(OCSP_SIGNING)) return ' (an OCSP signer)';
  if (eku.includes(CLIENT_AUTH)) return ' (a subscriber UKey certificate)';
  return '';
}
