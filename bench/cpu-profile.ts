// Reads a V8 .cpuprofile (node --cpu-prof) and says where the self time went, by function and by area.
import { readFile } from 'node:fs/promises';
import type { ProfileSummary } from './results.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Functions listed in a summary; the rest is in the areas. */
const TOP_FUNCTIONS = 15;

/** Startup, not steady state: any sample with a module loader frame on its stack counts here. */
const MODULE_LOADING = 'module loading (startup)';

/** Which part of the stack a frame belongs to, from its script URL. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (waiting on the network)';
  if (functionName === '(program)') return 'V8/native (program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  if (url === '') return 'builtins, native and generated code';
  return 'ours (helpers, contracts, bin)';
}

/** Summarises self time: each sample's time delta goes to the function on top of its stack. */
export async function summariseProfile(
  file: string,
  target: string,
  events: number,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const loading = new Map<number, boolean>();
  const underLoader = (id: number): boolean => {
    const known = loading.get(id);
    if (known !== undefined) return known;
    const parent = parents.get(id);
    const result =
      (frames.get(id)?.url.startsWith('node:internal/modules/') ?? false) ||
      (parent !== undefined && underLoader(parent));
    loading.set(id, result);
    return result;
  };
  const byFunction = new Map<string, { name: string; location: string; selfUs: number }>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(id);
    if (!frame || frame.functionName === '(root)') return;
    totalUs += delta;
    const area = underLoader(id) ? MODULE_LOADING : areaOf(frame);
    if (area !== MODULE_LOADING) {
      const location = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
      const name = frame.functionName || '(anonymous)';
      const key = `${name} ${location}`;
      const entry = byFunction.get(key) ?? { name, location, selfUs: 0 };
      entry.selfUs += delta;
      byFunction.set(key, entry);
    }
    byArea.set(area, (byArea.get(area) ?? 0) + delta);
  });
  const percent = (us: number) => (totalUs > 0 ? (100 * us) / totalUs : 0);
  return {
    target,
    events,
    sampledMs: totalUs / 1000,
    functions: [...byFunction.values()]
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, TOP_FUNCTIONS)
      .map(({ name, location, selfUs }) => ({
        name,
        location,
        selfMs: selfUs / 1000,
        percent: percent(selfUs),
      })),
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, percent: percent(us) })),
  };
}

/** `file:///…/node_modules/kafkajs/src/x.js` → `kafkajs/src/x.js`; project files relative to the repo. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const project = /\/(helpers|contracts|bin|bench)\/.*$/.exec(url);
  return project ? project[0].slice(1) : url.replace(/^file:\/\//, '');
}
