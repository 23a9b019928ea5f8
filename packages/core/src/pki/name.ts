import {
  DerParseError,
  TAG,
  checkOid,
  contentsEqual,
  contentsOf,
  derNode,
  oidToString,
  readChildren,
  readOnly,
  readString,
  utf8Bytes,
  withParseContext,
  type DerNode,
  type Tlv,
} from "./der.js";
import { toHex } from "../encoding/index.js";
import { OID } from "./algorithms.js";

/**
 * The parts of a distinguished name that Swarm reads: CN is the node ID, OU the role and
 * O the cluster. Other attributes are skipped, not refused, so roots from elsewhere parse.
 */
export interface NameSummary {
  commonName?: string;
  organization: string[];
  organizationalUnit: string[];
}

const CN = OID.commonName.subarray(2);
const O = OID.organization.subarray(2);
const OU = OID.organizationalUnit.subarray(2);

/**
 * Reads `Name ::= SEQUENCE OF SET OF AttributeTypeAndValue`. When CN appears more than
 * once the last one wins, as in Go's crypto/x509, so both sides see the same identity.
 */
export function readName(bytes: Uint8Array, found: Tlv): NameSummary {
  if (found.tag !== TAG.SEQUENCE) throw new DerParseError("expected a Name");
  const out: NameSummary = { organization: [], organizationalUnit: [] };
  for (const rdn of readChildren(bytes, found)) {
    if (rdn.tag !== TAG.SET) throw new DerParseError("expected a RelativeDistinguishedName");
    const attributes = readChildren(bytes, rdn);
    if (attributes.length === 0) throw new DerParseError("empty RelativeDistinguishedName");
    for (const attribute of attributes) {
      if (attribute.tag !== TAG.SEQUENCE) throw new DerParseError("expected an AttributeTypeAndValue");
      const parts = readChildren(bytes, attribute);
      if (parts.length !== 2) throw new DerParseError("malformed AttributeTypeAndValue");
      const type = parts[0]!;
      checkOid(bytes, type);
      if (contentsEqual(bytes, type, CN)) out.commonName = readString(bytes, parts[1]!);
      else if (contentsEqual(bytes, type, O)) out.organization.push(readString(bytes, parts[1]!));
      else if (contentsEqual(bytes, type, OU)) out.organizationalUnit.push(readString(bytes, parts[1]!));
    }
  }
  return out;
}

/** One RDN holding one UTF8String attribute: the shape Swarm's names use throughout. */
export function rdn(type: Uint8Array, value: string): DerNode {
  return derNode(TAG.SET, derNode(TAG.SEQUENCE, type, derNode(TAG.UTF8_STRING, utf8Bytes(value))));
}

/** The attribute types a distinguished name usually holds, by the short names OpenSSL prints. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "0.9.2342.19200300.100.1.25": "DC",
};

/**
 * A DER Name as text, `O=…, OU=…, CN=…` in encoded order (as node:crypto writes a
 * certificate's subject), for names that come without their certificate: Docker gives a
 * node's certificate issuer only as the DER of its Name (`TLSInfo.CertIssuerSubject`).
 * An attribute type without a short name is its dotted OID; a value that is not a
 * directory string is `#` and its hex, as RFC 4514 writes it.
 */
export function formatName(der: Uint8Array): string {
  return withParseContext("invalid name", "name", () => {
    const name = readOnly(der, TAG.SEQUENCE, "a Name");
    const parts: string[] = [];
    for (const rdn of readChildren(der, name)) {
      if (rdn.tag !== TAG.SET) throw new DerParseError("expected a RelativeDistinguishedName");
      for (const attribute of readChildren(der, rdn)) {
        if (attribute.tag !== TAG.SEQUENCE) throw new DerParseError("expected an AttributeTypeAndValue");
        const [type, value, ...extra] = readChildren(der, attribute);
        if (type === undefined || value === undefined || extra.length > 0) throw new DerParseError("malformed AttributeTypeAndValue");
        checkOid(der, type);
        const oid = oidToString(contentsOf(der, type));
        parts.push(`${SHORT_NAMES[oid] ?? oid}=${valueText(der, value)}`);
      }
    }
    return parts.join(", ");
  });
}

function valueText(der: Uint8Array, value: Tlv): string {
  try {
    return readString(der, value);
  } catch (error) {
    if (!(error instanceof DerParseError)) throw error;
    return `#${toHex(der.subarray(value.start - value.headerLength, value.end))}`;
  }
}
