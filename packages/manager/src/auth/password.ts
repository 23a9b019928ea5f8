import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's second recommended setting (19 MiB, 2 passes, 1 lane): strong
 * enough against offline guessing, cheap enough that a login costs tens of ms.
 * The algorithm is given as its number because the binding's enum is a `const enum`.
 */
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as a real check when the account does not exist, so response
 * times do not reveal which usernames are taken.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword("rampart-timing-equaliser");
  await verifyPassword(await dummy, password);
}
