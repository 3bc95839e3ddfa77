import { NatsRequestJSONDeserializer } from '@nestjs/microservices';
import type { RpcEnvelope } from '@ecert/contracts';
import type { BusIdentity } from '../identity/bus-identity';
import { admitRequest, recordAdmission } from './request-admission';

/**
 * Every request a service receives passes here before any handler: the context token is checked
 * against the subject the message really arrived on (NATS's, not a field the sender wrote), and
 * the handler gets a fresh meta carrying only the admission.
 */
export class ContextVerifyingDeserializer extends NatsRequestJSONDeserializer {
  constructor(private readonly identity: BusIdentity) {
    super();
  }

  override deserialize(value: Parameters<NatsRequestJSONDeserializer['deserialize']>[0], options?: Record<string, unknown>) {
    const packet = super.deserialize(value, options) as { pattern: unknown; data: unknown; id?: string };
    const envelope = packet.data as RpcEnvelope<unknown> | undefined;
    const admission = admitRequest(this.identity, String(options?.channel ?? ''), envelope);
    const meta = { requestId: admission.ok ? admission.context.requestId : admission.requestId };
    recordAdmission(meta, admission);
    packet.data = { meta, data: envelope && typeof envelope === 'object' ? envelope.data : undefined };
    return packet as never;
  }
}
