/** A registered client system and its credentials (never their secrets). */
export interface ClientView {
  id: string;
  name: string;
  department: string;
  operations: string[];
  regionCodes: string[] | null;
  status: string;
  rateLimitPerSecond: number;
  credentials: {
    id: string;
    kind: string;
    expiresAt: string | null;
    revokedAt: string | null;
    /** When it last authenticated a request, to the minute (null: never used). */
    lastUsedAt: string | null;
    certificateSerial: string | null;
  }[];
}

/** A new API key: `apiKey` is shown in this answer only (ecert keeps its hash). */
export interface IssuedApiKeyView {
  /** Send as `X-Api-Key`. */
  apiKey: string;
  credentialId: string;
}

/** POST /api/v1/clients: the registered system and its first API key. */
export interface RegisteredClientView extends IssuedApiKeyView {
  client: ClientView;
}
