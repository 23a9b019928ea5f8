import { authorizeNode } from "../node/index.js";
import { CaAuthVector } from "./ca-auth.schema.js";
import { vectorKind } from "./vector-kind.js";

/** ca_auth.json: the mTLS authorisation decision, with Swarm's messages. */
export const caAuth = vectorKind("ca_auth.json", CaAuthVector, (data, c) => {
  for (const [i, item] of data.cases.entries()) {
    c.equal(`cases/${i}`, () => {
      const result = authorizeNode({
        peer: item.peer,
        forwarded: item.forwarded,
        blacklist: item.blacklist,
        clusterOrg: item.cluster_org,
        required: item.required,
      });
      return result.allow ? { allow: true, node_id: result.nodeId } : { allow: false, error: result.error };
    }, item.expect);
  }
});
