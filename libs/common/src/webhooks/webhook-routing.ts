import { NATIONAL_SCOPE, scopeAllows } from '../access/region-scope';

/**
 * Which subscriptions an event goes to, and in which order. An event is matched by exact type
 * (`certificate.revoked`) or by family (`certificate.*`); it goes only to subscriptions whose
 * regions contain the event's region. Events that carry no region go only to national
 * subscriptions. Order is kept per subject: per certificate, per seal, per application.
 */
export interface RoutableEvent {
  id: string;
  type: string;
  aggregateId: string;
  data: unknown;
}

/** Families a business system may subscribe to (the invalid list is `certificate.invalidated`). */
export const WEBHOOK_EVENT_FAMILIES = ['certificate', 'seal', 'application'] as const;

/** Whether a subscription's type list (exact types and `<family>.*`) takes an event type. */
export function eventTypeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? type.startsWith(p.slice(0, -1)) : p === type));
}

/** A pattern a subscription may list: a known type, or a family wildcard. */
export function isSubscribablePattern(pattern: string, knownTypes: readonly string[]): boolean {
  if (pattern.endsWith('.*')) return (WEBHOOK_EVENT_FAMILIES as readonly string[]).includes(pattern.slice(0, -2));
  return knownTypes.includes(pattern) && (WEBHOOK_EVENT_FAMILIES as readonly string[]).includes(pattern.split('.')[0]);
}

/**
 * The read operation a subscriber needs for a type or pattern: receiving an event is reading its
 * certificate, seal or application (the invalid list, certificate.invalidated, is certificates:read).
 */
export function requiredReadOperation(typeOrPattern: string): 'certificates:read' | 'seals:read' | 'applications:read' | undefined {
  const family = typeOrPattern.split('.')[0];
  return family === 'certificate' ? 'certificates:read' : family === 'seal' ? 'seals:read' : family === 'application' ? 'applications:read' : undefined;
}

const dataOf = (e: RoutableEvent) => (e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : {});

/** The event's region (`regionCode` in its data), if it has one. */
export function eventRegion(event: RoutableEvent): string | undefined {
  const r = dataOf(event).regionCode;
  return typeof r === 'string' && /^\d{6}$/.test(r) ? r : undefined;
}

/** Whether a subscriber with these regions may receive the event. */
export function regionsReceive(regions: readonly string[], event: RoutableEvent): boolean {
  const region = eventRegion(event);
  if (!region) return regions.includes(NATIONAL_SCOPE);
  return scopeAllows({ regions: [...regions] }, region);
}

/**
 * The key deliveries of one subscription are ordered by: the certificate (serial; a renewal is
 * about the successor and ordered with it), seal or application the event is about, else the
 * aggregate.
 */
export function deliveryOrderKey(event: RoutableEvent): string {
  const d = dataOf(event);
  const family = event.type.split('.')[0];
  if (family === 'certificate' && typeof d.serial === 'string') return `certificate:${d.serial}`;
  if (family === 'seal' && typeof d.sealId === 'string') return `seal:${d.sealId}`;
  if (family === 'application' && typeof d.applicationId === 'string') return `application:${d.applicationId}`;
  return `${family}:${event.aggregateId}`;
}
