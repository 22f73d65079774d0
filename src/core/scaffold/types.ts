import type { VarValue } from './placeholders.js';

export const MANIFEST_FILE = 'template.yaml';
/** Set by orch for every template; a manifest may use but not declare them. */
export const BUILTIN_VARS = ['name', 'dir'] as const;

export type VariableType = 'string' | 'integer';

export interface TemplateVariable {
  readonly name: string;
  readonly description: string;
  readonly type: VariableType;
  readonly default: VarValue;
}

export interface TemplateRoute {
  /** A number or a `{{variable}}`. */
  readonly port: unknown;
  readonly stripPrefix: boolean;
}

export interface TemplateManifest {
  readonly name: string;
  readonly description: string;
  readonly variables: readonly TemplateVariable[];
  /** The service block, placeholders unrendered. */
  readonly service: Readonly<Record<string, unknown>>;
  readonly route?: TemplateRoute;
  /** Services the template needs (e.g. redis), added only when the project has none by that name. */
  readonly companions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A file of a template, its path relative to the template folder with `/` separators. */
export interface TemplateFile {
  readonly path: string;
  readonly content: Uint8Array;
}

export interface Template {
  readonly manifest: TemplateManifest;
  /** Folder it was read from, for messages. */
  readonly dir: string;
  /** `builtin` or the user folder it came from. */
  readonly source: string;
  readonly files: readonly TemplateFile[];
}

/** A file to write, relative to the new service's folder. */
export interface RenderedFile {
  readonly path: string;
  readonly content: Uint8Array;
}
