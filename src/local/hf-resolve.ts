/**
 * Resolves what `switchyard pull` was given into a download: a plain URL, or a Hugging Face repo
 * (`owner/repo`, `owner/repo:Q4_K_M`, `owner/repo/path/file.gguf`). For repos, the Hub API lists the files
 * with their LFS SHA-256 and size, which the download then verifies.
 */
export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface PullTarget {
  url: string;
  /** File name to save as. */
  fileName: string;
  sha256?: string;
  size?: number;
}

interface HubSibling { rfilename: string; size?: number; lfs?: { sha256?: string; size?: number } }

export async function resolvePullTarget(spec: string, opts: { endpoint: string; fetch: typeof fetch; token?: string }): Promise<PullTarget> {
  if (/^https?:\/\//i.test(spec)) {
    const name = decodeURIComponent(new URL(spec).pathname.split('/').pop() ?? '');
    if (!name) throw new Error(`cannot tell a file name from ${spec}`);
    return { url: spec, fileName: name };
  }
  const m = /^([\w.-]+\/[\w.-]+)(?::([\w.-]+)|\/(.+\.gguf))?$/i.exec(spec);
  if (!m) throw new Error(`"${spec}" is neither a URL nor a Hugging Face repo (owner/repo, owner/repo:QUANT or owner/repo/file.gguf)`);
  const [, repo, quant, file] = m;
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const res = await opts.fetch(`${endpoint}/api/models/${repo}?blobs=true`, { headers });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(res.status === 404 || res.status === 401
      ? `Hugging Face repo ${repo} not found (or private: set HF_TOKEN)`
      : `Hugging Face API: HTTP ${res.status} for ${repo}`);
  }
  const info: unknown = await res.json();
  const siblings = (typeof info === 'object' && info !== null && Array.isArray((info as { siblings?: unknown }).siblings)
    ? (info as { siblings: unknown[] }).siblings : [])
    .filter((s): s is HubSibling => typeof s === 'object' && s !== null && typeof (s as HubSibling).rfilename === 'string');
  const ggufs = siblings.filter((s) => s.rfilename.toLowerCase().endsWith('.gguf'));
  let chosen: HubSibling | undefined;
  if (file) {
    chosen = ggufs.find((s) => s.rfilename === file);
    if (!chosen) throw new Error(`${repo} has no file ${file}`);
  } else if (quant) {
    const matches = ggufs.filter((s) => s.rfilename.toLowerCase().includes(quant.toLowerCase()));
    if (matches.length !== 1) throw new Error(`${repo}: ${matches.length} GGUF files match "${quant}"${listing(matches.length ? matches : ggufs)}`);
    chosen = matches[0];
  } else {
    if (ggufs.length !== 1) throw new Error(`${repo} has ${ggufs.length} GGUF files; name one as ${repo}:QUANT or ${repo}/FILE${listing(ggufs)}`);
    chosen = ggufs[0];
  }
  const path = chosen.rfilename.split('/').map(encodeURIComponent).join('/');
  return {
    url: `${endpoint}/${repo}/resolve/main/${path}`,
    fileName: chosen.rfilename.split('/').pop() ?? chosen.rfilename,
    sha256: chosen.lfs?.sha256,
    size: chosen.lfs?.size ?? chosen.size,
  };
}

function listing(files: HubSibling[]): string {
  return files.length ? `:\n  ${files.map((f) => f.rfilename).join('\n  ')}` : '';
}
