/**
 * Request smuggling through a real nginx: every case of the external corpus is sent to
 * nginx (`proxy_pass` to a keep-alive upstream pool in front of each engine), each followed
 * by victim requests on other connections. The upstream connections nginx reuses are the
 * ones an attack would poison; no victim may ever be answered with another request's
 * response (nor with an error a poisoned connection would produce).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { memoryErrors } from '../helpers/apps.ts';
import { ENGINES } from '../helpers/http1.ts';
import { httpRequest, type Nginx, nginxSkip, startNginx } from '../helpers/nginx.ts';
import { exchangeRaw } from '../helpers/raw-http.ts';

// Answers with the target it was asked for: a victim given another request's response sees it.
const whoami: Application = async (environ, start) => {
  await environ['tsgi.input'].read();
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`${environ.REQUEST_URI}`];
};

function corpus(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  for (const file of ['llhttp.json', 'smuggling.json']) {
    const cases = JSON.parse(readFileSync(new URL(`./corpus/${file}`, import.meta.url), 'utf8')).cases as {
      name: string;
      raw?: string;
      raw_base64?: string;
      raw_with_host_base64?: string;
    }[];
    for (const c of cases) {
      const bytes =
        c.raw_with_host_base64 !== undefined
          ? Buffer.from(c.raw_with_host_base64, 'base64')
          : c.raw_base64 !== undefined
            ? Buffer.from(c.raw_base64, 'base64')
            : Buffer.from(c.raw as string, 'latin1');
      out.push({ name: `${file}: ${c.name}`, bytes });
    }
  }
  return out;
}

describe('request smuggling through nginx (proxy_pass, keep-alive upstream)', { skip: nginxSkip() }, () => {
  let nginx: Nginx;
  const servers: TsgiServer[] = [];

  before(async () => {
    for (const engine of ENGINES) {
      servers.push(await serve(whoami, { host: '127.0.0.1', port: 0, engine, errors: memoryErrors() }));
    }
    const upstreams = servers
      .map(
        (server, i) => `
    upstream engine${i} {
        server 127.0.0.1:${server.address.port};
        keepalive 4;
    }`,
      )
      .join('\n');
    const locations = servers
      .map(
        (_, i) => `
        location /e${i}/ {
            proxy_pass http://engine${i};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }`,
      )
      .join('\n');
    nginx = await startNginx({ http: upstreams, server: locations });
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all(servers.map((server) => server.close(100)));
  });

  ENGINES.forEach((engine, i) => {
    test(`${engine} engine: no victim is answered with another request's response`, async () => {
      let victims = 0;
      for (const { name, bytes } of corpus()) {
        // The attack goes to this engine's location: its targets are rewritten under /e<i>.
        const attack = Buffer.from(
          bytes.toString('latin1').replace(/^([A-Z-]+) \//gm, `$1 /e${i}/`),
          'latin1',
        );
        await exchangeRaw(nginx.port, attack, { idleMs: 40, maxMs: 1000 });
        for (let v = 0; v < 2; v++) {
          const target = `/e${i}/victim/${victims++}`;
          const response = await httpRequest(`${nginx.url}${target}`);
          assert.equal(response.status, 200, `victim after ${name}: ${response.status} ${response.body}`);
          assert.equal(response.body.toString(), target, `victim after ${name} got another response`);
        }
      }
    });
  });
});
