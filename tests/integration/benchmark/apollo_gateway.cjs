// The reference gateway for comparison tests: @apollo/gateway with a static supergraph inside
// @apollo/server's standalone server, loaded from tools/node/node_modules.
// Usage: node apollo_gateway.cjs SUPERGRAPH_FILE [NAME=URL ...]
// Listens on an ephemeral 127.0.0.1 port and prints its URL as the first stdout line.
const { readFileSync } = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const toolsRequire = createRequire(path.resolve(__dirname, "../../../tools/node/package.json"));
const { ApolloServer } = toolsRequire("@apollo/server");
const { startStandaloneServer } = toolsRequire("@apollo/server/standalone");
const { ApolloGateway, RemoteGraphQLDataSource } = toolsRequire("@apollo/gateway");

const [supergraphPath, ...overrides] = process.argv.slice(2);
const urls = Object.fromEntries(
  overrides.map((pair) => {
    const separator = pair.indexOf("=");
    return [pair.slice(0, separator), pair.slice(separator + 1)];
  }),
);

async function main() {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, "utf8"),
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name] ?? url }),
  });
  const server = new ApolloServer({ gateway, introspection: true });
  const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });
  process.stdout.write(`${url}\n`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
