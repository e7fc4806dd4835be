/**
 * The baseline: bare `node:http`, the floor every Node server is built on. Serves the
 * `hello` workload: any request gets `200 {"hello":"world"}` as application/json.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, HOST, portFromArgs } from './common.ts';

const server = http.createServer((_req, res) => {
  const body = JSON.stringify({ hello: 'world' });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});

server.listen(portFromArgs(), HOST, () => {
  const { port } = server.address() as AddressInfo;
  announce(port, () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
});
