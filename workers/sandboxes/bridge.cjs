// Runs inside bubblewrap beside a project's dev server: `node bridge.cjs SOCKET PORT`.
//
// The jail has no network, only a loopback of its own, so the server cannot reach the dev server's
// port. It reaches it through a Unix socket in a folder both see: every connection to the socket
// is forwarded to the dev server. The socket is made only once the dev server accepts
// connections, so its appearance tells the server that the preview is up.
"use strict";

const net = require("net");

const socketPath = process.argv[2];
const port = Number(process.argv[3]);
const HOSTS = ["127.0.0.1", "::1"]; // dev servers listen on either, depending on their resolver
const RETRY_MS = 300;

function connect(hosts, done) {
  const [host, ...rest] = hosts;
  const upstream = net.connect({ host, port });
  const failed = () => (rest.length > 0 ? connect(rest, done) : done(null));
  upstream.once("error", failed);
  upstream.once("connect", () => {
    upstream.removeListener("error", failed);
    done(upstream);
  });
}

function forward(client) {
  client.pause();
  client.on("error", () => client.destroy());
  connect(HOSTS, (upstream) => {
    if (upstream === null) {
      client.destroy();
      return;
    }
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
}

function waitForTheDevServer() {
  connect(HOSTS, (probe) => {
    if (probe === null) {
      setTimeout(waitForTheDevServer, RETRY_MS);
      return;
    }
    probe.destroy();
    net.createServer(forward).listen(socketPath);
  });
}

waitForTheDevServer();
