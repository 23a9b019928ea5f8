import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * TLS material made with openssl, as an administrator makes it for a Docker Engine's
 * `--tlsverify` (the engine's CA, a server certificate naming 127.0.0.1, a client
 * certificate): PEM files in a folder of their own, and their text.
 */
export interface Pem {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function pemAt(dir: string, name: string): Pem {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  return { certPath, keyPath, cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
}

/** A self-signed CA named `name`. */
export function makeCa(name: string, dir = mkdtempSync(`/tmp/rampart-tls-${name}-`)): Pem & { dir: string } {
  openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", join(dir, `${name}-key.pem`));
  openssl("req", "-x509", "-new", "-key", join(dir, `${name}-key.pem`), "-subj", `/CN=${name}`, "-days", "2", "-out", join(dir, `${name}.pem`));
  return { ...pemAt(dir, name), dir };
}

/** A certificate issued by `ca` for a server (with IP 127.0.0.1) or a client. */
export function issue(ca: Pem & { dir: string }, name: string, use: "server" | "client"): Pem {
  const dir = ca.dir;
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, use === "server" ? "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n" : "extendedKeyUsage=clientAuth\n");
  openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", join(dir, `${name}-key.pem`));
  openssl("req", "-new", "-key", join(dir, `${name}-key.pem`), "-subj", `/CN=${name}`, "-out", join(dir, `${name}.csr`));
  openssl("x509", "-req", "-in", join(dir, `${name}.csr`), "-CA", ca.certPath, "-CAkey", ca.keyPath, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", join(dir, `${name}.pem`));
  return pemAt(dir, name);
}
