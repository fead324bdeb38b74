// Prints the API schema of a supergraph as @apollo/federation-internals computes it (what clients
// see: no join/link machinery, no @inaccessible elements). Usage: node api-schema.mjs SUPERGRAPH
import { readFileSync } from "node:fs";
import { printSchema } from "graphql";
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from "@apollo/federation-internals";

const supergraph = Supergraph.build(readFileSync(process.argv[2], "utf8"), {
  supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
});
process.stdout.write(`${printSchema(supergraph.apiSchema().toGraphQLJSSchema())}\n`);
