/** A file served from the binary: its text and content type. */
export interface Asset {
  body: string;
  type: string;
}

/** Loads one asset; each is a text import, so `deno compile` embeds it. */
export type AssetLoader = () => Promise<Asset>;

/** Content types of the files the pages load. */
export const JS = "text/javascript; charset=utf-8";
export const CSS = "text/css; charset=utf-8";

/** An asset from a dynamic text import of a JavaScript or CSS file. */
export function textAsset(type: string, load: () => Promise<{ default: string }>): AssetLoader {
  return async () => ({ body: (await load()).default, type });
}

/**
 * Serves a fixed table of assets, each loaded on its first request and kept: an idle server
 * holds none of them, and nothing is read from the source tree at run time.
 */
export class AssetTable {
  private readonly loaded = new Map<string, Promise<Asset>>();

  constructor(private readonly loaders: Readonly<Record<string, AssetLoader>>) {}

  /** The names this table serves. */
  get names(): [string, ...string[]] {
    return Object.keys(this.loaders) as [string, ...string[]];
  }

  /** The asset of that name, loaded once; null for a name that is not one. */
  get(name: string): Promise<Asset> | null {
    const load = Object.hasOwn(this.loaders, name) ? this.loaders[name] : undefined;
    if (load === undefined) return null;
    let asset = this.loaded.get(name);
    if (asset === undefined) this.loaded.set(name, asset = load());
    return asset;
  }
}
