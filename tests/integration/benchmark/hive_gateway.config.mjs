// Configuration of the second reference gateway: @graphql-hive/gateway's CLI
// (`hive-gateway supergraph FILE --config-path this-file`), started by reference_gateway.py.
// Set by environment variables:
//   EHB_HIVE_SUBGRAPH_URLS        JSON {subgraph name: url}; overrides the supergraph's join__graph urls
//   EHB_HIVE_ROUTER_RUNTIME=1     plan and execute with @graphql-hive/router-runtime (Rust planner)
//   EHB_HIVE_DEDUPLICATE_REQUESTS=1  share one execution between identical in-flight client requests
//                                 (inboundInflightRequestDeduplication, as in Hive's published benchmark)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const toolsRequire = createRequire(new URL("../../../tools/node/package.json", import.meta.url));

// The ESM entry of a package in tools/node (require.resolve would give its CommonJS build, a second
// copy of its dependencies beside the ones the gateway loaded).
async function importFromTools(name) {
  const manifestPath = toolsRequire.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  return import(new URL(manifest.exports["."].import.default, pathToFileURL(manifestPath)).href);
}

const subgraphUrls = JSON.parse(process.env.EHB_HIVE_SUBGRAPH_URLS || "{}");
const rustPlanner = process.env.EHB_HIVE_ROUTER_RUNTIME === "1";
const deduplicateRequests = process.env.EHB_HIVE_DEDUPLICATE_REQUESTS === "1";

export const gatewayConfig = {
  logging: "error",
  transportEntries: Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [name, { location: url }]),
  ),
  // Imported here rather than with --hive-router-runtime, which falls back to the JavaScript
  // planner with only a log line when the package cannot be loaded.
  ...(rustPlanner
    ? { unifiedGraphHandler: (await importFromTools("@graphql-hive/router-runtime")).unifiedGraphHandler }
    : {}),
  ...(deduplicateRequests ? { inboundInflightRequestDeduplication: true } : {}),
};
