import { authorizeNode, type AuthorizeInput } from "../node/index.js";
import { Cases, type CaseResult, type Json } from "./cases.js";

/** ca_auth.json: the mTLS authorisation decision, with Swarm's messages. */
export function runCaAuth(data: Json): CaseResult[] {
  const c = new Cases("ca_auth.json");
  for (const [i, item] of (data.cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`cases/${i}`, () => {
      const result = authorizeNode({
        peer: item.peer as AuthorizeInput["peer"],
        forwarded: item.forwarded as AuthorizeInput["forwarded"],
        blacklist: item.blacklist as string[],
        clusterOrg: item.cluster_org as string,
        required: item.required as string[],
      });
      return result.allow ? { allow: true, node_id: result.nodeId } : { allow: false, error: result.error };
    }, expect);
  }
  return c.results;
}
