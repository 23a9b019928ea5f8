import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import {
  RampartError,
  SEAL_KEY_BYTES,
  SEAL_NONCE_BYTES,
  SEAL_TAG_BYTES,
  associatedData,
  encodeEnvelopeHeader,
  joinEnvelope,
  parseEnvelope,
  type SealContext,
} from "@rampart/core";

/**
 * Seals and opens field values with AES-256-GCM in the envelope `@rampart/core`
 * defines. Every call names the table, row and column, which become associated data:
 * a value copied to another row or column does not open.
 */
export interface SealedCodec {
  readonly activeKeyId: string;
  seal(context: SealContext, plaintext: Uint8Array): Uint8Array<ArrayBuffer>;
  open(context: SealContext, sealed: Uint8Array): Buffer;
  sealText(context: SealContext, plaintext: string): Uint8Array<ArrayBuffer>;
  openText(context: SealContext, sealed: Uint8Array): string;
}

export function toKeyObject(key: Uint8Array): KeyObject {
  if (key.length !== SEAL_KEY_BYTES) throw new RampartError("internal", "an AES-256 key is 32 bytes");
  return createSecretKey(key);
}

export function sealWith(kid: string, key: KeyObject, context: SealContext, plaintext: Uint8Array): Uint8Array<ArrayBuffer> {
  const header = encodeEnvelopeHeader(kid);
  const nonce = randomBytes(SEAL_NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: SEAL_TAG_BYTES });
  cipher.setAAD(associatedData(header, context));
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const ciphertext = tail.length === 0 ? body : Buffer.concat([body, tail]);
  return joinEnvelope(header, nonce, ciphertext, cipher.getAuthTag()) as Uint8Array<ArrayBuffer>;
}

const refused = () => new RampartError("sealed_open_failed", "sealed value cannot be opened: authentication failed");

export function openWith(lookup: (kid: string) => KeyObject | undefined, context: SealContext, sealed: Uint8Array): Buffer {
  const envelope = parseEnvelope(sealed);
  const key = lookup(envelope.kid);
  if (!key) throw new RampartError("sealed_open_failed", "sealed value cannot be opened: unknown key id");
  const decipher = createDecipheriv("aes-256-gcm", key, envelope.nonce, { authTagLength: SEAL_TAG_BYTES });
  decipher.setAAD(associatedData(envelope.header, context));
  decipher.setAuthTag(envelope.tag);
  const body = decipher.update(envelope.ciphertext);
  try {
    const tail = decipher.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    body.fill(0);
    throw refused();
  }
}

export function createCodec(activeKeyId: string, keys: ReadonlyMap<string, KeyObject>): SealedCodec {
  const active = keys.get(activeKeyId);
  if (!active) throw new RampartError("internal", "the active data key is not loaded");
  const lookup = (kid: string) => keys.get(kid);
  return {
    activeKeyId,
    seal: (context, plaintext) => sealWith(activeKeyId, active, context, plaintext),
    open: (context, sealed) => openWith(lookup, context, sealed),
    sealText: (context, plaintext) => sealWith(activeKeyId, active, context, Buffer.from(plaintext, "utf8")),
    openText: (context, sealed) => openWith(lookup, context, sealed).toString("utf8"),
  };
}
