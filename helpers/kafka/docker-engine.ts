import { request } from 'node:http';

/** Where the Docker engine API listens: `DOCKER_HOST` (unix:// or tcp://) or the default socket. */
function engineAddress(
  env: NodeJS.ProcessEnv = process.env,
): { socketPath: string } | { host: string; port: number } {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace('tcp://', 'http://'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: dockerHost?.startsWith('unix://') ? dockerHost.slice(7) : '/var/run/docker.sock' };
}

/** One GET against the engine API; resolves the status code, or undefined when nothing answers. */
function get(path: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ ...engineAddress(), path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** True when a Docker engine answers `/_ping` within the timeout. */
export async function dockerEngineAnswers(timeoutMs = 2_000): Promise<boolean> {
  return (await get('/_ping', timeoutMs)) === 200;
}

/** True when the engine already holds the image (so no pull is needed). */
export async function imageIsLocal(image: string, timeoutMs = 2_000): Promise<boolean> {
  return (await get(`/images/${encodeURIComponent(image)}/json`, timeoutMs)) === 200;
}
