import { isIP } from "node:net";

export interface ListenAddress {
  host: string;
  port: number;
  /** The address as a URL host part, with IPv6 in brackets. */
  display: string;
}

/**
 * Parses `HOST:PORT`, `[V6]:PORT`, `:PORT` (all interfaces) or `PORT`. Throws a message
 * that names the flag, for the CLI to print.
 */
export function parseListen(flag: string, value: string): ListenAddress {
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
  } else if (/^\d+$/.test(value)) {
    host = "127.0.0.1";
    portText = value;
  } else {
    const colon = value.lastIndexOf(":");
    if (colon === -1) throw new Error(`${flag} must be HOST:PORT, got "${value}"`);
    host = value.slice(0, colon) || "0.0.0.0";
    portText = value.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    throw new Error(`${flag}: port must be a number from 0 to 65535, got "${portText}"`);
  }
  if (host !== "localhost" && isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new Error(`${flag}: "${host}" is not a host name or IP address`);
  }
  return { host, port, display: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
