// Generated from the types named in response-types.ts by test/support/response-schemas.ts: do not edit.
// Regenerate after changing a response type: ECERT_WRITE_OPENAPI_SCHEMAS=1 npx vitest run test/e2e/openapi.e2e-spec.ts
/* eslint-disable */
export const RESPONSE_SCHEMAS: Record<string, Record<string, unknown>> = {
  "ActivityReportResult": {
    "type": "object",
    "properties": {
      "accepted": {
        "type": "number",
        "description": "Items accepted (all of them)."
      },
      "advanced": {
        "type": "number",
        "description": "Distinct certificates whose last activity moved forward."
      }
    },
    "required": [
      "accepted",
      "advanced"
    ]
  },
  "ApplicantUnit": {
    "type": "object",
    "properties": {
      "name": {
        "type": "string"
      },
      "address": {
        "type": "string"
      },
      "postalCode": {
        "type": "string"
      },
      "uscc": {
        "type": "string"
      },
      "regionCode": {
        "type": "string"
      },
      "accountNo": {
        "type": "string",
        "description": "社保账户: one application and one certificate per account."
      }
    },
    "required": [
      "name",
      "address",
      "postalCode",
      "uscc",
      "regionCode",
      "accountNo"
    ]
  },
  "ApplicationChannel": {
    "type": "string",
    "enum": [
      "on_site",
      "by_post"
    ]
  },
  "ApplicationPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ApplicationView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "ApplicationStatus": {
    "type": "string",
    "enum": [
      "draft",
      "under_review",
      "returned",
      "rejected",
      "awaiting_production",
      "fulfilling",
      "ready_for_collection",
      "completed",
      "needs_attention",
      "withdrawn"
    ]
  },
  "ApplicationView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "type": {
        "$ref": "#/components/schemas/ServiceType"
      },
      "channel": {
        "$ref": "#/components/schemas/ApplicationChannel"
      },
      "status": {
        "$ref": "#/components/schemas/ApplicationStatus"
      },
      "tier": {
        "$ref": "#/components/schemas/ReviewTier",
        "description": "The tier whose decision it waits for (under_review / returned)."
      },
      "route": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ReviewTier"
        }
      },
      "unit": {
        "$ref": "#/components/schemas/ApplicantUnit"
      },
      "handler": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "idNumberMasked": {
            "type": "string"
          },
          "phoneMasked": {
            "type": "string"
          },
          "email": {
            "type": "string"
          }
        },
        "required": [
          "name",
          "idNumberMasked",
          "phoneMasked",
          "email"
        ]
      },
      "seals": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/RequestedSeal"
        }
      },
      "targetSerial": {
        "type": "string"
      },
      "targetUkeySerial": {
        "type": "string"
      },
      "justification": {
        "type": "string"
      },
      "changes": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ChangeKind"
        }
      },
      "revocationCause": {
        "$ref": "#/components/schemas/RevocationCause"
      },
      "statement": {
        "type": "string"
      },
      "materials": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/MaterialView"
        }
      },
      "checklist": {
        "type": "object",
        "properties": {
          "required": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MaterialKind"
            }
          },
          "missing": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MaterialKind"
            }
          }
        },
        "required": [
          "required",
          "missing"
        ]
      },
      "decisions": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/DecisionView"
        }
      },
      "steps": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/StepView"
        }
      },
      "deadline": {
        "$ref": "#/components/schemas/DeadlineView"
      },
      "attention": {
        "type": "object",
        "properties": {
          "reason": {
            "type": "string"
          },
          "step": {
            "type": "string"
          },
          "at": {
            "type": "string"
          }
        },
        "required": [
          "reason",
          "step",
          "at"
        ]
      },
      "rejection": {
        "type": "object",
        "properties": {
          "reason": {
            "type": "string"
          },
          "tier": {
            "$ref": "#/components/schemas/ReviewTier"
          },
          "at": {
            "type": "string"
          }
        },
        "required": [
          "reason",
          "tier",
          "at"
        ]
      },
      "returned": {
        "type": "object",
        "properties": {
          "reason": {
            "type": "string"
          },
          "missing": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MaterialKind"
            }
          },
          "tier": {
            "$ref": "#/components/schemas/ReviewTier"
          },
          "at": {
            "type": "string"
          }
        },
        "required": [
          "reason",
          "missing",
          "tier",
          "at"
        ]
      },
      "results": {
        "type": "object",
        "properties": {
          "certificateSerial": {
            "type": "string"
          },
          "sealIds": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "replacedSerial": {
            "type": "string"
          },
          "ukeySerial": {
            "type": "string"
          },
          "dispatchedAt": {
            "type": "string",
            "description": "Sent to the city office: the limit's clock stops here (办理完毕并寄回)."
          },
          "collectedAt": {
            "type": "string"
          },
          "collector": {
            "type": "object",
            "properties": {
              "name": {
                "type": "string"
              },
              "idNumberMasked": {
                "type": "string"
              }
            },
            "required": [
              "name",
              "idNumberMasked"
            ]
          }
        }
      },
      "filedBy": {
        "type": "object",
        "properties": {
          "clientId": {
            "type": [
              "string",
              "null"
            ]
          },
          "staffId": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "clientId",
          "staffId"
        ]
      },
      "createdAt": {
        "type": "string"
      },
      "updatedAt": {
        "type": "string"
      },
      "version": {
        "type": "number"
      },
      "timeline": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/TimelineEntry"
        }
      }
    },
    "required": [
      "id",
      "type",
      "channel",
      "status",
      "route",
      "unit",
      "handler",
      "seals",
      "materials",
      "checklist",
      "decisions",
      "steps",
      "results",
      "filedBy",
      "createdAt",
      "updatedAt",
      "version",
      "timeline"
    ]
  },
  "AttentionItem": {
    "type": "object",
    "properties": {
      "applicationId": {
        "type": "string"
      },
      "regionCode": {
        "type": "string"
      },
      "step": {
        "type": "string"
      },
      "reason": {
        "type": "string"
      },
      "since": {
        "type": "string"
      }
    },
    "required": [
      "applicationId",
      "regionCode",
      "step",
      "reason",
      "since"
    ]
  },
  "AuditCheckpoint": {
    "type": "object",
    "properties": {
      "v": {
        "type": "number",
        "const": 1
      },
      "chain": {
        "type": "string",
        "description": "Which chain (the database name): checkpoints of another deployment are not evidence here."
      },
      "seq": {
        "type": "number"
      },
      "hash": {
        "type": "string"
      },
      "at": {
        "type": "string"
      },
      "macKeyId": {
        "type": "string"
      },
      "keyId": {
        "type": "string",
        "description": "SHA-256 of the signing key's SPKI, hex."
      }
    },
    "required": [
      "v",
      "chain",
      "seq",
      "hash",
      "at",
      "macKeyId",
      "keyId"
    ],
    "description": "A signed statement \"the chain `chain` had record `seq` with hash `hash` at `at`\". Kept outside the database (files, auditors' copies), it pins the chain: a rewrite changes the hash at `seq`, a cut tail leaves `seq` beyond the table's end."
  },
  "AuditCheckpointKeyView": {
    "type": "object",
    "properties": {
      "chain": {
        "type": "string"
      },
      "algorithm": {
        "$ref": "#/components/schemas/AuditSignatureAlgorithm"
      },
      "keyId": {
        "type": "string"
      },
      "publicKeyPem": {
        "type": "string"
      }
    },
    "required": [
      "chain",
      "algorithm",
      "keyId",
      "publicKeyPem"
    ],
    "description": "GET /api/v1/audit/checkpoint-key."
  },
  "AuditCheckpointsView": {
    "type": "object",
    "properties": {
      "chain": {
        "type": "string",
        "description": "The chain's name (the database): checkpoints of another deployment are not evidence here."
      },
      "keyId": {
        "type": "string",
        "description": "SHA-256 of the checkpoint key's SPKI, hex."
      },
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/SignedAuditCheckpoint"
        },
        "description": "Oldest first."
      }
    },
    "required": [
      "chain",
      "keyId",
      "items"
    ],
    "description": "GET /api/v1/audit/checkpoints."
  },
  "AuditPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/AuditRecordView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "AuditRecordView": {
    "type": "object",
    "properties": {
      "seq": {
        "type": "number"
      },
      "at": {
        "type": "string"
      },
      "clientId": {
        "type": [
          "string",
          "null"
        ]
      },
      "staffId": {
        "type": [
          "string",
          "null"
        ]
      },
      "actor": {
        "type": [
          "string",
          "null"
        ],
        "description": "Who acted when neither a client system nor a staff member did (the schedule, the gateway)."
      },
      "action": {
        "type": "string",
        "description": "e.g. `POST /api/v1/certificates/:serial/revoke`, `auth.login`, `access.refused`."
      },
      "target": {
        "type": [
          "string",
          "null"
        ]
      },
      "outcome": {
        "type": "string",
        "enum": [
          "attempted",
          "success",
          "failure",
          "refused"
        ]
      },
      "requestId": {
        "type": [
          "string",
          "null"
        ]
      },
      "details": {
        "anyOf": [
          {
            "type": "object",
            "additionalProperties": {}
          },
          {
            "type": "null"
          }
        ],
        "description": "What the record keeps of the request (bodies masked) or of its outcome."
      },
      "hash": {
        "type": "string"
      }
    },
    "required": [
      "seq",
      "at",
      "clientId",
      "staffId",
      "actor",
      "action",
      "target",
      "outcome",
      "requestId",
      "details",
      "hash"
    ],
    "description": "One record of the audit trail (MAC-chained: `hash` covers it and the record before)."
  },
  "AuditSignatureAlgorithm": {
    "type": "string",
    "enum": [
      "Ed25519",
      "ECDSA-P256-SHA256"
    ]
  },
  "CalendarStatusView": {
    "type": "object",
    "properties": {
      "knownYears": {
        "type": "array",
        "items": {
          "type": "number"
        }
      },
      "overrideYears": {
        "type": "array",
        "items": {
          "type": "number"
        }
      },
      "missingYears": {
        "type": "array",
        "items": {
          "type": "number"
        },
        "description": "Years the platform needs (this one and the next) that neither the package nor an override knows."
      }
    },
    "required": [
      "knownYears",
      "overrideYears",
      "missingYears"
    ]
  },
  "CaList": {
    "type": "array",
    "items": {
      "$ref": "#/components/schemas/CaView"
    }
  },
  "CaRevocationResult": {
    "type": "object",
    "properties": {
      "revoked": {
        "type": "object",
        "properties": {
          "revokedAt": {
            "type": "string",
            "description": "Set while the certificate shown is revoked (an issuing CA stays so until re-keyed)."
          },
          "revocationReason": {
            "type": "string"
          },
          "issuerCaId": {
            "type": "string"
          },
          "caId": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "root",
              "issuing",
              "ocsp",
              "seal-maker"
            ]
          },
          "family": {
            "type": "string",
            "enum": [
              "sm2",
              "ecdsa",
              "rsa"
            ]
          },
          "subject": {
            "type": "string"
          },
          "serial": {
            "type": "string"
          },
          "notBefore": {
            "type": "string"
          },
          "notAfter": {
            "type": "string"
          },
          "certificatePem": {
            "type": "string"
          },
          "revokedCertificates": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RevokedCaCertificateView"
            },
            "description": "Roots and issuing CAs: the CA-level certificates this CA issued and revoked (its CRL lists them), including ones no longer shown because their role got a new certificate (a revoked seal maker or OCSP signer is replaced at once). Seal verification needs them: the old certificate still chains and still carries its purpose."
          }
        },
        "required": [
          "caId",
          "certificatePem",
          "family",
          "issuerCaId",
          "notAfter",
          "notBefore",
          "revocationReason",
          "revokedAt",
          "role",
          "serial",
          "subject"
        ],
        "description": "The certificate as it was revoked (the CA id may hold a replacement by now)."
      },
      "replacement": {
        "$ref": "#/components/schemas/CaView",
        "description": "The new certificate and key made for the role (OCSP signer, seal maker)."
      },
      "stopped": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "CAs that sign nothing any more because of this revocation (the CA itself included)."
      }
    },
    "required": [
      "revoked",
      "stopped"
    ]
  },
  "CaView": {
    "type": "object",
    "properties": {
      "caId": {
        "type": "string"
      },
      "role": {
        "type": "string",
        "enum": [
          "root",
          "issuing",
          "ocsp",
          "seal-maker"
        ]
      },
      "family": {
        "type": "string",
        "enum": [
          "sm2",
          "ecdsa",
          "rsa"
        ]
      },
      "subject": {
        "type": "string"
      },
      "serial": {
        "type": "string"
      },
      "notBefore": {
        "type": "string"
      },
      "notAfter": {
        "type": "string"
      },
      "certificatePem": {
        "type": "string"
      },
      "revokedAt": {
        "type": "string",
        "description": "Set while the certificate shown is revoked (an issuing CA stays so until re-keyed)."
      },
      "revocationReason": {
        "type": "string"
      },
      "revokedCertificates": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/RevokedCaCertificateView"
        },
        "description": "Roots and issuing CAs: the CA-level certificates this CA issued and revoked (its CRL lists them), including ones no longer shown because their role got a new certificate (a revoked seal maker or OCSP signer is replaced at once). Seal verification needs them: the old certificate still chains and still carries its purpose."
      }
    },
    "required": [
      "caId",
      "role",
      "family",
      "subject",
      "serial",
      "notBefore",
      "notAfter",
      "certificatePem"
    ]
  },
  "CertificatePage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/CertificateView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "CertificateProfile": {
    "type": "string",
    "enum": [
      "unit",
      "personal"
    ]
  },
  "CertificateStatus": {
    "type": "string",
    "enum": [
      "active",
      "frozen",
      "revoked",
      "expired",
      "invalid"
    ],
    "description": "`invalid`: on the invalid list (失效名单, 第二十条): revoked for relying parties, final."
  },
  "CertificateView": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "caId": {
        "type": "string"
      },
      "profile": {
        "$ref": "#/components/schemas/CertificateProfile"
      },
      "keyAlgorithm": {
        "type": "string"
      },
      "status": {
        "$ref": "#/components/schemas/CertificateStatus"
      },
      "subject": {
        "type": "string"
      },
      "unit": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "uscc": {
            "type": "string"
          },
          "regionCode": {
            "type": "string"
          },
          "accountNo": {
            "type": "string"
          }
        },
        "required": [
          "name",
          "uscc",
          "regionCode",
          "accountNo"
        ]
      },
      "person": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "idNumberMasked": {
            "type": "string"
          }
        },
        "required": [
          "name",
          "idNumberMasked"
        ]
      },
      "notBefore": {
        "type": "string"
      },
      "notAfter": {
        "type": "string"
      },
      "revokedAt": {
        "type": "string"
      },
      "revocationReason": {
        "type": "string"
      },
      "frozenAt": {
        "type": "string"
      },
      "invalidReason": {
        "$ref": "#/components/schemas/InvalidationReason",
        "description": "With status invalid: why (第二十条) and since when."
      },
      "invalidatedAt": {
        "type": "string"
      },
      "replacedBy": {
        "type": "string"
      },
      "replaces": {
        "type": "string"
      },
      "ukeySerial": {
        "type": "string",
        "description": "The UKey it is on (issued with a ukeySerial, or renewed from a certificate on one)."
      },
      "issuerRevoked": {
        "type": "boolean",
        "const": true,
        "description": "Present (true) when the issuing CA or the root above it is revoked: `status` stays what the row says, but the certificate is not to be relied on (nor accepted at login) whatever it is."
      },
      "platformHeld": {
        "type": "boolean",
        "const": true,
        "description": "Present (true) when the key pair is held by the platform (its key store), not by the unit on a UKey: an office's own seal, signed server-side (Subjects.cert.platformKeySign)."
      },
      "certificatePem": {
        "type": "string"
      },
      "chainPem": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "required": [
      "serial",
      "caId",
      "profile",
      "keyAlgorithm",
      "status",
      "subject",
      "unit",
      "notBefore",
      "notAfter",
      "certificatePem",
      "chainPem"
    ]
  },
  "ChangeKind": {
    "type": "string",
    "enum": [
      "name",
      "structure",
      "people",
      "physical_seal"
    ]
  },
  "ClientPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ClientView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "ClientView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "name": {
        "type": "string"
      },
      "department": {
        "type": "string"
      },
      "operations": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "regionCodes": {
        "anyOf": [
          {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          {
            "type": "null"
          }
        ]
      },
      "status": {
        "type": "string"
      },
      "rateLimitPerSecond": {
        "type": "number"
      },
      "credentials": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "id": {
              "type": "string"
            },
            "kind": {
              "type": "string"
            },
            "expiresAt": {
              "type": [
                "string",
                "null"
              ]
            },
            "revokedAt": {
              "type": [
                "string",
                "null"
              ]
            },
            "lastUsedAt": {
              "type": [
                "string",
                "null"
              ],
              "description": "When it last authenticated a request, to the minute (null: never used)."
            },
            "certificateSerial": {
              "type": [
                "string",
                "null"
              ]
            }
          },
          "required": [
            "id",
            "kind",
            "expiresAt",
            "revokedAt",
            "lastUsedAt",
            "certificateSerial"
          ]
        }
      }
    },
    "required": [
      "id",
      "name",
      "department",
      "operations",
      "regionCodes",
      "status",
      "rateLimitPerSecond",
      "credentials"
    ],
    "description": "A registered client system and its credentials (never their secrets)."
  },
  "DeadLetters": {
    "type": "object",
    "properties": {
      "webhooks": {
        "type": "object",
        "properties": {
          "total": {
            "type": "number"
          },
          "oldest": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/DeadWebhookDelivery"
            }
          }
        },
        "required": [
          "total",
          "oldest"
        ]
      },
      "mails": {
        "type": "object",
        "properties": {
          "total": {
            "type": "number"
          },
          "oldest": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/DeadMail"
            }
          }
        },
        "required": [
          "total",
          "oldest"
        ]
      }
    },
    "required": [
      "webhooks",
      "mails"
    ],
    "description": "Dead letters where the gateway keeps them: its delivery tables (BullMQ drops a failed job, removeOnFail; the row stays and the client system that owns a webhook subscription can send a delivery again: POST /api/v1/webhooks/deliveries/{id}/redeliver). Within the caller's regions (the event's regionCode; events without one: national scope only)."
  },
  "DeadlineView": {
    "type": "object",
    "properties": {
      "limitWorkingDays": {
        "type": "number",
        "description": "Working days the whole application may take (0 = the day of acceptance)."
      },
      "dueAt": {
        "type": "string",
        "description": "End of the last working day allowed (Asia/Shanghai), clock pauses added."
      },
      "stepDueAt": {
        "type": "string",
        "description": "The current step's own due time, where it has one."
      },
      "overdue": {
        "type": "boolean"
      },
      "pausedWorkingDays": {
        "type": "number",
        "description": "Working days spent waiting for the applicant's supplement (not counted)."
      },
      "calendarIncomplete": {
        "type": "boolean",
        "const": true,
        "description": "The calendar does not know a year this deadline crosses: counted with weekends only."
      }
    },
    "required": [
      "limitWorkingDays",
      "dueAt",
      "overdue",
      "pausedWorkingDays"
    ]
  },
  "DeadMail": {
    "type": "object",
    "properties": {
      "mailId": {
        "type": "string"
      },
      "eventType": {
        "type": "string"
      },
      "certificateSerial": {
        "type": "string"
      },
      "attempts": {
        "type": "number"
      },
      "lastError": {
        "type": [
          "string",
          "null"
        ]
      },
      "createdAt": {
        "type": "string"
      }
    },
    "required": [
      "mailId",
      "eventType",
      "certificateSerial",
      "attempts",
      "lastError",
      "createdAt"
    ],
    "description": "A handler e-mail that used up its attempts (gateway table mail_delivery, status `dead`)."
  },
  "DeadWebhookDelivery": {
    "type": "object",
    "properties": {
      "deliveryId": {
        "type": "string"
      },
      "subscriptionId": {
        "type": "string"
      },
      "clientId": {
        "type": "string"
      },
      "eventType": {
        "type": "string"
      },
      "attempts": {
        "type": "number"
      },
      "lastStatusCode": {
        "type": [
          "number",
          "null"
        ]
      },
      "lastError": {
        "type": [
          "string",
          "null"
        ]
      },
      "deadAt": {
        "type": "string"
      }
    },
    "required": [
      "deliveryId",
      "subscriptionId",
      "clientId",
      "eventType",
      "attempts",
      "lastStatusCode",
      "lastError",
      "deadAt"
    ],
    "description": "A webhook delivery that used up its attempts (gateway table webhook_delivery, status `dead`)."
  },
  "Decision": {
    "type": "string",
    "enum": [
      "approve",
      "reject",
      "return"
    ]
  },
  "DecisionView": {
    "type": "object",
    "properties": {
      "tier": {
        "$ref": "#/components/schemas/ReviewTier"
      },
      "decision": {
        "$ref": "#/components/schemas/Decision"
      },
      "reason": {
        "type": "string"
      },
      "missing": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/MaterialKind"
        }
      },
      "by": {
        "type": "object",
        "properties": {
          "staffId": {
            "type": [
              "string",
              "null"
            ]
          },
          "clientId": {
            "type": [
              "string",
              "null"
            ]
          },
          "role": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "staffId",
          "clientId",
          "role"
        ]
      },
      "at": {
        "type": "string"
      },
      "materialsSeen": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "The materials the reviewer saw, as kind:sha256."
      }
    },
    "required": [
      "tier",
      "decision",
      "by",
      "at",
      "materialsSeen"
    ]
  },
  "DiscardedCertificatePage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/DiscardedCertificateView"
        }
      },
      "page": {
        "type": "number"
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Absent on keyset (`after`) pages."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ]
  },
  "DiscardedCertificateView": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "caId": {
        "type": "string"
      },
      "command": {
        "type": "string",
        "enum": [
          "issue",
          "renew"
        ]
      },
      "reason": {
        "type": "string",
        "description": "The problem code the client was answered with, `retry_answered`, or `failed`."
      },
      "detail": {
        "type": [
          "string",
          "null"
        ]
      },
      "regionCode": {
        "type": "string",
        "description": "Region of the subscriber it was for."
      },
      "tbsSha256": {
        "type": "string"
      },
      "signedDigest": {
        "type": [
          "string",
          "null"
        ],
        "description": "The digest the CA key signed: the hash the signature algorithm names, or for SM2 e = SM3(Z ‖ TBS) with Z from the CA's public key (an ECDSA key in a PKCS#11 HSM is handed exactly this). Null when it could not be computed."
      },
      "signedDigestAlgorithm": {
        "type": [
          "string",
          "null"
        ],
        "description": "`SHA-256`, `SHA-384`, `SHA-512` or `SM3(Z‖TBS)`."
      },
      "certificateSha256": {
        "type": "string"
      },
      "requestId": {
        "type": [
          "string",
          "null"
        ]
      },
      "clientId": {
        "type": [
          "string",
          "null"
        ]
      },
      "actor": {
        "type": [
          "string",
          "null"
        ]
      },
      "signedAt": {
        "type": "string"
      },
      "recordedAt": {
        "type": "string"
      },
      "cursor": {
        "type": "string",
        "description": "Opaque keyset cursor of this entry (for `after`)."
      }
    },
    "required": [
      "serial",
      "caId",
      "command",
      "reason",
      "detail",
      "regionCode",
      "tbsSha256",
      "signedDigest",
      "signedDigestAlgorithm",
      "certificateSha256",
      "requestId",
      "clientId",
      "actor",
      "signedAt",
      "recordedAt",
      "cursor"
    ],
    "description": "A certificate a CA signed that was then not stored nor returned (cert.discarded_certificate): what an HSM's log line for that signature is matched with (`signedDigest`). The TBS itself is kept in the database only (it names the subscriber)."
  },
  "DispatchBatchView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "officeRegionCode": {
        "type": "string"
      },
      "serials": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "createdAt": {
        "type": "string"
      },
      "createdBy": {
        "type": [
          "string",
          "null"
        ]
      },
      "receivedAt": {
        "type": "string"
      },
      "receivedBy": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "required": [
      "id",
      "officeRegionCode",
      "serials",
      "createdAt",
      "createdBy"
    ]
  },
  "DocumentActor": {
    "type": "object",
    "properties": {
      "clientId": {
        "type": "string"
      },
      "staffId": {
        "type": "string"
      }
    },
    "description": "Who did something: the acting client system, or the staff member (one of the two)."
  },
  "DocumentDigestAlgorithm": {
    "type": "string",
    "enum": [
      "sha256",
      "sm3"
    ]
  },
  "DocumentIndication": {
    "type": "string",
    "enum": [
      "TOTAL_PASSED",
      "TOTAL_FAILED",
      "INDETERMINATE"
    ]
  },
  "DocumentSealingView": {
    "type": "object",
    "properties": {
      "sealId": {
        "type": "string"
      },
      "sealUseRequestId": {
        "type": "string"
      },
      "certificateSerial": {
        "type": "string"
      },
      "fieldName": {
        "type": "string"
      },
      "family": {
        "$ref": "#/components/schemas/SignatureFamily"
      },
      "subFilter": {
        "type": "string"
      },
      "mode": {
        "$ref": "#/components/schemas/SealingMode"
      },
      "sealedAt": {
        "type": "string"
      }
    },
    "required": [
      "sealId",
      "sealUseRequestId",
      "certificateSerial",
      "fieldName",
      "family",
      "subFilter",
      "mode",
      "sealedAt"
    ]
  },
  "DocumentVerificationReport": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "documentSha256": {
        "type": "string"
      },
      "size": {
        "type": "number"
      },
      "fileName": {
        "type": "string"
      },
      "validationTime": {
        "type": "string"
      },
      "indication": {
        "$ref": "#/components/schemas/DocumentIndication",
        "description": "TOTAL_PASSED only when there are signatures and every one passed."
      },
      "reason": {
        "type": "string"
      },
      "trustAnchors": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "ecertDocumentId": {
        "type": "string",
        "description": "Set when ecert registered these very bytes (e.g. a sealed result it made)."
      },
      "signatures": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/SignatureReportView"
        }
      },
      "policy": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "documentSha256",
      "size",
      "validationTime",
      "indication",
      "reason",
      "trustAnchors",
      "signatures",
      "policy"
    ]
  },
  "DocumentView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "sha256": {
        "type": "string",
        "description": "SHA-256 of the bytes (the document store's id)."
      },
      "size": {
        "type": "number"
      },
      "pages": {
        "type": "number"
      },
      "fileName": {
        "type": "string",
        "description": "The upload's file name, sanitised (a sealed result: the original's, with `-sealed`)."
      },
      "uploadedBy": {
        "$ref": "#/components/schemas/DocumentActor"
      },
      "uploadedAt": {
        "type": "string"
      },
      "retainedUntil": {
        "type": "string",
        "description": "Kept at least until then (DOCUMENT_RETENTION_DAYS after the upload or sealing)."
      },
      "purgedAt": {
        "type": "string",
        "description": "When retention removed it: its record stays, the PDF is gone (a download is a 410 document_purged)."
      },
      "derivedFrom": {
        "type": "string",
        "description": "The document this one was sealed from."
      },
      "sealing": {
        "$ref": "#/components/schemas/DocumentSealingView",
        "description": "For a sealed result: the signature that made it."
      }
    },
    "required": [
      "id",
      "sha256",
      "size",
      "pages",
      "uploadedBy",
      "uploadedAt",
      "retainedUntil"
    ],
    "description": "A registered PDF: an upload, or the sealed result of one (derivedFrom)."
  },
  "ExtractedSealImageView": {
    "type": "object",
    "properties": {
      "png": {
        "type": "string",
        "description": "Transparent-background PNG, base64: usable as `image` of POST /seals."
      },
      "widthPx": {
        "type": "number"
      },
      "heightPx": {
        "type": "number"
      },
      "widthMm": {
        "type": "number",
        "description": "Size at `dpi`: a suggestion for widthMm/heightMm."
      },
      "heightMm": {
        "type": "number"
      },
      "dpi": {
        "type": "number"
      },
      "dpiSource": {
        "type": "string",
        "enum": [
          "file",
          "request",
          "default"
        ]
      },
      "inkColor": {
        "type": "string"
      },
      "inkPixels": {
        "type": "number"
      }
    },
    "required": [
      "png",
      "widthPx",
      "heightPx",
      "widthMm",
      "heightMm",
      "dpi",
      "dpiSource",
      "inkColor",
      "inkPixels"
    ]
  },
  "GatewayHealthView": {
    "type": "object",
    "properties": {
      "status": {
        "type": "string",
        "enum": [
          "up",
          "down"
        ]
      },
      "services": {
        "type": "object",
        "additionalProperties": {
          "$ref": "#/components/schemas/ServiceHealthView"
        },
        "description": "gateway, cert-service, seal-service, workflow-service."
      },
      "stores": {
        "type": "object",
        "properties": {
          "postgres": {
            "$ref": "#/components/schemas/HealthCheckStatus"
          },
          "nats": {
            "$ref": "#/components/schemas/HealthCheckStatus"
          },
          "redis": {
            "$ref": "#/components/schemas/HealthCheckStatus"
          }
        },
        "required": [
          "postgres",
          "nats",
          "redis"
        ],
        "description": "The gateway's own look at its backing stores."
      }
    },
    "required": [
      "status",
      "services",
      "stores"
    ],
    "description": "GET /api/v1/health: 200 when everything is up, 503 (same body) otherwise."
  },
  "HealthCheckStatus": {
    "type": "string",
    "enum": [
      "up",
      "down",
      "exhausted"
    ],
    "description": "`exhausted`: the dependency answers, but the service's connection pool gives nothing in time."
  },
  "ImportUkeysResult": {
    "type": "object",
    "properties": {
      "batch": {
        "type": "string"
      },
      "imported": {
        "type": "number"
      }
    },
    "required": [
      "batch",
      "imported"
    ]
  },
  "InvalidationCount": {
    "type": "object",
    "properties": {
      "regionCode": {
        "type": "string"
      },
      "reason": {
        "$ref": "#/components/schemas/InvalidationReason"
      },
      "count": {
        "type": "number"
      }
    },
    "required": [
      "regionCode",
      "reason",
      "count"
    ]
  },
  "InvalidationReason": {
    "type": "string",
    "enum": [
      "lost_unresolved",
      "damaged_unresolved",
      "expired_unresolved",
      "idle"
    ]
  },
  "InvalidationRunView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "dryRun": {
        "type": "boolean"
      },
      "trigger": {
        "type": "string",
        "enum": [
          "schedule",
          "operator"
        ]
      },
      "requestedBy": {
        "type": [
          "string",
          "null"
        ]
      },
      "asOf": {
        "type": "string",
        "description": "The instant the rule was applied at."
      },
      "queuedAt": {
        "type": "string"
      },
      "startedAt": {
        "type": "string"
      },
      "finishedAt": {
        "type": "string"
      },
      "status": {
        "type": "string",
        "enum": [
          "queued",
          "running",
          "finished",
          "failed"
        ]
      },
      "counts": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/InvalidationCount"
        },
        "description": "Per region and reason: what was (a dry run: would be) made invalid."
      },
      "total": {
        "type": "number"
      },
      "error": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "dryRun",
      "trigger",
      "requestedBy",
      "asOf",
      "queuedAt",
      "status"
    ]
  },
  "InvalidListEntry": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "caId": {
        "type": "string"
      },
      "profile": {
        "$ref": "#/components/schemas/CertificateProfile"
      },
      "unitName": {
        "type": "string"
      },
      "uscc": {
        "type": "string"
      },
      "accountNo": {
        "type": "string"
      },
      "regionCode": {
        "type": "string"
      },
      "invalidReason": {
        "$ref": "#/components/schemas/InvalidationReason"
      },
      "revocationReason": {
        "type": "string"
      },
      "invalidatedAt": {
        "type": "string"
      },
      "lastActivityAt": {
        "type": "string"
      },
      "notAfter": {
        "type": "string"
      },
      "ukeySerial": {
        "type": "string"
      },
      "cursor": {
        "type": "string",
        "description": "Opaque keyset cursor of this entry (for `after`)."
      }
    },
    "required": [
      "serial",
      "caId",
      "profile",
      "unitName",
      "uscc",
      "accountNo",
      "regionCode",
      "invalidReason",
      "revocationReason",
      "invalidatedAt",
      "lastActivityAt",
      "notAfter",
      "cursor"
    ]
  },
  "InvalidListPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/InvalidListEntry"
        }
      },
      "page": {
        "type": "number"
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Absent on keyset (`after`) pages."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ]
  },
  "IssuedApiKeyView": {
    "type": "object",
    "properties": {
      "apiKey": {
        "type": "string",
        "description": "Send as `X-Api-Key`."
      },
      "credentialId": {
        "type": "string"
      }
    },
    "required": [
      "apiKey",
      "credentialId"
    ],
    "description": "A new API key: `apiKey` is shown in this answer only (ecert keeps its hash)."
  },
  "LoginChallengeView": {
    "type": "object",
    "properties": {
      "challengeId": {
        "type": "string",
        "description": "Send it back with the signature; single use."
      },
      "challenge": {
        "type": "string",
        "description": "base64 of 32 random bytes."
      },
      "expiresAt": {
        "type": "string"
      }
    },
    "required": [
      "challengeId",
      "challenge",
      "expiresAt"
    ],
    "description": "POST /api/v1/auth/challenge: sign `challenge` (its bytes, base64-decoded) with the login certificate's key."
  },
  "MaterialKind": {
    "type": "string",
    "enum": [
      "certificate_form",
      "seal_form",
      "uscc_copy",
      "establishment_document",
      "handler_id_copy",
      "seal_impression_form"
    ]
  },
  "MaterialMediaType": {
    "type": "string",
    "enum": [
      "application/pdf",
      "image/jpeg",
      "image/png"
    ]
  },
  "MaterialView": {
    "type": "object",
    "properties": {
      "kind": {
        "$ref": "#/components/schemas/MaterialKind"
      },
      "sha256": {
        "type": "string"
      },
      "mediaType": {
        "$ref": "#/components/schemas/MaterialMediaType"
      },
      "size": {
        "type": "number"
      },
      "fileName": {
        "type": "string"
      },
      "attachedAt": {
        "type": "string"
      }
    },
    "required": [
      "kind",
      "sha256",
      "mediaType",
      "size",
      "attachedAt"
    ]
  },
  "Operation": {
    "type": "string",
    "enum": [
      "certificates:read",
      "certificates:issue",
      "certificates:manage",
      "certificates:activity",
      "seals:read",
      "seals:create",
      "seals:verify",
      "documents:seal",
      "documents:read",
      "documents:verify",
      "seals:manage-use",
      "seals:approve-use",
      "applications:read",
      "applications:submit",
      "applications:review",
      "applications:produce",
      "applications:dispatch",
      "applications:unlock",
      "ukeys:read",
      "ukeys:manage",
      "ukeys:return",
      "ukeys:dispatch",
      "audit:read",
      "operations:read",
      "webhooks:manage",
      "admin"
    ]
  },
  "OperationsOverview": {
    "type": "object",
    "properties": {
      "generatedAt": {
        "type": "string"
      },
      "regions": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "The caller's region scope the counts are limited to."
      },
      "late": {
        "type": "object",
        "properties": {
          "slaBreaches": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/SlaBreaches"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "slaBreaches"
        ]
      },
      "failed": {
        "type": "object",
        "properties": {
          "sagasNeedingAttention": {
            "anyOf": [
              {
                "type": "object",
                "properties": {
                  "total": {
                    "type": "number"
                  },
                  "oldest": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/AttentionItem"
                    }
                  }
                },
                "required": [
                  "total",
                  "oldest"
                ],
                "description": "Applications whose fulfilment (saga) stopped on a step that cannot succeed: the oldest first."
              },
              {
                "type": "null"
              }
            ]
          },
          "deadLetters": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/DeadLetters"
              },
              {
                "type": "null"
              }
            ],
            "description": "Dead-lettered webhook deliveries and handler e-mails (null: the gateway's database did not answer)."
          },
          "queues": {
            "anyOf": [
              {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/QueueFailures"
                }
              },
              {
                "type": "null"
              }
            ],
            "description": "Failed jobs BullMQ still holds, per queue (null: Redis did not answer; then `queues` is in `unavailable`)."
          }
        },
        "required": [
          "sagasNeedingAttention",
          "deadLetters",
          "queues"
        ]
      },
      "due": {
        "type": "object",
        "properties": {
          "renewals": {
            "anyOf": [
              {
                "type": "object",
                "properties": {
                  "windowDays": {
                    "type": "number"
                  },
                  "total": {
                    "type": "number"
                  },
                  "byRegion": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/RegionCount"
                    }
                  }
                },
                "required": [
                  "windowDays",
                  "total",
                  "byRegion"
                ],
                "description": "Active certificates whose notAfter falls within the window (not renewed yet)."
              },
              {
                "type": "null"
              }
            ]
          },
          "invalidations": {
            "anyOf": [
              {
                "type": "object",
                "properties": {
                  "total": {
                    "type": "number"
                  },
                  "byReason": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "properties": {
                        "reason": {
                          "$ref": "#/components/schemas/InvalidationReason"
                        },
                        "count": {
                          "type": "number"
                        }
                      },
                      "required": [
                        "reason",
                        "count"
                      ]
                    }
                  }
                },
                "required": [
                  "total",
                  "byReason"
                ],
                "description": "Certificates the 第二十条 rule puts on the invalid list now (not yet invalid), by reason."
              },
              {
                "type": "null"
              }
            ]
          },
          "invalidListSize": {
            "type": [
              "number",
              "null"
            ]
          }
        },
        "required": [
          "renewals",
          "invalidations",
          "invalidListSize"
        ]
      },
      "unavailable": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "Parts a service could not give in time (its fields are null): the rest is still shown."
      }
    },
    "required": [
      "generatedAt",
      "regions",
      "late",
      "failed",
      "due",
      "unavailable"
    ],
    "description": "GET /api/v1/operations/overview."
  },
  "PlacementSpec": {
    "anyOf": [
      {
        "type": "object",
        "properties": {
          "type": {
            "type": "string",
            "const": "coordinates"
          },
          "page": {
            "type": "number"
          },
          "xMm": {
            "type": "number"
          },
          "yMm": {
            "type": "number"
          }
        },
        "required": [
          "type",
          "page",
          "xMm",
          "yMm"
        ]
      },
      {
        "type": "object",
        "properties": {
          "type": {
            "type": "string",
            "const": "keyword"
          },
          "keyword": {
            "type": "string"
          },
          "occurrence": {
            "type": "string",
            "enum": [
              "first",
              "all"
            ]
          },
          "offsetXMm": {
            "type": "number"
          },
          "offsetYMm": {
            "type": "number"
          },
          "pages": {
            "type": "array",
            "items": {
              "type": "number"
            }
          }
        },
        "required": [
          "type",
          "keyword"
        ]
      },
      {
        "type": "object",
        "properties": {
          "type": {
            "type": "string",
            "const": "cross-page"
          },
          "pages": {
            "type": "array",
            "items": {
              "type": "number"
            }
          },
          "yMm": {
            "type": "number"
          }
        },
        "required": [
          "type"
        ]
      }
    ],
    "description": "One placement of the seal, at its printed size (the seal's widthMm × heightMm). Coordinates are millimetres from the top-left corner of the page as displayed (rotation and CropBox applied); pages count from 1.\n- `coordinates`: the seal's centre at (xMm, yMm) on `page`;\n- `keyword`: centred on an occurrence of the text (found with positions, CJK included), moved by   offsetXMm/offsetYMm (right/down positive); the first occurrence or every one, on the pages   listed or all;\n- `cross-page` (骑缝章): the picture cut into one slice per page, each slice on the right edge of   its page, centred vertically at yMm (default the middle); all pages or those listed (≥ 2)."
  },
  "ProductionSoPinView": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "applicationId": {
        "type": "string"
      },
      "soPin": {
        "type": "string",
        "description": "C_InitToken the fresh token with this SO PIN (generation 0, or the key's current one)."
      },
      "expiresAt": {
        "type": "string",
        "description": "Initialise the token before this."
      }
    },
    "required": [
      "serial",
      "applicationId",
      "soPin",
      "expiresAt"
    ]
  },
  "QueueFailures": {
    "type": "object",
    "properties": {
      "queue": {
        "type": "string"
      },
      "failed": {
        "type": "number"
      }
    },
    "required": [
      "queue",
      "failed"
    ]
  },
  "RegionCount": {
    "type": "object",
    "properties": {
      "regionCode": {
        "type": "string"
      },
      "count": {
        "type": "number"
      }
    },
    "required": [
      "regionCode",
      "count"
    ]
  },
  "RegisteredClientView": {
    "type": "object",
    "properties": {
      "apiKey": {
        "type": "string",
        "description": "Send as `X-Api-Key`."
      },
      "credentialId": {
        "type": "string"
      },
      "client": {
        "$ref": "#/components/schemas/ClientView"
      }
    },
    "required": [
      "apiKey",
      "client",
      "credentialId"
    ],
    "description": "POST /api/v1/clients: the registered system and its first API key."
  },
  "RemovedWebhookSubscriptionView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "deleted": {
        "type": "boolean",
        "const": true
      }
    },
    "required": [
      "id",
      "deleted"
    ],
    "description": "DELETE /api/v1/webhooks/subscriptions/{id}."
  },
  "RequestedSeal": {
    "type": "object",
    "properties": {
      "kind": {
        "$ref": "#/components/schemas/SealKind"
      },
      "purpose": {
        "$ref": "#/components/schemas/SealPurpose"
      },
      "name": {
        "type": "string"
      },
      "widthMm": {
        "type": "number"
      },
      "heightMm": {
        "type": "number"
      }
    },
    "required": [
      "kind",
      "name"
    ]
  },
  "ResolvedPlacementView": {
    "type": "object",
    "properties": {
      "page": {
        "type": "number"
      },
      "xMm": {
        "type": "number"
      },
      "yMm": {
        "type": "number"
      },
      "widthMm": {
        "type": "number"
      },
      "heightMm": {
        "type": "number"
      },
      "slice": {
        "type": "object",
        "properties": {
          "index": {
            "type": "number"
          },
          "of": {
            "type": "number"
          }
        },
        "required": [
          "index",
          "of"
        ]
      }
    },
    "required": [
      "page",
      "xMm",
      "yMm",
      "widthMm",
      "heightMm"
    ],
    "description": "A placement resolved to a box on a page (what libs/pdf draws); `slice` for cross-page slices."
  },
  "ReviewTier": {
    "type": "string",
    "enum": [
      "county",
      "city",
      "province"
    ]
  },
  "RevocationCause": {
    "type": "string",
    "enum": [
      "unit_dissolved",
      "unit_merged",
      "seal_retired",
      "seal_unused",
      "key_compromised",
      "medium_damaged",
      "medium_stolen",
      "medium_lost"
    ]
  },
  "RevokedCaCertificateView": {
    "type": "object",
    "properties": {
      "caId": {
        "type": "string",
        "description": "The role slot it held, e.g. sm2-seal-maker."
      },
      "role": {
        "type": "string",
        "enum": [
          "issuing",
          "ocsp",
          "seal-maker"
        ]
      },
      "serial": {
        "type": "string",
        "description": "Lower-case hex without leading zero octets (serialKey form)."
      },
      "subject": {
        "type": "string"
      },
      "notAfter": {
        "type": "string"
      },
      "revokedAt": {
        "type": "string"
      },
      "revocationReason": {
        "type": "string"
      }
    },
    "required": [
      "caId",
      "role",
      "serial",
      "subject",
      "notAfter",
      "revokedAt",
      "revocationReason"
    ],
    "description": "A revoked CA-level certificate, by its issuer (the CaView it is listed under) and serial."
  },
  "SealDocumentReply": {
    "anyOf": [
      {
        "type": "object",
        "properties": {
          "mode": {
            "type": "string",
            "const": "server"
          },
          "sealed": {
            "$ref": "#/components/schemas/SealedDocumentView"
          }
        },
        "required": [
          "mode",
          "sealed"
        ]
      },
      {
        "type": "object",
        "properties": {
          "mode": {
            "type": "string",
            "const": "deferred"
          },
          "session": {
            "$ref": "#/components/schemas/SealSessionView"
          }
        },
        "required": [
          "mode",
          "session"
        ]
      }
    ]
  },
  "SealedDocumentView": {
    "type": "object",
    "properties": {
      "document": {
        "$ref": "#/components/schemas/DocumentView",
        "description": "The sealed result, a new document derived from the one sealed."
      },
      "signature": {
        "type": "object",
        "properties": {
          "fieldName": {
            "type": "string"
          },
          "family": {
            "$ref": "#/components/schemas/SignatureFamily"
          },
          "subFilter": {
            "type": "string"
          },
          "sealId": {
            "type": "string"
          },
          "certificateSerial": {
            "type": "string"
          },
          "placements": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ResolvedPlacementView"
            }
          }
        },
        "required": [
          "fieldName",
          "family",
          "subFilter",
          "sealId",
          "certificateSerial",
          "placements"
        ]
      }
    },
    "required": [
      "document",
      "signature"
    ]
  },
  "SealImageView": {
    "type": "object",
    "properties": {
      "widthPx": {
        "type": "number"
      },
      "heightPx": {
        "type": "number"
      },
      "widthMm": {
        "type": "number"
      },
      "heightMm": {
        "type": "number"
      },
      "bytes": {
        "type": "number"
      },
      "sha256": {
        "type": "string"
      },
      "source": {
        "type": "string",
        "enum": [
          "upload",
          "scan",
          "renewal"
        ]
      }
    },
    "required": [
      "widthPx",
      "heightPx",
      "widthMm",
      "heightMm",
      "bytes",
      "sha256",
      "source"
    ]
  },
  "SealingMode": {
    "type": "string",
    "enum": [
      "server",
      "deferred"
    ]
  },
  "SealKind": {
    "type": "string",
    "enum": [
      "official",
      "department",
      "branch",
      "special",
      "position",
      "personal"
    ]
  },
  "SealPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/SealView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "SealPurpose": {
    "type": "string",
    "enum": [
      "contract",
      "finance",
      "invoice",
      "audit",
      "customs"
    ]
  },
  "SealSessionView": {
    "type": "object",
    "properties": {
      "sessionId": {
        "type": "string"
      },
      "documentId": {
        "type": "string"
      },
      "sealId": {
        "type": "string"
      },
      "sealUseRequestId": {
        "type": "string"
      },
      "certificateSerial": {
        "type": "string"
      },
      "family": {
        "$ref": "#/components/schemas/SignatureFamily"
      },
      "subFilter": {
        "type": "string"
      },
      "dataToSign": {
        "type": "string",
        "description": "Base64 DER of the CMS signed attributes (a SET): what the key signs."
      },
      "digestToSign": {
        "type": "string",
        "description": "Base64 of its digest, for a token that signs a digest."
      },
      "digestAlgorithm": {
        "$ref": "#/components/schemas/DocumentDigestAlgorithm"
      },
      "signatureAlgorithm": {
        "type": "string",
        "enum": [
          "sm2-with-sm3",
          "ecdsa-with-sha256",
          "sha256-with-rsa"
        ],
        "description": "e.g. SM2 with SM3 and the default user ID 1234567812345678; ECDSA with SHA-256; RSA PKCS#1 v1.5 with SHA-256."
      },
      "placements": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ResolvedPlacementView"
        }
      },
      "expiresAt": {
        "type": "string"
      },
      "ses": {
        "type": "object",
        "properties": {
          "dataToSign": {
            "type": "string",
            "description": "Base64 DER TBS_Sign: what the key signs (SM2 with SM3, user ID 1234567812345678)."
          },
          "digestToSign": {
            "type": "string",
            "description": "Base64 e = SM3(Z ‖ dataToSign), for a token that signs a digest."
          }
        },
        "required": [
          "dataToSign",
          "digestToSign"
        ],
        "description": "SM2 seals only: the GB/T 38540 TBS_Sign of the SES_Signature that goes with the CMS (the seal, the time, SM3 of the ByteRange, the signature field) — a second signature by the same key, sent back as `sesSignature`."
      }
    },
    "required": [
      "sessionId",
      "documentId",
      "sealId",
      "sealUseRequestId",
      "certificateSerial",
      "family",
      "subFilter",
      "dataToSign",
      "digestToSign",
      "digestAlgorithm",
      "signatureAlgorithm",
      "placements",
      "expiresAt"
    ],
    "description": "A deferred signing session: sign `dataToSign` with the seal's key (on the UKey), then embed."
  },
  "SealStatus": {
    "type": "string",
    "enum": [
      "active",
      "suspended",
      "revoked",
      "retired",
      "expired"
    ]
  },
  "SealSummaryView": {
    "type": "object",
    "properties": {
      "indication": {
        "type": "string",
        "enum": [
          "TOTAL_PASSED",
          "TOTAL_FAILED",
          "INDETERMINATE"
        ]
      },
      "version": {
        "type": "number",
        "description": "Layout version (1 = GM/T 0031, 4 = GB/T 38540), from the structure."
      },
      "headerVersion": {
        "type": "number"
      },
      "esId": {
        "type": "string"
      },
      "type": {
        "type": "number"
      },
      "name": {
        "type": "string"
      },
      "vendorId": {
        "type": "string"
      },
      "maker": {
        "type": "object",
        "properties": {
          "subject": {
            "type": "string"
          },
          "issuer": {
            "type": "string"
          },
          "serialNumberHex": {
            "type": "string"
          }
        },
        "required": [
          "subject",
          "issuer",
          "serialNumberHex"
        ]
      },
      "validity": {
        "type": "object",
        "properties": {
          "createDate": {
            "type": "string"
          },
          "validStart": {
            "type": "string"
          },
          "validEnd": {
            "type": "string"
          }
        },
        "required": [
          "createDate",
          "validStart",
          "validEnd"
        ]
      },
      "picture": {
        "type": "object",
        "properties": {
          "type": {
            "type": "string"
          },
          "widthMm": {
            "type": "number"
          },
          "heightMm": {
            "type": "number"
          },
          "bytes": {
            "type": "number"
          }
        },
        "required": [
          "type",
          "widthMm",
          "heightMm",
          "bytes"
        ]
      },
      "boundCertificates": {
        "anyOf": [
          {
            "type": "object",
            "properties": {
              "type": {
                "type": "number",
                "const": 1
              },
              "subjects": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            },
            "required": [
              "type",
              "subjects"
            ]
          },
          {
            "type": "object",
            "properties": {
              "type": {
                "type": "number",
                "const": 2
              },
              "digestCount": {
                "type": "number"
              }
            },
            "required": [
              "type",
              "digestCount"
            ]
          }
        ]
      },
      "checks": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/VerificationCheckView"
        }
      },
      "chain": {
        "$ref": "#/components/schemas/VerificationCheckView",
        "description": "The maker certificate's path to a seal-maker trust anchor (the `maker-certificate` check; `maker-authorised` says whether it may make seals)."
      },
      "warnings": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "ecert": {
        "type": "object",
        "properties": {
          "sealId": {
            "type": "string"
          },
          "sealStatus": {
            "$ref": "#/components/schemas/SealStatus"
          },
          "certificateSerial": {
            "type": "string"
          },
          "certificateStatus": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/CertificateStatus"
              },
              {
                "type": "string",
                "const": "unknown"
              }
            ],
            "description": "Current status of the bound certificate, asked from the cert-service now; unknown if it did not answer."
          },
          "issuerRevoked": {
            "type": "boolean",
            "const": true,
            "description": "The bound certificate's issuing CA is revoked: it vouches for nothing, whatever its own status."
          }
        },
        "required": [
          "sealId",
          "sealStatus",
          "certificateSerial",
          "certificateStatus"
        ],
        "description": "Present when ecert made this very seal (same esID and bytes)."
      }
    },
    "required": [
      "indication",
      "checks",
      "warnings"
    ]
  },
  "SealUsePrincipals": {
    "type": "object",
    "properties": {
      "staffIds": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "clientIds": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "required": [
      "staffIds",
      "clientIds"
    ]
  },
  "SealUseRequestPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/SealUseRequestView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "SealUseRequestStatus": {
    "type": "string",
    "enum": [
      "pending",
      "approved",
      "rejected",
      "used",
      "expired"
    ]
  },
  "SealUseRequestView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "sealId": {
        "type": "string"
      },
      "seal": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "kind": {
            "$ref": "#/components/schemas/SealKind"
          },
          "uscc": {
            "type": "string"
          },
          "regionCode": {
            "type": "string"
          }
        },
        "required": [
          "name",
          "kind",
          "uscc",
          "regionCode"
        ]
      },
      "documentId": {
        "type": "string"
      },
      "documentSha256": {
        "type": "string",
        "description": "The exact bytes approved: only a document with this SHA-256 may be sealed with it."
      },
      "placements": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/PlacementSpec"
        }
      },
      "purpose": {
        "type": "string"
      },
      "status": {
        "$ref": "#/components/schemas/SealUseRequestStatus",
        "description": "`expired`: approved but not used in time (derived)."
      },
      "requestedBy": {
        "$ref": "#/components/schemas/DocumentActor"
      },
      "requestedAt": {
        "type": "string"
      },
      "decision": {
        "type": "object",
        "properties": {
          "decision": {
            "type": "string",
            "enum": [
              "approve",
              "reject"
            ]
          },
          "by": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/DocumentActor"
              },
              {
                "type": "string",
                "const": "rule"
              }
            ],
            "description": "`rule`: approved on creation because the rule needs no approval."
          },
          "reason": {
            "type": "string"
          },
          "at": {
            "type": "string"
          }
        },
        "required": [
          "decision",
          "by",
          "at"
        ]
      },
      "expiresAt": {
        "type": "string",
        "description": "An approval is usable until then."
      },
      "usedAt": {
        "type": "string"
      },
      "sealedDocumentId": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "sealId",
      "seal",
      "documentId",
      "documentSha256",
      "placements",
      "purpose",
      "status",
      "requestedBy",
      "requestedAt"
    ]
  },
  "SealUseRuleView": {
    "type": "object",
    "properties": {
      "sealId": {
        "type": "string"
      },
      "users": {
        "$ref": "#/components/schemas/SealUsePrincipals"
      },
      "approvers": {
        "$ref": "#/components/schemas/SealUsePrincipals"
      },
      "approvalRequired": {
        "type": "boolean"
      },
      "version": {
        "type": "number"
      },
      "updatedAt": {
        "type": "string"
      },
      "updatedBy": {
        "$ref": "#/components/schemas/DocumentActor"
      }
    },
    "required": [
      "sealId",
      "users",
      "approvers",
      "approvalRequired",
      "version",
      "updatedAt",
      "updatedBy"
    ]
  },
  "SealVerificationView": {
    "type": "object",
    "properties": {
      "kind": {
        "type": "string",
        "enum": [
          "seal",
          "signature"
        ],
        "description": "What the data was."
      },
      "indication": {
        "type": "string",
        "enum": [
          "TOTAL_PASSED",
          "TOTAL_FAILED",
          "INDETERMINATE"
        ],
        "description": "For a seal ecert made, its standing here counts too: a cryptographically sound seal that is suspended (its UKey reported lost), revoked, retired or expired here, or whose certificate is not active, is INDETERMINATE with the reason in `standing` (`seal.indication` keeps the cryptographic result alone)."
      },
      "standing": {
        "type": "string",
        "description": "Why a sound seal is not TOTAL_PASSED here (see indication)."
      },
      "validationTime": {
        "type": "string"
      },
      "trustAnchors": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "Trust anchors for signer certificates (ecert's root CAs), by subject."
      },
      "makerTrust": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "label": {
              "type": "string"
            },
            "anchors": {
              "type": "array",
              "items": {
                "type": "string"
              }
            },
            "requiredPurpose": {
              "type": "string"
            }
          },
          "required": [
            "label",
            "anchors"
          ]
        },
        "description": "Who may make seals: ecert's seal maker (under ecert's roots, with id-kp-ecertSealMaking) and the foreign seal-making systems configured (ECERT_SEAL_MAKER_TRUST); anchors by subject."
      },
      "seal": {
        "$ref": "#/components/schemas/SealSummaryView",
        "description": "The seal (for kind=seal: the data; for kind=signature: the seal embedded in it)."
      },
      "signature": {
        "type": "object",
        "properties": {
          "version": {
            "type": "number"
          },
          "signingTime": {
            "type": "string"
          },
          "propertyInfo": {
            "type": "string"
          },
          "signer": {
            "type": "object",
            "properties": {
              "subject": {
                "type": "string"
              },
              "issuer": {
                "type": "string"
              },
              "serialNumberHex": {
                "type": "string"
              }
            },
            "required": [
              "subject",
              "issuer",
              "serialNumberHex"
            ]
          },
          "dataHashHex": {
            "type": "string"
          },
          "documentChecked": {
            "type": "boolean"
          },
          "timeStampPresent": {
            "type": "boolean"
          },
          "checks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/VerificationCheckView"
            }
          },
          "chain": {
            "$ref": "#/components/schemas/VerificationCheckView"
          },
          "warnings": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "documentChecked",
          "checks",
          "warnings"
        ],
        "description": "Only for kind=signature."
      }
    },
    "required": [
      "kind",
      "indication",
      "validationTime",
      "trustAnchors",
      "seal"
    ]
  },
  "SealView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "esId": {
        "type": "string",
        "description": "esID written into the seal."
      },
      "kind": {
        "$ref": "#/components/schemas/SealKind"
      },
      "purpose": {
        "$ref": "#/components/schemas/SealPurpose"
      },
      "typeCode": {
        "type": "number",
        "description": "GB/T 38540 property.type written into the seal."
      },
      "name": {
        "type": "string"
      },
      "status": {
        "$ref": "#/components/schemas/SealStatus"
      },
      "statusReason": {
        "type": "string"
      },
      "additional": {
        "type": "boolean"
      },
      "additionalReason": {
        "type": "string"
      },
      "unit": {
        "type": "object",
        "properties": {
          "uscc": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "regionCode": {
            "type": "string"
          }
        },
        "required": [
          "uscc",
          "name",
          "regionCode"
        ]
      },
      "certificate": {
        "type": "object",
        "properties": {
          "serial": {
            "type": "string"
          },
          "profile": {
            "$ref": "#/components/schemas/CertificateProfile"
          },
          "notAfter": {
            "type": "string"
          }
        },
        "required": [
          "serial",
          "profile",
          "notAfter"
        ]
      },
      "image": {
        "$ref": "#/components/schemas/SealImageView"
      },
      "validFrom": {
        "type": "string"
      },
      "validTo": {
        "type": "string"
      },
      "createdAt": {
        "type": "string"
      },
      "statusChangedAt": {
        "type": "string"
      },
      "replaces": {
        "type": "string",
        "description": "The seal this one replaced (renewal), and the one that replaced it."
      },
      "replacedBy": {
        "type": "string"
      },
      "sha256": {
        "type": "string",
        "description": "SHA-256 of the DER seal (what GET /seals/{id}.esl returns)."
      },
      "bytes": {
        "type": "number"
      }
    },
    "required": [
      "id",
      "esId",
      "kind",
      "typeCode",
      "name",
      "status",
      "additional",
      "unit",
      "certificate",
      "image",
      "validFrom",
      "validTo",
      "createdAt",
      "statusChangedAt",
      "sha256",
      "bytes"
    ]
  },
  "ServiceHealthView": {
    "type": "object",
    "properties": {
      "status": {
        "type": "string",
        "enum": [
          "up",
          "down"
        ]
      },
      "checks": {
        "type": "object",
        "additionalProperties": {
          "$ref": "#/components/schemas/HealthCheckStatus"
        },
        "description": "Each dependency the service checks (postgres, nats, redis, keys, …)."
      },
      "postgresPool": {
        "type": "object",
        "properties": {
          "size": {
            "type": "number"
          },
          "max": {
            "type": "number"
          },
          "idle": {
            "type": "number"
          },
          "waiting": {
            "type": "number"
          }
        },
        "required": [
          "size",
          "max",
          "idle",
          "waiting"
        ],
        "description": "The PostgreSQL pool as the service sees it, so \"busy\" and \"down\" read differently."
      },
      "error": {
        "type": "string",
        "description": "Why the service gave no answer (timeout, no responder)."
      }
    },
    "required": [
      "status"
    ],
    "description": "A service's health as the gateway reports it: its own answer over NATS, or `down` with why it gave none."
  },
  "ServiceType": {
    "type": "string",
    "enum": [
      "apply",
      "additional",
      "renew",
      "change",
      "report_loss",
      "restore",
      "reissue",
      "revoke",
      "unlock",
      "medium_replacement"
    ]
  },
  "SignatureCheckView": {
    "type": "object",
    "properties": {
      "name": {
        "type": "string",
        "enum": [
          "byte-range",
          "format",
          "digest",
          "signature",
          "chain",
          "revocation",
          "modifications",
          "seal",
          "timestamp",
          "ses-signature"
        ]
      },
      "result": {
        "type": "string",
        "enum": [
          "passed",
          "failed",
          "indeterminate",
          "warning"
        ]
      },
      "detail": {
        "type": "string"
      }
    },
    "required": [
      "name",
      "result",
      "detail"
    ]
  },
  "SignatureFamily": {
    "type": "string",
    "enum": [
      "pades",
      "gbt35275"
    ]
  },
  "SignatureReportView": {
    "type": "object",
    "properties": {
      "fieldName": {
        "type": "string"
      },
      "subFilter": {
        "type": "string"
      },
      "family": {
        "$ref": "#/components/schemas/SignatureFamily",
        "description": "gbt35275 for SM2 (either OID family), pades for CAdES, or what the SubFilter says."
      },
      "indication": {
        "$ref": "#/components/schemas/DocumentIndication"
      },
      "subIndication": {
        "$ref": "#/components/schemas/SubIndication"
      },
      "reason": {
        "type": "string",
        "description": "One sentence a person can act on."
      },
      "pages": {
        "type": "array",
        "items": {
          "type": "number"
        },
        "description": "The PDF pages its widget is on."
      },
      "byteRange": {
        "type": "array",
        "items": {
          "type": "number"
        }
      },
      "digestAlgorithm": {
        "$ref": "#/components/schemas/DocumentDigestAlgorithm"
      },
      "signer": {
        "type": "object",
        "properties": {
          "subject": {
            "type": "string"
          },
          "issuer": {
            "type": "string"
          },
          "serial": {
            "type": "string"
          },
          "notBefore": {
            "type": "string"
          },
          "notAfter": {
            "type": "string"
          }
        },
        "required": [
          "subject",
          "issuer",
          "serial",
          "notBefore",
          "notAfter"
        ]
      },
      "certificateStatus": {
        "anyOf": [
          {
            "type": "object",
            "properties": {
              "status": {
                "type": "string"
              },
              "revokedAt": {
                "type": "string"
              },
              "frozenAt": {
                "type": "string"
              },
              "issuerRevoked": {
                "type": "boolean",
                "const": true
              }
            },
            "required": [
              "status"
            ]
          },
          {
            "type": "string",
            "const": "unknown"
          }
        ],
        "description": "ecert's record of the certificate (for one it issued), asked now."
      },
      "chain": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "The chain to one of ecert's root CAs, leaf first, by subject."
      },
      "seal": {
        "type": "object",
        "properties": {
          "sealId": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "kind": {
            "$ref": "#/components/schemas/SealKind"
          },
          "status": {
            "$ref": "#/components/schemas/SealStatus"
          },
          "uscc": {
            "type": "string"
          },
          "unitName": {
            "type": "string"
          }
        },
        "required": [
          "sealId",
          "name",
          "kind",
          "status",
          "uscc",
          "unitName"
        ],
        "description": "The seal this signature carries, as ecert knows it (its own tables)."
      },
      "timestamp": {
        "type": "object",
        "properties": {
          "genTime": {
            "type": "string"
          },
          "tsa": {
            "type": "string"
          },
          "valid": {
            "type": "boolean"
          },
          "trusted": {
            "type": "boolean"
          },
          "problems": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "valid",
          "trusted",
          "problems"
        ],
        "description": "An RFC 3161 timestamp over the signature value (PAdES B-T), as found in the container."
      },
      "validatedAt": {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "basis": {
            "type": "string",
            "enum": [
              "ecert-record",
              "timestamp",
              "now"
            ]
          },
          "detail": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "basis",
          "detail"
        ],
        "description": "The time the certificate chain and status were judged at, and why: the earliest proof of existence (ecert's sealing record, or a trusted timestamp's genTime), else now."
      },
      "sesSignature": {
        "type": "object",
        "properties": {
          "indication": {
            "$ref": "#/components/schemas/DocumentIndication"
          },
          "signingTime": {
            "type": "string"
          },
          "propertyInfo": {
            "type": "string"
          },
          "signer": {
            "type": "string"
          },
          "seal": {
            "type": "object",
            "properties": {
              "esId": {
                "type": "string"
              },
              "name": {
                "type": "string"
              },
              "indication": {
                "$ref": "#/components/schemas/DocumentIndication"
              },
              "maker": {
                "type": "string"
              },
              "validStart": {
                "type": "string"
              },
              "validEnd": {
                "type": "string"
              },
              "sealId": {
                "type": "string"
              }
            },
            "required": [
              "esId",
              "name",
              "indication"
            ],
            "description": "The seal inside, as libs/ses judged it; sealId when it is a seal ecert made (same esID and bytes)."
          },
          "validatedAt": {
            "type": "object",
            "properties": {
              "time": {
                "type": "string"
              },
              "basis": {
                "type": "string",
                "enum": [
                  "ecert-record",
                  "now"
                ]
              }
            },
            "required": [
              "time",
              "basis"
            ],
            "description": "When the SES_Signature was judged: it is an unsigned attribute, so neither the CMS timestamp nor a record of another SES_Signature proves it; only ecert's record of this very one (ses_sha256) does, else now."
          },
          "checks": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "name": {
                  "type": "string"
                },
                "result": {
                  "type": "string",
                  "enum": [
                    "passed",
                    "failed",
                    "indeterminate",
                    "warning"
                  ]
                },
                "detail": {
                  "type": "string"
                }
              },
              "required": [
                "name",
                "result",
                "detail"
              ]
            },
            "description": "libs/ses's checks (format, signer-signature, signer-certificate, signer-key-usage, signer-bound-to-seal, seal, data-hash), same-signer, and the seal's own as seal.*."
          },
          "warnings": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "indication",
          "seal",
          "validatedAt",
          "checks",
          "warnings"
        ],
        "description": "The GB/T 38540 SES_Signature carried with the CMS (SM2 seals; unsigned attribute 2.25.301494466639598324738376717041953068967), checked by libs/ses: its signature by the signer, the seal inside (maker signature and trust), dataHash = SM3 of the ByteRange, and its signer being the CMS signer."
      },
      "ecertRecord": {
        "type": "object",
        "properties": {
          "sealedAt": {
            "type": "string"
          },
          "documentId": {
            "type": "string"
          },
          "sealUseRequestId": {
            "type": "string"
          },
          "mode": {
            "$ref": "#/components/schemas/SealingMode"
          }
        },
        "required": [
          "sealedAt",
          "documentId",
          "sealUseRequestId",
          "mode"
        ],
        "description": "ecert sealed this very signature: when (its proof of existence) and into which document."
      },
      "laterRevisions": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "addsOnlySignaturesOrAnnotations": {
              "type": "boolean"
            },
            "changedObjects": {
              "type": "number"
            },
            "changes": {
              "type": "array",
              "items": {
                "type": "string"
              }
            }
          },
          "required": [
            "addsOnlySignaturesOrAnnotations",
            "changedObjects",
            "changes"
          ]
        },
        "description": "Incremental updates after this signature's revision, and whether they only add signatures or annotations."
      },
      "checks": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/SignatureCheckView"
        }
      },
      "warnings": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "required": [
      "fieldName",
      "indication",
      "reason",
      "pages",
      "byteRange",
      "laterRevisions",
      "checks",
      "warnings"
    ]
  },
  "SignedAuditCheckpoint": {
    "type": "object",
    "properties": {
      "checkpoint": {
        "$ref": "#/components/schemas/AuditCheckpoint"
      },
      "algorithm": {
        "$ref": "#/components/schemas/AuditSignatureAlgorithm"
      },
      "signature": {
        "type": "string",
        "description": "base64: Ed25519, or ECDSA P-256/SHA-256 DER."
      }
    },
    "required": [
      "checkpoint",
      "algorithm",
      "signature"
    ]
  },
  "SlaBreaches": {
    "type": "object",
    "properties": {
      "total": {
        "type": "number"
      },
      "byTier": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "tier": {
              "anyOf": [
                {
                  "$ref": "#/components/schemas/ReviewTier"
                },
                {
                  "type": "string",
                  "const": "none"
                }
              ]
            },
            "count": {
              "type": "number"
            }
          },
          "required": [
            "tier",
            "count"
          ]
        },
        "description": "By the tier the application is at (`none` once it left review: approved, in production...)."
      },
      "byRegion": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/RegionCount"
        },
        "description": "The regions with most breaches, most first."
      }
    },
    "required": [
      "total",
      "byTier",
      "byRegion"
    ],
    "description": "SLA breaches of open applications: past their overall due date or their current tier's."
  },
  "StaffLoginView": {
    "type": "object",
    "properties": {
      "token": {
        "type": "string",
        "description": "Send as `Authorization: Bearer <token>`; it ends at expiresAt, or sooner when the login certificate is frozen or revoked."
      },
      "tokenType": {
        "type": "string",
        "const": "Bearer"
      },
      "expiresAt": {
        "type": "string"
      },
      "staff": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "role": {
            "$ref": "#/components/schemas/StaffRole"
          },
          "regionCode": {
            "type": "string"
          },
          "operations": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Operation"
            }
          }
        },
        "required": [
          "id",
          "name",
          "role",
          "regionCode",
          "operations"
        ]
      }
    },
    "required": [
      "token",
      "tokenType",
      "expiresAt",
      "staff"
    ],
    "description": "POST /api/v1/auth/login: the staff member's bearer token and who it says they are."
  },
  "StaffPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/StaffView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "StaffRole": {
    "type": "string",
    "enum": [
      "county_acceptor",
      "city_reviewer",
      "province_approver",
      "ca_operator",
      "auditor",
      "operator",
      "admin"
    ]
  },
  "StaffView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "name": {
        "type": "string"
      },
      "role": {
        "$ref": "#/components/schemas/StaffRole"
      },
      "regionCode": {
        "type": "string"
      },
      "status": {
        "type": "string"
      },
      "certificateSerials": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "lastLoginAt": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "required": [
      "id",
      "name",
      "role",
      "regionCode",
      "status",
      "certificateSerials",
      "lastLoginAt"
    ],
    "description": "A staff account and the certificates it logs in with."
  },
  "StepView": {
    "type": "object",
    "properties": {
      "name": {
        "type": "string"
      },
      "status": {
        "type": "string",
        "enum": [
          "pending",
          "running",
          "done",
          "failed",
          "compensated"
        ]
      },
      "attempts": {
        "type": "number"
      },
      "lastError": {
        "type": "string"
      },
      "result": {
        "type": "object",
        "additionalProperties": {}
      },
      "updatedAt": {
        "type": "string"
      }
    },
    "required": [
      "name",
      "status",
      "attempts",
      "updatedAt"
    ]
  },
  "SubIndication": {
    "type": "string",
    "enum": [
      "FORMAT_FAILURE",
      "HASH_FAILURE",
      "SIG_CRYPTO_FAILURE",
      "NO_CERTIFICATE_CHAIN_FOUND",
      "NO_SIGNING_CERTIFICATE_FOUND",
      "REVOKED_NO_POE",
      "REVOKED_CA_NO_POE",
      "OUT_OF_BOUNDS_NO_POE",
      "TRY_LATER"
    ]
  },
  "TimelineEntry": {
    "type": "object",
    "properties": {
      "at": {
        "type": "string"
      },
      "what": {
        "type": "string"
      },
      "by": {
        "type": "object",
        "properties": {
          "staffId": {
            "type": [
              "string",
              "null"
            ]
          },
          "clientId": {
            "type": [
              "string",
              "null"
            ]
          },
          "via": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "staffId",
          "clientId",
          "via"
        ]
      },
      "detail": {
        "type": "object",
        "additionalProperties": {}
      }
    },
    "required": [
      "at",
      "what"
    ]
  },
  "UkeyAction": {
    "type": "string",
    "enum": [
      "assign",
      "unassign",
      "initialise",
      "dispatch",
      "receive",
      "collect",
      "activate",
      "report_lost",
      "found",
      "declare_perm_lost",
      "report_damaged",
      "return",
      "terminate"
    ]
  },
  "UkeyHistoryEntry": {
    "type": "object",
    "properties": {
      "from": {
        "anyOf": [
          {
            "$ref": "#/components/schemas/UkeyState"
          },
          {
            "type": "null"
          }
        ]
      },
      "to": {
        "$ref": "#/components/schemas/UkeyState"
      },
      "action": {
        "anyOf": [
          {
            "$ref": "#/components/schemas/UkeyAction"
          },
          {
            "type": "string",
            "const": "import"
          }
        ]
      },
      "at": {
        "type": "string"
      },
      "by": {
        "type": "object",
        "properties": {
          "staffId": {
            "type": [
              "string",
              "null"
            ]
          },
          "clientId": {
            "type": [
              "string",
              "null"
            ]
          },
          "via": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "staffId",
          "clientId",
          "via"
        ]
      },
      "reason": {
        "type": "string"
      },
      "detail": {
        "type": "object",
        "additionalProperties": {}
      }
    },
    "required": [
      "from",
      "to",
      "action",
      "at",
      "by"
    ]
  },
  "UkeyPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/UkeyView"
        }
      },
      "page": {
        "type": "number"
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number"
      }
    },
    "required": [
      "items",
      "page",
      "pageSize",
      "total"
    ]
  },
  "UkeyState": {
    "type": "string",
    "enum": [
      "in_stock",
      "assigned",
      "initialised",
      "dispatched",
      "at_office",
      "collected",
      "in_use",
      "suspended",
      "perm_lost",
      "damaged",
      "returned",
      "terminated"
    ]
  },
  "UkeyView": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "vendor": {
        "type": "string"
      },
      "model": {
        "type": "string"
      },
      "batch": {
        "type": "string"
      },
      "deliveredOn": {
        "type": "string"
      },
      "state": {
        "$ref": "#/components/schemas/UkeyState"
      },
      "officeRegionCode": {
        "type": "string",
        "description": "The city office it is dispatched to / held at / was issued by."
      },
      "applicationId": {
        "type": "string"
      },
      "unit": {
        "type": "object",
        "properties": {
          "uscc": {
            "type": "string"
          },
          "accountNo": {
            "type": "string"
          },
          "regionCode": {
            "type": "string"
          }
        },
        "required": [
          "uscc",
          "accountNo",
          "regionCode"
        ]
      },
      "certificateSerials": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "description": "Certificates on it (serials, hex)."
      },
      "collectedAt": {
        "type": "string"
      },
      "collector": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "idNumberMasked": {
            "type": "string"
          }
        },
        "required": [
          "name",
          "idNumberMasked"
        ]
      },
      "warrantyUntil": {
        "type": "string",
        "description": "One year from collection (办理流程 二(五))."
      },
      "dispatchBatchId": {
        "type": "string"
      },
      "damage": {
        "type": "object",
        "properties": {
          "at": {
            "type": "string"
          },
          "nonHumanCause": {
            "type": "boolean"
          },
          "withinWarranty": {
            "type": "boolean"
          },
          "reason": {
            "type": "string"
          }
        },
        "required": [
          "at",
          "nonHumanCause",
          "withinWarranty"
        ],
        "description": "report_damaged: the reviewer's finding and whether the report was inside the warranty."
      },
      "soPinGeneration": {
        "type": "number",
        "description": "The generation of its SO PIN (0 at production, +1 per confirmed unlock); never the PIN."
      },
      "version": {
        "type": "number",
        "description": "Its history steps so far (1 at import, +1 per transition): order its events by it."
      },
      "history": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/UkeyHistoryEntry"
        }
      }
    },
    "required": [
      "serial",
      "vendor",
      "model",
      "batch",
      "deliveredOn",
      "state",
      "certificateSerials",
      "soPinGeneration",
      "version"
    ]
  },
  "UnlockAuthorisationView": {
    "type": "object",
    "properties": {
      "serial": {
        "type": "string"
      },
      "applicationId": {
        "type": "string"
      },
      "soPin": {
        "type": "string",
        "description": "The token's SO (administrator) PIN now. The tool logs in as SO with it (if that fails with CKR_PIN_INCORRECT, with `nextSoPin`: an earlier unlock set it but was never confirmed), sets the SO PIN to `nextSoPin` (C_SetPIN) before anything else, then C_InitPIN a new user PIN, and confirms (`ukeyUnlockConfirm`): from then on `soPin` is worthless."
      },
      "nextSoPin": {
        "type": "string",
        "description": "The SO PIN of the next generation, which the tool sets on the token."
      },
      "expiresAt": {
        "type": "string",
        "description": "Do not start an unlock with it after this."
      },
      "completionChallenge": {
        "type": "string",
        "description": "Added by the workflow-service: after the reset the tool logs in with the new PIN and signs these bytes (base64) with the UKey's key; the completion carries that signature, the proof that the reset was done on the token itself before the SO PIN generation advances."
      }
    },
    "required": [
      "serial",
      "applicationId",
      "soPin",
      "nextSoPin",
      "expiresAt"
    ]
  },
  "VerificationCheckView": {
    "type": "object",
    "properties": {
      "name": {
        "type": "string"
      },
      "result": {
        "$ref": "#/components/schemas/VerificationResult"
      },
      "detail": {
        "type": "string"
      }
    },
    "required": [
      "name",
      "result",
      "detail"
    ]
  },
  "VerificationResult": {
    "type": "string",
    "enum": [
      "passed",
      "failed",
      "indeterminate"
    ]
  },
  "WebhookDeliveryPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/WebhookDeliveryView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "WebhookDeliveryView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "subscriptionId": {
        "type": "string"
      },
      "eventId": {
        "type": "string"
      },
      "eventType": {
        "type": "string"
      },
      "orderKey": {
        "type": "string"
      },
      "status": {
        "type": "string",
        "enum": [
          "pending",
          "delivering",
          "failed",
          "succeeded",
          "dead"
        ]
      },
      "attempts": {
        "type": "number"
      },
      "lastStatusCode": {
        "type": [
          "number",
          "null"
        ]
      },
      "lastError": {
        "type": [
          "string",
          "null"
        ]
      },
      "createdAt": {
        "type": "string"
      },
      "deliveredAt": {
        "type": [
          "string",
          "null"
        ]
      },
      "deadAt": {
        "type": [
          "string",
          "null"
        ]
      },
      "log": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "attempt": {
              "type": "number"
            },
            "startedAt": {
              "type": "string"
            },
            "durationMs": {
              "type": "number"
            },
            "statusCode": {
              "type": [
                "number",
                "null"
              ]
            },
            "error": {
              "type": [
                "string",
                "null"
              ]
            },
            "outcome": {
              "type": "string",
              "enum": [
                "succeeded",
                "failed"
              ]
            }
          },
          "required": [
            "attempt",
            "startedAt",
            "durationMs",
            "statusCode",
            "error",
            "outcome"
          ]
        },
        "description": "Every attempt, oldest first."
      }
    },
    "required": [
      "id",
      "subscriptionId",
      "eventId",
      "eventType",
      "orderKey",
      "status",
      "attempts",
      "lastStatusCode",
      "lastError",
      "createdAt",
      "deliveredAt",
      "deadAt",
      "log"
    ],
    "description": "One delivery of one event to one subscription, with every attempt."
  },
  "WebhookSubscriptionPage": {
    "type": "object",
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/WebhookSubscriptionView"
        }
      },
      "page": {
        "type": "number",
        "description": "1-based; a cursor page (`after`) reports 1."
      },
      "pageSize": {
        "type": "number"
      },
      "total": {
        "type": "number",
        "description": "Items matching the filter, on every offset page; a cursor page (`after`) counts none."
      },
      "next": {
        "type": "string",
        "description": "Cursor of the last item when more may follow (keyset lists only); pass it as `after`."
      }
    },
    "required": [
      "items",
      "page",
      "pageSize"
    ],
    "description": "Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the cursor of the last item when more may follow: `?after=<next>` is the following page in the same order, unaffected by rows added or removed meanwhile."
  },
  "WebhookSubscriptionSecretView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "clientId": {
        "type": "string"
      },
      "url": {
        "type": "string"
      },
      "eventTypes": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "regionCodes": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "description": {
        "type": [
          "string",
          "null"
        ]
      },
      "status": {
        "type": "string",
        "enum": [
          "active",
          "paused"
        ]
      },
      "previousSecretValidUntil": {
        "type": [
          "string",
          "null"
        ],
        "description": "Until when the previous secret (after a rotation) still signs deliveries too."
      },
      "createdAt": {
        "type": "string"
      },
      "updatedAt": {
        "type": "string"
      },
      "secret": {
        "type": "string",
        "description": "HMAC-SHA256 key of the `Ecert-Webhook-Signature` header; ecert keeps it encrypted and never shows it again."
      }
    },
    "required": [
      "clientId",
      "createdAt",
      "description",
      "eventTypes",
      "id",
      "previousSecretValidUntil",
      "regionCodes",
      "secret",
      "status",
      "updatedAt",
      "url"
    ],
    "description": "A subscription with its signing secret: only in the answer that made the secret (create, rotate)."
  },
  "WebhookSubscriptionView": {
    "type": "object",
    "properties": {
      "id": {
        "type": "string"
      },
      "clientId": {
        "type": "string"
      },
      "url": {
        "type": "string"
      },
      "eventTypes": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "regionCodes": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "description": {
        "type": [
          "string",
          "null"
        ]
      },
      "status": {
        "type": "string",
        "enum": [
          "active",
          "paused"
        ]
      },
      "previousSecretValidUntil": {
        "type": [
          "string",
          "null"
        ],
        "description": "Until when the previous secret (after a rotation) still signs deliveries too."
      },
      "createdAt": {
        "type": "string"
      },
      "updatedAt": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "clientId",
      "url",
      "eventTypes",
      "regionCodes",
      "description",
      "status",
      "previousSecretValidUntil",
      "createdAt",
      "updatedAt"
    ]
  }
};
