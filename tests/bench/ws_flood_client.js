// Reference client for the ingest benchmark: Node.js + the `ws` package
// (npm), receiving the demo backend's flood the way a minimal consumer
// would: count messages until {"type":"flood_done"}. Prints one JSON line:
// {"msgs": N, "seconds": wall, "cpu_s": user+system}.
// usage: node ws_flood_client.js ws://127.0.0.1:PORT/ws/routes
const WebSocket = require("ws");
const url = process.argv[2];
const ws = new WebSocket(url);
let n = 0, t0 = 0, c0 = null;
ws.on("open", () => ws.send('{"type":"client_ready"}'));
ws.on("message", (data) => {
  if (n === 0) { t0 = process.hrtime.bigint(); c0 = process.cpuUsage(); }
  n++;
  // the last message is small and says so; no JSON parse for the others
  if (data.length < 200 && data.toString().includes('"flood_done"')) {
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    console.log(JSON.stringify({ msgs: n - 1, seconds: secs,
      cpu_s: (cpu.user + cpu.system) / 1e6 }));
    ws.close();
    process.exit(0);
  }
});
ws.on("error", (e) => { console.error(String(e)); process.exit(1); });
