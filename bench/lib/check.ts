/**
 * The correctness gate: before any load, each request of the workload is sent once and
 * the answer compared with what the workload expects. wrk only counts statuses >= 400 as
 * errors, so this is also what catches a 3xx or a wrong body.
 */
import http from 'node:http';
import type { BenchRequest } from '../workloads/types.ts';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

function send(url: string, request: BenchRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(request.path, url),
      { method: request.method, headers: request.headers, agent: false, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
function mediaType(value: string | undefined): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase();
}

/** Throws, saying what differs, unless every request gets the expected answer. */
export async function checkResponses(
  serverName: string,
  url: string,
  requests: readonly BenchRequest[],
): Promise<void> {
  for (const request of requests) {
    const answer = await send(url, request);
    const { expect } = request;
    const problems: string[] = [];
    if (answer.status !== expect.status) problems.push(`status ${answer.status}, expected ${expect.status}`);
    if (expect.contentType !== undefined && mediaType(answer.contentType) !== expect.contentType) {
      problems.push(`Content-Type ${JSON.stringify(answer.contentType)}, expected ${expect.contentType}`);
    }
    if (expect.body !== undefined && answer.body !== expect.body) {
      problems.push(
        `body ${JSON.stringify(answer.body.slice(0, 200))}, expected ${JSON.stringify(expect.body)}`,
      );
    }
    if (problems.length > 0) {
      throw new Error(
        `${serverName} answered ${request.method} ${request.path} wrongly: ${problems.join('; ')}`,
      );
    }
  }
}
