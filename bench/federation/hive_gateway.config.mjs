// Hive Gateway configuration of the federation benchmark: the comparison tests' configuration
// (tests/integration/benchmark/hive_gateway.config.mjs, driven by its EHB_HIVE_* variables) plus
//   EHB_HIVE_DEDUPLICATE_SUBGRAPH_FETCHES=0  identical in-flight subgraph fetches are not shared
//     (Hive shares them by default; executor-http's `deduplicateInflightRequests: false`, applied
//     to every HTTP subgraph through the "*.http" transport entry)
import { gatewayConfig as comparisonTestsConfig } from "../../tests/integration/benchmark/hive_gateway.config.mjs";

const shareSubgraphFetches = process.env.EHB_HIVE_DEDUPLICATE_SUBGRAPH_FETCHES !== "0";

export const gatewayConfig = shareSubgraphFetches
  ? comparisonTestsConfig
  : {
      ...comparisonTestsConfig,
      transportEntries: {
        ...comparisonTestsConfig.transportEntries,
        "*.http": { options: { deduplicateInflightRequests: false } },
      },
    };
