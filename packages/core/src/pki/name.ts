import { DerParseError, TAG, checkOid, contentsEqual, derNode, readChildren, readString, utf8Bytes, type DerNode, type Tlv } from "./der.js";
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
