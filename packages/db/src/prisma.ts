export { PrismaClient, Prisma } from "./generated/prisma/client.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import type { Prisma } from "./generated/prisma/client.js";

/**
 * What a repository takes as its first argument: the client, or the transaction
 * client inside `prisma.$transaction(async (tx) => …)`.
 */
export type Db = PrismaClient | Prisma.TransactionClient;
