// Composes subgraph SDL files with @apollo/composition (the reference implementation) and prints
// the supergraph SDL. Usage: node compose.mjs name=url=path.graphql [...]
// Exit code 1 with the composition errors (one per line, "CODE: message") on failure.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

const services = process.argv.slice(2).map((arg) => {
  const [name, url, ...pathParts] = arg.split("=");
  const path = pathParts.join("=");
  return { name, url, typeDefs: parse(readFileSync(path, "utf8")) };
});
const result = composeServices(services);
if (result.errors) {
  for (const error of result.errors) {
    console.log(`${error.extensions?.code ?? "ERROR"}: ${error.message}`);
  }
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
