// Prints @apollo/query-planner's plan of an operation against a supergraph (for comparing with
// `ehb plan`). Usage: node apollo-plan.mjs supergraph.graphql operation.graphql [label ...]
// Labels name the progressive-override labels to treat as active. Supergraphs linking specs
// @apollo/gateway refuses (context) are loaded with supportedFeatures: null.
import { readFileSync } from "node:fs";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, prettyFormatQueryPlan } from "@apollo/query-planner";
import { parse } from "graphql";

const [supergraphPath, operationPath, ...labels] = process.argv.slice(2);
const supergraph = Supergraph.build(readFileSync(supergraphPath, "utf8"), {
  supportedFeatures: null,
});
const operation = operationFromDocument(
  supergraph.schema,
  parse(readFileSync(operationPath, "utf8")),
  { validate: true },
);
const planner = new QueryPlanner(supergraph);
const overrideConditions = new Map(labels.map((label) => [label, true]));
const plan = planner.buildQueryPlan(operation, { overrideConditions });
process.stdout.write(prettyFormatQueryPlan(plan) + "\n");
