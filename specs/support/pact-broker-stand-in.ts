// A local stand-in for a Pact Broker: the HAL index, the contract-publication API and the matrix can-i-deploy
// reads, recording every request, so the Pact scripts can be run for real and their requests checked exactly.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the stand-in answers `POST /contracts/publish`: as a broker would, or with an error. */
export type PublishBehaviour = 'accept' | 'echo-authorization-as-error';

/** What else the stand-in does: answer can-i-deploy yes or no, or refuse every request's credentials. */
export interface StandInOptions {
  /** The matrix summary's verdict (`GET /matrix`); true by default. */
  deployable: boolean;
  /** Answer 401 to every request, the index included, as a broker does to a wrong token. */
  refuseCredentials: boolean;
}

/** A running stand-in; `await using` closes it. */
export interface BrokerStandIn extends AsyncDisposable {
  baseUrl: string;
  requests: RecordedRequest[];
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startBrokerStandIn(
  behaviour: PublishBehaviour = 'accept',
  options: Partial<StandInOptions> = {},
): Promise<BrokerStandIn> {
  const { deployable = true, refuseCredentials = false } = options;
  const requests: RecordedRequest[] = [];
  let baseUrl = '';
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/hal+json;charset=utf-8' });
        response.end(JSON.stringify(payload));
      };
      if (refuseCredentials) return reply(401, { error: 'authentication required' });
      if (request.method === 'GET' && request.url === '/') {
        return reply(200, {
          _links: {
            self: { href: baseUrl, title: 'Index' },
            'pb:publish-contracts': { href: `${baseUrl}/contracts/publish`, title: 'Publish contracts' },
            'pb:pacticipants': { href: `${baseUrl}/pacticipants`, title: 'Pacticipants' },
            'pb:latest-pact-versions': { href: `${baseUrl}/pacts/latest`, title: 'Latest pact versions' },
          },
        });
      }
      if (request.method === 'POST' && request.url === '/contracts/publish') {
        if (behaviour === 'echo-authorization-as-error') {
          // 4xx: the CLI retries 5xx with backoff, which would only slow the spec down.
          return reply(401, { error: { message: `rejected ${String(request.headers.authorization)}` } });
        }
        const published = JSON.parse(body) as {
          pacticipantName: string;
          pacticipantVersionNumber: string;
          contracts: { providerName: string }[];
        };
        const { pacticipantName: name, pacticipantVersionNumber: number } = published;
        const pacticipant = { title: 'Pacticipant', name, href: `${baseUrl}/pacticipants/${name}` };
        const version = { title: 'Version', name: number, href: `${pacticipant.href}/versions/${number}` };
        // The broker's own response shape, which the CLI parses to print the notices.
        return reply(200, {
          notices: [{ type: 'success', text: `Created ${name} version ${number}` }],
          logs: [],
          _embedded: {
            pacticipant: { name, _links: { self: { href: pacticipant.href } } },
            version: { number, _links: { self: version } },
          },
          _links: {
            'pb:pacticipant': pacticipant,
            'pb:pacticipant-version': version,
            'pb:pacticipant-version-tags': [],
            'pb:contracts': published.contracts.map(({ providerName }) => ({
              title: 'Pact',
              name: `Pact between ${name} (${number}) and ${providerName}`,
              href: `${baseUrl}/pacts/provider/${providerName}/consumer/${name}/version/${number}`,
            })),
          },
        });
      }
      if (request.method === 'GET' && request.url?.startsWith('/matrix?')) {
        // The broker's matrix shape, as much of it as the CLI reads: a summary with the verdict, one row.
        const pacticipant = new URL(request.url, baseUrl).searchParams.get('q[][pacticipant]') ?? '';
        return reply(200, {
          summary: {
            deployable,
            reason: deployable
              ? 'All required verification results are published and successful'
              : `The verification of the pact of spark-recommender with ${pacticipant} failed`,
            success: deployable ? 1 : 0,
            failed: deployable ? 0 : 1,
            unknown: 0,
          },
          notices: [
            { type: deployable ? 'success' : 'error', text: `Computer says ${deployable ? 'yes' : 'no'}` },
          ],
          matrix: [
            {
              consumer: { name: 'spark-recommender', version: { number: 'c0ffee' } },
              provider: { name: pacticipant, version: { number: 'f00d' } },
              pact: { createdAt: '2026-01-01T00:00:00Z' },
              verificationResult: {
                success: deployable,
                verifiedAt: '2026-01-01T00:00:00Z',
                _links: { self: { href: `${baseUrl}/verification-results/1` } },
              },
            },
          ],
        });
      }
      reply(404, { error: `no route ${request.method} ${request.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
