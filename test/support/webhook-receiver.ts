import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingMessage['headers'];
  /** The body exactly as received (what the signature covers). */
  raw: string;
  body: { id: string; type: string; occurredAt: string; aggregateId: string; data: Record<string, unknown> };
  /** What the receiver answered: a status, or `hang` (never answered). */
  answer: number | 'hang';
}

/** How a path answers the nth request (1-based) to it; `hang` never answers. */
export type Behaviour = (req: ReceivedWebhook, nth: number) => number | 'hang';

/**
 * A real HTTP receiver of webhooks (node:http on a free port): records every request and
 * answers as each path's behaviour says. Counts requests left open (never answered), so a test
 * can see they are all closed by the sender.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  open = 0;
  private openPer = new Map<string, number>();
  private server?: Server;
  port = 0;

  on(path: string, behaviour: Behaviour): this {
    this.behaviours.set(path, behaviour);
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  openAt(path: string): number {
    return this.openPer.get(path) ?? 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const raw = Buffer.concat(chunks).toString('utf8');
        const nth = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, nth);
        const entry: ReceivedWebhook = { path, headers: req.headers, raw, body: JSON.parse(raw), answer: 200 };
        entry.answer = (this.behaviours.get(path) ?? (() => 200))(entry, nth);
        this.received.push(entry);
        if (entry.answer === 'hang') {
          this.hanging.add(res);
          this.open++;
          this.openPer.set(path, (this.openPer.get(path) ?? 0) + 1);
          res.on('close', () => {
            this.hanging.delete(res);
            this.open--;
            this.openPer.set(path, (this.openPer.get(path) ?? 1) - 1);
          });
          return;
        }
        res.writeHead(entry.answer, { 'content-type': 'text/plain' }).end(entry.answer < 300 ? 'ok' : 'not now');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
