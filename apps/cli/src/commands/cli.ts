/**
 * A mistake in how a command was called: exit status 2, with `See 'rampart NOUN --help'`,
 * like a flag error. Thrown by flag parsing and by commands checking their arguments.
 */
export class UsageError extends Error {}
