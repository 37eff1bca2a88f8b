import { readFileSync } from 'node:fs';
import type { RuntimeConfig } from '../lambda/config/runtime-config';

/** Write keys by source id, in the write-key secret's shape: `{ "<sourceId>": ["<key>", ...] }`. */
export type WriteKeysBySource = Readonly<Record<string, readonly string[]>>;

/** `WRITE_KEYS_FILE` cannot be used; the message names the file and what to do. */
export class WriteKeysFileError extends Error {
  override readonly name = 'WriteKeysFileError';
}

/**
 * Reads `WRITE_KEYS_FILE`: a JSON object in the write-key secret's shape, each source's keys a string
 * or a list of strings (`{ "web": ["wk_1"], "app": "wk_2" }`), so one file serves local mode and
 * `aws secretsmanager put-secret-value --secret-string file://...`.
 */
export function readWriteKeysFile(file: string): WriteKeysBySource {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new WriteKeysFileError(
      `WRITE_KEYS_FILE=${file} cannot be read as JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WriteKeysFileError(
      `WRITE_KEYS_FILE=${file} must be a JSON object of keys by source id, like {"web": ["<key>"]}`,
    );
  }
  const keys: Record<string, string[]> = {};
  for (const [sourceId, entry] of Object.entries(value)) {
    const list = Array.isArray(entry) ? entry : [entry];
    if (list.length === 0 || !list.every((key) => typeof key === 'string' && key.trim() !== '')) {
      throw new WriteKeysFileError(
        `WRITE_KEYS_FILE=${file}: "${sourceId}" must be a key or a list of keys (non-empty strings)`,
      );
    }
    keys[sourceId] = list as string[];
  }
  return keys;
}

/** The development key local mode gives a source that has no key anywhere; the banner prints it. */
export const devWriteKey = (sourceId: string): string => `dev-${sourceId}-write-key`;

/** A configuration with a write key for every source, and what the banner says about them. */
export interface LocalWriteKeys {
  readonly config: RuntimeConfig;
  /** The development keys made up for sources without any, by source id. */
  readonly devKeys: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

/**
 * Gives every source of a document its write keys as a deployment would (one key-free document for
 * both worlds): inline `writeKeys` as they are (with a warning: deploy refuses them), else the
 * source's entry of `WRITE_KEYS_FILE`, else a development key ({@link devWriteKey}) printed in the
 * banner, as deploy adds a generated key for every source the secret lacks.
 */
export function withLocalWriteKeys(
  config: RuntimeConfig,
  file?: { readonly path: string; readonly keys: WriteKeysBySource },
): LocalWriteKeys {
  const devKeys: Record<string, string> = {};
  const inline: string[] = [];
  const sources = config.sources.map((source) => {
    if (source.writeKeys !== undefined) {
      inline.push(source.id);
      return source;
    }
    const fromFile = file?.keys[source.id];
    if (fromFile !== undefined) return { ...source, writeKeys: [...fromFile] };
    const key = devWriteKey(source.id);
    devKeys[source.id] = key;
    return { ...source, writeKeys: [key] };
  });
  const unknown = Object.keys(file?.keys ?? {}).filter(
    (id) => !config.sources.some((source) => source.id === id),
  );
  const warnings = [
    ...(inline.length === 0
      ? []
      : [
          `the document writes write keys inline (sources ${inline.join(', ')}): they work here, but cdk deploy -c collectorConfig refuses them; move them to a WRITE_KEYS_FILE ({"<sourceId>": ["<key>"]}), the shape of the deployed write-key secret`,
        ]),
    ...(unknown.length === 0 || file === undefined
      ? []
      : [
          `WRITE_KEYS_FILE=${file.path} has keys of sources the document does not have (${unknown.join(', ')}): they are ignored`,
        ]),
  ];
  return { config: { ...config, sources }, devKeys, warnings };
}
