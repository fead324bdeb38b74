// Subscribes through a graphql-transport-ws server with the real `graphql-ws` client and prints
// what happens as JSON lines on stdout:
//   {"event":"connected"}                          the server acknowledged connection_init
//   {"event":"next","payload":{...}}               one execution result
//   {"event":"error","errors":[...]}               GraphQL errors (an `error` message)
//   {"event":"error","code":4403,"reason":"..."}   the socket closed with a close code
//   {"event":"complete"}                           the operation completed
//   {"event":"done"}                               the client stopped (after --count results)
// Usage: node subscribe.mjs URL '{"query":"...","variables":{...}}' [--token JWT] [--count N]
//        [--keep-alive MS]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, request, ...rest] = process.argv.slice(2);
const options = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i].replace(/^--/, "")] = rest[i + 1];
const count = options.count === undefined ? Infinity : Number(options.count);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  keepAlive: options["keep-alive"] === undefined ? 0 : Number(options["keep-alive"]),
  connectionParams: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  on: { connected: () => print({ event: "connected" }) },
  onNonLazyError: () => {},
});

let received = 0;
const finish = async (line) => {
  if (line) print(line);
  await client.dispose();
  print({ event: "done" });
  process.exit(0);
};

const unsubscribe = client.subscribe(JSON.parse(request), {
  next: (payload) => {
    print({ event: "next", payload });
    received += 1;
    if (received >= count) {
      unsubscribe();
      finish();
    }
  },
  error: (error) => {
    if (Array.isArray(error)) finish({ event: "error", errors: error });
    else if (error && typeof error.code === "number")
      finish({ event: "error", code: error.code, reason: error.reason });
    else finish({ event: "error", message: String(error?.message ?? error) });
  },
  complete: () => finish({ event: "complete" }),
});
